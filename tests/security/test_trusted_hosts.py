"""TRUSTED_HOSTS: a request for a host not in the list is a 400 before any view runs.

Without the setting, URLs the app builds (``url_for(_external=True)``, redirects, password
reset links) take their host from the request, so a forged Host header poisons them. These
tests cover the matching rules (exact names, ``.domain`` for subdomains, ports ignored), the
hostile Host values of design/BAD_INPUTS.md section 5, agreement with Flask, and the places
the check must hold: unknown paths, slash redirects, ProxyFix's forwarded host.
"""

from __future__ import annotations

import time
import typing as t

import flask
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba
from kolba.middleware.proxy_fix import ProxyFix

TRUSTED = ["example.com", ".shop.test", "localhost"]


def make_app(trusted: list[str] | None = TRUSTED) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config["TRUSTED_HOSTS"] = trusted
    seen: list[str] = []
    app.config["seen"] = seen

    @app.route("/")
    def index() -> str:
        seen.append("index")
        return kolba.url_for("index", _external=True)

    @app.route("/dir/")
    def directory() -> str:
        return "dir"

    return app


def get(app: kolba.Kolba, host: str, path: str = "/", **headers: str) -> t.Any:
    return app.test_client().get(path, headers={"Host": host, **headers})


@pytest.mark.parametrize(
    ("host", "built"),
    [
        ("example.com", "http://example.com/"),
        ("example.com:8080", "http://example.com:8080/"),  # ports are not part of the match
        ("Example.COM", "http://example.com/"),  # host names are case-insensitive (RFC 9110)
        ("shop.test", "http://shop.test/"),  # ".shop.test" covers the domain itself...
        ("a.shop.test", "http://a.shop.test/"),  # ...and every subdomain
        ("a.b.shop.test:443", "http://a.b.shop.test:443/"),
        ("localhost", "http://localhost/"),
    ],
)
def test_trusted_hosts_are_served_and_build_urls_on_themselves(host: str, built: str) -> None:
    rv = get(make_app(), host)
    assert rv.status_code == 200
    assert rv.text == built


@pytest.mark.parametrize(
    "host",
    [
        "evil.test",
        "example.com.evil.test",  # a trusted name as a prefix
        "evilexample.com",  # ...or as a suffix without the dot
        "xexample.com",
        "example.com.",  # a trailing dot is another name to the matcher: refused, not guessed
        "sub.example.com",  # "example.com" without the dot allows no subdomain
        "shop.test.evil.test",
        "evilshop.test",
        "127.0.0.1",
        "[::1]",
    ],
)
def test_other_hosts_are_refused_before_the_view_runs(host: str) -> None:
    app = make_app()
    rv = get(app, host)
    assert rv.status_code == 400
    assert "TRUSTED_HOSTS" in rv.text  # the message says which setting to change
    assert app.config["seen"] == []


# BAD_INPUTS.md section 5: malformed Host values, each a fast 400.
HOSTILE = [
    "foo/?x=",
    "foo/#",
    "foo/bar",
    "user@foo",
    "foo\\bar",
    "foo bar",
    "a.test:8080@b.test",
    "a.test:port",
    "[z:443]:8080",
    "example.com:99999",
    "example.com:80@evil.test",
    "example.com/..",
    ".".join(["a"] * 300),
    "a" * 65536,
    "<script>alert(1)</script>",
    "example.com\t",
]


@pytest.mark.parametrize("host", HOSTILE, ids=[h[:30] for h in HOSTILE])
def test_hostile_host_values_are_a_fast_400_that_echoes_nothing_raw(host: str) -> None:
    app = make_app()
    start = time.perf_counter()
    rv = get(app, host)
    assert time.perf_counter() - start < 1.0
    assert rv.status_code == 400
    assert app.config["seen"] == []
    assert "<script>" not in rv.text  # the error page escapes what it quotes
    assert len(rv.data) < 2000  # and clips it


@pytest.mark.parametrize("path", ["/", "/missing", "/dir", "/dir/", "/static/x.css"])
def test_every_path_is_guarded(path: str) -> None:
    """Unknown paths and slash redirects too: a redirect must never be built on the forged
    host (that would be a cache-poisonable open redirect).
    """
    app = make_app()
    rv = get(app, "evil.test", path)
    assert rv.status_code == 400
    assert "Location" not in rv.headers
    good = get(app, "example.com", "/dir")
    assert good.status_code == 308
    assert good.headers["Location"] == "http://example.com/dir/"


