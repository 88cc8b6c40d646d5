"""The test client's cookie jar and session_transaction()."""

from __future__ import annotations

import typing as t
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba
from kolba import Kolba, request, session
from kolba.testing import Cookie, KolbaClient
from kolba.testing import client as client_module


@pytest.fixture
def app() -> Kolba:
    app = Kolba(__name__)
    app.secret_key = "cookie secret"

    @app.route("/set/<name>/<value>")
    def set_cookie(name: str, value: str) -> t.Any:
        rv = kolba.make_response("set")
        options = request.args.to_dict()
        for number in ("max_age", "expires"):
            if number in options:
                options[number] = int(options[number])  # type: ignore[assignment]
        rv.set_cookie(name, value, **options)  # type: ignore[arg-type]
        return rv

    @app.route("/unset/<name>")
    def unset_cookie(name: str) -> t.Any:
        rv = kolba.make_response("unset")
        rv.delete_cookie(name, path=request.args.get("path", "/"))
        return rv

    @app.route("/", defaults={"rest": ""})
    @app.route("/<path:rest>")
    def show(rest: str) -> t.Any:
        return {"cookies": request.cookies.to_dict(), "header": request.headers.get("Cookie")}

    return app


@pytest.fixture
def client(app: Kolba) -> KolbaClient:
    return app.test_client()


def _seen(client: KolbaClient, url: str = "/") -> dict[str, str]:
    return t.cast(dict[str, str], client.get(url).json["cookies"])


# -- cookies set by the app ---------------------------------------------------------------------


def test_cookies_persist_across_requests(client: KolbaClient) -> None:
    client.get("/set/flavour/oat")
    assert _seen(client) == {"flavour": "oat"}
    assert _seen(client, "/other/page") == {"flavour": "oat"}
    client.get("/set/size/large")
    assert _seen(client) == {"flavour": "oat", "size": "large"}


def test_get_cookie(client: KolbaClient) -> None:
    client.get("/set/flavour/oat")
    cookie = client.get_cookie("flavour")
    assert isinstance(cookie, Cookie)
    assert cookie.value == "oat"
    assert cookie.decoded_value == "oat"
    assert (cookie.domain, cookie.path) == ("localhost", "/")
    assert client.get_cookie("missing") is None
    assert client.get_cookie("flavour", domain="example.com") is None


def test_quoted_value_is_sent_back_as_the_app_wrote_it(client: KolbaClient) -> None:
    client.get("/set/odd/a%20b%3B%22c")
    cookie = client.get_cookie("odd")
    assert cookie is not None
    assert cookie.decoded_value == 'a b;"c'
    assert cookie.value.startswith('"')  # quoted in Set-Cookie, and so in Cookie
    assert _seen(client) == {"odd": 'a b;"c'}


def test_attributes_are_parsed(client: KolbaClient) -> None:
    client.get("/set/full/v?secure=1&httponly=1&samesite=Lax&max_age=60")
    cookie = client.get_cookie("full")
    assert cookie is not None
    assert cookie.secure
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.max_age == 60
    assert cookie.expires is not None


def test_secure_cookies_are_sent_over_http(client: KolbaClient) -> None:
    # As in Flask: an app with SESSION_COOKIE_SECURE still works on http://localhost.
    client.get("/set/s/1?secure=1")
    assert _seen(client) == {"s": "1"}


def test_path_scoping(client: KolbaClient) -> None:
    client.get("/set/scoped/1?path=/sub")
    assert client.get_cookie("scoped") is None
    assert client.get_cookie("scoped", path="/sub") is not None
    assert _seen(client, "/") == {}
    assert _seen(client, "/sub") == {"scoped": "1"}
    assert _seen(client, "/sub/deeper") == {"scoped": "1"}
    assert _seen(client, "/subway") == {}


def test_default_path_is_the_request_directory(app: Kolba, client: KolbaClient) -> None:
    @app.route("/docs/guide/set")
    def no_path() -> t.Any:
        rv = kolba.make_response("x")
        rv.headers.add("Set-Cookie", "guide=1")
        return rv

    client.get("/docs/guide/set")
    assert client.get_cookie("guide", path="/docs/guide") is not None
    assert _seen(client, "/docs/guide/page") == {"guide": "1"}
    assert _seen(client, "/docs") == {}


def test_host_only_cookie_is_not_sent_to_subdomains(client: KolbaClient) -> None:
    client.get("/set/host_only/1")
    assert _seen(client, "http://api.localhost/") == {}
    assert _seen(client, "http://localhost:5000/") == {"host_only": "1"}  # ports don't matter


