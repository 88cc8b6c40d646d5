"""The signed-cookie session: flags, Vary, cookie settings, keys, hostile cookies."""

from __future__ import annotations

import hashlib
import secrets
import time
import typing as t
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup

import kolba
from kolba.sansio.http import parse_date
from kolba.sessions import (
    NullSession,
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionInterface,
    SessionMixin,
)

if t.TYPE_CHECKING:
    from kolba.testing import KolbaClient

SECRET = "test secret"


def make_app(**config: t.Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config.update({"SECRET_KEY": SECRET, "TESTING": True, **config})

    @app.route("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        kolba.session[key] = value
        return "set"

    @app.route("/get/<key>")
    def get_value(key: str) -> str:
        return repr(kolba.session.get(key))

    @app.route("/clear")
    def clear() -> str:
        kolba.session.clear()
        return "cleared"

    @app.route("/permanent")
    def permanent() -> str:
        kolba.session.permanent = True
        kolba.session["p"] = 1
        return "permanent"

    @app.route("/untouched")
    def untouched() -> str:
        return "untouched"

    return app


def serializer(key: str | list[str] = SECRET) -> URLSafeTimedSerializer:
    keys = key if isinstance(key, list) else [key]
    return t.cast(
        URLSafeTimedSerializer, SecureCookieSessionInterface().get_signing_serializer(_KeyApp(keys))
    )


class _KeyApp:
    """Just enough of an app for get_signing_serializer."""

    def __init__(self, keys: list[str]) -> None:
        self.secret_key = keys[-1]
        self.config = {"SECRET_KEY_FALLBACKS": keys[:-1] or None}


def session_cookie(response: t.Any, name: str = "session") -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return t.cast(str, header)
    return None


# -- round trip and flags ----------------------------------------------------------------------


def test_values_survive_between_requests() -> None:
    client = make_app().test_client()
    assert client.get("/set/user/ada").text == "set"
    assert client.get("/get/user").text == "'ada'"


def test_cookie_defaults_httponly_path_no_expiry() -> None:
    rv = make_app().test_client().get("/set/a/1")
    cookie = session_cookie(rv)
    assert cookie is not None
    assert "HttpOnly" in cookie
    assert "Path=/" in cookie
    assert "Expires" not in cookie  # a browser session unless permanent
    assert "Secure" not in cookie
    assert "SameSite" not in cookie


def test_untouched_session_adds_nothing() -> None:
    client = make_app().test_client()
    client.get("/set/a/1")
    rv = client.get("/untouched")
    assert "Vary" not in rv.headers
    assert session_cookie(rv) is None


@pytest.mark.parametrize(
    "read",
    [
        lambda s: s.get("a"),
        lambda s: "a" in s,
        len,
        list,
        lambda s: s.keys(),
        lambda s: s.items(),
        lambda s: s.values(),
        lambda s: s.copy(),
        lambda s: s == {},
        bool,
        lambda s: s.permanent,
        lambda s: s.setdefault("a", "1"),
        lambda s: s.pop("missing", None),
        lambda s: s["a"],
    ],
    ids=[
        "get",
        "in",
        "len",
        "iter",
        "keys",
        "items",
        "values",
        "copy",
        "eq",
        "bool",
        "permanent",
        "setdefault",
        "pop-missing",
        "getitem",
    ],
)
def test_any_read_adds_vary_cookie(read: t.Callable[[SessionMixin], t.Any]) -> None:
    app = make_app()

    @app.route("/read")
    def read_view() -> str:
        try:
            read(kolba.session)
        except KeyError:
            pass
        return "read"

    client = app.test_client()
    client.get("/set/a/1")
    rv = client.get("/read")
    assert rv.headers.getlist("Vary") == ["Cookie"]
    # A read that changes nothing sends no cookie.
    assert session_cookie(rv) is None


def test_read_without_cookie_still_varies() -> None:
    rv = make_app().test_client().get("/get/a")
    assert rv.headers["Vary"] == "Cookie"
    assert session_cookie(rv) is None


def test_vary_is_merged_once_into_existing_header() -> None:
    app = make_app()

    @app.after_request
    def add_vary(response: kolba.Response) -> kolba.Response:
        response.vary.add("Accept-Encoding")
        response.vary.add("Cookie")
        return response

    rv = app.test_client().get("/set/a/1")
    values = [v.strip() for v in rv.headers["Vary"].split(",")]
    assert sorted(values) == ["Accept-Encoding", "Cookie"]


def test_flags_on_a_fresh_and_a_loaded_session() -> None:
    app = make_app()
    cookie = serializer().dumps({"a": 1})
    with app.test_request_context("/"):
        s = kolba.session
        assert s.new is True
        assert s.modified is False
        assert s.accessed is False
        s["x"] = 1
        assert s.modified is True
        assert s.accessed is True
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        s = kolba.session
        assert s.new is False
        assert s.modified is False
        assert s.accessed is False
        assert s["a"] == 1
        assert s.accessed is True
        assert s.modified is False


def test_pop_of_missing_key_and_setdefault_of_present_key_do_not_modify() -> None:
    s = SecureCookieSession({"a": 1})
    assert s.pop("missing", None) is None
    assert s.setdefault("a", 2) == 1
    assert s.modified is False
    assert s.accessed is True
    with pytest.raises(KeyError):
        s.pop("missing")
    assert s.modified is False
    assert s.pop("a") == 1
    assert s.modified is True
    s2 = SecureCookieSession()
    assert s2.setdefault("b", []) == []
    assert s2.modified is True


def test_logout_of_an_anonymous_visitor_sends_no_cookie() -> None:
    app = make_app()

    @app.route("/logout")
    def logout() -> str:
        kolba.session.pop("user_id", None)
        return "bye"

    rv = app.test_client().get("/logout")
    assert session_cookie(rv) is None


def test_nested_change_needs_modified_flag() -> None:
    app = make_app()

    @app.route("/init")
    def init() -> str:
        kolba.session["cart"] = []
        return ""

    @app.route("/add")
    def add() -> str:
        kolba.session["cart"].append("x")
        return ""

    @app.route("/add-flagged")
    def add_flagged() -> str:
        kolba.session["cart"].append("y")
        kolba.session.modified = True
        return ""

    client = app.test_client()
    client.get("/init")
    assert session_cookie(client.get("/add")) is None
    assert client.get("/get/cart").text == "[]"
    assert session_cookie(client.get("/add-flagged")) is not None
    assert client.get("/get/cart").text == "['y']"


def test_clearing_the_session_deletes_the_cookie() -> None:
    app = make_app(SESSION_COOKIE_PATH="/app", SESSION_COOKIE_DOMAIN="example.test")
    client = app.test_client()
    client.get("/set/a/1", base_url="http://example.test/")
    rv = client.get("/clear", base_url="http://example.test/")
    cookie = session_cookie(rv)
    assert cookie is not None
    assert cookie.startswith("session=;")
    assert "Expires=Thu, 01 Jan 1970 00:00:00 GMT" in cookie
    # Deleted with the attributes it was set with, or the browser keeps it.
    assert "Path=/app" in cookie
    assert "Domain=example.test" in cookie
    assert rv.headers["Vary"] == "Cookie"


def test_modified_in_after_request_is_saved() -> None:
    app = make_app()

    @app.after_request
    def stamp(response: kolba.Response) -> kolba.Response:
        kolba.session["stamped"] = "yes"
        return response

    client = app.test_client()
    client.get("/untouched")
    assert client.get("/get/stamped").text == "'yes'"


@pytest.mark.parametrize(
    "value",
    [
        (1, "two", [3]),
        b"\x00\xff bytes",
        Markup("<b>safe</b>"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        datetime(2024, 2, 29, 12, 30, 5, tzinfo=timezone.utc),
        {" t": "looks like a tag", " di": 1},
        {"nested": {"tuple": (1, 2)}},
    ],
    ids=["tuple", "bytes", "markup", "uuid", "datetime", "tag-like-keys", "nested"],
)
def test_tagged_types_round_trip(value: t.Any) -> None:
    app = make_app()

    @app.route("/store")
    def store() -> str:
        kolba.session["v"] = value
        return ""

    @app.route("/load")
    def load() -> str:
        loaded = kolba.session["v"]
        assert type(loaded) is type(value)
        assert loaded == value
        return "same"

    client = app.test_client()
    client.get("/store")
    assert client.get("/load").text == "same"


# -- permanence and lifetime --------------------------------------------------------------------


def _expires(cookie: str) -> datetime:
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "Expires":
            parsed = parse_date(value)
            assert parsed is not None
            return parsed
    raise AssertionError(f"no Expires in {cookie!r}")


def test_permanent_session_expires_after_the_lifetime() -> None:
    rv = make_app().test_client().get("/permanent")
    cookie = session_cookie(rv)
    assert cookie is not None
    delta = _expires(cookie) - datetime.now(timezone.utc)
    assert timedelta(days=30, hours=23) < delta <= timedelta(days=31)


def test_lifetime_as_int_means_seconds() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=3600)
    assert app.permanent_session_lifetime == timedelta(hours=1)
    cookie = session_cookie(app.test_client().get("/permanent"))
    assert cookie is not None
    delta = _expires(cookie) - datetime.now(timezone.utc)
    assert timedelta(minutes=59) < delta <= timedelta(hours=1)


def test_permanent_session_is_refreshed_on_every_request() -> None:
    client = make_app().test_client()
    client.get("/permanent")
    rv = client.get("/untouched")
    assert session_cookie(rv) is not None
    assert rv.headers["Vary"] == "Cookie"


def test_refresh_can_be_turned_off() -> None:
    client = make_app(SESSION_REFRESH_EACH_REQUEST=False).test_client()
    client.get("/permanent")
    assert session_cookie(client.get("/untouched")) is None
    assert session_cookie(client.get("/get/p")) is None


def test_non_permanent_session_is_not_refreshed() -> None:
    client = make_app().test_client()
    client.get("/set/a/1")
    assert session_cookie(client.get("/get/a")) is None


def test_cookie_older_than_the_lifetime_is_ignored() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=60)

    class HourOldSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3600

    stale = URLSafeTimedSerializer(
        SECRET,
        salt="cookie-session",
        serializer=SecureCookieSessionInterface.serializer,
        signer=HourOldSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    client = app.test_client()
    client.set_cookie("session", stale.dumps({"user": "old"}))
    assert client.get("/get/user").text == "None"
    client.set_cookie("session", serializer().dumps({"user": "fresh"}))
    assert client.get("/get/user").text == "'fresh'"


# -- cookie settings ------------------------------------------------------------------------------


def test_cookie_name_domain_path_secure_samesite_partitioned() -> None:
    app = make_app(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/shop",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PARTITIONED=True,
    )
    rv = app.test_client().get("/set/a/1", base_url="https://example.test/")
    cookie = session_cookie(rv, "sid")
    assert cookie is not None
    attrs = {p.strip().partition("=")[0]: p.strip().partition("=")[2] for p in cookie.split(";")}
    assert attrs["Domain"] == "example.test"
    assert attrs["Path"] == "/shop"
    assert "HttpOnly" not in attrs
    assert "Secure" in attrs
    assert attrs["SameSite"] == "Lax"
    assert "Partitioned" in attrs


@pytest.mark.parametrize("samesite", ["Strict", "None", "lax"])
def test_samesite_values(samesite: str) -> None:
    app = make_app(SESSION_COOKIE_SAMESITE=samesite)
    cookie = session_cookie(app.test_client().get("/set/a/1"))
    assert cookie is not None
    assert f"SameSite={samesite.title()}" in cookie


def test_invalid_samesite_is_an_error() -> None:
    app = make_app(SESSION_COOKIE_SAMESITE="sometimes")
    with pytest.raises(ValueError, match="SameSite"):
        app.test_client().get("/set/a/1")


def test_path_falls_back_to_application_root() -> None:
    app = make_app(APPLICATION_ROOT="/portal")
    cookie = session_cookie(app.test_client().get("/set/a/1"))
    assert cookie is not None
    assert "Path=/portal" in cookie


def test_cookie_under_another_name_is_not_the_session() -> None:
    app = make_app(SESSION_COOKIE_NAME="sid")
    client = app.test_client()
    client.set_cookie("session", serializer().dumps({"a": "1"}))
    assert client.get("/get/a").text == "None"


def test_oversized_session_warns_with_the_setting_name() -> None:
    app = make_app()

    @app.route("/big")
    def big() -> str:
        # Random, so compression cannot shrink it under the limit.
        kolba.session["blob"] = secrets.token_urlsafe(6000)
        return ""

    with pytest.warns(UserWarning, match="MAX_COOKIE_SIZE"):
        app.test_client().get("/big")


def test_max_cookie_size_zero_disables_the_warning() -> None:
    app = make_app(MAX_COOKIE_SIZE=0)

    @app.route("/big")
    def big() -> str:
        kolba.session["blob"] = secrets.token_urlsafe(6000)
        return ""

    rv = app.test_client().get("/big")
    assert session_cookie(rv) is not None


# -- keys -------------------------------------------------------------------------------------------


def test_without_secret_key_session_reads_empty_and_refuses_writes() -> None:
    app = make_app(SECRET_KEY=None)

    @app.route("/write")
    def write() -> str:
        kolba.session["a"] = 1
        return ""

    client = app.test_client()
    rv = client.get("/get/a")
    assert rv.status_code == 200
    assert rv.text == "None"
    assert session_cookie(rv) is None
    with pytest.raises(RuntimeError, match="no secret key was set") as info:
        client.get("/write")
    assert "SECRET_KEY" in str(info.value)
    with app.test_request_context("/"):
        assert isinstance(kolba.session, NullSession)
        assert "a" not in kolba.session
        for write_op in (
            lambda s: s.update(a=1),
            lambda s: s.setdefault("a", 1),
            lambda s: s.pop("a", None),
            lambda s: s.clear(),
            lambda s: s.__delitem__("a"),
        ):
            with pytest.raises(RuntimeError):
                write_op(kolba.session)


def test_fallback_key_verifies_and_current_key_signs() -> None:
    app = make_app(SECRET_KEY="new key", SECRET_KEY_FALLBACKS=["old key"])
    client = app.test_client()
    client.set_cookie("session", serializer("old key").dumps({"user": "ada"}))
    assert client.get("/get/user").text == "'ada'"
    rv = client.get("/set/more/1")
    cookie = session_cookie(rv)
    assert cookie is not None
    value = cookie.split(";")[0].partition("=")[2]
    # Signed with the current key: the new key alone verifies it, the old one does not.
    assert serializer("new key").loads(value) == {"user": "ada", "more": "1"}
    with pytest.raises(Exception, match="Signature"):
        serializer("old key").loads(value)


def test_cookie_signed_with_a_rotated_out_key_gives_empty_session() -> None:
    app = make_app(SECRET_KEY="new key", SECRET_KEY_FALLBACKS=["recent key"])
    client = app.test_client()
    client.set_cookie("session", serializer("ancient key").dumps({"user": "ada"}))
    rv = client.get("/get/user")
    assert rv.status_code == 200
    assert rv.text == "None"


def _tampered(value: str) -> str:
    payload, _, rest = value.partition(".")
    return ("e" if payload[0] != "e" else "f") + payload[1:] + "." + rest


def _hostile_cookies() -> list[tuple[str, str]]:
    good = serializer().dumps({"user": "ada"})
    return [
        ("bad-signature", good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")),
        ("tampered-payload", _tampered(good)),
        ("truncated", good[: len(good) // 2]),
        ("only-payload", good.partition(".")[0]),
        ("dots", "..."),
        (
            "compressed-flag-garbage",
            ".eJzzSM3JyVcozy_KSQEAGgQEXQ.ZZZZZZ.ZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
        ),
        ("not-base64", "!!!!.@@@@.####"),
        ("non-dict-payload", serializer().dumps([1, 2, 3])),
        ("string-payload", serializer().dumps("user")),
        ("other-salt", URLSafeTimedSerializer(SECRET).dumps({"user": "ada"})),
        ("huge", "a" * 100_000),
        ("utf8-bytes-as-latin1", "ß☃".encode().decode("latin-1")),
    ]


@pytest.mark.parametrize(
    ("name", "value"), _hostile_cookies(), ids=[c[0] for c in _hostile_cookies()]
)
def test_hostile_session_cookie_gives_empty_session(name: str, value: str) -> None:
    client = make_app().test_client()
    start = time.perf_counter()
    rv = client.get("/get/user", headers={"Cookie": f"session={value}"})
    assert time.perf_counter() - start < 2.0
    assert rv.status_code == 200
    assert rv.text == "None"
    # The visitor can go on and get a fresh, valid session.
    client.get("/set/user/new")
    assert client.get("/get/user").text == "'new'"


# -- laziness and custom interfaces -----------------------------------------------------------------


class CountingInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self.opened = 0

    def open_session(self, app: t.Any, request: t.Any) -> SecureCookieSession | None:
        self.opened += 1
        return super().open_session(app, request)


def test_the_stock_interface_opens_only_sessions_a_request_uses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    stock_open = SecureCookieSessionInterface.open_session

    def counting_open(self: SecureCookieSessionInterface, app: t.Any, request: t.Any) -> t.Any:
        opened.append(request.path)
        return stock_open(self, app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counting_open)
    app = make_app(SESSION_REFRESH_EACH_REQUEST=False)
    client = app.test_client()
    client.get("/untouched")
    client.get("/set/a/1")
    client.get("/untouched")  # with a cookie this time
    assert opened == ["/set/a/1"]


def test_a_custom_interface_is_opened_and_saved_on_every_request() -> None:
    # Flask calls open_session when the request context is pushed and save_session after
    # every view: an interface that counts visits or sets headers there must see them all.
    class Visits(CountingInterface):
        def save_session(self, app: t.Any, session: t.Any, response: t.Any) -> None:
            response.headers["X-Opened"] = str(self.opened)
            super().save_session(app, session, response)

    app = make_app(SESSION_REFRESH_EACH_REQUEST=False)
    app.session_interface = counter = Visits()
    client = app.test_client()
    assert client.get("/untouched").headers["X-Opened"] == "1"
    assert client.get("/set/a/1").headers["X-Opened"] == "2"
    assert client.get("/untouched").headers["X-Opened"] == "3"
    assert client.get("/get/a").text == "'1'"
    assert counter.opened == 4


def test_dict_backed_interface_replaces_the_cookie() -> None:
    store: dict[str, dict[str, t.Any]] = {}

    class MemorySession(dict[str, t.Any], SessionMixin):
        pass

    class MemoryInterface(SessionInterface):
        def open_session(self, app: t.Any, request: t.Any) -> MemorySession:
            sid = request.cookies.get("mem")
            return MemorySession(store.get(sid or "", {}))

        def save_session(self, app: t.Any, session: t.Any, response: t.Any) -> None:
            store["fixed"] = dict(session)
            response.set_cookie("mem", "fixed")

    app = make_app()
    app.session_interface = MemoryInterface()
    client = app.test_client()
    client.get("/set/a/1")
    assert store == {"fixed": {"a": "1"}}
    assert client.get("/get/a").text == "'1'"
    assert client.get_cookie("session") is None


def test_open_session_failure_is_a_500_and_leaves_no_context() -> None:
    class Broken(SecureCookieSessionInterface):
        def open_session(self, app: t.Any, request: t.Any) -> t.NoReturn:
            raise ConnectionError("session store down")

    app = make_app(TESTING=False)
    app.session_interface = Broken()
    client = app.test_client()
    # Flask opens the session as the request starts, so every request is a 500; the app
    # keeps serving and leaves no context behind (the autouse fixture checks).
    assert client.get("/get/a").status_code == 500
    assert client.get("/untouched").status_code == 500
    app.session_interface = SecureCookieSessionInterface()
    assert client.get("/untouched").status_code == 200


def test_null_session_interface_when_open_returns_none() -> None:
    class Nothing(SecureCookieSessionInterface):
        def open_session(self, app: t.Any, request: t.Any) -> None:
            return None

    app = make_app()
    app.session_interface = Nothing()
    with app.test_request_context("/"):
        assert app.session_interface.is_null_session(kolba.session)


# -- the test client's session_transaction -----------------------------------------------------------


def test_session_transaction_sets_values_for_the_next_request() -> None:
    client = make_app().test_client()
    with client.session_transaction() as sess:
        sess["user"] = "ada"
    assert client.get("/get/user").text == "'ada'"
    client.get("/set/role/admin")
    with client.session_transaction() as sess:
        assert sess["role"] == "admin"
        assert sess["user"] == "ada"


def test_session_transaction_needs_a_secret_key() -> None:
    client: KolbaClient = make_app(SECRET_KEY=None).test_client()
    with pytest.raises(RuntimeError), client.session_transaction():
        pass


def test_session_transaction_needs_cookies() -> None:
    client = make_app().test_client(use_cookies=False)
    with pytest.raises(TypeError), client.session_transaction():
        pass
