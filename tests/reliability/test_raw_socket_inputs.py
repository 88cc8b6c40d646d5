"""BAD_INPUTS.md over the wire: every section sent as raw bytes to a real kolba dev server.

tests/test_bad_inputs.py hands environs to the app in-process; here the same hostile inputs
(and the ones only a socket can carry: framing, trickled and half-sent bodies, raw bytes in
the request line) go through the threaded dev server on a free 127.0.0.1 port. Each case has
a time budget and must get a correct parse or a clean 4xx (never a 500, never a hang). Then:

- a normal request on the same connection, when the server kept it open, is answered right;
- a normal GET and a normal multipart POST on a new connection are answered right;
- every request context the app opened was torn down exactly once (the ledger balances);
- the process holds no more file descriptors than before the case (no leaked upload file
  or socket);
- nothing was logged at ERROR (no 500 hidden behind a 4xx).

The server runs with a 2 s socket timeout (``Handler.timeout``, a documented setting) so
the cases of a client that goes silent finish quickly. The table only grows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from reliability_wire import (
    KB,
    MB,
    Connection,
    Pieces,
    Reply,
    chunked,
    exchange,
    live_server,
    open_fds,
    request,
    wait_for,
)

import kolba
from kolba.json.tag import TaggedJSONSerializer
from kolba.wsgi.serving import BaseWSGIServer, WSGIRequestHandler

SECRET_TEXT = b"TOP SECRET: must never be served"
SECRET_KEY = "raw-socket-secret"
OLD_KEY = "raw-socket-previous"
RANGE_FILE = random.Random(7).randbytes(10_000)
DEVICE_NAMES = ["CON", "NUL.txt", "CON . txt", "b/COM1", "LPT\u00b9", "CONIN$", "dot.", "space "]


class Handler(WSGIRequestHandler):
    """The dev server's handler with a short socket timeout, so stalled clients end fast."""

    timeout = 2.0
    idle_timeout = 1.0

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


# --- the app -----------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the app saw: requests entered, teardowns run, and the paths requested."""

    entered: int = 0
    torn_down: int = 0
    app_torn_down: int = 0
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def balanced(self) -> bool:
        return self.entered == self.torn_down == self.app_torn_down