def test_domain_cookie_is_sent_to_subdomains(client: KolbaClient) -> None:
    client.get("http://example.com/set/wide/1?domain=.example.com")
    assert client.get_cookie("wide", domain="example.com") is not None
    assert client.get_cookie("wide", domain=".example.com") is not None
    assert _seen(client, "http://example.com/") == {"wide": "1"}
    assert _seen(client, "http://api.example.com/") == {"wide": "1"}
    assert _seen(client, "http://notexample.com/") == {}
    assert _seen(client) == {}


def test_cookie_for_another_host_is_not_sent(client: KolbaClient) -> None:
    client.get("http://other.org/set/theirs/1")
    assert _seen(client) == {}
    assert _seen(client, "http://other.org/") == {"theirs": "1"}


# -- expiry -------------------------------------------------------------------------------------


def test_app_delete_cookie_removes_it(client: KolbaClient) -> None:
    client.get("/set/gone/1")
    client.get("/unset/gone")
    assert client.get_cookie("gone") is None
    assert _seen(client) == {}


def test_max_age_zero_and_past_expires_remove_cookies(client: KolbaClient) -> None:
    client.set_cookie("a", "1")
    client.set_cookie("b", "2")
    client.get("/set/a/x?max_age=0")
    client.get("/set/b/x?expires=0")
    assert _seen(client) == {}


def test_invalid_max_age_is_ignored(app: Kolba, client: KolbaClient) -> None:
    @app.route("/bad-max-age")
    def bad() -> t.Any:
        rv = kolba.make_response("x")
        rv.headers.add("Set-Cookie", "kept=1; Max-Age=soon")
        rv.headers.add("Set-Cookie", "no-equals-sign")
        return rv

    client.get("/bad-max-age")
    assert _seen(client) == {"kept": "1"}


