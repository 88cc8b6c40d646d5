"""SharedDataMiddleware serves exported files and passes everything else to the app."""

from __future__ import annotations

import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.middleware.shared_data import SharedDataMiddleware as WerkzeugSharedData
from werkzeug.test import run_wsgi_app as werkzeug_run_wsgi_app

import kolba
from kolba.middleware.shared_data import SharedDataMiddleware
from kolba.sansio.http import http_date, parse_date
from kolba.sending import BLOCK_SIZE, FileWrapper
from kolba.testing import EnvironBuilder, KolbaClient, run_wsgi_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

SECRET = b"top secret, outside the export"


class BufferedClient(KolbaClient):
    """Reads and closes every response, so served files are closed at once (not by GC)."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """``tmp/static`` is exported; ``tmp/secret.txt`` next to it must never be served."""
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "a.txt").write_bytes(b"hello\n")
    (static / "css" / "site.css").write_bytes(b"body { color: red }\n")
    (static / "data.json").write_bytes(b'{"ok": true}')
    (static / "blob.unknownext").write_bytes(b"\x00\x01")
    (static / "café.txt").write_bytes("crème".encode())
    (static / "config.secret").write_bytes(b"hidden by disallow")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "favicon.ico").write_bytes(b"ICON")
    return tmp_path


def bare_app() -> kolba.Kolba:
    """An app without the default static route (it would answer /static/... itself)."""
    app = kolba.Kolba(__name__, static_folder=None)
    app.test_client_class = BufferedClient
    return app


def make_app(site: Path, **options: Any) -> kolba.Kolba:
    app = bare_app()

    @app.route("/")
    def index() -> str:
        return "index"

    @app.post("/static/a.txt")
    def upload() -> str:
        return "posted to the app"

    exports = {"/static": str(site / "static"), "/favicon.ico": str(site / "favicon.ico")}
    app.wsgi_app = SharedDataMiddleware(app.wsgi_app, exports, **options)  # type: ignore[method-assign]
    return app


@pytest.fixture
def client(site: Path) -> KolbaClient:
    return make_app(site, disallow="*.secret").test_client()


def test_serves_a_file_with_type_length_and_cache_headers(client: KolbaClient, site: Path) -> None:
    before = int(time.time())
    response = client.get("/static/a.txt")
    assert response.status_code == 200
    assert response.data == b"hello\n"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == "6"
    assert response.headers["Cache-Control"] == "max-age=43200, public"
    assert response.headers["Last-Modified"] == http_date(
        (site / "static" / "a.txt").stat().st_mtime
    )
    assert response.headers["ETag"].startswith('"')
    expires = parse_date(response.headers["Expires"])
    assert expires is not None
    assert before + 43200 <= expires.timestamp() <= time.time() + 43200 + 1
    assert "Date" in response.headers


def test_nested_and_non_ascii_names(client: KolbaClient) -> None:
    response = client.get("/static/css/site.css")
    assert response.data == b"body { color: red }\n"
    assert response.mimetype == "text/css"
    assert client.get("/static/caf%C3%A9.txt").data == "crème".encode()
    assert client.get("/static/data.json").mimetype == "application/json"


def test_unknown_extension_uses_fallback_mimetype(site: Path) -> None:
    default = make_app(site).test_client().get("/static/blob.unknownext")
    assert default.headers["Content-Type"] == "application/octet-stream"
    custom = make_app(site, fallback_mimetype="text/x-thing").test_client()
    response = custom.get("/static/blob.unknownext")
    assert response.headers["Content-Type"] == "text/x-thing; charset=utf-8"
    # A type the name does give is kept.
    assert custom.get("/static/a.txt").mimetype == "text/plain"


def test_single_file_export_answers_its_exact_url_only(client: KolbaClient) -> None:
    assert client.get("/favicon.ico").data == b"ICON"
    assert client.get("/favicon.ico/x").status_code == 404
    assert client.get("/favicon.icox").status_code == 404


def test_other_requests_reach_the_app(client: KolbaClient) -> None:
    assert client.get("/").text == "index"
    for path in ("/static", "/static/", "/static/css", "/static/missing.txt", "/staticx/a.txt"):
        assert client.get(path).status_code == 404, path


def test_only_get_and_head_are_served(client: KolbaClient) -> None:
    assert client.post("/static/a.txt").text == "posted to the app"
    assert client.put("/static/a.txt").status_code == 405
    assert client.delete("/static/data.json").status_code == 404


def test_head_sends_headers_without_body(client: KolbaClient) -> None:
    response = client.head("/static/a.txt")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == "6"
    assert response.data == b""


def test_disallow_pattern_and_is_allowed_override(site: Path, client: KolbaClient) -> None:
    assert client.get("/static/config.secret").status_code == 404

    class NoJson(SharedDataMiddleware):
        def is_allowed(self, filename: str) -> bool:
            return not filename.endswith(".json") and super().is_allowed(filename)

    app = bare_app()
    app.test_client_class = BufferedClient
    app.wsgi_app = NoJson(app.wsgi_app, {"/s": str(site / "static")})  # type: ignore[method-assign]
    other = app.test_client()
    assert other.get("/s/data.json").status_code == 404
    assert other.get("/s/a.txt").status_code == 200


# -- conditional requests ----------------------------------------------------------------------


def test_if_none_match_gives_304_without_body(client: KolbaClient) -> None:
    first = client.get("/static/a.txt")
    etag = first.headers["ETag"]
    again = client.get("/static/a.txt", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert "Content-Length" not in again.headers
    weak = client.get("/static/a.txt", headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
    other = client.get("/static/a.txt", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_if_modified_since(client: KolbaClient) -> None:
    modified = client.get("/static/a.txt").headers["Last-Modified"]
    assert client.get("/static/a.txt", headers={"If-Modified-Since": modified}).status_code == 304
    old = http_date(0)
    assert client.get("/static/a.txt", headers={"If-Modified-Since": old}).status_code == 200
    # A mismatching If-None-Match wins over a matching date.
    both = {"If-Modified-Since": modified, "If-None-Match": '"other"'}
    assert client.get("/static/a.txt", headers=both).status_code == 200


def test_if_match_mismatch_gives_412(client: KolbaClient) -> None:
    response = client.get("/static/a.txt", headers={"If-Match": '"not-this-one"'})
    assert response.status_code == 412
    assert response.data == b""


def test_changed_file_gets_a_new_etag(client: KolbaClient, site: Path) -> None:
    etag = client.get("/static/a.txt").headers["ETag"]
    (site / "static" / "a.txt").write_bytes(b"changed, and longer\n")
    response = client.get("/static/a.txt", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.data == b"changed, and longer\n"
    assert response.headers["ETag"] != etag


def test_cache_off_sends_no_validators_and_always_200(site: Path) -> None:
    client = make_app(site, cache=False).test_client()
    response = client.get("/static/a.txt")
    assert response.headers["Cache-Control"] == "public"
    assert "ETag" not in response.headers
    assert "Expires" not in response.headers
    assert "Last-Modified" in response.headers
    modified = response.headers["Last-Modified"]
    assert client.get("/static/a.txt", headers={"If-Modified-Since": modified}).status_code == 200


def test_cache_timeout(site: Path) -> None:
    client = make_app(site, cache_timeout=60).test_client()
    assert client.get("/static/a.txt").headers["Cache-Control"] == "max-age=60, public"


# -- path traversal ----------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E%2Fsecret.txt",
    "/static/css/../../secret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%5csecret.txt",
    "/static/%5c..%5csecret.txt",
    "/static/a.txt%00",
    "/static/%00../secret.txt",
    "/static//etc/passwd",
    "/static/" + "../" * 20 + "etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_attempts_fall_through(client: KolbaClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert SECRET not in response.data
    assert b"root:" not in response.data


@pytest.mark.parametrize(
    "path_info",
    ["/static/../secret.txt", "/static/..\\secret.txt", "/static/\\..\\secret.txt", "/static/\0"],
)
def test_raw_path_info_cannot_leave_the_export(site: Path, path_info: str) -> None:
    def fallback(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("404 NOT FOUND", [])
        return [b"fell through"]

    middleware = SharedDataMiddleware(fallback, {"/static": str(site / "static")})
    environ = dict(EnvironBuilder().get_environ())
    environ["PATH_INFO"] = path_info
    body, status, _ = run_wsgi_app(middleware, environ, buffered=True)
    assert (status, b"".join(body)) == ("404 NOT FOUND", b"fell through")


# -- package exports ---------------------------------------------------------------------------


def test_package_export_on_disk() -> None:
    app = bare_app()
    app.test_client_class = BufferedClient
    app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {"/pkg": ("kolba", "json")})  # type: ignore[method-assign]
    client = app.test_client()
    response = client.get("/pkg/__init__.py")
    assert response.status_code == 200
    assert response.data == (Path(kolba.__file__).parent / "json" / "__init__.py").read_bytes()
    assert client.get("/pkg/../app.py").status_code == 404


@pytest.fixture
def zipped_package(tmp_path: Path) -> Iterator[str]:
    name = "kolba_zipped_static_pkg"
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(f"{name}/__init__.py", "")
        bundle.writestr(f"{name}/static/hello.txt", "from the zip")
        bundle.writestr(f"{name}/static/sub/x.css", "p {}")
        bundle.writestr(f"{name}/private.txt", "not exported")
    sys.path.insert(0, str(archive))
    try:
        yield name
    finally:
        sys.path.remove(str(archive))
        for module in [m for m in sys.modules if m.startswith(name)]:
            del sys.modules[module]


def test_package_export_from_a_zip(zipped_package: str) -> None:
    app = bare_app()
    app.test_client_class = BufferedClient
    exports = {"/z": (zipped_package, "static")}
    app.wsgi_app = SharedDataMiddleware(app.wsgi_app, exports)  # type: ignore[method-assign]
    client = app.test_client()
    response = client.get("/z/hello.txt")
    assert response.status_code == 200
    assert response.data == b"from the zip"
    assert response.headers["Content-Length"] == str(len(b"from the zip"))
    etag = response.headers["ETag"]
    assert client.get("/z/hello.txt", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/z/sub/x.css").mimetype == "text/css"
    assert client.get("/z/sub").status_code == 404
    assert client.get("/z/missing.txt").status_code == 404
    assert client.get("/z/../private.txt").status_code == 404
    assert client.get("/z/%2e%2e/private.txt").status_code == 404


def test_bad_export_value_is_refused_at_construction() -> None:
    with pytest.raises(TypeError, match="cannot serve 42"):
        SharedDataMiddleware(bare_app().wsgi_app, {"/x": 42})  # type: ignore[dict-item]


# -- streaming ---------------------------------------------------------------------------------


def test_large_file_is_streamed_in_blocks_and_closed(site: Path) -> None:
    data = bytes(range(256)) * (BLOCK_SIZE // 256 * 2 + 3)
    (site / "static" / "big.bin").write_bytes(data)
    middleware = SharedDataMiddleware(lambda e, s: [], {"/static": str(site / "static")})
    environ = dict(EnvironBuilder(path="/static/big.bin").get_environ())
    environ.pop("wsgi.file_wrapper", None)
    statuses: list[str] = []
    body = middleware(environ, lambda status, headers, exc_info=None: statuses.append(status))
    assert statuses == ["200 OK"]
    assert isinstance(body, FileWrapper)
    chunks = list(body)
    assert len(chunks) == 3
    assert max(len(chunk) for chunk in chunks) <= BLOCK_SIZE
    assert b"".join(chunks) == data
    body.close()
    assert body.file.closed


def test_server_file_wrapper_is_used(site: Path) -> None:
    wrapped: list[Any] = []

    def file_wrapper(file: Any, block_size: int) -> Iterable[bytes]:
        wrapped.append((file.name, block_size))
        return FileWrapper(file, block_size)

    middleware = SharedDataMiddleware(lambda e, s: [], {"/static": str(site / "static")})
    environ = dict(EnvironBuilder(path="/static/a.txt").get_environ())
    environ["wsgi.file_wrapper"] = file_wrapper
    body, _, _ = run_wsgi_app(middleware, environ, buffered=True)
    assert b"".join(body) == b"hello\n"
    assert wrapped == [(str(site / "static" / "a.txt"), BLOCK_SIZE)]


# -- differential: the same environ through Werkzeug's middleware --------------------------------

# Werkzeug formats its ETag differently (both are opaque), and Date/Expires move with the clock.
_VARYING = {"date", "etag", "expires"}


def _comparable(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((name.lower(), value) for name, value in headers if name.lower() not in _VARYING)


def _fallback(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
    return [b"fallback " + environ["PATH_INFO"].encode("latin-1")]


@pytest.mark.parametrize("cache", [True, False])
@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/static/a.txt", {}),
        ("/static/css/site.css", {}),
        ("/static/data.json", {}),
        ("/static/blob.unknownext", {}),
        ("/static/caf%C3%A9.txt", {}),
        ("/favicon.ico", {}),
        ("/static/config.secret", {}),
        ("/static/missing", {}),
        ("/static/", {}),
        ("/static/../secret.txt", {}),
        ("/static/%2e%2e/secret.txt", {}),
        ("/static/a.txt", {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}),
        ("/static/a.txt", {"If-Modified-Since": http_date(time.time() + 3600)}),
        ("/static/a.txt", {"If-None-Match": "*"}),
    ],
)
def test_same_answers_as_werkzeug(
    site: Path, cache: bool, path: str, headers: dict[str, str]
) -> None:
    exports = {"/static": str(site / "static"), "/favicon.ico": str(site / "favicon.ico")}
    ours = SharedDataMiddleware(_fallback, exports, disallow="*.secret", cache=cache)
    theirs = WerkzeugSharedData(_fallback, exports, disallow="*.secret", cache=cache)
    environ = dict(EnvironBuilder(path=path, headers=headers).get_environ())
    our_body, our_status, our_headers = run_wsgi_app(ours, dict(environ), buffered=True)
    their_body, their_status, their_headers = werkzeug_run_wsgi_app(
        theirs, dict(environ), buffered=True
    )
    assert our_status.split()[0] == their_status.split()[0]
    assert b"".join(our_body) == b"".join(their_body)
    assert _comparable(our_headers.items()) == _comparable(their_headers.items())
    assert ("ETag" in our_headers) == ("ETag" in their_headers)
