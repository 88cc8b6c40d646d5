"""Hostile requests (design/BAD_INPUTS.md sections 1-5 and 9) against a real app, in-process.

Each case is a raw WSGI environ handed to ``app(environ, start_response)``. It must get a
correct parse or a clean 4xx within its time budget, and the next ordinary request on the
same app must be answered normally. Large bodies are generated while they are read, so the
suite stays fast and small in memory. This table only grows: add a case for every new
hostile input found.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

import kolba
from kolba import request

MB = 1024 * 1024


class Lazy(io.RawIOBase):
    """A body made of ``(bytes, repeat)`` pieces, produced as it is read.

    ``chunk`` caps what one read returns (1 = a client sending one byte at a time); with
    ``error`` set, reading past the end raises it (a connection that was reset).
    """

    def __init__(
        self,
        pieces: Iterable[tuple[bytes, int]],
        chunk: int | None = None,
        error: Exception | None = None,
    ) -> None:
        self.pieces = [(p, n) for p, n in pieces if p and n]
        self.length = sum(len(p) * n for p, n in self.pieces)
        self.pos = 0
        self.chunk = chunk
        self.error = error

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.pos
        if self.chunk is not None:
            size = min(size, self.chunk)
        out = bytearray()
        offset = self.pos
        for piece, count in self.pieces:
            span = len(piece) * count
            if offset >= span:
                offset -= span
                continue
            take = min(span - offset, size - len(out))
            start = offset % len(piece)
            out += (piece * ((start + take) // len(piece) + 1))[start : start + take]
            offset += take
            if len(out) >= size:
                break
            offset = 0
        self.pos += len(out)
        if not out and self.error is not None:
            raise self.error
        return bytes(out)

    def readline(self, size: int | None = -1) -> bytes:
        return self.read(size)


def wsgi_str(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


@dataclass
class Case:
    """One hostile request and what answers are acceptable."""

    id: str
    path: str = "/"
    method: str = "GET"
    body: Lazy | bytes = b""
    content_type: str | None = None
    content_length: str | None = "auto"
    extra: dict[str, Any] = field(default_factory=dict)
    expect: tuple[int, ...] = (200,)
    check: Callable[[Any], None] | None = None  # receives the decoded JSON body of a 200
    budget: float = 5.0

    def environ(self) -> dict[str, Any]:
        if isinstance(self.body, Lazy):
            stream: Any = self.body
            length = self.body.length
        else:
            stream = io.BytesIO(self.body)
            length = len(self.body)
        path, _, query = self.path.partition("?")
        env: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": stream,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if self.content_type is not None:
            env["CONTENT_TYPE"] = self.content_type
        if self.content_length == "auto":
            env["CONTENT_LENGTH"] = str(length)
        elif self.content_length is not None:
            env["CONTENT_LENGTH"] = self.content_length
        env.update(self.extra)
        return env


def make_app() -> kolba.Kolba:
    app = kolba.Kolba(__name__)

    @app.route("/form", methods=["GET", "POST"])
    def form_view() -> Any:
        files = {key: [f.filename, len(f.read())] for key, f in request.files.items(multi=True)}
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
        return {"args": request.args.to_dict(flat=False), "full_path": request.full_path}

    @app.get("/host")
    def host_view() -> Any:
        return {
            "host": request.host,
            "url": request.url,
            "external": kolba.url_for("host_view", _external=True),
        }

    @app.get("/p/<path:rest>")
    def path_view(rest: str) -> Any:
        return {"rest": rest, "path": request.path, "url": request.url}

    @app.get("/ok")
    def ok() -> str:
        return "ok"

    return app


def multipart(*parts: bytes, boundary: bytes = b"B", close: bool = True) -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--" + boundary + b"--\r\n" if close else b"")


def fieldpart(name: str, value: bytes) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value


MP = "multipart/form-data; boundary=B"
FORM = "application/x-www-form-urlencoded"
GOOD = multipart(fieldpart("a", b"1"))


def _expect_form(expected: dict[str, list[str]]) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert body["form"] == expected

    return check


def _expect_file(name: str, filename: str) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert body["files"][name][0] == filename

    return check


def _expect(key: str, value: Any) -> Callable[[Any], None]:
    def check(body: Any) -> None:
        assert body[key] == value, body

    return check


def _random_body(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


CASES: list[Case] = [
    # -- 1. multipart volume ----------------------------------------------------------------
    Case(
        "1001 tiny parts",
        "/form",
        "POST",
        Lazy(
            [
                (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n", 1001),
                (b"--B--\r\n", 1),
            ]
        ),
        MP,
        expect=(413,),
    ),
    Case(
        "600 kB field in 1-byte chunks",
        "/form",
        "POST",
        Lazy(
            [
                (b"--B\r\nContent-Disposition: form-data; name=big\r\n\r\n", 1),
                (b"x", 600_000),
                (b"\r\n--B--\r\n", 1),
            ],
            chunk=1,
        ),
        MP,
        expect=(413,),
        budget=15.0,
    ),
    Case(
        "10 MB without CR/LF after the boundary",
        "/form",
        "POST",
        Lazy([(b"--B\r\n", 1), (b"a" * 4096, 10 * MB // 4096)]),
        MP,
        expect=(400,),
    ),
    Case(
        "CR then 10 MB of a",
        "/form",
        "POST",
        Lazy([(b"\r", 1), (b"a" * 4096, 2560)]),
        MP,
        expect=(400,),
    ),
    Case(
        "10 MB preamble",
        "/form",
        "POST",
        Lazy([(b"p" * 4095 + b"\n", 2560), (GOOD, 1)]),
        MP,
        check=_expect_form({"a": ["1"]}),
    ),
    Case(
        "10 MB epilogue",
        "/form",
        "POST",
        Lazy([(GOOD, 1), (b"e" * 4096, 2560)]),
        MP,
        check=_expect_form({"a": ["1"]}),
    ),
    Case(
        "10 MB file upload",
        "/form",
        "POST",
        Lazy(
            [
                (b'--B\r\nContent-Disposition: form-data; name=f; filename="big.bin"\r\n\r\n', 1),
                (b"\xff" * 4096, 2560),
                (b"\r\n--B--\r\n", 1),
            ]
        ),
        MP,
        check=_expect("files", {"f": ["big.bin", 10 * MB]}),
    ),
    # -- 2. multipart structure -------------------------------------------------------------
    Case(
        "10 000 headers in one part",
        "/form",
        "POST",
        Lazy([(b"--B\r\n", 1), (b"X-A: b\r\n", 10_000), (b"\r\nv\r\n--B--\r\n", 1)]),
        MP,
        expect=(400,),
    ),
    Case(
        "1 MB Content-Disposition",
        "/form",
        "POST",
        Lazy(
            [
                (b'--B\r\nContent-Disposition: form-data; name="', 1),
                (b"n", MB),
                (b'"\r\n\r\nv\r\n--B--\r\n', 1),
            ]
        ),
        MP,
        expect=(400,),
    ),
    Case(
        "header block with no blank line",
        "/form",
        "POST",
        b"--B\r\nContent-Disposition: form-data; name=a\r\n--B--\r\n",
        MP,
        expect=(400,),
    ),
    Case(
        "300-byte boundary",
        "/form",
        "POST",
        multipart(fieldpart("a", b"1"), boundary=b"b" * 300),
        "multipart/form-data; boundary=" + "b" * 300,
        expect=(400,),
    ),
    Case("no boundary", "/form", "POST", GOOD, "multipart/form-data", expect=(400,)),
    Case(
        "empty boundary", "/form", "POST", GOOD, 'multipart/form-data; boundary=""', expect=(400,)
    ),
    *[
        Case(
            f"body cut {n} bytes before the close",
            "/form",
            "POST",
            GOOD[: -(n + 2)],
            MP,
            expect=(400,),
        )
        for n in (1, 2, 3, 4)
    ],
    Case(
        "--B__ as a fake close",
        "/form",
        "POST",
        GOOD.replace(b"--B--", b"--B__"),
        MP,
        expect=(400,),
    ),
    Case("LF-only line endings", "/form", "POST", GOOD.replace(b"\r\n", b"\n"), MP, expect=(400,)),
    Case("CR-only line endings", "/form", "POST", GOOD.replace(b"\r\n", b"\r"), MP, expect=(400,)),
    Case(
        "filename* traversal next to filename",
        "/form",
        "POST",
        multipart(
            b'Content-Disposition: form-data; name="f"; filename="a.txt";'
            b" filename*=UTF-8''..%2F..%2Fetc%2Fpasswd\r\n\r\nx"
        ),
        MP,
        check=_expect_file("f", "a.txt"),
    ),
    Case(
        "name* smuggling",
        "/form",
        "POST",
        multipart(b"Content-Disposition: form-data; name=\"a\"; name*=UTF-8''admin\r\n\r\nx"),
        MP,
        check=_expect_form({"a": ["x"]}),
    ),
    Case(
        "Windows path filename",
        "/form",
        "POST",
        multipart(
            b'Content-Disposition: form-data; name="f"; filename="C:\\x\\..\\boot.ini"\r\n\r\nx'
        ),
        MP,
        check=_expect_file("f", "C:\\x\\..\\boot.ini"),  # as sent: secure_filename() cleans it
    ),
    Case(
        "UNC filename",
        "/form",
        "POST",
        multipart(
            b'Content-Disposition: form-data; name="f"; filename="\\\\srv\\share\\a.txt"\r\n\r\nx'
        ),
        MP,
        check=_expect_file("f", "\\\\srv\\share\\a.txt"),
    ),
    Case(
        "random 1 MiB declared multipart", "/form", "POST", _random_body(MB, 1), MP, expect=(400,)
    ),
    Case(
        "random 2 MiB declared multipart",
        "/form",
        "POST",
        _random_body(2 * MB, 2),
        MP,
        expect=(400,),
    ),
    Case(
        "random bytes after a valid start",
        "/form",
        "POST",
        b"--B\r\n" + _random_body(MB, 3),
        MP,
        expect=(400,),
    ),
    Case(
        "Content-Type with 50 000 parameters",
        "/form",
        "POST",
        GOOD,
        "multipart/form-data" + ";a=" * 50_000 + "; boundary=B",
        expect=(200, 400),
    ),
    Case(
        "Content-Type with an unterminated quote",
        "/form",
        "POST",
        GOOD,
        'multipart/form-data; boundary="B',
        expect=(200, 400),
    ),
    # -- 3. urlencoded ----------------------------------------------------------------------
    Case(
        "100 000 pairs",
        "/form",
        "POST",
        Lazy([(b"a=1&", 100_000)]),
        FORM,
        check=lambda body: len(body["form"]["a"]) == 100_000 or pytest.fail("pairs lost"),
    ),
    Case("1 MB value", "/form", "POST", Lazy([(b"a=", 1), (b"v", MB)]), FORM, expect=(413,)),
    Case(
        "1 MB value, chunked",
        "/form",
        "POST",
        Lazy([(b"a=", 1), (b"v", MB)]),
        FORM,
        content_length=None,
        extra={"wsgi.input_terminated": True},
        expect=(413,),
    ),
    Case(
        "semicolon never splits",
        "/form",
        "POST",
        b"a=1;b=2",
        FORM,
        check=_expect_form({"a": ["1;b=2"]}),
    ),
    Case(
        "invalid UTF-8 escapes",
        "/form",
        "POST",
        b"a=%ff%fe",
        FORM,
        check=_expect_form({"a": ["%FF%FE"]}),
    ),
    Case(
        "invalid UTF-8 bytes",
        "/form",
        "POST",
        b"a=\xff\xfe",
        FORM,
        check=_expect_form({"a": ["%FF%FE"]}),
    ),
    Case("bare percent", "/form", "POST", b"%", FORM, check=_expect_form({"%": [""]})),
    Case("plus and %2B", "/form", "POST", b"a=+%2B", FORM, check=_expect_form({"a": [" +"]})),
    # -- 4. body framing --------------------------------------------------------------------
    *[
        Case(
            f"Content-Length {value!r}",
            "/data",
            "POST",
            b"hello",
            "text/plain",
            content_length=value,
            expect=(400,),
        )
        for value in ("-1", "1_000", wsgi_str("\u0661\u0660"), "+5", "5, 5", "0x5", "9" * 40)
    ],
    Case(
        "Content-Length ' 5 '",
        "/data",
        "POST",
        b"hello",
        "text/plain",
        content_length=" 5 ",
        check=_expect("length", 5),
    ),
    Case(
        "Content-Length larger than the body",
        "/data",
        "POST",
        b"hello",
        "text/plain",
        content_length="100",
        expect=(400,),
    ),
    Case(
        "Content-Length larger than a form body",
        "/form",
        "POST",
        b"a=1",
        FORM,
        content_length="100",
        expect=(400,),
    ),
    Case(
        "chunked ended by a reset connection",
        "/data",
        "POST",
        Lazy([(b"x", 1000)], error=OSError("connection reset")),
        "text/plain",
        content_length=None,
        extra={"wsgi.input_terminated": True},
        expect=(400,),
    ),
    Case(
        "chunked with no final chunk (stream just ends)",
        "/data",
        "POST",
        Lazy([(b"x", 1000)]),
        "text/plain",
        content_length=None,
        extra={"wsgi.input_terminated": True},
        check=_expect("length", 1000),
    ),
    Case(
        "Content-Length and Transfer-Encoding",
        "/data",
        "POST",
        b"x" * 20,
        "text/plain",
        content_length="5",
        extra={"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True},
        check=_expect("length", 20),
    ),
    Case(
        "chunked without a terminating server",
        "/data",
        "POST",
        b"x" * 20,
        "text/plain",
        content_length=None,
        extra={"HTTP_TRANSFER_ENCODING": "chunked"},
        check=_expect("length", 0),
    ),
    Case("a body on GET", "/args?a=1", "GET", b"b=2", FORM, check=_expect("args", {"a": ["1"]})),
    Case(
        "an unframed body",
        "/data",
        "POST",
        b"hello",
        "text/plain",
        content_length=None,
        check=_expect("length", 0),
    ),
    # -- 9. JSON ----------------------------------------------------------------------------
    Case("JSON labelled text/plain", "/json", "POST", b'{"a": 1}', "text/plain", expect=(415,)),
    Case("JSON without a Content-Type", "/json", "POST", b'{"a": 1}', None, expect=(415,)),
    Case("JSON as a form", "/json", "POST", b'{"a": 1}', FORM, expect=(415,)),
    Case(
        "100 000-deep nesting",
        "/json",
        "POST",
        b"[" * 100_000 + b"]" * 100_000,
        "application/json",
        expect=(400,),
    ),
    Case(
        "100 000-deep objects",
        "/json",
        "POST",
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "application/json",
        expect=(400,),
    ),
    Case(
        "10 MB string",
        "/json",
        "POST",
        Lazy([(b'"', 1), (b"s", 10 * MB), (b'"', 1)]),
        "application/json",
        check=_expect("type", "str"),
    ),
    Case(
        "NaN and Infinity",
        "/json",
        "POST",
        b"[NaN, Infinity, -Infinity]",
        "application/json",
        check=_expect("repr", "[nan, inf, -inf]"),
    ),
    Case(
        "UTF-16 with a BOM",
        "/json",
        "POST",
        '{"a": "é"}'.encode("utf-16"),
        "application/json",
        check=_expect("repr", "{'a': 'é'}"),
    ),
    Case("invalid UTF-8", "/json", "POST", b'{"a": "\xff"}', "application/json", expect=(400,)),
    Case("truncated JSON", "/json", "POST", b'{"a": [1, 2', "application/json", expect=(400,)),
    Case("empty JSON body", "/json", "POST", b"", "application/json", expect=(400,)),
    Case(
        "duplicate keys",
        "/json",
        "POST",
        b'{"a": 1, "a": 2}',
        "application/json",
        check=_expect("repr", "{'a': 2}"),
    ),
    Case("huge integer", "/json", "POST", b"9" * 5000, "application/json", expect=(200, 400)),
    # -- paths and query strings ------------------------------------------------------------
    Case(
        "invalid UTF-8 in PATH_INFO",
        b"/p/\xff\xfe".decode("latin-1"),
        check=_expect("rest", "\ufffd\ufffd"),
    ),
    Case("literal percent in PATH_INFO", "/p/%zz%", check=_expect("rest", "%zz%")),
    Case("NUL in PATH_INFO", "/p/a\x00b", expect=(200, 400, 404)),
    Case("unknown path", "/nope", expect=(404,)),
    Case(
        "semicolon in the query never separates",
        "/args?a=1;b=2&c=3",
        check=_expect("args", {"a": ["1;b=2"], "c": ["3"]}),
    ),
    Case(
        "malformed percent-encoding in the query",
        "/args?a=%zz&b=%&c=%f",
        check=_expect("args", {"a": ["%zz"], "b": ["%"], "c": ["%f"]}),
    ),
    Case(
        "invalid UTF-8 in the query",
        "/args?" + b"a=\xff&b=%ff".decode("latin-1"),
        check=_expect("args", {"a": ["%FF"], "b": ["%FF"]}),
    ),
    Case(
        "a huge query string",
        "/args?" + "a=1&" * 50_000,
        check=lambda body: len(body["args"]["a"]) == 50_000 or pytest.fail("pairs lost"),
    ),
    # -- 5. Host headers --------------------------------------------------------------------
    *[
        Case(f"Host {host[:30]!r}", "/host", extra={"HTTP_HOST": host}, expect=(400,))
        for host in (
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
            wsgi_str("bücher.example"),
        )
    ],
    Case(
        "empty Host",
        "/host",
        extra={"HTTP_HOST": ""},
        check=_expect("external", "http://localhost/host"),
    ),
    Case("300-label Host", "/host", extra={"HTTP_HOST": ".".join(["a"] * 300)}, expect=(200, 400)),
    Case(
        "IPv6 Host",
        "/host",
        extra={"HTTP_HOST": "[::1]:8080"},
        check=_expect("external", "http://[::1]:8080/host"),
    ),
    Case(
        "X_Forwarded_For next to X-Forwarded-For",
        "/args",
        extra={"HTTP_X_FORWARDED_FOR": "1.1.1.1"},
        expect=(200,),
    ),
    Case(
        "64 KB Authorization of invalid base64",
        "/args",
        extra={"HTTP_AUTHORIZATION": "Basic " + "!" * 65536},
        expect=(200,),
    ),
]


def _call(app: kolba.Kolba, environ: dict[str, Any]) -> tuple[int, bytes]:
    status: list[str] = []

    def start_response(s: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(s)
        return lambda data: None

    iterable = app(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return int(status[-1].split()[0]), body


APP = make_app()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case) -> None:
    environ = case.environ()
    started = time.perf_counter()
    status, body = _call(APP, environ)
    elapsed = time.perf_counter() - started
    assert status in case.expect, (status, body[:500])
    assert elapsed < case.budget, f"took {elapsed:.2f}s"
    if status >= 400:
        assert b"<p>" in body  # a clean error page, not a traceback
        if status == 413:
            assert b"Raise MAX_" in body  # names the setting to raise
    elif case.check is not None:
        case.check(json.loads(body))
    # The same app answers an ordinary request right away.
    assert _call(APP, Case("after", "/ok").environ()) == (200, b"ok")
    assert _call(APP, Case("after", "/form", "POST", GOOD, MP).environ())[0] == 200


def test_multipart_errors_say_what_was_wrong() -> None:
    cases = {
        "no boundary": (GOOD, "multipart/form-data", b"boundary"),
        "too many headers": (
            multipart(b"X: 1\r\n" * 9 + fieldpart("a", b"1")),
            MP,
            b"more than 8 headers",
        ),
        "cut off": (GOOD[:-5], MP, b"cut off"),
    }
    for name, (body, content_type, message) in cases.items():
        status, page = _call(APP, Case(name, "/form", "POST", body, content_type).environ())
        assert status == 400, name
        assert message in page, name


def test_lazy_body_helper() -> None:
    lazy = Lazy([(b"ab", 3), (b"c", 2)])
    assert lazy.length == 8
    assert lazy.read(3) == b"aba"
    assert lazy.read() == b"babcc"
    assert lazy.read() == b""
    assert Lazy([(b"xyz", 2)], chunk=2).read(10) == b"xy"