class ErrorLog(logging.Handler):
    """Collects every ERROR record from the server and the app."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def build_app(root: Path, ledger: Ledger) -> kolba.Kolba:
    app = kolba.Kolba("raw_socket_app", root_path=str(root))
    app.config.update(SECRET_KEY=SECRET_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY])
    request = kolba.request
    lock = ledger.lock

    inner = app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            ledger.entered += 1
            ledger.paths.append(environ.get("PATH_INFO", ""))
        return inner(environ, start_response)

    app.wsgi_app = counting  # type: ignore[method-assign]

    @app.teardown_request
    def count_teardown(exc: BaseException | None) -> None:
        with lock:
            ledger.torn_down += 1

    @app.teardown_appcontext
    def count_app_teardown(exc: BaseException | None) -> None:
        with lock:
            ledger.app_torn_down += 1

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    @app.route("/form", methods=["GET", "POST"])
    def form_view() -> Any:
        files = {k: [f.filename, len(f.read())] for k, f in request.files.items(multi=True)}
        return {"form": request.form.to_dict(flat=False), "files": files}

    @app.post("/json")
    def json_view() -> Any:
        value = request.get_json()
        return {"repr": repr(value)[:200], "type": type(value).__name__}

    @app.route("/data", methods=["GET", "POST"])
    def data_view() -> Any:
        return {"length": len(request.get_data())}

    @app.get("/args")
    def args_view() -> Any:
        return {"args": request.args.to_dict(flat=False)}

    @app.get("/host")
    def host_view() -> Any:
        return {
            "host": request.host,
            "external": kolba.url_for("host_view", _external=True),
        }

    @app.get("/p/<path:rest>")
    def path_view(rest: str) -> Any:
        return {"rest": rest, "path": request.path}

    @app.get("/dir/")
    def dir_view() -> str:
        return "dir"

    @app.route("/echo", methods=["GET", "POST"])
    def echo() -> Any:
        auth = request.authorization
        return {
            "xff": request.headers.getlist("X-Forwarded-For"),
            "access_route": request.access_route,
            "auth": None if auth is None else auth.type,
            "accept": [[value, quality] for value, quality in request.accept_mimetypes],
            "mimetype": request.mimetype,
            "params": len(request.mimetype_params),
        }

    @app.get("/cookies")
    def cookies() -> Any:
        return {"cookies": [list(item) for item in request.cookies.items(multi=True)]}

    @app.get("/session/get")
    def session_get() -> Any:
        return {"user": kolba.session.get("user")}

    @app.get("/session/read/<how>")
    def session_read(how: str) -> str:
        session = kolba.session
        if how == "get":
            session.get("x")
        elif how == "in":
            _ = "x" in session
        else:
            len(session)
        return "read"

    @app.get("/redirect")
    def redirect_view() -> Any:
        return kolba.redirect(request.args["to"])

    @app.get("/header")
    def header_view() -> Any:
        return "x", {"X-Thing": request.args["v"]}

    @app.get("/setcookie")
    def setcookie_view() -> Any:
        response = kolba.make_response("x")
        response.set_cookie("c", request.args["v"])
        return response

    @app.get("/bigcookie")
    def bigcookie_view() -> Any:
        response = kolba.make_response("x")
        response.set_cookie("big", "v" * 5000)
        return response

    @app.get("/broken/<kind>")
    def broken(kind: str) -> Any:
        if kind == "none":
            return None
        if kind == "bool":
            return True
        return "body", 200, {}, "extra"

    hooks = kolba.Blueprint("hooks", __name__, url_prefix="/hooks")

    @hooks.before_request
    def failing_before() -> None:
        if request.args.get("fail") == "before":
            raise RuntimeError("before_request failed")

    @hooks.after_request
    def failing_after(response: kolba.Response) -> kolba.Response:
        if request.args.get("fail") == "after":
            raise RuntimeError("after_request failed")
        return response

    @hooks.errorhandler(LookupError)
    def failing_handler(error: LookupError) -> Any:
        raise RuntimeError("the error handler failed")

    @hooks.get("/view")
    def hooks_view() -> str:
        if request.args.get("fail") == "handler":
            raise LookupError("to the error handler")
        return "hooks ok"

    app.register_blueprint(hooks)
    return app


@dataclass
class Live:
    server: BaseWSGIServer
    app: kolba.Kolba
    ledger: Ledger
    errors: ErrorLog
    root: Path
    baseline_fds: int | None

    @property
    def port(self) -> int:
        return self.server.port


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = tmp_path_factory.mktemp("raw_socket_app")
    static = root / "static"
    (static / "b").mkdir(parents=True)
    (static / "data.txt").write_bytes(b"public data\n")
    (static / "range.bin").write_bytes(RANGE_FILE)
    (root / "secret.txt").write_bytes(SECRET_TEXT)
    for name in DEVICE_NAMES:
        (static / name).write_bytes(b"device file")
    ledger = Ledger()
    app = build_app(root, ledger)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        with live_server(app, Handler) as server:
            # One request first: lazily built things (logger, plans) exist before the baseline.
            assert exchange(server.port, request("GET", "/ok")[0]).body == b"ok"
            wait_for(ledger.balanced, 2.0)
            yield Live(server, app, ledger, errors, root, open_fds())
    finally:
        logging.getLogger().removeHandler(errors)


# --- request building --------------------------------------------------------------------------


def multipart(*parts: bytes, boundary: bytes = b"B", close: bool = True) -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--" + boundary + b"--\r\n" if close else b"")


def field_part(name: str, value: bytes) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value


MP = "Content-Type: multipart/form-data; boundary=B"
FORM = "Content-Type: application/x-www-form-urlencoded"
JSON_TYPE = "Content-Type: application/json"
GOOD = multipart(field_part("a", b"1"))


def session_cookie(data: dict[str, Any], key: str = SECRET_KEY, age: float = 0) -> str:
    """A session cookie as Flask and kolba sign it, optionally ``age`` seconds old."""

    class AgedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age)

    serializer = URLSafeTimedSerializer(
        key,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer=AgedSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return str(serializer.dumps(data))


# --- the table --------------------------------------------------------------------------------


@dataclass
class Wire:
    """One hostile request over a socket and what answers are acceptable."""

    id: str
    head: bytes
    body: bytes | Pieces | Callable[[], Iterable[bytes]] = b""
    expect: tuple[int, ...] = (200,)
    check: Callable[[Reply], None] | None = None
    budget: float = 5.0
    half_close: bool = False  # the client stops sending (shuts its side) after the body
    trickle: int | None = None  # send the whole request this many bytes per write
    xfail: str | None = None  # a known bug in src/kolba (the xfail protocol)
    reuse: bool = True  # False when the client itself left the connection unusable

    def blocks(self) -> Iterable[bytes]:
        if isinstance(self.body, Pieces):
            return [self.head, *self.body.blocks()]
        if isinstance(self.body, bytes):
            return [self.head + self.body]
        return [self.head, *self.body()]

    @property
    def method(self) -> str:
        return self.head.split(b" ", 1)[0].decode("latin-1")


def case(
    id: str,
    method: str,
    target: str | bytes,
    *headers: str | bytes,
    body: bytes | Pieces = b"",
    length: str | bytes | None = "auto",
    host: str | bytes | None = "test",
    **options: Any,
) -> Wire:
    head, body = request(method, target, *headers, body=body, length=length, host=host)
    return Wire(id, head, body, **options)


def chunked_case(
    id: str, target: str, *headers: str, body: bytes | Pieces, chunk: int, **options: Any
) -> Wire:
    head, _ = request("POST", target, "Transfer-Encoding: chunked", *headers, length=None)
    return Wire(id, head, lambda: chunked(body, chunk), **options)


def json_is(key: str, value: Any) -> Callable[[Reply], None]:
    def check(reply: Reply) -> None:
        assert reply.json()[key] == value, reply.json()

    return check


def form_is(expected: dict[str, list[str]]) -> Callable[[Reply], None]:
    return json_is("form", expected)


def file_named(name: str, filename: str) -> Callable[[Reply], None]:
    def check(reply: Reply) -> None:
        assert reply.json()["files"][name][0] == filename

    return check


def body_is(expected: bytes) -> Callable[[Reply], None]:
    def check(reply: Reply) -> None:
        assert reply.body == expected, reply.body[:200]

    return check


def _count(key: str, size: int) -> Callable[[Reply], None]:
    def check(reply: Reply) -> None:
        assert len(reply.json()["form"][key]) == size

    return check


def cookies_are(expected: list[tuple[str, str]]) -> Callable[[Reply], None]:
    def check(reply: Reply) -> None:
        assert [tuple(item) for item in reply.json()["cookies"]] == expected

    return check


def user_is(user: str | None) -> Callable[[Reply], None]:
    return json_is("user", user)


def accept_is(expected: list[list[Any]]) -> Callable[[Reply], None]:
    return json_is("accept", expected)


def range_reply_is_consistent(reply: Reply) -> None:
    """A 206 carries exactly the bytes its Content-Range names; a 200 the whole file."""
    if reply.status == 200:
        assert reply.body == RANGE_FILE
    elif reply.status == 206:
        unit, _, spec = (reply.header("Content-Range") or "").partition(" ")
        first, _, rest = spec.partition("-")
        last, _, total = rest.partition("/")
        assert unit == "bytes"
        assert total == str(len(RANGE_FILE))
        assert reply.body == RANGE_FILE[int(first) : int(last) + 1]
    else:
        assert reply.header("Content-Range") == f"bytes */{len(RANGE_FILE)}"


def range_is(first: int, last: int) -> Callable[[Reply], None]:
    def check(reply: Reply) -> None:
        assert reply.header("Content-Range") == f"bytes {first}-{last}/{len(RANGE_FILE)}"
        assert reply.body == RANGE_FILE[first : last + 1]

    return check


def no_secret(reply: Reply) -> None:
    assert SECRET_TEXT not in reply.body
    location = reply.header("Location")
    if location is not None:
        # A redirect (slash merging, a missing trailing slash) stays on this origin.
        assert not location.startswith("//"), location
        assert location.startswith(("/", "http://test/")), location


def no_injected_header(reply: Reply) -> None:
    """No header line the attacker's text tried to add, and no CR or NUL inside a value
    (text that stays percent-encoded inside a Location is harmless).
    """
    assert "x-injected" not in {name.lower() for name, _ in reply.headers}
    assert not any("admin=1" in value for value in reply.all("Set-Cookie"))
    for name, value in reply.headers:
        assert "\r" not in name + value, (name, value)
    assert b"\x00" not in reply.head


def _external_is_loopback(reply: Reply) -> None:
    assert reply.json()["external"].startswith("http://127.0.0.1:")


def _assert_ascii_cookie(reply: Reply) -> None:
    cookie = reply.header("Set-Cookie") or ""
    assert cookie.startswith("c="), cookie
    assert cookie.isascii(), cookie


def _assert_location(reply: Reply, location: str) -> None:
    assert reply.header("Location") == location


def _assert_vary_cookie(reply: Reply) -> None:
    assert any("cookie" in v.lower() for v in reply.all("Vary")), reply.headers


TRICKLED_FORM = multipart(field_part("name", b"value sent one byte at a time"))

CASES: list[Wire] = [
    # -- 1. multipart volume -------------------------------------------------------------------
    case(
        "1001 tiny parts",
        "POST",
        "/form",
        MP,
        body=Pieces(
            [
                (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n", 1001),
                (b"--B--\r\n", 1),
            ]
        ),
        expect=(413,),
    ),
    chunked_case(
        "600 kB field in 1-byte HTTP chunks",
        "/form",
        MP,
        body=Pieces(
            [
                (b"--B\r\nContent-Disposition: form-data; name=big\r\n\r\n", 1),
                (b"x", 600_000),
                (b"\r\n--B--\r\n", 1),
            ]
        ),
        chunk=1,
        expect=(413,),
        budget=20.0,
    ),
    case(
        "a form sent one byte per TCP segment",
        "POST",
        "/form",
        MP,
        body=TRICKLED_FORM,
        trickle=1,
        check=form_is({"name": ["value sent one byte at a time"]}),
        budget=10.0,
    ),
    case(
        "10 MB without CR/LF after the boundary",
        "POST",
        "/form",
        MP,
        body=Pieces([(b"--B\r\n", 1), (b"a" * 4096, 10 * MB // 4096)]),
        expect=(400,),
        budget=10.0,
    ),
    case(
        "CR then 10 MB of a",
        "POST",
        "/form",
        MP,
        body=Pieces([(b"\r", 1), (b"a" * 4096, 10 * MB // 4096)]),
        expect=(400,),
        budget=10.0,
    ),
    case(
        "10 MB preamble",
        "POST",
        "/form",
        MP,
        body=Pieces([(b"p" * 4095 + b"\n", 10 * MB // 4096), (GOOD, 1)]),
        check=form_is({"a": ["1"]}),
        budget=10.0,
    ),
    case(
        "10 MB epilogue",
        "POST",
        "/form",
        MP,
        body=Pieces([(GOOD, 1), (b"e" * 4096, 10 * MB // 4096)]),
        check=form_is({"a": ["1"]}),
        budget=10.0,
    ),
    case(
        "10 MB file upload",
        "POST",
        "/form",
        MP,
        body=Pieces(
            [
                (b'--B\r\nContent-Disposition: form-data; name=f; filename="big.bin"\r\n\r\n', 1),
                (b"\xff" * 4096, 10 * MB // 4096),
                (b"\r\n--B--\r\n", 1),
            ]
        ),
        check=json_is("files", {"f": ["big.bin", 10 * MB]}),
        budget=10.0,
    ),
    # BAD_INPUTS 11: the spooled files opened before the 413 are closed (the fd check).
    case(
        "413 after two files were spooled to disk",
        "POST",
        "/form",
        MP,
        body=Pieces(
            [
                (b'--B\r\nContent-Disposition: form-data; name=f1; filename="1.bin"\r\n\r\n', 1),
                (b"1" * 4096, 150),
                (
                    b'\r\n--B\r\nContent-Disposition: form-data; name=f2; filename="2.bin"\r\n\r\n',
                    1,
                ),
                (b"2" * 4096, 150),
                (b"\r\n--B\r\nContent-Disposition: form-data; name=big\r\n\r\n", 1),
                (b"x", 600_000),
                (b"\r\n--B--\r\n", 1),
            ]
        ),
        expect=(413,),
    ),
    # -- 2. multipart structure ----------------------------------------------------------------
    case(
        "10 000 headers in one part",
        "POST",
        "/form",
        MP,
        body=Pieces([(b"--B\r\n", 1), (b"X-A: b\r\n", 10_000), (b"\r\nv\r\n--B--\r\n", 1)]),
        expect=(400,),
    ),
    case(
        "1 MB Content-Disposition",
        "POST",
        "/form",
        MP,
        body=Pieces(
            [
                (b'--B\r\nContent-Disposition: form-data; name="', 1),
                (b"n", MB),
                (b'"\r\n\r\nv\r\n--B--\r\n', 1),
            ]
        ),
        expect=(400,),
    ),
    case(
        "header block with no blank line",
        "POST",
        "/form",
        MP,
        body=b"--B\r\nContent-Disposition: form-data; name=a\r\n--B--\r\n",
        expect=(400,),
    ),
    case(
        "300-byte boundary",
        "POST",
        "/form",
        "Content-Type: multipart/form-data; boundary=" + "b" * 300,
        body=multipart(field_part("a", b"1"), boundary=b"b" * 300),
        expect=(400,),
    ),
    case(
        "no boundary",
        "POST",
        "/form",
        "Content-Type: multipart/form-data",
        body=GOOD,
        expect=(400,),
    ),
    *[
        case(
            f"body cut {n} bytes before the close",
            "POST",
            "/form",
            MP,
            body=GOOD[: -(n + 2)],
            expect=(400,),
        )
        for n in (1, 2, 3, 4)
    ],
    case(
        "--B__ as a fake close",
        "POST",
        "/form",
        MP,
        body=GOOD.replace(b"--B--", b"--B__"),
        expect=(400,),
    ),
    case(
        "LF-only line endings",
        "POST",
        "/form",
        MP,
        body=GOOD.replace(b"\r\n", b"\n"),
        expect=(400,),
    ),
    case(
        "CR-only line endings",
        "POST",
        "/form",
        MP,
        body=GOOD.replace(b"\r\n", b"\r"),
        expect=(400,),
    ),
    case(
        "filename* traversal next to filename",
        "POST",
        "/form",
        MP,
        body=multipart(
            b'Content-Disposition: form-data; name="f"; filename="a.txt";'
            b" filename*=UTF-8''..%2F..%2Fetc%2Fpasswd\r\n\r\nx"
        ),
        check=file_named("f", "a.txt"),
    ),
    case(
        "name* smuggling",
        "POST",
        "/form",
        MP,
        body=multipart(b"Content-Disposition: form-data; name=\"a\"; name*=UTF-8''admin\r\n\r\nx"),
        check=form_is({"a": ["x"]}),
    ),
    case(
        "Windows path filename",
        "POST",
        "/form",
        MP,
        body=multipart(
            b'Content-Disposition: form-data; name="f"; filename="C:\\x\\..\\boot.ini"\r\n\r\nx'
        ),
        check=file_named("f", "C:\\x\\..\\boot.ini"),
    ),
    case(
        "UNC filename",
        "POST",
        "/form",
        MP,
        body=multipart(
            b'Content-Disposition: form-data; name="f"; filename="\\\\srv\\share\\a.txt"\r\n\r\nx'
        ),
        check=file_named("f", "\\\\srv\\share\\a.txt"),
    ),
    case(
        "random 1 MiB declared multipart",
        "POST",
        "/form",
        MP,
        body=random.Random(1).randbytes(MB),
        expect=(400,),
    ),
    case(
        "random 2 MiB declared multipart",
        "POST",
        "/form",
        MP,
        body=random.Random(2).randbytes(2 * MB),
        expect=(400,),
    ),
    # -- 3. urlencoded ---------------------------------------------------------------------------
    case(
        "100 000 pairs",
        "POST",
        "/form",
        FORM,
        body=Pieces([(b"a=1&", 100_000)]),
        check=_count("a", 100_000),
    ),
    case("1 MB value", "POST", "/form", FORM, body=Pieces([(b"a=", 1), (b"v", MB)]), expect=(413,)),
    chunked_case(
        "1 MB value, chunked",
        "/form",
        FORM,
        body=Pieces([(b"a=", 1), (b"v", MB)]),
        chunk=65536,
        expect=(413,),
    ),
    case(
        "semicolon never splits",
        "POST",
        "/form",
        FORM,
        body=b"a=1;b=2",
        check=form_is({"a": ["1;b=2"]}),
    ),
    case(
        "invalid UTF-8 escapes",
        "POST",
        "/form",
        FORM,
        body=b"a=%ff%fe",
        check=form_is({"a": ["%FF%FE"]}),
    ),
    case(
        "invalid UTF-8 bytes",
        "POST",
        "/form",
        FORM,
        body=b"a=\xff\xfe",
        check=form_is({"a": ["%FF%FE"]}),
    ),
    case("bare percent", "POST", "/form", FORM, body=b"%", check=form_is({"%": [""]})),
    case("plus and %2B", "POST", "/form", FORM, body=b"a=+%2B", check=form_is({"a": [" +"]})),
    # -- 4. body framing (the server refuses what is ambiguous before the app runs) ----------
    *[
        case(
            f"Content-Length {value!r}", "POST", "/data", body=b"hello", length=value, expect=(400,)
        )
        for value in (
            b"-1",
            b"1_000",
            "\u0661\u0660".encode(),
            b"+5",
            b"5, 5",
            b"0x5",
            b"9" * 40,
            b"",
        )
    ],
    case(
        "Content-Length ' 5 '",
        "POST",
        "/data",
        body=b"hello",
        length=b" 5 ",
        check=json_is("length", 5),
    ),
    case(
        "two Content-Length headers",
        "POST",
        "/data",
        "Content-Length: 5",
        body=b"hello",
        expect=(400,),
    ),
    case(
        "Content-Length larger than the body, client stops",
        "POST",
        "/data",
        body=b"hello",
        length=b"100",
        half_close=True,
        expect=(400,),
    ),
    case(
        "Content-Length larger than the body, client goes silent",
        "POST",
        "/data",
        body=b"hello",
        length=b"100",
        expect=(400,),
        budget=8.0,
    ),
    case(
        "form body shorter than its Content-Length, client stops",
        "POST",
        "/form",
        FORM,
        body=b"a=1",
        length=b"100",
        half_close=True,
        expect=(400,),
    ),
    Wire(
        "chunked with no final chunk, client stops",
        request("POST", "/data", "Transfer-Encoding: chunked", length=None)[0],
        lambda: chunked(b"x" * 1000, 100, final=False),
        expect=(400,),
        half_close=True,
    ),
    Wire(
        "chunked with no final chunk, client goes silent",
        request("POST", "/data", "Transfer-Encoding: chunked", length=None)[0],
        lambda: chunked(b"x" * 1000, 100, final=False),
        expect=(400,),
        budget=8.0,
    ),
    chunked_case("chunked body", "/data", body=b"x" * 1000, chunk=7, check=json_is("length", 1000)),
    case(
        "Content-Length and Transfer-Encoding",
        "POST",
        "/data",
        "Transfer-Encoding: chunked",
        body=b"0\r\n\r\nGET /p/smuggled HTTP/1.1\r\nHost: test\r\n\r\n",
        expect=(400,),
    ),
    case(
        "Transfer-Encoding chunked twice",
        "POST",
        "/data",
        "Transfer-Encoding: chunked, chunked",
        body=b"0\r\n\r\n",
        length=None,
        expect=(400,),
    ),
    case(
        "Transfer-Encoding xchunked",
        "POST",
        "/data",
        "Transfer-Encoding: xchunked",
        body=b"0\r\n\r\n",
        length=None,
        expect=(400,),
    ),
    case(
        "a malformed chunk size",
        "POST",
        "/data",
        "Transfer-Encoding: chunked",
        body=b"zz\r\nhello\r\n0\r\n\r\n",
        length=None,
        expect=(400,),
    ),
    case(
        "a chunk longer than its size line",
        "POST",
        "/data",
        "Transfer-Encoding: chunked",
        body=b"2\r\nhello\r\n0\r\n\r\n",
        length=None,
        expect=(400,),
    ),
    case(
        "a body on GET carrying a request",
        "GET",
        "/args?a=1",
        body=b"GET /p/smuggled HTTP/1.1\r\nHost: test\r\n\r\n",
        check=json_is("args", {"a": ["1"]}),
    ),
    # Without Content-Length or Transfer-Encoding a request has no body: "hello" starts the
    # next request on the connection (test_an_unframed_body_starts_the_next_request).
    case(
        "an unframed body",
        "POST",
        "/data",
        body=b"hello",
        length=None,
        check=json_is("length", 0),
        reuse=False,
    ),
    # -- 5. headers ------------------------------------------------------------------------------
    *[
        case(f"Host {host[:30]!r}", "GET", "/host", host=host, expect=(400,))
        for host in (
            b"foo/?x=",
            b"foo/#",
            b"foo/bar",
            b"user@foo",
            b"foo\\bar",
            b"foo bar",
            b"a.test:8080@b.test",
            b"a.test:port",
            b"[z:443]:8080",
            b"example.com:99999",
            "b\u00fccher.example".encode(),
            b"a,b",
        )
    ],
    case("empty Host", "GET", "/host", host=b"", check=_external_is_loopback),
    case("no Host", "GET", "/host", host=None, expect=(200, 400)),
    case("two Host headers", "GET", "/host", "Host: other", expect=(400,)),
    case("300-label Host", "GET", "/host", host=".".join(["a"] * 300), expect=(200, 400)),
    case(
        "IPv6 Host",
        "GET",
        "/host",
        host="[::1]:8080",
        check=json_is("external", "http://[::1]:8080/host"),
    ),
    case(
        "absolute-form target names the host",
        "GET",
        "http://other.test/host",
        check=json_is("host", "other.test"),
    ),
    case(
        "X_Forwarded_For next to X-Forwarded-For",
        "GET",
        "/echo",
        "X_Forwarded_For: 1.1.1.1",
        "X-Forwarded-For: 2.2.2.2",
        check=json_is("xff", ["2.2.2.2"]),
    ),
    case(
        "Content-Type with 20 000 parameters",
        "POST",
        "/echo",
        "Content-Type: text/plain" + ";a=" * 20_000,
        body=b"x",
        expect=(200,),
        check=json_is("mimetype", "text/plain"),
    ),
    case(
        "Content-Type with 50 000 parameters (over the header line limit)",
        "POST",
        "/form",
        "Content-Type: multipart/form-data" + ";a=" * 50_000 + "; boundary=B",
        body=GOOD,
        expect=(431,),
    ),
    case(
        "Content-Type with an unterminated quote",
        "POST",
        "/form",
        'Content-Type: multipart/form-data; boundary="B',
        body=GOOD,
        expect=(200, 400),
    ),
    *[
        case(
            f"Accept q={q!r}",
            "GET",
            "/echo",
            b"Accept: text/html;q=" + q + b", a/b",
            check=accept_is([["a/b", 1]]),
        )
        for q in (b"0.5_1", b".5", b"+0.5", "\u0660.5".encode(), "\uff10.5".encode())
    ],
    case(
        "64 KB Authorization of invalid base64",
        "GET",
        "/echo",
        "Authorization: Basic " + "!" * (64 * KB - 40),
        check=json_is("auth", None),
    ),
    case(
        "Authorization over the header line limit",
        "GET",
        "/echo",
        "Authorization: Basic " + "!" * (64 * KB),
        expect=(431,),
    ),
    case("101 header lines", "GET", "/ok", *[f"X-{i}: v" for i in range(101)], expect=(431,)),
    case("obsolete line folding", "GET", "/ok", "X-A: a", " folded", expect=(400,)),
    case("space before the colon", "GET", "/ok", "X-A : a", expect=(400,)),
    case("NUL in a header value", "GET", "/ok", b"X-A: a\x00b", expect=(400,)),
    case("bare CR in a header value", "GET", "/ok", b"X-A: a\rb", expect=(400,)),
    case("unknown expectation", "POST", "/data", "Expect: 200-ok", body=b"x", expect=(417,)),
    case(
        "Expect: 100-continue",
        "POST",
        "/data",
        "Expect: 100-continue",
        body=b"hello",
        check=json_is("length", 5),
    ),
    # -- 6. cookies ------------------------------------------------------------------------------
    case(
        "cookie prefix shadowing",
        "GET",
        "/cookies",
        "Cookie: ==__Host-eq=bad; __Host-eq=good",
        check=cookies_are([("__Host-eq", "good")]),
    ),
    case("quoted cookie name", "GET", "/cookies", 'Cookie: "__Secure-c"=d', check=cookies_are([])),
    case(
        "duplicate cookies",
        "GET",
        "/cookies",
        "Cookie: a=1; a=2",
        check=cookies_are([("a", "1"), ("a", "2")]),
    ),
    case("only separators", "GET", "/cookies", "Cookie: ;;; ;", check=cookies_are([])),
    case(
        "unterminated quote",
        "GET",
        "/cookies",
        'Cookie: a="unterminated; b=2',
        check=cookies_are([("b", "2")]),
    ),
    case(
        "octal escapes",
        "GET",
        "/cookies",
        'Cookie: a="\\054\\073"',
        check=cookies_are([("a", ",;")]),
    ),
    case(
        "two Cookie headers are joined",
        "GET",
        "/cookies",
        "Cookie: a=1",
        "Cookie: b=2",
        check=cookies_are([("a", "1"), ("b", "2")]),
    ),
    case(
        "60 KB cookie",
        "GET",
        "/cookies",
        "Cookie: k=" + "v" * (60 * KB),
        check=cookies_are([("k", "v" * (60 * KB))]),
    ),
    case("100 KB Cookie header", "GET", "/cookies", "Cookie: k=" + "v" * (100 * KB), expect=(431,)),
    case(
        "1000 cookies",
        "GET",
        "/cookies",
        "Cookie: " + "; ".join(f"c{i}={i}" for i in range(1000)),
        check=cookies_are([(f"c{i}", str(i)) for i in range(1000)]),
    ),
    case(
        "session cookie: valid",
        "GET",
        "/session/get",
        "Cookie: session=" + session_cookie({"user": "ada"}),
        check=user_is("ada"),
    ),
    case(
        "session cookie: signed with a fallback key",
        "GET",
        "/session/get",
        "Cookie: session=" + session_cookie({"user": "ada"}, key=OLD_KEY),
        check=user_is("ada"),
    ),
    case(
        "session cookie: bad signature",
        "GET",
        "/session/get",
        "Cookie: session=" + session_cookie({"user": "ada"})[:-3] + "AAA",
        check=user_is(None),
    ),
    case(
        "session cookie: expired",
        "GET",
        "/session/get",
        "Cookie: session=" + session_cookie({"user": "ada"}, age=40 * 86400),
        check=user_is(None),
    ),
    case(
        "session cookie: truncated",
        "GET",
        "/session/get",
        "Cookie: session=" + session_cookie({"user": "ada"})[:20],
        check=user_is(None),
    ),
    case(
        "session cookie: rotated-out key",
        "GET",
        "/session/get",
        "Cookie: session=" + session_cookie({"user": "ada"}, key="long-gone-key"),
        check=user_is(None),
    ),
    case(
        "session cookie: 50 KB of junk",
        "GET",
        "/session/get",
        "Cookie: session=" + "a" * 50_000,
        check=user_is(None),
    ),
    # -- 7. paths and static files -----------------------------------------------------------
    *[
        case(f"static {target!r}", "GET", target, expect=(301, 302, 308, 400, 404), check=no_secret)
        for target in (
            "/static/../secret.txt",
            "/static/%2e%2e/secret.txt",
            "/static/..%2fsecret.txt",
            "/static/%2e%2e%2fsecret.txt",
            "/static/%252e%252e%252fsecret.txt",
            "/static/.%5c056/secret.txt",
            "/static/..%5csecret.txt",
            "/static/.\\056/secret.txt",
            "/static//../secret.txt",
            "/static/%2f%2fevil.example/x",
            "/static/@evil",
            "/static/http://evil/x",
            "/static/c:%5cwindows%5cwin.ini",
            "/static/c:\\windows\\win.ini",
            "/static/%00",
            "/static/data.txt%00.css",
            "/static/%ff%fe",
            "/static/" + "a" * 300,
            "/static/data.txt.",
            "/static/data.txt%20",
            "/static/%01%1f",
            "/../secret.txt",
            "/%2e%2e/secret.txt",
        )
    ],
    case("static file", "GET", "/static/data.txt", check=body_is(b"public data\n")),
    case(
        "merged slashes stay on this origin",
        "GET",
        "//evil.example/dir",
        expect=(301, 302, 308, 404),
        check=no_secret,
    ),
    case("a run of slashes", "GET", "///ok", expect=(200, 301, 302, 308), check=no_secret),
    case(
        "slashes inside",
        "GET",
        "/static///data.txt",
        expect=(200, 301, 302, 308, 404),
        check=no_secret,
    ),
    case("missing trailing slash", "GET", "/dir", expect=(301, 308), check=no_secret),
    case("leading slashes before a slash redirect", "GET", "//dir", expect=(308,), check=no_secret),
    case("three slashes before a slash redirect", "GET", "///dir", expect=(308,), check=no_secret),
    case(
        "encoded CRLF in the query of a slash redirect",
        "GET",
        "/dir?a=%0D%0AX-Injected:%201",
        expect=(308,),
        check=no_injected_header,
    ),
    case(
        "leading slashes to a static file",
        "GET",
        "//static/data.txt",
        expect=(200, 308),
        check=no_secret,
    ),
    case("/@evil", "GET", "/@evil", expect=(404,)),
    case("/http://evil/x", "GET", "/http://evil/x", expect=(404,)),
    case("a 300-character segment", "GET", "/p/" + "s" * 300, check=json_is("rest", "s" * 300)),
    case("encoded NUL in the path", "GET", "/p/a%00b", expect=(200, 400, 404)),
    case("raw NUL in the request line", "GET", b"/p/a\x00b", expect=(400,)),
    case("raw control byte in the request line", "GET", b"/p/a\x01b", expect=(400,)),
    case("encoded control bytes", "GET", "/p/%01%1f", expect=(200, 400, 404)),
    case("invalid UTF-8 in the path", "GET", b"/p/\xff\xfe", check=json_is("rest", "\ufffd\ufffd")),
    case("invalid UTF-8, encoded", "GET", "/p/%ff%fe", check=json_is("rest", "\ufffd\ufffd")),
    case("asterisk target", "GET", "*", expect=(400, 404)),
    case("request target without a slash", "GET", "ok", expect=(400,)),
    case("a 70 KB request line", "GET", "/p/" + "a" * (70 * KB), expect=(414,)),
    Wire("HTTP/2.0 request line", b"GET /ok HTTP/2.0\r\nHost: test\r\n\r\n", expect=(505,)),
    Wire(
        "two spaces in the request line", b"GET  /ok HTTP/1.1\r\nHost: test\r\n\r\n", expect=(400,)
    ),
    Wire("a lowercase http version", b"GET /ok http/1.1\r\nHost: test\r\n\r\n", expect=(400,)),
    # -- 8. ranges -------------------------------------------------------------------------------
    case(
        "10 000 one-byte ranges",
        "GET",
        "/static/range.bin",
        "Range: bytes=" + ",".join(["0-0"] * 10_000),
        expect=(200, 206, 416),
        check=range_reply_is_consistent,
    ),
    case(
        "10 000 distinct ranges (over the header line limit)",
        "GET",
        "/static/range.bin",
        "Range: bytes=" + ",".join(f"{2 * i}-{2 * i}" for i in range(10_000)),
        expect=(431,),
    ),
    case(
        "6 000 distinct ranges",
        "GET",
        "/static/range.bin",
        "Range: bytes="
        + ",".join(f"{i}-{i}" for i in range(0, 10_000, 2))[:60_000].rpartition(",")[0],
        expect=(200, 206, 416),
        check=range_reply_is_consistent,
    ),
    case(
        "overlapping ranges merge",
        "GET",
        "/static/range.bin",
        "Range: bytes=0-5,3-8",
        expect=(206,),
        check=range_is(0, 8),
    ),
    case(
        "inverted range",
        "GET",
        "/static/range.bin",
        "Range: bytes=5-1",
        expect=(416,),
        check=range_reply_is_consistent,
    ),
    case(
        "huge suffix",
        "GET",
        "/static/range.bin",
        "Range: bytes=-999999999999",
        expect=(206,),
        check=range_is(0, len(RANGE_FILE) - 1),
    ),
    case(
        "letters for numbers",
        "GET",
        "/static/range.bin",
        "Range: bytes=a-b",
        expect=(416,),
        check=range_reply_is_consistent,
    ),
    case(
        "non-ASCII digits",
        "GET",
        "/static/range.bin",
        "Range: bytes=\u0660-\u0665".encode(),
        expect=(416,),
        check=range_reply_is_consistent,
    ),
    case(
        "a range past the end",
        "GET",
        "/static/range.bin",
        "Range: bytes=20000-",
        expect=(416,),
        check=range_reply_is_consistent,
    ),
    case(
        "If-Range with an invalid weak ETag",
        "GET",
        "/static/range.bin",
        "Range: bytes=0-5",
        'If-Range: W/"nope',
        expect=(200,),
        check=range_reply_is_consistent,
    ),
    case(
        "60 000 commas",
        "GET",
        "/static/range.bin",
        "Range: bytes=" + "," * 60_000,
        expect=(200, 416),
        check=range_reply_is_consistent,
    ),
    # -- 9. JSON -----------------------------------------------------------------------------------
    case(
        "JSON labelled text/plain",
        "POST",
        "/json",
        "Content-Type: text/plain",
        body=b'{"a": 1}',
        expect=(415,),
    ),
    case("JSON without a Content-Type", "POST", "/json", body=b'{"a": 1}', expect=(415,)),
    case("JSON as a form", "POST", "/json", FORM, body=b'{"a": 1}', expect=(415,)),
    case(
        "100 000-deep nesting",
        "POST",
        "/json",
        JSON_TYPE,
        body=b"[" * 100_000 + b"]" * 100_000,
        expect=(400,),
    ),
    case(
        "10 MB string",
        "POST",
        "/json",
        JSON_TYPE,
        body=Pieces([(b'"', 1), (b"s", 10 * MB), (b'"', 1)]),
        check=json_is("type", "str"),
        budget=10.0,
    ),
    case(
        "NaN and Infinity",
        "POST",
        "/json",
        JSON_TYPE,
        body=b"[NaN, Infinity, -Infinity]",
        check=json_is("repr", "[nan, inf, -inf]"),
    ),
    case(
        "UTF-16 with a BOM",
        "POST",
        "/json",
        JSON_TYPE,
        body='{"a": "é"}'.encode("utf-16"),
        check=json_is("repr", "{'a': 'é'}"),
    ),
    case("invalid UTF-8", "POST", "/json", JSON_TYPE, body=b'{"a": "\xff"}', expect=(400,)),
    case(
        "duplicate keys",
        "POST",
        "/json",
        JSON_TYPE,
        body=b'{"a": 1, "a": 2}',
        check=json_is("repr", "{'a': 2}"),
    ),
    case("truncated JSON", "POST", "/json", JSON_TYPE, body=b'{"a": [1, 2', expect=(400,)),
    # -- 10. response side: nothing injected ever reaches the wire -------------------------------
    *[
        case(
            f"{where} with {name}",
            "GET",
            f"/{where}?{param}={value}",
            expect=(500,),
            check=no_injected_header,
        )
        for where, param in (("redirect", "to"), ("header", "v"), ("setcookie", "v"))
        for name, value in (
            ("CRLF", "/n%0D%0AX-Injected:%201%0D%0ASet-Cookie:%20admin=1"),
            ("LF", "/n%0AX-Injected:%201"),
            ("CR", "/n%0DX-Injected:%201"),
            ("NUL", "/n%00"),
        )
    ],
    case(
        "non-latin-1 header value",
        "GET",
        "/header?v=%E6%97%A5",
        expect=(500,),
        check=no_injected_header,
    ),
    case(
        "non-latin-1 cookie value",
        "GET",
        "/setcookie?v=%E6%97%A5",
        check=_assert_ascii_cookie,
    ),
    case(
        "redirect to a user-supplied //host (kept, as Flask does)",
        "GET",
        "/redirect?to=//evil.example/x",
        expect=(302,),
        check=lambda r: _assert_location(r, "//evil.example/x"),
    ),
    *[
        case(
            f"session read with {how} varies on Cookie",
            "GET",
            f"/session/read/{how}",
            check=_assert_vary_cookie,
        )
        for how in ("get", "in", "len")
    ],
]


# --- running a case ------------------------------------------------------------------------------


def send_case(live: Live, wire: Wire) -> tuple[Reply, Connection, float]:
    started = time.monotonic()
    conn = Connection(live.port, wire.budget)
    if wire.trickle:
        conn.trickle(b"".join(wire.blocks()), wire.trickle)
    else:
        conn.send_in_background(wire.blocks(), half_close=wire.half_close)
    try:
        reply = conn.read_reply(wire.method)
    except BaseException:
        conn.close()
        raise
    return reply, conn, time.monotonic() - started


# The server answers these without "Connection: close" and then closes the connection (see
# test_a_connection_kept_alive_is_really_kept); the keep-alive follow-up is checked there.
CLOSE_NOT_ANNOUNCED = {
    "600 kB field in 1-byte HTTP chunks",
    "1 MB value, chunked",
    "Content-Length larger than the body, client goes silent",
    "chunked with no final chunk, client goes silent",
    "a malformed chunk size",
    "a chunk longer than its size line",
}
# A failed or unfinished request body (a malformed chunk, a client that timed out, a 413
# mid-upload) makes the server close the connection; the response must announce it.


def assert_still_serving(live: Live, conn: Connection, reply: Reply, reuse: bool = True) -> None:
    """The same connection (if kept open) and a new one both get normal answers."""
    if not reply.closes and reuse:
        conn.extend(5.0)
        conn.send(request("GET", "/ok")[0])
        again = conn.read_reply()
        assert (again.status, again.body) == (200, b"ok"), "keep-alive answer after the case"
    ok = exchange(live.port, request("GET", "/ok")[0])
    assert (ok.status, ok.body) == (200, b"ok")
    head, body = request("POST", "/form", MP, body=GOOD)
    assert isinstance(body, bytes)
    form = exchange(live.port, head + body)
    assert form.status == 200
    assert form.json()["form"] == {"a": ["1"]}


def assert_nothing_leaked(live: Live) -> None:
    ledger = live.ledger
    assert wait_for(ledger.balanced, 5.0), (
        f"contexts entered {ledger.entered}, torn down {ledger.torn_down} (request)"
        f" and {ledger.app_torn_down} (app)"
    )
    if live.baseline_fds is not None:
        baseline = live.baseline_fds
        assert wait_for(lambda: (open_fds() or 0) <= baseline, 5.0), (
            f"{open_fds()} file descriptors open, {baseline} before the case"
        )


def _params(cases: list[Wire]) -> list[Any]:
    return [
        pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)])
        if c.xfail
        else pytest.param(c, id=c.id)
        for c in cases
    ]


@pytest.mark.parametrize("wire", _params(CASES))
def test_hostile_request_over_the_wire(live: Live, wire: Wire) -> None:
    live.errors.records.clear()
    reply, conn, elapsed = send_case(live, wire)
    try:
        assert reply.status in wire.expect, (reply.status, reply.head, reply.body[:300])
        assert elapsed < wire.budget, f"took {elapsed:.2f}s"
        if reply.status >= 400:
            assert b"<p>" in reply.body, reply.body[:300]  # a clean error page
            assert b"Traceback" not in reply.body
            if reply.status == 413:
                assert b"Raise MAX_" in reply.body  # names the setting to raise
        if wire.check is not None:
            wire.check(reply)
        reuse = wire.reuse and not wire.half_close and wire.id not in CLOSE_NOT_ANNOUNCED
        assert_still_serving(live, conn, reply, reuse)
    finally:
        conn.close()
    assert_nothing_leaked(live)
    if 500 not in wire.expect:
        assert not live.errors.records, [r.getMessage() for r in live.errors.records]
    assert "/p/smuggled" not in live.ledger.paths


@pytest.mark.parametrize(
    "wire", [c for c in CASES if c.id in CLOSE_NOT_ANNOUNCED], ids=lambda c: str(c.id)
)
def test_a_connection_kept_alive_is_really_kept(live: Live, wire: Wire) -> None:
    """A response without "Connection: close" promises that the connection stays usable."""
    reply, conn, _ = send_case(live, wire)
    try:
        assert_still_serving(live, conn, reply)
    finally:
        conn.close()
    assert_nothing_leaked(live)


# --- cases that need more than one exchange -------------------------------------------------------


@pytest.mark.parametrize("name", DEVICE_NAMES)
def test_windows_device_names_over_the_wire(
    live: Live, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BAD_INPUTS 7: with the platform patched to Windows, device names are 404."""
    from urllib.parse import quote

    target = "/static/" + quote(name)
    served = exchange(live.port, request("GET", target)[0])
    assert (served.status, served.body) == (200, b"device file")  # the file is really there
    with monkeypatch.context() as patched:
        patched.setattr(os, "name", "nt")
        refused = exchange(live.port, request("GET", target)[0])
        plain = exchange(live.port, request("GET", "/static/data.txt")[0])
    assert refused.status == 404
    assert (plain.status, plain.body) == (200, b"public data\n")
    assert_nothing_leaked(live)


