"""Signed-cookie sessions under attack: tampering, forged keys, expiry, key rotation, Vary
and the cookie's security attributes.

tests/test_sessions.py covers the fixed cases (a bad signature, a truncated cookie, one key
rotated out); this file adds the properties: *any* edit of a cookie gives the original
session or an empty one, *any* other key is refused, the age limit holds on both sides of
the boundary, a full key rotation keeps users logged in and then drops old cookies, and the
headers match Flask's for any sequence of session reads and writes.
"""

from __future__ import annotations

import hashlib
import time
import typing as t
from datetime import timedelta
from pathlib import Path

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

import kolba
from kolba.sessions import SecureCookieSessionInterface

SECRET = "current key"


def make_app(**config: t.Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config.update({"SECRET_KEY": SECRET, **config})

    @app.route("/whoami")
    def whoami() -> t.Any:
        return {"session": dict(kolba.session)}

    @app.route("/login/<user>")
    def login(user: str) -> str:
        kolba.session["user"] = user
        kolba.session.permanent = True
        return "ok"

    return app


def signed(payload: dict[str, t.Any], key: str = SECRET, age: float = 0) -> str:
    """A session cookie value as the app would write it, ``age`` seconds old."""

    class AgedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age)

    return URLSafeTimedSerializer(
        key,
        salt="cookie-session",
        serializer=SecureCookieSessionInterface.serializer,
        signer=AgedSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    ).dumps(payload)


def session_seen(app: kolba.Kolba, cookie: str) -> dict[str, t.Any]:
    rv = app.test_client().get("/whoami", headers={"Cookie": f"session={cookie}"})
    assert rv.status_code == 200
    return t.cast(dict[str, t.Any], rv.json["session"])


def set_cookie_value(rv: t.Any) -> str | None:
    for header in rv.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            return t.cast(str, header.split(";")[0].partition("=")[2])
    return None


ORIGINAL = {"user": "ada", "role": "admin", "_permanent": True}
_APP = make_app()
_GOOD = signed(ORIGINAL)
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.="


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    position=st.integers(min_value=0, max_value=len(_GOOD)),
    removed=st.integers(min_value=0, max_value=3),
    inserted=st.text(_ALPHABET, max_size=3),
)
def test_any_edit_of_a_cookie_gives_the_original_or_nothing(
    position: int, removed: int, inserted: str
) -> None:
    """A client can change its cookie, but never into another valid session: the result is
    the original (an edit of padding bits base64 ignores) or an empty session, never a 500.
    """
    tampered = _GOOD[:position] + inserted + _GOOD[position + removed :]
    seen = session_seen(_APP, tampered)
    assert seen in ({}, ORIGINAL), tampered


@settings(max_examples=50, deadline=None)
@given(key=st.text(min_size=1, max_size=20).filter(lambda k: k not in (SECRET, "old key")))
def test_a_cookie_signed_with_any_other_key_is_ignored(key: str) -> None:
    app = make_app(SECRET_KEY_FALLBACKS=["old key"])
    assert session_seen(app, signed(ORIGINAL, key=key)) == {}
    assert session_seen(app, signed(ORIGINAL, key="old key")) == ORIGINAL  # the control


@pytest.mark.parametrize("permanent", [True, False])
@pytest.mark.parametrize("lifetime", [60, 3600, 31 * 24 * 3600])
def test_the_age_limit_holds_on_both_sides(permanent: bool, lifetime: int) -> None:
    """PERMANENT_SESSION_LIFETIME bounds every cookie on the server side, permanent or not:
    a stolen cookie stops working even if the thief's client ignores Expires.
    """
    app = make_app(PERMANENT_SESSION_LIFETIME=lifetime)
    payload = {"user": "ada", "_permanent": permanent} if permanent else {"user": "ada"}
    assert session_seen(app, signed(payload, age=lifetime - 30)) == payload
    assert session_seen(app, signed(payload, age=lifetime + 30)) == {}


