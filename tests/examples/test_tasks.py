"""The to-do REST API example (examples/tasks/app.py): every route and error, and serving."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import types
import typing as t
import urllib.error
import urllib.request

import pytest

from kolba.testing import KolbaClient

APP_PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "tasks" / "app.py"
API = "/todo/api/v1.0/tasks"


def _load(source: str | None = None, name: str = "tasks_example") -> types.ModuleType:
    """Import the example from its file (it is a script, not a package)."""
    if source is None:
        spec = importlib.util.spec_from_file_location(name, APP_PATH)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    module = types.ModuleType(name)
    module.__file__ = str(APP_PATH)
    exec(compile(source, str(APP_PATH), "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def example() -> types.ModuleType:
    return _load()


@pytest.fixture
def client(example: types.ModuleType) -> KolbaClient:
    # A fresh app per test: each has its own in-memory store.
    return t.cast(KolbaClient, example.create_app().test_client())


def _uri(task_id: int) -> str:
    return f"http://localhost{API}/{task_id}"


# -- reading ------------------------------------------------------------------------------------


def test_list_tasks(client: KolbaClient) -> None:
    rv = client.get(API)
    assert rv.status_code == 200
    assert rv.mimetype == "application/json"
    tasks = rv.json["tasks"]
    assert [task["id"] for task in tasks] == [1, 2]
    for task in tasks:
        assert set(task) == {"id", "title", "description", "done", "uri"}
        assert isinstance(task["title"], str)
        assert isinstance(task["description"], str)
        assert task["done"] is False
        assert task["uri"] == _uri(task["id"])


def test_get_one_task(client: KolbaClient) -> None:
    rv = client.get(f"{API}/2")
    assert rv.status_code == 200
    assert rv.json["task"]["id"] == 2
    assert rv.json["task"]["uri"] == _uri(2)


def test_uri_follows_the_host_and_scheme(client: KolbaClient) -> None:
    rv = client.get("https://tasks.example.com/todo/api/v1.0/tasks/1")
    assert rv.json["task"]["uri"] == "https://tasks.example.com/todo/api/v1.0/tasks/1"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_missing_task_is_a_json_404(client: KolbaClient, method: str) -> None:
    rv = getattr(client, method)(f"{API}/99", json={"done": True})
    assert rv.status_code == 404
    assert rv.mimetype == "application/json"
    assert rv.json == {"error": "Not found"}


def test_unknown_url_is_a_json_404(client: KolbaClient) -> None:
    rv = client.get("/todo/api/v2.0/tasks")
    assert rv.status_code == 404
    assert rv.json == {"error": "Not found"}


def test_non_numeric_id_is_a_404(client: KolbaClient) -> None:
    assert client.get(f"{API}/abc").json == {"error": "Not found"}


def test_wrong_method_is_a_json_405(client: KolbaClient) -> None:
    rv = client.patch(f"{API}/1", json={"done": True})
    assert rv.status_code == 405
    assert rv.json["error"] == "Method Not Allowed"
    assert set(rv.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PUT", "DELETE"}
    assert client.delete(API).status_code == 405


# -- creating -----------------------------------------------------------------------------------


def test_create_task(client: KolbaClient) -> None:
    rv = client.post(API, json={"title": "Read a book", "description": "Any", "done": True})
    assert rv.status_code == 201
    assert rv.headers["Location"] == _uri(3)
    assert rv.json == {
        "task": {
            "id": 3,
            "title": "Read a book",
            "description": "Any",
            "done": True,
            "uri": _uri(3),
        }
    }
    assert client.get(rv.headers["Location"]).json["task"]["title"] == "Read a book"
    assert len(client.get(API).json["tasks"]) == 3


def test_create_with_only_a_title_uses_defaults(client: KolbaClient) -> None:
    task = client.post(API, json={"title": "Just a title"}).json["task"]
    assert (task["description"], task["done"]) == ("", False)


def test_create_ignores_id_and_unknown_fields(client: KolbaClient) -> None:
    task = client.post(API, json={"title": "t", "id": 1, "priority": "high"}).json["task"]
    assert task["id"] == 3
    assert "priority" not in task


def test_ids_are_not_reused_after_a_delete(client: KolbaClient) -> None:
    client.delete(f"{API}/1")
    assert client.post(API, json={"title": "new"}).json["task"]["id"] == 3


BAD_BODIES: list[tuple[dict[str, t.Any], str]] = [
    ({"json": {"description": "no title"}}, "needs a 'title'"),
    ({"json": {"title": ""}}, "must not be empty"),
    ({"json": {"title": "   "}}, "must not be empty"),
    ({"json": {"title": 42}}, "'title' must be a string"),
    ({"json": {"title": "t", "description": ["x"]}}, "'description' must be a string"),
    ({"json": {"title": "t", "done": "yes"}}, "'done' must be true or false"),
    ({"json": {"title": "t", "done": 1}}, "'done' must be true or false"),
    ({"json": ["title"]}, "must be a JSON object"),
    ({"data": "null", "content_type": "application/json"}, "must be a JSON object"),
    ({"data": "{not json", "content_type": "application/json"}, "must be a JSON object"),
    ({"data": "title=form", "content_type": "application/x-www-form-urlencoded"}, "JSON"),
    ({}, "must be a JSON object"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_BODIES)
def test_create_validation(client: KolbaClient, kwargs: dict[str, t.Any], message: str) -> None:
    rv = client.post(API, **kwargs)
    assert rv.status_code == 400
    assert rv.json["error"] == "Bad request"
    assert message in rv.json["message"]
    assert len(client.get(API).json["tasks"]) == 2  # nothing was created


# -- updating and deleting ----------------------------------------------------------------------


def test_update_task(client: KolbaClient) -> None:
    rv = client.put(f"{API}/1", json={"done": True, "title": "Buy more groceries"})
    assert rv.status_code == 200
    task = rv.json["task"]
    assert (task["id"], task["done"], task["title"]) == (1, True, "Buy more groceries")
    assert task["description"] == client.get(f"{API}/1").json["task"]["description"]
    assert client.get(f"{API}/1").json["task"]["done"] is True


def test_put_back_what_get_returned(client: KolbaClient) -> None:
    task = client.get(f"{API}/2").json["task"]
    task["done"] = True
    rv = client.put(f"{API}/2", json=task)
    assert rv.status_code == 200
    assert rv.json["task"] == task


def test_update_cannot_change_the_id(client: KolbaClient) -> None:
    assert client.put(f"{API}/1", json={"id": 7}).json["task"]["id"] == 1
    assert client.get(f"{API}/7").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"done": "true"}, "'done' must be true or false"),
        ({"title": None}, "'title' must be a string"),
        ({"title": ""}, "must not be empty"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_update_validation(client: KolbaClient, body: t.Any, message: str) -> None:
    before = client.get(f"{API}/1").json
    rv = client.put(f"{API}/1", json=body)
    assert rv.status_code == 400
    assert message in rv.json["message"]
    assert client.get(f"{API}/1").json == before


def test_update_without_json_body(client: KolbaClient) -> None:
    rv = client.put(f"{API}/1", data="done", content_type="text/plain")
    assert rv.status_code == 400
    assert rv.json["error"] == "Bad request"


def test_delete_task(client: KolbaClient) -> None:
    rv = client.delete(f"{API}/1")
    assert rv.status_code == 200
    assert rv.json == {"result": True}
    assert client.get(f"{API}/1").status_code == 404
    assert [task["id"] for task in client.get(API).json["tasks"]] == [2]
    assert client.delete(f"{API}/1").status_code == 404


def test_apps_do_not_share_their_store(example: types.ModuleType) -> None:
    first, second = example.create_app().test_client(), example.create_app().test_client()
    first.delete(f"{API}/1")
    assert len(second.get(API).json["tasks"]) == 2


def test_create_app_with_given_tasks(example: types.ModuleType) -> None:
    app = example.create_app([{"id": 7, "title": "only", "description": "", "done": True}])
    rv = app.test_client().get(API)
    assert [task["id"] for task in rv.json["tasks"]] == [7]


# -- the same file, ported back to Flask by renaming imports, answers the same ------------------


def _as_flask(source: str) -> str:
    return (
        source.replace("from kolba.exceptions import", "from werkzeug.exceptions import")
        .replace("from kolba import", "from flask import")
        .replace("Kolba", "Flask")
    )


SCENARIO: list[tuple[str, str, dict[str, t.Any]]] = [
    ("get", API, {}),
    ("get", f"{API}/1", {}),
    ("get", f"{API}/9", {}),
    ("post", API, {"json": {"title": "New", "done": True}}),
    ("post", API, {"json": {"description": "no title"}}),
    ("post", API, {"data": "x", "content_type": "text/plain"}),
    ("put", f"{API}/1", {"json": {"done": True}}),
    ("put", f"{API}/1", {"json": {"done": "no"}}),
    ("patch", f"{API}/1", {"json": {}}),
    ("delete", f"{API}/2", {}),
    ("delete", f"{API}/2", {}),
    ("get", API, {}),
]


def test_same_answers_as_flask() -> None:
    pytest.importorskip("flask")
    source = APP_PATH.read_text(encoding="utf-8")
    answers = []
    for code in (source, _as_flask(source)):
        module = _load(code, name="tasks_parity")
        client = module.create_app().test_client()
        run = []
        for method, url, kwargs in SCENARIO:
            rv = getattr(client, method)(url, **kwargs)
            run.append((rv.status_code, rv.json, rv.headers.get("Location")))
        answers.append(run)
    assert answers[0] == answers[1]


# -- serving with `python examples/tasks/app.py` ------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], budget: float = 10.0) -> None:
    """End the server by its pid: SIGTERM, then SIGKILL if it is still there."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=budget)