@pytest.mark.parametrize("kind", ["none", "bool", "tuple4"])
def test_broken_view_returns_are_a_500_naming_the_view(live: Live, kind: str) -> None:
    """BAD_INPUTS 11: a view returning None, a bool or a 4-tuple is the app's bug: a clean
    500 whose logged TypeError names the view, and the server goes on.
    """
    live.errors.records.clear()
    reply = exchange(live.port, request("GET", f"/broken/{kind}")[0])
    assert reply.status == 500
    assert b"Traceback" not in reply.body
    errors = [r for r in live.errors.records if r.exc_info]
    assert len(errors) == 1
    exc = errors[0].exc_info[1]  # type: ignore[index]
    assert isinstance(exc, TypeError)
    assert "broken" in str(exc)
    assert exchange(live.port, request("GET", "/ok")[0]).body == b"ok"
    assert_nothing_leaked(live)


@pytest.mark.parametrize("fail", ["before", "after", "handler"])
def test_failing_hooks_are_a_clean_500(live: Live, fail: str) -> None:
    """BAD_INPUTS 11: an exception in before_request, after_request or an error handler."""
    live.errors.records.clear()
    reply = exchange(live.port, request("GET", f"/hooks/view?fail={fail}")[0])
    assert reply.status == 500
    assert b"Traceback" not in reply.body
    assert live.errors.records  # logged for the developer
    assert exchange(live.port, request("GET", "/hooks/view")[0]).body == b"hooks ok"
    assert_nothing_leaked(live)