def test_cookies_expire_with_time(client: KolbaClient, monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    monkeypatch.setattr(client_module, "_now", lambda: start)
    client.get("/set/short/1?max_age=60")
    client.set_cookie("dated", "2", expires=start + timedelta(hours=1))
    assert _seen(client) == {"short": "1", "dated": "2"}
    monkeypatch.setattr(client_module, "_now", lambda: start + timedelta(seconds=61))
    assert client.get_cookie("short") is None
    assert _seen(client) == {"dated": "2"}
    monkeypatch.setattr(client_module, "_now", lambda: start + timedelta(hours=2))
    assert _seen(client) == {}


# -- set_cookie / delete_cookie from the test ---------------------------------------------------


def test_client_set_and_delete_cookie(client: KolbaClient) -> None:
    client.set_cookie("token", "abc")
    assert _seen(client) == {"token": "abc"}
    client.set_cookie("scoped", "s", path="/admin")
    assert _seen(client, "/admin/x") == {"token": "abc", "scoped": "s"}
    client.delete_cookie("token")
    assert _seen(client) == {}
    client.delete_cookie("scoped", path="/admin")
    assert _seen(client, "/admin/x") == {}
    client.delete_cookie("never-set")  # no error


def test_client_set_cookie_for_a_domain(client: KolbaClient) -> None:
    client.set_cookie("d", "1", domain="example.com")
    assert _seen(client) == {}
    assert _seen(client, "http://example.com/") == {"d": "1"}
    assert _seen(client, "http://www.example.com/") == {}
    client.set_cookie("d", "2", domain="example.com", origin_only=False)
    assert _seen(client, "http://www.example.com/") == {"d": "2"}


def test_client_set_cookie_with_attributes(client: KolbaClient) -> None:
    client.set_cookie("a", "1", max_age=0)
    assert client.get_cookie("a") is None
    client.set_cookie("b", "2", httponly=True, samesite="Strict")
    cookie = client.get_cookie("b")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Strict"


def test_own_cookie_header_is_sent_with_stored_cookies(client: KolbaClient) -> None:
    assert client.get("/", headers={"Cookie": "mine=1"}).json["cookies"] == {"mine": "1"}
    client.set_cookie("jar", "2")
    rv = client.get("/", headers={"Cookie": "mine=1"})
    assert rv.json["cookies"] == {"mine": "1", "jar": "2"}
    # For a name in both, the header the test passed wins, and the name is sent once.
    rv = client.get("/", headers={"Cookie": "jar=own"})
    assert rv.json["header"] == "jar=own"


def test_resending_a_request_does_not_repeat_cookies(client: KolbaClient) -> None:
    client.set_cookie("once", "1")
    first = client.get("/")
    assert client.open(first.request).json["header"] == "once=1"


@settings(max_examples=100, deadline=None)
@given(value=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_any_value_round_trips(value: str) -> None:
    app = Kolba(__name__)

    @app.route("/")
    def show() -> t.Any:
        return {"value": request.cookies.get("v")}

    client = app.test_client()
    client.set_cookie("v", value)
    cookie = client.get_cookie("v")
    assert cookie is not None
    assert cookie.decoded_value == value
    assert client.get("/").json["value"] == value


# -- cookies disabled ---------------------------------------------------------------------------


def test_use_cookies_false(app: Kolba) -> None:
    client = app.test_client(use_cookies=False)
    client.get("/set/flavour/oat")
    assert _seen(client) == {}
    # A Cookie header given by the test still goes through.
    assert client.get("/", headers={"Cookie": "mine=1"}).json["cookies"] == {"mine": "1"}
    for call in (
        lambda: client.get_cookie("x"),
        lambda: client.set_cookie("x", "1"),
        lambda: client.delete_cookie("x"),
    ):
        with pytest.raises(TypeError, match=r"^Cookies are disabled\."):
            call()


# -- the session --------------------------------------------------------------------------------


@pytest.fixture
def session_app(app: Kolba) -> Kolba:
    @app.route("/login/<user>")
    def login(user: str) -> str:
        session["user"] = user
        return "in"

    @app.route("/logout")
    def logout() -> str:
        session.pop("user", None)
        return "out"

    @app.route("/me")
    def me() -> t.Any:
        return {"user": session.get("user"), "extra": session.get("extra")}

    return app


def test_session_persists_across_requests(session_app: Kolba) -> None:
    client = session_app.test_client()
    assert client.get("/me").json["user"] is None
    client.get("/login/ada")
    assert client.get("/me").json["user"] == "ada"
    client.get("/logout")
    assert client.get("/me").json["user"] is None


def test_session_transaction_before_a_request(session_app: Kolba) -> None:
    client = session_app.test_client()
    with client.session_transaction() as sess:
        sess["user"] = "grace"
        sess["extra"] = [1, 2]
    assert client.get("/me").json == {"user": "grace", "extra": [1, 2]}


def test_session_transaction_reads_what_requests_stored(session_app: Kolba) -> None:
    client = session_app.test_client()
    client.get("/login/ada")
    with client.session_transaction() as sess:
        assert sess["user"] == "ada"
        sess["extra"] = "added"
    assert client.get("/me").json == {"user": "ada", "extra": "added"}


def test_unchanged_session_transaction_keeps_the_cookie(session_app: Kolba) -> None:
    client = session_app.test_client()
    client.get("/login/ada")
    before = client.get_cookie("session")
    with client.session_transaction():
        pass
    assert client.get_cookie("session") is before
    assert client.get("/me").json["user"] == "ada"


def test_session_transaction_error_saves_nothing(session_app: Kolba) -> None:
    client = session_app.test_client()

    def edit_then_fail() -> None:
        with client.session_transaction() as sess:
            sess["user"] = "half-done"
            raise LookupError

    with pytest.raises(LookupError):
        edit_then_fail()
    assert client.get("/me").json["user"] is None


def test_session_transaction_for_another_path(session_app: Kolba) -> None:
    session_app.config["SESSION_COOKIE_PATH"] = "/area"
    client = session_app.test_client()
    with client.session_transaction("/area/x") as sess:
        sess["user"] = "scoped"
    assert client.get_cookie("session", path="/area") is not None


def test_session_transaction_without_secret_key() -> None:
    app = Kolba(__name__)
    with (
        pytest.raises(RuntimeError, match=r"^Session backend did not open a session"),
        app.test_client().session_transaction(),
    ):
        pass


def test_session_transaction_with_cookies_disabled(session_app: Kolba) -> None:
    client = session_app.test_client(use_cookies=False)
    with (
        pytest.raises(TypeError, match=r"^Cookies are disabled\."),
        client.session_transaction(),
    ):
        pass


def test_session_under_application_root(session_app: Kolba) -> None:
    session_app.config["APPLICATION_ROOT"] = "/app"
    client = session_app.test_client()
    client.get("/login/ada")
    assert client.get_cookie("session", path="/app") is not None
    assert client.get("/me").json["user"] == "ada"


def test_paths_without_leading_slash_match_cookies(client: KolbaClient) -> None:
    # client.get("sub") is sent as written (as Flask's client does); the cookie jar still
    # reads it from the root, both when storing and when sending.
    client.get("set/flavour/oat")
    assert client.get_cookie("flavour", path="/") is not None
    assert _seen(client, "other/page") == {"flavour": "oat"}
    client.get("/set/scoped/1?path=/sub")
    assert _seen(client, "sub/deeper") == {"flavour": "oat", "scoped": "1"}
