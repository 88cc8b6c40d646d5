"""No open redirect from the redirects the router makes by itself.

strict_slashes (``/dir`` to ``/dir/``), merge_slashes (``/a//b`` to ``/a/b``) and defaults
(``/page/1`` to ``/``) build a Location from the request path. A path such as
``//evil.example/x`` must never come out as the scheme-relative ``//evil.example/x/``, and a
backslash (which browsers read as a slash) must never reach the start of a path. Each
redirect goes to the requested host (checked by TRUSTED_HOSTS where set) and stays under the
application root.
"""

from __future__ import annotations

import http.client
import logging
import threading
import typing as t
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba
from kolba.routing import Rule
from kolba.wsgi import serving


def make_app() -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.add_url_rule("/<path:p>/", "branch", lambda p: p)
    app.add_url_rule("/dir/", "dir", lambda: "dir")
    app.add_url_rule("/docs/<name>/", "docs", lambda name: name)

    def page(n: int) -> str:
        return str(n)

    app.add_url_rule("/page/<int:n>", "page", page)
    app.add_url_rule("/", "page", page, defaults={"n": 1})
    app.url_map.add(Rule("/old/<int:n>", endpoint="old", redirect_to="/page/<n>"))
    return app


def assert_same_origin(location: str, request_url: str, root: str = "/") -> None:
    """``location`` (resolved against the request URL, as a browser does) stays on the
    request's origin and under ``root``; its path starts with one slash and no backslash.
    """
    resolved = urljoin(request_url, location)
    want, got = urlsplit(request_url), urlsplit(resolved)
    assert (got.scheme, got.netloc) == (want.scheme, want.netloc), (location, resolved)
    raw_path = location[len(f"{got.scheme}://{got.netloc}") :] if "://" in location else location
    assert raw_path.startswith(root), location
    assert not raw_path.startswith("//"), location
    assert "\\" not in location, location  # browsers read "\" as "/" in http(s) URLs


# BAD_INPUTS.md section 7: paths as the server hands them to the app (percent-decoded).
HOSTILE_PATHS = [
    "//evil.example/x",
    "///evil.example",
    "////evil.example//x",
    "/\\evil.example",
    "/\\/evil.example",
    "/\\\\evil.example/x",
    "/%2F%2Fevil.example",  # %2F arrives decoded from most servers; here it is literal
    "/%5Cevil.example",
    "/@evil.example",
    "/http://evil.example/x",
    "/https:evil.example",
    "/..//evil.example",
    "/.//evil.example",
    "/dir//",
    "//dir",
    "/docs//x",
    "/docs/\\evil.example",
    "/\tevil.example",
    "/ //evil.example",
    "/old//5",
    "/page//1",
    "/page/1",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_router_redirects_stay_on_the_same_origin(path: str) -> None:
    client = make_app().test_client()
    rv = client.get(path)
    if 300 <= rv.status_code < 400:
        assert_same_origin(rv.headers["Location"], "http://localhost" + path)


def test_the_classic_cases_redirect_to_the_merged_local_path() -> None:
    client = make_app().test_client()
    assert client.get("//evil.example/x").headers["Location"] == "http://localhost/evil.example/x/"
    assert client.get("/\\evil.example").headers["Location"] == "http://localhost/%5Cevil.example/"
    assert client.get("/dir").headers["Location"] == "http://localhost/dir/"
    assert client.get("/page/1").headers["Location"] == "http://localhost/"


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_redirects_stay_under_the_application_root(path: str) -> None:
    client = make_app().test_client()
    rv = client.get(path, environ_overrides={"SCRIPT_NAME": "/app"})
    if 300 <= rv.status_code < 400:
        assert_same_origin(rv.headers["Location"], "http://localhost/app" + path, root="/app/")


_PIECES = st.sampled_from(
    ["", "/", "//", "\\", "evil.example", "@evil", "http:", "https:", "..", ".", "dir", "docs",
     "page", "1", "old", "%2F", "%5C", "\t", " ", "?", "#", "é"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=6), script_root=st.sampled_from(["", "/app"]))
def test_any_path_redirects_only_to_the_same_origin(pieces: list[str], script_root: str) -> None:
    path = "/" + "".join(pieces)
    rv = _CLIENT.get(path, environ_overrides={"SCRIPT_NAME": script_root})
    assert rv.status_code < 500, path
    if 300 <= rv.status_code < 400:
        assert_same_origin(
            rv.headers["Location"], f"http://localhost{script_root}{path}", root=script_root + "/"
        )


_CLIENT = make_app().test_client()


def test_forged_host_is_refused_before_any_redirect_is_built() -> None:
    app = make_app()
    app.config["TRUSTED_HOSTS"] = ["shop.example"]
    client = app.test_client()
    rv = client.get("/dir", headers={"Host": "evil.example"})
    assert rv.status_code == 400
    assert "Location" not in rv.headers
    rv = client.get("/dir", headers={"Host": "shop.example"})
    assert rv.headers["Location"] == "http://shop.example/dir/"


# -- through a real server: the request line is not the test client's ------------------------


@pytest.fixture
def server_port() -> Iterator[int]:
    logger = logging.getLogger("kolba")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    server = serving.make_server("127.0.0.1", 0, make_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield t.cast(int, server.port)
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        logger.setLevel(saved[0])
        logger.handlers[:] = saved[1]
        logger.propagate = saved[2]
        serving._configured_logger = None


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "///evil.example", "/%2F%2Fevil.example/", "/%5Cevil.example", "//dir"],
)
def test_dev_server_request_lines_do_not_open_a_redirect(server_port: int, target: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=5)
    try:
        conn.putrequest("GET", target, skip_host=True)
        conn.putheader("Host", "shop.example")
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location")
    finally:
        conn.close()
    assert response.status < 500
    if location is not None:
        assert_same_origin(location, "http://shop.example/")
