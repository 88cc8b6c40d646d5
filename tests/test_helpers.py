"""Helpers: environment flags, package paths, make_response, redirect, streaming guards."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kolba
from kolba import Kolba
from kolba.helpers import (
    find_package,
    get_debug_flag,
    get_load_dotenv,
    get_root_path,
    make_redirect,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("0", False), ("false", False), ("No", False), ("1", True)],
)
def test_get_debug_flag(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool) -> None:
    if value is None:
        monkeypatch.delenv("KOLBA_DEBUG", raising=False)
    else:
        monkeypatch.setenv("KOLBA_DEBUG", value)
    assert get_debug_flag() is expected


def test_flask_debug_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLBA_DEBUG", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert get_debug_flag() is False


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        (None, True, True),
        (None, False, False),
        ("1", True, False),
        ("true", True, False),
        ("0", True, True),
        ("false", True, True),
        ("no", False, True),
    ],
)
def test_get_load_dotenv(
    monkeypatch: pytest.MonkeyPatch, value: str | None, default: bool, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("KOLBA_SKIP_DOTENV", raising=False)
    else:
        monkeypatch.setenv("KOLBA_SKIP_DOTENV", value)
    assert get_load_dotenv(default) is expected


# -- package paths ----------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    pkg = tmp_path / "kolba_helpers_pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (pkg / "sub" / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (pkg / "sub" / "views.py").write_text("raise RuntimeError('imported')\n")
    ns = tmp_path / "kolba_helpers_ns" / "inner"
    ns.mkdir(parents=True)
    (ns / "mod.py").write_text("raise RuntimeError('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("kolba_helpers_")]:
        del sys.modules[name]


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("kolba_helpers_pkg", "kolba_helpers_pkg"),
        ("kolba_helpers_pkg.sub", "kolba_helpers_pkg/sub"),
        ("kolba_helpers_pkg.sub.views", "kolba_helpers_pkg/sub"),
        ("kolba_helpers_ns.inner.mod", "kolba_helpers_ns/inner"),
    ],
)
def test_get_root_path_runs_no_code(tree: Path, name: str, folder: str) -> None:
    # Every module with code in the tree raises when imported, so this alone proves it.
    assert get_root_path(name) == str(tree / folder)
    # Only namespace packages (which have no code) may have been imported on the way.
    imported = [m for m in sys.modules if m.startswith("kolba_helpers_")]
    assert all(getattr(sys.modules[m], "__file__", None) is None for m in imported)
    if not name.startswith("kolba_helpers_ns"):
        assert imported == []


def test_get_root_path_fallbacks(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    assert get_root_path("kolba_helpers_missing") == str(tree)
    assert get_root_path("kolba_helpers_pkg.missing.deeper") == str(tree)
    assert get_root_path("kolba_helpers_ns") == str(tree)  # a namespace package
    assert get_root_path(__name__) == os.path.dirname(os.path.abspath(__file__))


def test_get_root_path_matches_flask(tree: Path) -> None:
    flask_helpers = pytest.importorskip("flask.helpers")
    for name in ("kolba_helpers_pkg", "json", "os.path", "email.mime"):
        if name.startswith("kolba_"):
            assert get_root_path(name) == str(tree / name)
        else:
            assert get_root_path(name) == flask_helpers.get_root_path(name)


def test_find_package(tree: Path) -> None:
    assert find_package("kolba_helpers_pkg") == (None, str(tree))
    assert find_package("kolba_helpers_pkg.sub.views") == (None, str(tree))


# -- make_response and redirect ---------------------------------------------------------------


@pytest.fixture
def app() -> Kolba:
    return Kolba("kolba_test_helpers")


def test_make_response_forms(app: Kolba) -> None:
    with app.test_request_context("/"):
        empty = kolba.make_response()
        assert (empty.status_code, empty.get_data(), empty.mimetype) == (200, b"", "text/html")
        r = kolba.make_response("body")
        assert (r.status_code, r.get_data()) == (200, b"body")
        r = kolba.make_response("created", 201, {"X-A": "1"})
        assert (r.status_code, r.headers["X-A"]) == (201, "1")
        r = kolba.make_response(("tuple", 202))
        assert r.status_code == 202
        r = kolba.make_response({"a": 1})
        assert r.get_json() == {"a": 1}
        r = kolba.make_response(["x"], 400)
        assert (r.status_code, r.get_json()) == (400, ["x"])
        original = kolba.Response("same")
        assert kolba.make_response(original) is original


def test_make_response_needs_an_app() -> None:
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        kolba.make_response("x")


def test_redirect(app: Kolba) -> None:
    r = kolba.redirect("/target?x=1")
    assert (r.status_code, r.headers["Location"]) == (302, "/target?x=1")
    assert b'href="/target?x=1"' in r.get_data()
    assert kolba.redirect("/moved", 301).status_code == 301
    assert kolba.redirect("/caf\u00e9").headers["Location"] == "/caf%C3%A9"


def test_redirect_uses_the_app_redirect(app: Kolba) -> None:
    class MyApp(Kolba):
        def redirect(self, location: str, code: int = 302) -> kolba.Response:
            response = super().redirect(location, code)
            response.headers["X-Via-App"] = "yes"
            return response

    my = MyApp("kolba_test_helpers_redirect")
    with my.app_context():
        assert kolba.redirect("/x").headers["X-Via-App"] == "yes"


@pytest.mark.parametrize("bad", ["/a\r\nSet-Cookie: x=1", "/a\nb", "/a\x00b"])
def test_redirect_refuses_header_splitting(bad: str) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        make_redirect(bad)


def test_make_redirect_with_response_class() -> None:
    class MyResponse(kolba.Response):
        pass

    r = make_redirect("/x", 303, Response=MyResponse)
    assert type(r) is MyResponse
    assert r.status_code == 303


# -- things that need a request ---------------------------------------------------------------


def test_stream_with_context_needs_a_request() -> None:
    with pytest.raises(RuntimeError, match="no request"):
        kolba.stream_with_context(iter(["a"]))


def test_stream_with_context_keeps_the_request(app: Kolba) -> None:
    @app.route("/stream")
    def stream() -> Any:
        def generate() -> Any:
            yield "path="
            yield kolba.request.path
            yield f" arg={kolba.request.args['a']}"

        return kolba.stream_with_context(generate())

    assert app.test_client().get("/stream?a=1").data == b"path=/stream arg=1"


def test_url_for_outside_a_request_needs_server_name(app: Kolba) -> None:
    app.add_url_rule("/", "index", lambda: "x")
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        kolba.url_for("index")


def test_url_for_scheme_needs_external(app: Kolba) -> None:
    app.add_url_rule("/", "index", lambda: "x")
    with app.test_request_context("/"):
        assert kolba.url_for("index", _scheme="https") == "https://localhost/"
        with pytest.raises(ValueError, match="_external=False"):
            kolba.url_for("index", _scheme="https", _external=False)


def test_make_response_messages_for_bad_view_returns(app: Kolba) -> None:
    app.testing = True

    @app.route("/none")
    def none() -> Any:
        return None

    @app.route("/tuple")
    def long_tuple() -> Any:
        return ("a", 200, {}, "extra")

    @app.route("/object")
    def obj() -> Any:
        return 3.5

    client = app.test_client()
    with pytest.raises(TypeError, match="'none' did not return a valid response: it returned None"):
        client.get("/none")
    with pytest.raises(
        TypeError, match="tuple of 4 items, but a response tuple must have the form"
    ):
        client.get("/tuple")
    with pytest.raises(TypeError, match="it was a float"):
        client.get("/object")


@pytest.mark.parametrize("subdomain_matching", [False, True])
@pytest.mark.parametrize(
    "server_name", ["example.test", "example.test:80", "Example.test:8080", None]
)
def test_server_name_in_request_urls_matches_flask(
    subdomain_matching: bool, server_name: str | None
) -> None:
    """Matching, url_for and slash redirects on SERVER_NAME, subdomains and other hosts."""
    flask = pytest.importorskip("flask")

    def outcomes(module: Any, app_class: Any) -> list[tuple[int, str | None]]:
        app = app_class("kolba_test_helpers_sn", subdomain_matching=subdomain_matching)
        app.config["SERVER_NAME"] = server_name

        @app.route("/p/")
        def p() -> str:
            return str(module.url_for("p", _external=True))

        if subdomain_matching:

            @app.route("/", subdomain="<user>")
            def home(user: str) -> str:
                return f"{module.url_for('home', user='zed')} {module.url_for('p')}"

        client = app.test_client()
        out = []
        for url in (
            "http://example.test/p/",
            "http://other.test/p/",
            "http://bob.example.test/",
            "http://example.test/p",
            "http://example.test:8080/p/",
            "https://example.test/p",
        ):
            r = client.get(url)
            out.append((r.status_code, r.text if r.status_code == 200 else r.location))
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Werkzeug warns about hosts that miss SERVER_NAME
        expected = outcomes(flask, flask.Flask)
    assert outcomes(kolba, Kolba) == expected