def test_oversized_set_cookie_warns_and_is_still_sent(live: Live) -> None:
    """BAD_INPUTS 10: a Set-Cookie over MAX_COOKIE_SIZE is a warning, not an error."""
    with pytest.warns(UserWarning, match="MAX_COOKIE_SIZE"):
        reply = exchange(live.port, request("GET", "/bigcookie")[0])
    assert reply.status == 200
    assert (reply.header("Set-Cookie") or "").startswith("big=" + "v" * 5000)
    assert_nothing_leaked(live)


def test_trusted_hosts(live: Live) -> None:
    """TRUSTED_HOSTS: a Host outside the list is a 400 that names the setting."""
    live.app.config["TRUSTED_HOSTS"] = ["test", ".example.org"]
    try:
        good = exchange(live.port, request("GET", "/host")[0])
        sub = exchange(live.port, request("GET", "/host", host="a.example.org")[0])
        bad = exchange(live.port, request("GET", "/host", host="evil.test")[0])
        absolute = exchange(live.port, request("GET", "http://evil.test/host")[0])
    finally:
        live.app.config["TRUSTED_HOSTS"] = None
    assert good.status == 200
    assert sub.status == 200
    assert bad.status == 400
    assert b"TRUSTED_HOSTS" in bad.body
    assert absolute.status == 400
    assert_nothing_leaked(live)