def test_a_full_key_rotation() -> None:
    """Deploy a new key with the old one as a fallback: sessions survive and are re-signed
    with the new key; then drop the old key: re-signed sessions still work, and cookies
    that were never re-signed (a copy taken before the rotation) stop working.
    """
    before = make_app(SECRET_KEY="key 1")
    client = before.test_client()
    client.get("/login/ada")
    stolen = client.get_cookie("session")
    assert stolen is not None

    during = make_app(SECRET_KEY="key 2", SECRET_KEY_FALLBACKS=["key 1"])
    rv = during.test_client().get("/whoami", headers={"Cookie": f"session={stolen.value}"})
    assert rv.json["session"]["user"] == "ada"
    resigned = set_cookie_value(rv)  # a permanent session is refreshed on each request
    assert resigned is not None
    assert resigned != stolen.value

    after = make_app(SECRET_KEY="key 2")
    assert session_seen(after, resigned)["user"] == "ada"
    assert session_seen(after, stolen.value) == {}


def test_the_current_key_always_signs() -> None:
    app = make_app(SECRET_KEY="key 2", SECRET_KEY_FALLBACKS=["key 1", "key 0"])
    value = set_cookie_value(app.test_client().get("/login/ada"))
    assert value is not None
    assert session_seen(make_app(SECRET_KEY="key 2"), value)["user"] == "ada"
    assert session_seen(make_app(SECRET_KEY="key 1"), value) == {}


def test_a_session_from_another_salt_is_not_a_session() -> None:
    """Tokens an app signs with the same key for other purposes (itsdangerous with its
    default salt, as in a password-reset link) cannot be replayed as a session cookie.
    """
    token = URLSafeTimedSerializer(SECRET).dumps({"user": "admin"})
    assert session_seen(make_app(), token) == {}


# -- Vary and Set-Cookie follow what the request did, as in Flask ------------------------------

_OPS: dict[str, t.Callable[[t.Any], t.Any]] = {
    "get": lambda s: s.get("a"),
    "in": lambda s: "a" in s,
    "len": len,
    "iter": list,
    "bool": bool,
    "keys": lambda s: list(s.keys()),
    "getitem": lambda s: s.get("a") and s["a"],
    "set": lambda s: s.__setitem__("a", "1"),
    "set-same": lambda s: s.__setitem__("b", s.get("b", "x")),
    "pop": lambda s: s.pop("a", None),
    "setdefault": lambda s: s.setdefault("c", "3"),
    "clear": lambda s: s.clear(),
    "permanent": lambda s: setattr(s, "permanent", True),
    "read-permanent": lambda s: s.permanent,
    "modified": lambda s: setattr(s, "modified", True),
}


def _ops_app(module: t.Any, cls: t.Any) -> t.Any:
    app = cls(__name__)
    app.config["SECRET_KEY"] = SECRET

    @app.route("/ops/<names>")
    def run_ops(names: str) -> str:
        for name in filter(None, names.split(",")):
            _OPS[name](module.session)
        return "done"

    @app.route("/seed")
    def seed() -> str:
        module.session["a"] = "0"
        return "seeded"

    return app


_READS = {"get", "in", "len", "iter", "bool", "keys", "getitem", "read-permanent"}
_KOLBA_OPS = _ops_app(kolba, kolba.Kolba)
_FLASK_OPS = _ops_app(flask, flask.Flask)


def _headers_after(app: t.Any, names: list[str], with_cookie: bool) -> tuple[t.Any, ...]:
    client = app.test_client()
    if with_cookie:
        client.get("/seed")
    rv = client.get("/ops/" + ",".join(names))
    cookie = next((h for h in rv.headers.getlist("Set-Cookie") if h.startswith("session=")), None)
    attributes = None
    if cookie is not None:
        value, _, rest = cookie.partition(";")
        # Expires times differ by the clock; the rest must match exactly.
        attributes = (
            value == "session=",
            sorted(p.strip().split("=")[0] for p in rest.split(";") if p.strip()),
        )
    return tuple(rv.headers.getlist("Vary")), attributes


@settings(max_examples=120, deadline=None)
@given(names=st.lists(st.sampled_from(sorted(_OPS)), max_size=4), with_cookie=st.booleans())
def test_vary_and_set_cookie_match_flask(names: list[str], with_cookie: bool) -> None:
    """Any read adds ``Vary: Cookie`` (a cache must not serve one user's page to another);
    a cookie is sent, refreshed or deleted exactly when Flask sends one.
    """
    ours = _headers_after(_KOLBA_OPS, names, with_cookie)
    theirs = _headers_after(_FLASK_OPS, names, with_cookie)
    assert ours == theirs, names
    if set(names) & _READS:
        assert ours[0] == ("Cookie",), names