def test_view_reading_request_host_sees_only_trusted_values() -> None:
    app = make_app()

    @app.route("/host")
    def host() -> str:
        return kolba.request.host

    assert get(app, "A.Shop.Test:80", "/host").text == "a.shop.test"
    assert get(app, "evil.test", "/host").status_code == 400


def test_without_the_setting_any_valid_host_is_served() -> None:
    assert get(make_app(None), "anything.test").text == "http://anything.test/"
    assert get(make_app(None), "foo/bar").status_code == 400  # malformed is still refused


def test_an_empty_list_trusts_nothing() -> None:
    """Fail closed: [] refuses every host. (Flask 3.1 treats [] like None and serves any
    host, because Werkzeug's check is skipped for a falsy list; kolba reads "trust these
    hosts: none" literally, so a mistake can only break loudly, never open up.)
    """
    assert get(make_app([]), "example.com").status_code == 400
    flask_app = flask.Flask(__name__)
    flask_app.config["TRUSTED_HOSTS"] = []
    flask_app.add_url_rule("/", "i", lambda: "ok")
    assert flask_app.test_client().get("/", headers={"Host": "example.com"}).status_code == 200


def test_error_handler_for_400_sees_the_refusal() -> None:
    app = make_app()

    @app.errorhandler(400)
    def bad(e: Exception) -> tuple[str, int]:
        return "custom refusal", 400

    rv = get(app, "evil.test")
    assert (rv.status_code, rv.text) == (400, "custom refusal")


# -- behind a proxy --------------------------------------------------------------------------


def test_forwarded_host_from_a_trusted_proxy_is_checked() -> None:
    app = make_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_host=1)  # type: ignore[method-assign]
    # The proxy saw "www.shop.test" from the client: that is what must be trusted.
    rv = get(app, "internal-backend:8000", **{"X-Forwarded-Host": "www.shop.test"})
    assert (rv.status_code, rv.text) == (200, "http://www.shop.test/")
    assert get(app, "example.com", **{"X-Forwarded-Host": "evil.test"}).status_code == 400


def test_forwarded_host_without_proxy_fix_is_ignored() -> None:
    rv = get(make_app(), "example.com", **{"X-Forwarded-Host": "evil.test"})
    assert (rv.status_code, rv.text) == (200, "http://example.com/")


# -- agreement with Flask ----------------------------------------------------------------------

_LABELS = st.sampled_from(["example", "com", "shop", "test", "evil", "a", "localhost", "x-y", ""])
_HOSTS = st.builds(
    lambda labels, port: ".".join(labels) + port,
    st.lists(_LABELS, min_size=1, max_size=4),
    # An empty port (``example.com:``) is left out: RFC 3986 allows it and kolba drops it,
    # Werkzeug refuses the host.
    st.sampled_from(["", ":80", ":8080", ":x", ":99999"]),
)


def _flask_app() -> flask.Flask:
    app = flask.Flask(__name__)
    app.config["TRUSTED_HOSTS"] = TRUSTED
    app.add_url_rule("/", "i", lambda: flask.request.host)
    return app


_KOLBA_APP = make_app()
_FLASK_APP = _flask_app()


@settings(max_examples=60, deadline=None)
@given(host=_HOSTS)
def test_same_decision_as_flask(host: str) -> None:
    """For lower-case host names (Flask compares case-sensitively, kolba does not), kolba
    trusts exactly the hosts Flask trusts.
    """
    ours = get(_KOLBA_APP, host).status_code
    theirs = _FLASK_APP.test_client().get("/", headers={"Host": host}).status_code
    if host == "" or host.startswith(":"):
        return  # no host name: kolba falls back to SERVER_NAME, Werkzeug refuses
    assert ours == theirs, host


def test_unicode_entry_matches_its_punycode_host() -> None:
    app = make_app(["bücher.de"])
    rv = get(app, "xn--bcher-kva.de")
    assert rv.status_code == 200
