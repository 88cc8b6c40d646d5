"""ProfilerMiddleware profiles each request and prints and/or saves the statistics."""

from __future__ import annotations

import io
import os
import pstats
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.profiler import ProfilerMiddleware as WerkzeugProfiler
from werkzeug.test import run_wsgi_app as werkzeug_run_wsgi_app

import kolba
from kolba.middleware.profiler import ProfilerMiddleware
from kolba.testing import EnvironBuilder, run_wsgi_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def distinctive_helper_for_profiling() -> str:
    return "".join(str(n) for n in range(50))


def make_app(**options: Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)

    @app.route("/")
    def index() -> str:
        return "home"

    @app.route("/a/b/")
    def nested() -> tuple[str, int, dict[str, str]]:
        return distinctive_helper_for_profiling(), 201, {"X-Custom": "yes"}

    app.wsgi_app = ProfilerMiddleware(app.wsgi_app, **options)  # type: ignore[method-assign]
    return app


def test_response_passes_through_and_report_is_printed() -> None:
    stream = io.StringIO()
    client = make_app(stream=stream).test_client()
    response = client.get("/a/b/")
    assert response.status_code == 201
    assert response.headers["X-Custom"] == "yes"
    assert response.text == distinctive_helper_for_profiling()
    report = stream.getvalue()
    assert "GET '/a/b/'" in report
    assert "distinctive_helper_for_profiling" in report
    assert "function calls" in report
    assert "Ordered by: internal time, call count" in report


def test_sort_by_and_restrictions_shape_the_report() -> None:
    stream = io.StringIO()
    client = make_app(
        stream=stream, sort_by=("cumulative",), restrictions=("distinctive_helper",)
    ).test_client()
    client.get("/a/b/")
    report = stream.getvalue()
    assert "Ordered by: cumulative time" in report
    listed = [line for line in report.splitlines() if re.search(r":\d+\(\w+\)$", line)]
    assert listed
    assert all("distinctive_helper" in line for line in listed)


def test_no_stream_prints_nothing(capsys: Any) -> None:
    client = make_app(stream=None).test_client()
    assert client.get("/").text == "home"
    assert capsys.readouterr().out == ""


def test_profiles_are_saved_with_the_filename_format(tmp_path: Path) -> None:
    client = make_app(stream=None, profile_dir=str(tmp_path)).test_client()
    client.get("/a/b/")
    client.get("/")
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 2
    assert re.fullmatch(r"GET\.a\.b\.\d+ms\.\d+\.prof", names[0]), names
    assert re.fullmatch(r"GET\.root\.\d+ms\.\d+\.prof", names[1]), names
    stats = pstats.Stats(str(tmp_path / names[0]))
    assert any(func[2] == "distinctive_helper_for_profiling" for func in stats.stats)  # type: ignore[attr-defined]


def test_custom_format_string_and_callable(tmp_path: Path) -> None:
    client = make_app(stream=None, profile_dir=str(tmp_path), filename_format="{path}.prof")
    client.test_client().post("/a/b/")
    assert os.listdir(tmp_path) == ["a.b.prof"]

    def name_from_environ(environ: WSGIEnvironment) -> str:
        return f"custom-{environ['REQUEST_METHOD'].lower()}.prof"

    other = tmp_path / "other"
    other.mkdir()
    app = make_app(stream=None, profile_dir=str(other), filename_format=name_from_environ)
    app.test_client().get("/")
    assert os.listdir(other) == ["custom-get.prof"]


def test_hostile_paths_stay_inside_profile_dir(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    client = make_app(stream=None, profile_dir=str(profiles)).test_client()
    for path in ("/../../escape", "/%2e%2e/%2e%2e/other", "/a%5c..%5cb", "/x" * 2000, "/%00"):
        assert client.get(path).status_code == 404
    assert sorted(os.listdir(tmp_path)) == ["profiles"]
    names = os.listdir(profiles)
    assert len(names) == 5
    assert all(len(name) < 255 and "\\" not in name and "\0" not in name for name in names)


def test_write_callable_output_comes_first_and_body_is_closed() -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"-iterated"

        def close(self) -> None:
            closed.append(True)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written")
        return Body()

    middleware = ProfilerMiddleware(app, stream=None)
    environ = dict(EnvironBuilder().get_environ())
    body, status, headers = run_wsgi_app(middleware, environ, buffered=True)
    assert status == "200 OK"
    assert headers["Content-Type"] == "text/plain"
    assert b"".join(body) == b"written-iterated"
    assert closed == [True]


def test_same_response_as_werkzeug() -> None:
    inner = make_app(stream=None).wsgi_app._app  # type: ignore[attr-defined]
    ours = ProfilerMiddleware(inner, stream=None)
    theirs = WerkzeugProfiler(inner, stream=None)
    environ = dict(EnvironBuilder(path="/a/b/").get_environ())
    our_body, our_status, our_headers = run_wsgi_app(ours, dict(environ), buffered=True)
    their_body, their_status, their_headers = werkzeug_run_wsgi_app(
        theirs, dict(environ), buffered=True
    )
    assert our_status == their_status
    assert b"".join(our_body) == b"".join(their_body)
    assert sorted(our_headers.items()) == sorted(their_headers.items())