def test_no_vary_when_the_session_is_not_touched() -> None:
    client = _KOLBA_OPS.test_client()
    client.get("/seed")
    rv = client.get("/ops/")
    assert "Vary" not in rv.headers
    assert "Set-Cookie" not in rv.headers


# -- the cookie's security attributes, as Flask writes them -------------------------------------

_CONFIGS = st.fixed_dictionaries(
    {
        "SESSION_COOKIE_HTTPONLY": st.booleans(),
        "SESSION_COOKIE_SECURE": st.booleans(),
        "SESSION_COOKIE_SAMESITE": st.sampled_from([None, "Lax", "Strict", "None"]),
        "SESSION_COOKIE_PARTITIONED": st.booleans(),
        "SESSION_COOKIE_DOMAIN": st.sampled_from([None, "example.com", ".example.com"]),
        "SESSION_COOKIE_PATH": st.sampled_from([None, "/", "/app"]),
        "SESSION_COOKIE_NAME": st.sampled_from(["session", "__Host-s", "sid"]),
        "PERMANENT_SESSION_LIFETIME": st.sampled_from([timedelta(days=31), 3600]),
    }
)


def _cookie_attributes(app: t.Any, module: t.Any, permanent: bool) -> list[str]:
    name = app.config["SESSION_COOKIE_NAME"]

    @app.route("/write")
    def write() -> str:
        module.session["user"] = "ada"
        module.session.permanent = permanent
        return "ok"

    rv = app.test_client().get("/write", headers={"Host": "www.example.com"})
    (cookie,) = [h for h in rv.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    parts = [p.strip() for p in cookie.split(";")[1:]]
    # Expires holds the current time: compare its presence, not its value.
    return sorted("Expires" if p.startswith("Expires=") else p for p in parts)


@settings(max_examples=60, deadline=None)
@given(config=_CONFIGS, permanent=st.booleans())
def test_cookie_attributes_match_flask(config: dict[str, t.Any], permanent: bool) -> None:
    ours = kolba.Kolba(__name__)
    theirs = flask.Flask(__name__)
    for app in (ours, theirs):
        app.config.update(config, SECRET_KEY=SECRET)
    assert _cookie_attributes(ours, kolba, permanent) == _cookie_attributes(
        theirs, flask, permanent
    )


def test_secure_defaults_are_flasks_and_each_is_documented() -> None:
    """The defaults: HttpOnly on; Secure, SameSite and Partitioned off (Flask's, so that an
    app served over plain http in development works); each getter documents its setting.
    """
    app = kolba.Kolba(__name__)
    app.secret_key = SECRET
    attributes = _cookie_attributes(app, kolba, permanent=False)
    assert attributes == ["HttpOnly", "Path=/"]
    interface = SecureCookieSessionInterface
    for getter, setting in [
        (interface.get_cookie_httponly, "SESSION_COOKIE_HTTPONLY"),
        (interface.get_cookie_secure, "SESSION_COOKIE_SECURE"),
        (interface.get_cookie_samesite, "SESSION_COOKIE_SAMESITE"),
        (interface.get_cookie_partitioned, "SESSION_COOKIE_PARTITIONED"),
        (interface.get_cookie_domain, "SESSION_COOKIE_DOMAIN"),
        (interface.get_cookie_path, "SESSION_COOKIE_PATH"),
    ]:
        assert setting in (getter.__doc__ or ""), getter


def test_security_md_documents_the_cookie_defaults_and_what_to_set_in_production() -> None:
    """SECURITY.md's table of settings gives the defaults the code really has, and says to
    turn on Secure and SameSite under HTTPS (they are off by default, as in Flask).
    """
    security_md = Path(__file__).resolve().parents[2] / "SECURITY.md"
    row = next(
        line
        for line in security_md.read_text("utf-8").splitlines()
        if "SESSION_COOKIE_HTTPONLY" in line
    )
    defaults = kolba.Kolba(__name__).config
    shown = " / ".join(
        f"`{defaults[name]}`"
        for name in ("SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_SAMESITE")
    )
    assert shown in row, row
    assert "_SECURE=True" in row
    assert "_SAMESITE=" in row
