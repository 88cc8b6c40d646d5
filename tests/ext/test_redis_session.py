"""Server-side sessions in Redis, against the local server (skipped when none answers)."""

from __future__ import annotations

import typing as t
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from itsdangerous import Signer
from markupsafe import Markup

import kolba
from kolba.ext.redis_session import RedisSession, RedisSessionInterface

redis = pytest.importorskip("redis", reason="redis-py is not installed (pip install kolba[redis])")
from redis.backoff import NoBackoff  # noqa: E402
from redis.retry import Retry  # noqa: E402

SECRET = "redis test secret"


@pytest.fixture(scope="module")
def server() -> Iterator[t.Any]:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as e:
        pytest.skip(f"no Redis server answers at 127.0.0.1:6379 ({e})")
    yield client
    client.close()


@pytest.fixture
def prefix(server: t.Any) -> Iterator[str]:
    value = f"kolba-test:{uuid.uuid4().hex}:"
    yield value
    keys = list(server.scan_iter(f"{value}*"))
    if keys:
        server.delete(*keys)


@pytest.fixture
def interface(server: t.Any, prefix: str) -> RedisSessionInterface:
    return RedisSessionInterface(server, key_prefix=prefix)


def make_app(interface: RedisSessionInterface, **config: t.Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config.update({"SECRET_KEY": SECRET, "TESTING": True, **config})
    app.session_interface = interface

    @app.route("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        kolba.session[key] = value
        return "set"

    @app.route("/get/<key>")
    def get_value(key: str) -> str:
        return repr(kolba.session.get(key))

    @app.route("/sid")
    def sid() -> str:
        return t.cast(RedisSession, kolba.session).sid

    @app.route("/clear")
    def clear() -> str:
        kolba.session.clear()
        return "cleared"

    @app.route("/permanent")
    def permanent() -> str:
        kolba.session.permanent = True
        kolba.session["p"] = "1"
        return ""

    @app.route("/login")
    def login() -> str:
        session = t.cast(RedisSession, kolba.session)
        session.regenerate()
        session["user"] = "ada"
        return session.sid

    @app.route("/untouched")
    def untouched() -> str:
        return ""

    return app


def session_cookie(response: t.Any) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            return t.cast(str, header)
    return None


def cookie_value(response: t.Any) -> str:
    header = session_cookie(response)
    assert header is not None
    return header.split(";")[0].partition("=")[2]


def keys(server: t.Any, prefix: str) -> list[str]:
    return sorted(k.decode() for k in server.scan_iter(f"{prefix}*"))


def test_data_lives_in_redis_and_the_cookie_holds_a_signed_id(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    app = make_app(interface)
    client = app.test_client()
    rv = client.get("/set/user/ada")
    value = cookie_value(rv)
    assert "ada" not in value
    signer = interface.get_signer(app)
    assert signer is not None
    assert signer.unsign(value).decode() == client.get("/sid").text
    assert keys(server, prefix) == [f"{prefix}{client.get('/sid').text}"]
    assert "HttpOnly" in t.cast(str, session_cookie(rv))
    assert client.get("/get/user").text == "'ada'"


def test_ttl_follows_the_permanent_session_lifetime(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface, PERMANENT_SESSION_LIFETIME=120).test_client()
    client.get("/set/a/1")
    (key,) = keys(server, prefix)
    assert 100 < server.ttl(key) <= 120


def test_anonymous_visit_writes_nothing(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface).test_client()
    rv = client.get("/get/user")
    assert rv.text == "None"
    assert rv.headers["Vary"] == "Cookie"
    assert session_cookie(rv) is None
    assert keys(server, prefix) == []
    rv = client.get("/untouched")
    assert "Vary" not in rv.headers


def test_deleting_the_key_revokes_the_session(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface).test_client()
    client.get("/set/user/ada")
    sid = client.get("/sid").text
    assert interface.revoke(sid) is True
    assert client.get("/get/user").text == "None"
    assert interface.revoke(sid) is False
    # And a visitor whose session was revoked gets a different id next time.
    client.get("/set/user/eve")
    assert client.get("/sid").text != sid


def test_revocation_during_a_request_wins(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    app = make_app(interface)

    @app.route("/race")
    def race() -> str:
        session = t.cast(RedisSession, kolba.session)
        interface.revoke(session.sid)  # an admin logs the user out meanwhile
        session["late"] = "write"
        return ""

    client = app.test_client()
    client.get("/set/user/ada")
    rv = client.get("/race")
    assert t.cast(str, session_cookie(rv)).startswith("session=;")
    assert keys(server, prefix) == []
    assert client.get("/get/user").text == "None"


def test_clear_removes_key_and_cookie(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface).test_client()
    client.get("/set/user/ada")
    rv = client.get("/clear")
    assert t.cast(str, session_cookie(rv)).startswith("session=;")
    assert keys(server, prefix) == []


@pytest.mark.parametrize(
    "forged",
    [
        "made-up-id",
        "made-up-id.bad-signature",
        Signer("another key", salt="kolba.redis-session").sign("chosen-id").decode(),
    ],
    ids=["unsigned", "bad-signature", "other-key"],
)
def test_forged_ids_are_never_adopted(
    server: t.Any, prefix: str, interface: RedisSessionInterface, forged: str
) -> None:
    server.set(f"{prefix}chosen-id", '{"user":"victim"}')
    server.set(f"{prefix}made-up-id", '{"user":"victim"}')
    client = make_app(interface).test_client()
    client.set_cookie("session", forged)
    assert client.get("/get/user").text == "None"
    client.get("/set/x/1")
    assert client.get("/sid").text not in ("chosen-id", "made-up-id")


def test_valid_id_without_data_gets_a_new_id(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    signer = interface.get_signer(make_app(interface))
    assert signer is not None
    client = make_app(interface).test_client()
    client.set_cookie("session", signer.sign("planted-id").decode())
    client.get("/set/x/1")
    assert client.get("/sid").text != "planted-id"
    assert f"{prefix}planted-id" not in keys(server, prefix)


def test_regenerate_moves_data_to_a_new_id(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface).test_client()
    client.get("/set/cart/3")
    before = client.get("/sid").text
    after = client.get("/login").text
    assert after != before
    assert keys(server, prefix) == [f"{prefix}{after}"]
    assert client.get("/get/cart").text == "'3'"
    assert client.get("/get/user").text == "'ada'"


def test_permanent_session_is_refreshed(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface, PERMANENT_SESSION_LIFETIME=300).test_client()
    client.get("/permanent")
    (key,) = keys(server, prefix)
    server.expire(key, 10)
    rv = client.get("/untouched")
    assert "Expires=" in t.cast(str, session_cookie(rv))
    assert server.ttl(key) > 200


def test_browser_session_is_not_refreshed(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface).test_client()
    client.get("/set/a/1")
    assert session_cookie(client.get("/get/a")) is None


def test_tagged_values_round_trip(interface: RedisSessionInterface) -> None:
    value = {
        "tuple": (1, 2),
        "bytes": b"\xff",
        "markup": Markup("<i>x</i>"),
        "uuid": uuid.UUID(int=5),
        "when": datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    }
    app = make_app(interface)

    @app.route("/store")
    def store() -> str:
        kolba.session["v"] = value
        return ""

    @app.route("/load")
    def load() -> str:
        return "same" if kolba.session["v"] == value else "different"

    client = app.test_client()
    client.get("/store")
    assert client.get("/load").text == "same"


def test_unreadable_data_gives_an_empty_session(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    client = make_app(interface).test_client()
    client.get("/set/user/ada")
    sid = client.get("/sid").text
    for garbage in (b"\x80\x81 not utf-8", b"not json", b"[1, 2]", b'{" t": 5}'):
        server.set(f"{prefix}{sid}", garbage)
        assert client.get("/get/user").text == "None"


def test_without_secret_key_the_session_is_null(interface: RedisSessionInterface) -> None:
    app = make_app(interface, SECRET_KEY=None)
    client = app.test_client()
    assert client.get("/get/user").text == "None"
    with pytest.raises(RuntimeError, match="no secret key"):
        client.get("/set/user/ada")


def test_fallback_keys_verify_old_ids(
    server: t.Any, prefix: str, interface: RedisSessionInterface
) -> None:
    old = make_app(interface, SECRET_KEY="old").test_client()
    old.get("/set/user/ada")
    cookie = t.cast(t.Any, old.get_cookie("session")).value
    new_app = make_app(interface, SECRET_KEY="new", SECRET_KEY_FALLBACKS=["old"])
    client = new_app.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/get/user").text == "'ada'"


def test_flash_and_session_transaction(interface: RedisSessionInterface) -> None:
    app = make_app(interface)

    @app.route("/flash")
    def do_flash() -> str:
        kolba.flash("hello", "info")
        return ""

    @app.route("/messages")
    def messages() -> str:
        return repr(kolba.get_flashed_messages(with_categories=True))

    client = app.test_client()
    client.get("/flash")
    assert client.get("/messages").text == "[('info', 'hello')]"
    assert client.get("/messages").text == "[]"
    with client.session_transaction() as sess:
        sess["user"] = "grace"
    assert client.get("/get/user").text == "'grace'"


def test_unreachable_redis_is_an_error_not_a_logout() -> None:
    broken = RedisSessionInterface(
        redis.Redis(
            host="127.0.0.1",
            port=1,
            socket_connect_timeout=0.2,
            retry=Retry(NoBackoff(), 0),  # fail at once rather than after back-off
        )
    )
    app = make_app(broken, TESTING=False)
    signer = broken.get_signer(app)
    assert signer is not None
    client = app.test_client()
    client.set_cookie("session", signer.sign("some-id").decode())
    assert client.get("/get/user").status_code == 500
    # A first visit (no cookie) needs no Redis round trip at all.
    client.delete_cookie("session")
    assert client.get("/get/user").status_code == 200


def test_short_ids_are_refused(server: t.Any) -> None:
    with pytest.raises(ValueError, match="sid_bytes"):
        RedisSessionInterface(server, sid_bytes=8)
