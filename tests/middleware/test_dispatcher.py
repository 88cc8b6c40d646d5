"""DispatcherMiddleware sends each request to the app mounted at its path prefix."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.middleware.dispatcher import DispatcherMiddleware as WerkzeugDispatcher

import kolba
from kolba.middleware.dispatcher import DispatcherMiddleware
from kolba.testing import EnvironBuilder, run_wsgi_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def named(name: str) -> WSGIApplication:
    """A bare WSGI app that answers with its name and the paths it was given."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        seen = {
            "app": name,
            "script": environ.get("SCRIPT_NAME"),
            "path": environ.get("PATH_INFO"),
        }
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(seen).encode()]

    return app


def call(middleware: Any, path: str | None, script_name: str = "") -> dict[str, Any]:
    environ = dict(EnvironBuilder().get_environ())
    environ["SCRIPT_NAME"] = script_name
    if path is None:
        del environ["PATH_INFO"]
    else:
        environ["PATH_INFO"] = path
    body, status, _ = run_wsgi_app(middleware, environ, buffered=True)
    assert status == "200 OK"
    result: dict[str, Any] = json.loads(b"".join(body))
    return result


def make(mounts: dict[str, str], cls: Any = DispatcherMiddleware) -> Any:
    return cls(named("default"), {prefix: named(name) for prefix, name in mounts.items()})


def test_mounted_app_gets_the_prefix_in_script_name() -> None:
    dispatcher = make({"/api": "api"})
    assert call(dispatcher, "/api/users/1") == {
        "app": "api",
        "script": "/api",
        "path": "/users/1",
    }


def test_prefix_matches_whole_segments_only() -> None:
    dispatcher = make({"/api": "api"})
    assert call(dispatcher, "/apix") == {"app": "default", "script": "", "path": "/apix"}
    assert call(dispatcher, "/apix/y")["app"] == "default"
    assert call(dispatcher, "/ap")["app"] == "default"


def test_request_for_the_prefix_itself_and_with_trailing_slash() -> None:
    dispatcher = make({"/api": "api"})
    assert call(dispatcher, "/api") == {"app": "api", "script": "/api", "path": ""}
    assert call(dispatcher, "/api/") == {"app": "api", "script": "/api", "path": "/"}


def test_longest_prefix_wins() -> None:
    dispatcher = make({"/api": "api", "/api/v2": "v2", "/api/v2/admin": "admin"})
    assert call(dispatcher, "/api/v2/users") == {"app": "v2", "script": "/api/v2", "path": "/users"}
    assert call(dispatcher, "/api/v2/admin/x")["app"] == "admin"
    assert call(dispatcher, "/api/v3")["app"] == "api"
    assert call(dispatcher, "/api/v2x")["app"] == "api"


def test_existing_script_name_is_extended() -> None:
    dispatcher = make({"/api": "api"})
    assert call(dispatcher, "/api/x", script_name="/site") == {
        "app": "api",
        "script": "/site/api",
        "path": "/x",
    }


def test_unmatched_request_reaches_default_app_unchanged() -> None:
    dispatcher = make({"/api": "api"})
    assert call(dispatcher, "/other/x", script_name="/site") == {
        "app": "default",
        "script": "/site",
        "path": "/other/x",
    }
    assert call(dispatcher, "/") == {"app": "default", "script": "", "path": "/"}


def test_empty_or_missing_path_info_goes_to_default_app() -> None:
    dispatcher = make({"/api": "api"})
    assert call(dispatcher, "") == {"app": "default", "script": "", "path": ""}
    assert call(dispatcher, None)["app"] == "default"


def test_empty_prefix_replaces_the_default_app() -> None:
    dispatcher = make({"": "root", "/api": "api"})
    assert call(dispatcher, "")["app"] == "root"
    assert call(dispatcher, "/elsewhere") == {"app": "root", "script": "", "path": "/elsewhere"}
    assert call(dispatcher, "/api/x")["app"] == "api"


def test_prefix_with_trailing_slash_is_compared_as_written() -> None:
    dispatcher = make({"/api/": "api"})
    assert call(dispatcher, "/api/") == {"app": "api", "script": "/api/", "path": ""}
    assert call(dispatcher, "/api/x")["app"] == "default"
    assert call(dispatcher, "/api")["app"] == "default"


def test_apps_mounted_after_construction_are_used() -> None:
    dispatcher = make({})
    dispatcher.mounts["/late"] = named("late")
    assert call(dispatcher, "/late/x")["app"] == "late"


def test_mounted_kolba_apps_route_and_build_urls_under_their_prefix() -> None:
    frontend = kolba.Kolba("frontend")
    backend = kolba.Kolba("backend")

    @frontend.route("/")
    def home() -> str:
        return "front"

    @backend.route("/users/<int:user_id>")
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "url": kolba.url_for("user", user_id=user_id)}

    frontend.wsgi_app = DispatcherMiddleware(frontend.wsgi_app, {"/backend": backend})  # type: ignore[method-assign]
    client = frontend.test_client()
    assert client.get("/").text == "front"
    response = client.get("/backend/users/7")
    assert response.status_code == 200
    assert response.json == {"id": 7, "url": "/backend/users/7"}
    assert client.get("/backend/nothing").status_code == 404
    assert client.get("/backendx/users/7").status_code == 404


# -- differential and property checks ----------------------------------------------------------

PREFIXES = ["", "/", "/a", "/a/", "/a/b", "/ab", "/b", "/a/b/c", "/a//b"]
segments = st.sampled_from(["", "a", "b", "ab", "c", "x"])
paths = st.one_of(
    st.just(""),
    st.lists(segments, min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts)),
)


def model(mounts: set[str], path: str) -> str | None:
    """The mount a request for ``path`` should reach: the longest prefix that is the whole
    path or is followed by "/" in it.
    """
    fits = [
        prefix
        for prefix in mounts
        if path == prefix or (path.startswith(prefix) and path[len(prefix)] == "/")
    ]
    return max(fits, key=len, default=None)


@settings(max_examples=200, deadline=None)
@given(mounted=st.sets(st.sampled_from(PREFIXES)), path=paths)
def test_prefix_selection_matches_the_model_and_werkzeug(mounted: set[str], path: str) -> None:
    mounts = {prefix: prefix for prefix in mounted}
    ours = call(make(mounts), path, script_name="/root")
    theirs = call(make(mounts, WerkzeugDispatcher), path, script_name="/root")
    assert ours == theirs
    expected = model(mounted, path)
    if expected is None:
        assert ours == {"app": "default", "script": "/root", "path": path}
    else:
        assert ours == {
            "app": expected,
            "script": "/root" + expected,
            "path": path[len(expected) :],
        }