def test_runs_as_a_script_on_the_dev_server(tmp_path: pathlib.Path) -> None:
    try:
        from kolba.wsgi.serving import run_simple  # noqa: F401
    except ImportError as e:
        pytest.skip(f"the dev server (kolba.wsgi.serving.run_simple) isn't importable: {e}")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOLBA_", "FLASK_"))}
    env.update(TASKS_HOST="127.0.0.1", TASKS_PORT=str(port), PYTHONUNBUFFERED="1")
    src = str(APP_PATH.parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    log = (tmp_path / "server.log").open("wb")
    # Run from an empty folder so no stray .env/.kolbaenv file changes the settings.
    process = subprocess.Popen(
        [sys.executable, str(APP_PATH)], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}{API}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    status, body = response.status, response.read()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    output = (tmp_path / "server.log").read_text(errors="replace")
                    pytest.fail(f"the server did not answer on port {port}:\n{output}")
                time.sleep(0.1)
        assert status == 200
        tasks = json.loads(body)["tasks"]
        assert [task["id"] for task in tasks] == [1, 2]
        assert tasks[0]["uri"] == f"http://127.0.0.1:{port}{API}/1"
        request = urllib.request.Request(f"{url}/9", method="GET")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=5)
        assert info.value.code == 404
        assert json.loads(info.value.read()) == {"error": "Not found"}
        info.value.close()
    finally:
        _stop(process)
        log.close()
    assert process.returncode is not None