def test_pipelined_requests_after_a_body_on_get(live: Live) -> None:
    """A GET body that looks like a request is skipped as body, never run as a request."""
    smuggle = b"GET /p/smuggled HTTP/1.1\r\nHost: test\r\n\r\n"
    head, _ = request("GET", "/args?a=1", body=smuggle)
    second = request("GET", "/p/second")[0]
    with Connection(live.port, 5.0) as conn:
        conn.send(head + smuggle + second)
        first = conn.read_reply()
        after = conn.read_reply()
    assert first.json() == {"args": {"a": ["1"]}}
    assert after.json()["rest"] == "second"
    assert "/p/smuggled" not in live.ledger.paths
    assert_nothing_leaked(live)


def test_an_unframed_body_starts_the_next_request(live: Live) -> None:
    """Bytes after a request without Content-Length or Transfer-Encoding are a new request."""
    with Connection(live.port, 5.0) as conn:
        conn.send(request("POST", "/data", body=b"hello", length=None)[0] + b"hello")
        first = conn.read_reply()
        conn.send(request("GET", "/ok")[0])
        second = conn.read_reply()
    assert first.json() == {"length": 0}
    assert second.status == 405  # the request line "helloGET /ok HTTP/1.1"
    assert_nothing_leaked(live)


def test_many_hostile_connections_at_once(live: Live) -> None:
    """Twenty stalled or broken clients at the same time do not stop a normal one."""
    conns = []
    for i in range(20):
        conn = Connection(live.port, 8.0)
        kind = i % 4
        if kind == 0:
            conn.send(b"GET /ok HTTP/1.1\r\nHost: te")  # headers never finished
        elif kind == 1:
            conn.send(request("POST", "/data", body=b"x", length=b"1000")[0] + b"x")
        elif kind == 2:
            conn.send(
                b"POST /data HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"
            )
        conns.append(conn)  # kind 3: connected, silent
    try:
        started = time.monotonic()
        ok = exchange(live.port, request("GET", "/ok")[0])
        assert (ok.status, ok.body) == (200, b"ok")
        assert time.monotonic() - started < 2.0
    finally:
        for conn in conns:
            conn.close()
    assert_nothing_leaked(live)


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 302 Found\r\nLocation: /n\r\nX-Injected: 1\r\n\r\n",
        b"HTTP/1.1 302 Found\r\nLocation: /n\rX-Injected: 1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nSet-Cookie: c=x\r\nSet-Cookie: admin=1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Thing: a\x00b\r\n\r\n",
    ],
)
def test_the_injection_check_catches_injections(head: bytes) -> None:
    """The check used by section 10 fails on what a successful injection looks like."""
    reply = _parse_head(head)
    with pytest.raises(AssertionError):
        no_injected_header(reply)


def _parse_head(head: bytes) -> Reply:
    reply = Reply(0, "", head=head)
    for line in head.split(b"\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip():
            reply.headers.append((name.strip(), value.strip()))
    return reply


def test_the_table_covers_every_section() -> None:
    """A guard against the table shrinking: each BAD_INPUTS section keeps its cases."""
    assert len(CASES) >= 197
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.id for c in CASES} >= CLOSE_NOT_ANNOUNCED
    ids = " ".join(c.id for c in CASES)
    for needle in (
        "1001 tiny parts",
        "300-byte boundary",
        "100 000 pairs",
        "Content-Length",
        "Host",
        "cookie",
        "static",
        "ranges",
        "JSON",
        "CRLF",
    ):
        assert needle in ids, needle
