"""The development server behind ``kolba run`` and ``app.run()`` (the ``werkzeug.serving`` role).

It is a small HTTP/1.1 WSGI server built on :mod:`socketserver`: keep-alive, chunked responses
and request bodies, ``Expect: 100-continue``, optional TLS, a thread or a process per connection,
an access log, and a reloader (:mod:`kolba.wsgi.reloader`). It is meant for development only:
it trades throughput for clear behaviour and clear errors, and has had no security review as a
public-facing server.

The server refuses malformed requests itself, before the application sees them: a broken
request line or header is a 400, an over-long request line a 414, too many or too large headers
a 431, a ``Content-Length`` that is not a plain decimal number (or a request that carries both
``Content-Length`` and ``Transfer-Encoding``) a 400, and an HTTP major version other than 1 a 505.
"""

from __future__ import annotations

import errno
import importlib
import io
import ipaddress
import logging
import os
import re
import socket
import socketserver
import ssl
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote_to_bytes

from ..sansio.exceptions import BadRequest, ClientDisconnected, HTTPException
from ..sansio.status import HTTP_STATUS_CODES
from .reloader import SERVER_FD_ENV, is_running_from_reloader, run_with_reloader

if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    from _typeshed import OptExcInfo, WriteableBuffer
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

    SSLContextArg: TypeAlias = (
        ssl.SSLContext | tuple[str, str | None] | tuple[str] | Literal["adhoc"] | None
    )

__all__ = [
    "BaseWSGIServer",
    "ThreadedWSGIServer",
    "WSGIRequestHandler",
    "generate_adhoc_ssl_context",
    "is_running_from_reloader",
    "load_ssl_context",
    "make_server",
    "run_simple",
]


def _kolba_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kolba")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "dev"


_SERVER_SOFTWARE = f"kolba/{_kolba_version()}"

_DEV_WARNING = (
    "WARNING: This is a development server. Do not use it in a production deployment."
    " Use a production WSGI server instead."
)

# --- logging -------------------------------------------------------------------------------

_configured_logger: logging.Logger | None = None


def _has_handler_for(logger: logging.Logger, level: int) -> bool:
    """Whether a record at ``level`` sent to ``logger`` reaches at least one handler."""
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


def _server_logger() -> logging.Logger:
    """The ``"kolba"`` logger, set up on first use so the banner prints without any config.

    It gets level INFO if nothing set a level, and a stderr handler only if no handler
    (its own or an ancestor's) would receive its INFO records, so an app that configured
    logging keeps full control and sees no duplicated lines.
    """
    global _configured_logger
    if _configured_logger is None:
        logger = logging.getLogger("kolba")
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
        if not _has_handler_for(logger, logging.INFO):
            logger.addHandler(logging.StreamHandler())
        _configured_logger = logger
    return _configured_logger


# Control characters in a logged request line would let a client forge log lines.
_LOG_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)}


def _printable(text: str, limit: int = 200) -> str:
    if len(text) > limit:
        text = text[:limit] + "..."
    return text.translate(_LOG_ESCAPES)


# --- HTTP grammar ----------------------------------------------------------------------------

_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(rb"(" + _TOKEN + rb") ([^\x00-\x20\x7f]+) HTTP/([0-9])\.([0-9])\r?\n")
_HEADER_NAME = re.compile(_TOKEN)
# Controls other than horizontal tab are never valid in a field value (RFC 9110, 5.5).
_BAD_HEADER_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
# "[0-9]", not "\d": only ASCII digits make a Content-Length. 18 digits keeps int() cheap.
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_ABSOLUTE_FORM = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_STATUS = re.compile(r"([1-9][0-9]{2})(?: [^\x00-\x08\x0a-\x1f\x7f]*)?")
_RESPONSE_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_RESPONSE_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Headers whose repetition makes a request ambiguous (request smuggling, host confusion).
_SINGLE_VALUED = frozenset({"HTTP_HOST", "CONTENT_LENGTH", "CONTENT_TYPE"})
_MAX_LEADING_BLANK_LINES = 4

_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    # PERF: formatdate costs a few microseconds; the Date header changes once a second.
    global _date_cache
    now = int(time.time())
    cached = _date_cache
    if cached[0] != now:
        cached = _date_cache = (now, formatdate(now, usegmt=True))
    return cached[1]


class _ConnectionLost(ConnectionError):
    """The socket failed, timed out or closed while the server used it."""


class _ProtocolError(Exception):
    """A request the server answers itself with an error status, without calling the app."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


# --- request bodies --------------------------------------------------------------------------


class _RequestBody(io.RawIOBase):
    """Base of the raw readers behind ``wsgi.input``: they stop exactly at the body's end.

    A failure (the client left, or sent a malformed chunked body) raises an
    :class:`~kolba.sansio.exceptions.HTTPException` that the framework turns into a 4xx; the
    server remembers it, so that a plain WSGI app letting it escape still gets a 400, not a 500.
    """

    def __init__(self, handler: WSGIRequestHandler) -> None:
        super().__init__()
        self._handler = handler
        self._rfile = handler.rfile
        self._begun = False
        #: The error this reader raised, if any.
        self.error: HTTPException | None = None
        #: True once the whole body (for chunked bodies: the last chunk and trailers) was read.
        self.finished = False

    def readable(self) -> bool:
        return True

    def _begin(self) -> None:
        self._begun = True
        try:
            self._handler._body_read_started()
        except _ConnectionLost as exc:
            raise self._fail(ClientDisconnected()) from exc

    def _fail(self, error: HTTPException) -> HTTPException:
        self.error = error
        self._handler.close_connection = True
        return error

    def _disconnected(self) -> HTTPException:
        return self._fail(ClientDisconnected())

    def drain(self, limit: int) -> bool:
        """Read and drop what the app left unread, at most ``limit`` bytes.

        Returns whether the body ended cleanly, so that the connection can serve another
        request. A body the client was asked to hold back (``Expect: 100-continue`` with no
        ``100 Continue`` sent) is never drained: the client may never send it.
        """
        handler = self._handler
        if handler._expect_continue and not handler._continue_sent:
            return False
        scratch = bytearray(16384)
        total = 0
        try:
            while not self.finished:
                count = self.readinto(scratch)
                if not count:
                    break
                total += count
                if total > limit:
                    return False
        except (HTTPException, OSError, ValueError):
            return False
        return self.finished and self.error is None


class _FixedLengthBody(_RequestBody):
    """A body framed by ``Content-Length``."""

    def __init__(self, handler: WSGIRequestHandler, length: int) -> None:
        super().__init__(handler)
        self.length = length
        self.remaining = length
        self.finished = length == 0

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        if self.remaining <= 0:
            return 0
        if not self._begun:
            self._begin()
        view = memoryview(buffer).cast("B")[: self.remaining]
        try:
            count = self._rfile.readinto(view)
        except OSError as exc:
            raise self._disconnected() from exc
        if not count:
            raise self._disconnected()
        self.remaining -= count
        if not self.remaining:
            self.finished = True
        return count


class _ChunkedBody(_RequestBody):
    """A body sent with ``Transfer-Encoding: chunked``, handed to the app de-chunked."""

    def __init__(self, handler: WSGIRequestHandler) -> None:
        super().__init__(handler)
        self._left = 0
        self._need_crlf = False

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        if self.finished:
            return 0
        if not self._begun:
            self._begin()
        if not self._left:
            if self._need_crlf:
                self._read_chunk_end()
                self._need_crlf = False
            size = self._read_size()
            if not size:
                self._read_trailers()
                self.finished = True
                return 0
            self._left = size
        view = memoryview(buffer).cast("B")[: self._left]
        try:
            count = self._rfile.readinto(view)
        except OSError as exc:
            raise self._disconnected() from exc
        if not count:
            raise self._disconnected()
        self._left -= count
        if not self._left:
            self._need_crlf = True
        return count

    def _line(self, limit: int) -> bytes | None:
        """One line of at most ``limit`` bytes, or None when it is longer."""
        try:
            line = self._rfile.readline(limit + 1)
        except OSError as exc:
            raise self._disconnected() from exc
        if line.endswith(b"\n"):
            return line
        if len(line) > limit:
            return None
        raise self._disconnected()

    def _read_size(self) -> int:
        line = self._line(self._handler.max_chunk_line)
        if line is None:
            raise self._fail(
                BadRequest(
                    "A chunk-size line of the chunked request body is longer than"
                    f" {self._handler.max_chunk_line} bytes."
                )
            )
        size = line.split(b";", 1)[0].strip(b" \t\r\n")
        if not _CHUNK_SIZE.fullmatch(size):
            raise self._fail(
                BadRequest(
                    "The chunked request body is malformed: a chunk size must be a hexadecimal"
                    " number (at most 16 digits) on its own line."
                )
            )
        return int(size, 16)

    def _read_chunk_end(self) -> None:
        line = self._line(2)
        if line not in (b"\r\n", b"\n"):
            raise self._fail(
                BadRequest(
                    "The chunked request body is malformed: a chunk carries more data than its"
                    " size line announced."
                )
            )

    def _read_trailers(self) -> None:
        # Trailer fields are read to keep the connection in sync, then dropped: WSGI has no
        # place for them.
        for _ in range(self._handler.max_header_count + 1):
            line = self._line(self._handler.max_header_line)
            if line is None:
                break
            if line in (b"\r\n", b"\n"):
                return
        raise self._fail(
            BadRequest("The chunked request body ends with too many or too large trailer fields.")
        )


# --- the request handler -----------------------------------------------------------------------


class WSGIRequestHandler(BaseHTTPRequestHandler):
    """Read HTTP/1.x requests from one connection and answer each by calling the WSGI app.

    Subclass it and pass the class as ``request_handler`` to change limits (the class
    attributes below) or logging (:meth:`log_request`, :meth:`log_message`).
    """

    server: BaseWSGIServer

    protocol_version = "HTTP/1.1"
    server_version = _SERVER_SOFTWARE
    #: Seconds one socket read or write may block once a request has started.
    timeout = 60.0
    #: Seconds an idle connection may wait for its next request before it is closed.
    idle_timeout: float | None = 10.0
    #: Longest request line accepted (longer: 414).
    max_request_line = 65536
    #: Longest header line accepted (longer: 431).
    max_header_line = 65536
    #: Most header lines accepted (more: 431).
    max_header_count = 100
    #: Most bytes in the whole header section (more: 431).
    max_header_bytes = 262144
    #: Longest chunk-size line in a chunked request body (longer: 400).
    max_chunk_line = 4096
    #: Unread request body bytes the server reads and drops to keep a connection alive;
    #: with more left unread it closes the connection instead.
    max_drain = 65536

    def setup(self) -> None:
        # The server counted this connection as busy when it accepted it.
        self._counted_busy = not self.server.multiprocess
        self._served = False
        self._skip = False
        self._plain_http_on_tls = False
        self._linger = False
        self._reset()
        context = self.server.ssl_context
        if context is not None:
            # A client that connects and stays silent only holds the connection this long.
            self.request.settimeout(self.idle_timeout)
            first = self._peek_first_byte()
            if first is None:
                self._skip = True
                return
            if first.isalpha():
                # A plain-text request on the TLS port: answer in plain text, not with a
                # handshake error the browser shows as an unreadable failure.
                self._plain_http_on_tls = True
            else:
                self.request.settimeout(self.timeout)
                try:
                    self.request = context.wrap_socket(self.request, server_side=True)
                except OSError as exc:
                    # The failed wrap already closed the socket.
                    self._skip = True
                    _server_logger().debug(
                        "TLS handshake with %s failed: %s", self.client_address, exc
                    )
                    return
        # PERF: without TCP_NODELAY a small response on a kept-alive connection can wait
        # 40 ms for a delayed ACK.
        nagle_off = self.server.address_family != getattr(socket, "AF_UNIX", None)
        self.disable_nagle_algorithm = nagle_off  # type: ignore[misc]
        super().setup()
        self.server._track(self.connection)

    def _peek_first_byte(self) -> bytes | None:
        try:
            data: bytes = self.request.recv(1, socket.MSG_PEEK)
        except OSError:
            return None
        return data or None

    def handle(self) -> None:
        """Serve requests until the connection is to be closed."""
        if self._skip:
            return
        if self._plain_http_on_tls:
            self._refuse_plain_http()
            return
        try:
            self.close_connection = True
            self.handle_one_request()
            while not self.close_connection:
                self.handle_one_request()
        except _ConnectionLost as exc:
            self.connection_dropped(exc)

    def finish(self) -> None:
        self._set_busy(False)
        if self._skip:
            return
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server._untrack(self.connection)
            self._close_socket()

    def _close_socket(self) -> None:
        sock = self.connection
        try:
            if self._linger:
                # Closing a socket with unread input makes the kernel send a reset, which can
                # destroy the error response before the client read it. Half-close, then read
                # and drop what the client still sends, for a short while.
                socket.socket.shutdown(sock, socket.SHUT_WR)
                sock.settimeout(0.5)
                deadline = time.monotonic() + 1.0
                budget = 262144
                while budget > 0 and time.monotonic() < deadline:
                    data = sock.recv(65536)
                    if not data:
                        break
                    budget -= len(data)
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass

    def _set_busy(self, busy: bool) -> None:
        """Tell the server whether a request is in progress (for a graceful stop)."""
        if busy != self._counted_busy:
            self._counted_busy = busy
            self.server._count_busy(1 if busy else -1)

    def connection_dropped(
        self, error: BaseException, environ: WSGIEnvironment | None = None
    ) -> None:
        """Called when the client went away or the connection failed; logs at debug level."""
        _server_logger().debug("Connection from %s dropped: %s", self.address_string(), error)

    # --- one request ---------------------------------------------------------------------

    def _reset(self) -> None:
        self.command = ""
        self.path = ""
        self.request_version = "HTTP/1.0"
        self.requestline = ""
        self.raw_requestline = b""
        self._status: str | None = None
        self._response_headers: list[tuple[str, str]] = []
        self._headers_sent = False
        self._framing = "none"
        self._body_left = 0
        self._known_length: int | None = None
        self._body: _RequestBody | None = None
        self._expect_continue = False
        self._continue_sent = False
        self._http10 = False
        self._client_keep_alive = False

    def handle_one_request(self) -> None:
        """Read one request, run the application, and send its response."""
        self._reset()
        self.close_connection = True
        try:
            environ = self._read_request()
        except _ProtocolError as err:
            self._linger = True
            self._send_error_page(err.code, err.description)
            return
        if environ is None:
            return
        self.run_wsgi(environ)
        body = self._body
        if (
            not self.close_connection
            and body is not None
            and not body.finished
            and not body.drain(self.max_drain)
        ):
            self.close_connection = True
        if self.close_connection and body is not None and not body.finished:
            self._linger = True

    def _readline(self, limit: int) -> bytes:
        try:
            return self.rfile.readline(limit)
        except OSError as exc:
            raise _ConnectionLost(str(exc) or type(exc).__name__) from exc

    def _read_request(self) -> dict[str, Any] | None:
        if self._served:
            self._set_busy(False)  # idle between requests: a graceful stop need not wait
        self._served = True
        if self.idle_timeout != self.timeout:
            self.connection.settimeout(self.idle_timeout)
        line = b""
        for _ in range(_MAX_LEADING_BLANK_LINES + 1):
            line = self._readline(self.max_request_line + 1)
            if line not in (b"\r\n", b"\n"):
                break
        if not line:
            return None  # the client closed the connection between requests
        self._set_busy(True)
        if self.idle_timeout != self.timeout:
            self.connection.settimeout(self.timeout)
        self.raw_requestline = line
        self.requestline = _printable(line.rstrip(b"\r\n").decode("latin-1"))
        if len(line) > self.max_request_line:
            raise _ProtocolError(
                414,
                f"The request line is longer than {self.max_request_line} bytes."
                " Send a shorter URL (move data into the request body).",
            )
        if not line.endswith(b"\n"):
            raise _ConnectionLost("the client closed the connection inside the request line")
        match = _REQUEST_LINE.fullmatch(line)
        if match is None:
            raise _ProtocolError(
                400,
                "The request line is malformed. It must be"
                " 'METHOD /path HTTP/1.1': single spaces, no control characters.",
            )
        method, target, major, minor = match.groups()
        self.command = method.decode("ascii")
        self.path = target.decode("latin-1")
        self.request_version = f"HTTP/{major.decode()}.{minor.decode()}"
        if major != b"1":
            raise _ProtocolError(
                505, f"{self.request_version} is not supported. Use HTTP/1.1 or HTTP/1.0."
            )
        self._http10 = minor == b"0"
        return self._make_environ(self._read_headers())

    def _read_headers(self) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = []
        total = 0
        while True:
            line = self._readline(self.max_header_line + 1)
            if not line.endswith(b"\n"):
                if len(line) > self.max_header_line:
                    raise _ProtocolError(
                        431, f"A request header line is longer than {self.max_header_line} bytes."
                    )
                raise _ConnectionLost("the client closed the connection inside the headers")
            if line in (b"\r\n", b"\n"):
                return headers
            total += len(line)
            if total > self.max_header_bytes:
                raise _ProtocolError(
                    431, f"The request headers are larger than {self.max_header_bytes} bytes."
                )
            if len(headers) >= self.max_header_count:
                raise _ProtocolError(
                    431, f"The request has more than {self.max_header_count} header lines."
                )
            if line[0] in b" \t":
                raise _ProtocolError(
                    400,
                    "A request header line starts with whitespace (obsolete line folding)."
                    " Send each header on one line.",
                )
            name, colon, value = line.partition(b":")
            if not colon or not _HEADER_NAME.fullmatch(name):
                raise _ProtocolError(
                    400,
                    "A request header line is malformed. Each must be 'Name: value', with no"
                    " space before the colon.",
                )
            value = value[:-2] if value.endswith(b"\r\n") else value[:-1]
            value = value.strip(b" \t")
            if _BAD_HEADER_VALUE.search(value):
                raise _ProtocolError(
                    400, f"The {name.decode('ascii')} header contains a control character."
                )
            headers.append((name.decode("ascii"), value.decode("latin-1")))

    def _make_environ(self, headers: list[tuple[str, str]]) -> dict[str, Any]:
        message = HTTPMessage()
        fields: dict[str, str] = {}
        for name, value in headers:
            message[name] = value
            if "_" in name:
                # "X_Forwarded_For" and "X-Forwarded-For" map to the same environ key; a
                # proxy that only vets the dash spelling could be bypassed with the other.
                continue
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            previous = fields.get(key)
            if previous is None:
                fields[key] = value
            elif key in _SINGLE_VALUED:
                raise _ProtocolError(400, f"The request has more than one {name} header.")
            else:
                fields[key] = previous + ("; " if key == "HTTP_COOKIE" else ", ") + value
        self.headers = message

        connection = {t.strip().lower() for t in fields.get("HTTP_CONNECTION", "").split(",")}
        if self._http10:
            self._client_keep_alive = "keep-alive" in connection
        else:
            self._client_keep_alive = "close" not in connection

        body = self._make_body(fields)

        expect = fields.get("HTTP_EXPECT")
        if expect is not None and not self._http10:
            if expect.lower() != "100-continue":
                raise _ProtocolError(
                    417, "The only expectation this server meets is 'Expect: 100-continue'."
                )
            self._expect_continue = body is not None

        target = self.path
        path, query = self._split_target(target, fields)
        server_host, server_port = self.server._environ_address()
        environ: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if self.server.ssl_context is not None else "http",
            "wsgi.input": io.BufferedReader(body) if body is not None else io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": self.server.multithread,
            "wsgi.multiprocess": self.server.multiprocess,
            "wsgi.run_once": False,
            # Every body stream this server hands out ends at the body's end.
            "wsgi.input_terminated": True,
            "kolba.server.shutdown": self.server.request_shutdown,
            "SERVER_SOFTWARE": self.server_version,
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path.encode("latin-1")).decode("latin-1"),
            "QUERY_STRING": query,
            "REQUEST_URI": target,
            "RAW_URI": target,
            "REMOTE_ADDR": self.address_string(),
            "REMOTE_PORT": str(self.port_integer()),
            "SERVER_NAME": server_host,
            "SERVER_PORT": server_port,
            "SERVER_PROTOCOL": self.request_version,
        }
        environ.update(fields)
        return environ

    def _make_body(self, fields: dict[str, str]) -> _RequestBody | None:
        transfer_encoding = fields.get("HTTP_TRANSFER_ENCODING")
        content_length = fields.get("CONTENT_LENGTH")
        if transfer_encoding is not None:
            if content_length is not None:
                raise _ProtocolError(
                    400,
                    "The request has both Content-Length and Transfer-Encoding headers."
                    " Send only one of them.",
                )
            if self._http10:
                raise _ProtocolError(400, "HTTP/1.0 requests cannot use Transfer-Encoding.")
            codings = [c.strip().lower() for c in transfer_encoding.split(",")]
            if codings[-1] != "chunked" or codings.count("chunked") != 1 or "" in codings:
                raise _ProtocolError(
                    400, "Transfer-Encoding must end with 'chunked' and name it only once."
                )
            if len(codings) > 1:
                raise _ProtocolError(
                    501, "This server understands only 'Transfer-Encoding: chunked'."
                )
            self._body = _ChunkedBody(self)
            return self._body
        if content_length is not None:
            if not _CONTENT_LENGTH.fullmatch(content_length):
                raise _ProtocolError(
                    400,
                    "The Content-Length header must be one decimal number of bytes, using the"
                    " digits 0-9 only (no sign, no separators, one value).",
                )
            length = int(content_length)
            if length:
                self._body = _FixedLengthBody(self, length)
                return self._body
        return None

    def _split_target(self, target: str, fields: dict[str, str]) -> tuple[str, str]:
        target = target.split("#", 1)[0]
        if target.startswith("/"):
            path, _, query = target.partition("?")
            return path, query
        if target == "*":
            return "*", ""
        if _ABSOLUTE_FORM.match(target):
            # "GET http://host/path HTTP/1.1": the target's host wins over the Host header.
            rest = target.split("://", 1)[1]
            authority, slash, path_query = rest.partition("/")
            authority, _, _ = authority.partition("?")
            if authority:
                fields["HTTP_HOST"] = authority
            path, _, query = (slash + path_query).partition("?")
            return path or "/", query
        raise _ProtocolError(400, "The request target must start with '/' (or be a full URL).")

    # --- running the application ---------------------------------------------------------

    def run_wsgi(self, environ: WSGIEnvironment) -> None:
        """Call the application for one request and send what it returns."""
        app_iter: Iterable[bytes] | None = None
        try:
            try:
                app_iter = self.server.app(environ, self._start_response)
                if isinstance(app_iter, (list, tuple)):
                    # PERF: a body given as a list has a known length, so the response can
                    # carry Content-Length instead of the chunked framing bytes.
                    try:
                        self._known_length = sum(len(part) for part in app_iter)
                    except TypeError:
                        self._known_length = None
                for data in app_iter:
                    self._write(data)
                    if self._headers_sent and self._framing == "none":
                        break  # HEAD, 204, 304: nothing more would be sent
                self._finish_response()
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
        except _ConnectionLost:
            raise
        except Exception as exc:
            self._app_failed(exc)

    def _app_failed(self, exc: Exception) -> None:
        self.close_connection = True
        body = self._body
        if body is not None and body.error is not None and exc is body.error:
            # The app let the request-body error through unchanged: the client's fault.
            _server_logger().info(
                "%s: bad request body: %s", self.address_string(), exc.description
            )
            if not self._headers_sent:
                self._send_error_page(exc.code or 400, exc.description or "")
            return
        if self.server.passthrough_errors:
            raise exc
        _server_logger().error(
            "Error on request %s %s", self.command, _printable(self.path), exc_info=exc
        )
        if not self._headers_sent:
            self._send_error_page(
                500,
                "The server encountered an internal error and could not complete the request."
                " The traceback is in the server log.",
            )
        # Once the headers went out the response cannot be repaired: closing the connection
        # (without the final empty chunk) tells the client it is incomplete.

    def _start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        if exc_info is not None:
            try:
                if self._headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])  # type: ignore[union-attr]
            finally:
                exc_info = None  # break the frame <-> traceback cycle
        elif self._status is not None:
            raise RuntimeError("start_response was called a second time without exc_info.")
        if not isinstance(status, str) or not _STATUS.fullmatch(status):
            raise ValueError(f"Invalid WSGI status {status!r}: it must be a str such as '200 OK'.")
        checked: list[tuple[str, str]] = []
        for item in headers:
            name, value = item
            if not isinstance(name, str) or not _RESPONSE_HEADER_NAME.fullmatch(name):
                raise ValueError(f"Invalid response header name {name!r}.")
            if not isinstance(value, str):
                raise TypeError(f"The value of response header {name!r} must be a str.")
            if _BAD_RESPONSE_VALUE.search(value):
                raise ValueError(
                    f"The value of response header {name!r} contains a control character"
                    " (CR, LF, NUL, ...); it was not sent."
                )
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                raise ValueError(
                    f"The value of response header {name!r} is not latin-1 encodable; it"
                    " was not sent. Percent-encode or RFC 2047-encode non-latin-1 text."
                ) from None
            checked.append((name, value))
        self._status = status
        self._response_headers = checked
        return self._write

    def _write(self, data: bytes) -> None:
        if not isinstance(data, bytes):
            raise TypeError(
                f"A WSGI app must send bytes, not {type(data).__name__}. Encode the body."
            )
        if self._status is None:
            raise RuntimeError("The WSGI app sent body data before calling start_response.")
        if not self._headers_sent:
            if data:  # headers wait for the first non-empty chunk (PEP 3333)
                self._send_headers(data)
            return
        framed = self._frame(data)
        if framed:
            self._send(framed)

    def _frame(self, data: bytes) -> bytes:
        framing = self._framing
        if framing == "chunked":
            if not data:
                return b""  # an empty chunk would end the body
            return b"%x\r\n%b\r\n" % (len(data), data)
        if framing == "length":
            if len(data) > self._body_left:
                # Bytes past Content-Length would be read as the next response.
                _server_logger().warning(
                    "The app sent more bytes than its Content-Length header; the rest was"
                    " dropped and the connection closed."
                )
                data = data[: self._body_left]
                self.close_connection = True
            self._body_left -= len(data)
            return data
        if framing == "close":
            return data
        return b""

    def _send_headers(self, first: bytes) -> None:
        status = cast("str", self._status)
        code = int(status[:3])
        if len(status) == 3:
            status = f"{status} {HTTP_STATUS_CODES.get(code, 'Unknown')}"
        lines = [f"HTTP/1.1 {status}"]
        content_length: int | None = None
        app_close = False
        has_server = has_date = False
        for name, value in self._response_headers:
            lower = name.lower()
            if lower == "transfer-encoding":
                continue  # the server frames the body itself
            if lower == "connection" and code != 101:
                app_close = app_close or "close" in value.lower()
                continue
            if lower == "content-length":
                if not _CONTENT_LENGTH.fullmatch(value.strip()):
                    raise ValueError(f"Invalid Content-Length response header {value!r}.")
                content_length = int(value)
            elif lower == "server":
                has_server = True
            elif lower == "date":
                has_date = True
            lines.append(f"{name}: {value}")
        no_body_status = code < 200 or code in (204, 304)
        # Not for HEAD: an app may answer HEAD with an empty list, and "Content-Length: 0"
        # would then misdescribe the GET response.
        if (
            content_length is None
            and self._known_length is not None
            and not no_body_status
            and self.command != "HEAD"
        ):
            content_length = self._known_length
            lines.append(f"Content-Length: {content_length}")
        if self.command == "HEAD" or no_body_status:
            self._framing = "none"
        elif content_length is not None:
            self._framing = "length"
            self._body_left = content_length
        elif not self._http10:
            self._framing = "chunked"
            lines.append("Transfer-Encoding: chunked")
        else:
            self._framing = "close"
        close = app_close or self._framing == "close" or self._must_close()
        if close:
            lines.append("Connection: close")
        elif self._http10:
            lines.append("Connection: keep-alive")
        self.close_connection = close
        if not has_server:
            lines.append(f"Server: {self.version_string()}")
        if not has_date:
            lines.append(f"Date: {_http_date()}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._headers_sent = True
        self.log_request(code)
        framed = self._frame(first)
        # PERF: headers and a small first chunk leave in one send (one packet, one syscall).
        if len(framed) <= 65536:
            self._send(head + framed)
        else:
            self._send(head)
            self._send(framed)

    def _must_close(self) -> bool:
        """Whether this connection must close after the response being started."""
        if not self._client_keep_alive or not self.server.keep_alive:
            return True
        body = self._body
        if body is None:
            return False
        if getattr(body, "error", None) is not None:
            return True  # the body could not be read (a bad chunk, a timeout): the stream is lost
        if body.finished:
            return False
        if self._expect_continue and not self._continue_sent:
            return True  # the client holds the body back; it cannot be skipped reliably
        if not isinstance(body, _FixedLengthBody):
            return True  # an unfinished chunked body cannot be skipped reliably
        return body.remaining > self.max_drain

    def _finish_response(self) -> None:
        if not self._headers_sent:
            if self._status is None:
                raise RuntimeError("The WSGI app returned without calling start_response.")
            self._send_headers(b"")
        if self._framing == "chunked":
            self._send(b"0\r\n\r\n")
        elif self._framing == "length" and self._body_left:
            self.close_connection = True
            _server_logger().warning(
                "The app sent %d bytes less than its Content-Length header announced;"
                " the connection was closed.",
                self._body_left,
            )

    def _body_read_started(self) -> None:
        """Called on the app's first read of the body: time to send ``100 Continue``."""
        if self._expect_continue and not self._continue_sent and not self._headers_sent:
            self._continue_sent = True
            self._send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _send(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
        except OSError as exc:
            self.close_connection = True
            raise _ConnectionLost(str(exc) or type(exc).__name__) from exc

    def _send_error_page(self, code: int, description: str) -> None:
        self.close_connection = True
        error = HTTPException(description)
        error.code = code
        body = error.get_body().encode("utf-8")
        head = (
            f"HTTP/1.1 {code} {HTTP_STATUS_CODES.get(code, 'Unknown')}\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n"
            f"Server: {self.version_string()}\r\n"
            f"Date: {_http_date()}\r\n\r\n"
        ).encode("latin-1")
        self._headers_sent = True
        self.log_request(code)
        self._send(head if self.command == "HEAD" else head + body)

    def _refuse_plain_http(self) -> None:
        body = b"This server speaks HTTPS. Use an https:// URL.\n"
        self._linger = True
        try:
            self.wfile.write(
                b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%b" % (len(body), body)
            )
        except OSError:
            pass
        _server_logger().info(
            "%s sent a plain HTTP request to the HTTPS server; answered 400.",
            self.address_string(),
        )

    # --- logging -------------------------------------------------------------------------

    def address_string(self) -> str:
        """The client's address as logged and put in ``REMOTE_ADDR``."""
        address = self.client_address
        if isinstance(address, tuple) and address:
            return str(address[0])
        return ""  # a Unix socket peer has no address

    def port_integer(self) -> int:
        """The client's port (0 for a Unix socket peer)."""
        address = self.client_address
        if isinstance(address, tuple) and len(address) > 1:
            return int(address[1])
        return 0

    def log_error(self, format: str, *args: Any) -> None:
        _server_logger().error(format, *args)

    def log_message(self, format: str, *args: Any) -> None:
        """Write one access-log line to the ``"kolba"`` logger at INFO level."""
        _server_logger().info(
            "%s - - [%s] %s",
            self.address_string() or "-",
            self.log_date_time_string(),
            _printable(format % args, 400),
        )


# --- TLS -----------------------------------------------------------------------------------


def load_ssl_context(
    cert_file: str, pkey_file: str | None = None, protocol: int | None = None
) -> ssl.SSLContext:
    """Make a server :class:`ssl.SSLContext` from a certificate file and its private key.

    ``pkey_file`` may be omitted when ``cert_file`` holds both. ``protocol`` is an
    ``ssl.PROTOCOL_*`` constant (default: ``PROTOCOL_TLS_SERVER``).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if protocol is None else protocol)
    context.load_cert_chain(cert_file, pkey_file)
    return context


def _adhoc_certificate() -> tuple[bytes, bytes]:
    """A fresh self-signed certificate and private key (PEM) for localhost."""
    try:
        x509 = importlib.import_module("cryptography.x509")
        name_oid = importlib.import_module("cryptography.x509.oid").NameOID
        hashes = importlib.import_module("cryptography.hazmat.primitives.hashes")
        serialization = importlib.import_module("cryptography.hazmat.primitives.serialization")
        rsa = importlib.import_module("cryptography.hazmat.primitives.asymmetric.rsa")
    except ImportError as exc:
        raise RuntimeError(
            "ssl_context='adhoc' (--cert adhoc) needs the 'cryptography' package to make a"
            " throwaway certificate. Install it (pip install cryptography), or give your own"
            " certificate and key: --cert cert.pem --key key.pem, or"
            " ssl_context=('cert.pem', 'key.pem')."
        ) from exc
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(name_oid.ORGANIZATION_NAME, "kolba development server"),
            x509.NameAttribute(name_oid.COMMON_NAME, "localhost"),
        ]
    )
    now = datetime.now(timezone.utc)
    alt_names = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(alt_names, critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_pem = bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_pem, key_pem


def generate_adhoc_ssl_context() -> ssl.SSLContext:
    """A server context with a throwaway self-signed certificate (needs ``cryptography``).

    Browsers warn about such a certificate; it only lets a development app run over HTTPS.
    Raises :class:`RuntimeError` naming the fix when ``cryptography`` is not installed.
    """
    cert_pem, key_pem = _adhoc_certificate()
    # load_cert_chain reads files only, so the pair goes through private temporary files.
    cert_fd, cert_path = tempfile.mkstemp(suffix=".crt")
    key_fd, key_path = tempfile.mkstemp(suffix=".key")
    try:
        os.write(cert_fd, cert_pem)
        os.write(key_fd, key_pem)
        os.close(cert_fd)
        os.close(key_fd)
        return load_ssl_context(cert_path, key_path)
    finally:
        for path in (cert_path, key_path):
            try:
                os.unlink(path)
            except OSError:
                pass


def _resolve_ssl_context(value: SSLContextArg) -> ssl.SSLContext | None:
    if value is None or isinstance(value, ssl.SSLContext):
        return value
    if value == "adhoc":
        return generate_adhoc_ssl_context()
    if isinstance(value, tuple) and 1 <= len(value) <= 2:
        return load_ssl_context(*value)
    raise TypeError(
        "ssl_context must be an ssl.SSLContext, a (cert_file, key_file) tuple, 'adhoc' or"
        f" None, not {value!r}."
    )


# --- servers -----------------------------------------------------------------------------


def _address_family(host: str) -> socket.AddressFamily:
    if host.startswith("unix://"):
        return socket.AF_UNIX
    if ":" in host and socket.has_ipv6:
        return socket.AF_INET6
    return socket.AF_INET


def _display_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _running_on_lines(scheme: str, host: str, port: int) -> list[str]:
    """The " * Running on ..." banner lines for a server bound to ``host:port``."""
    if host in ("0.0.0.0", "::"):
        loopback = "127.0.0.1" if host == "0.0.0.0" else "::1"
        lines = [
            f" * Running on all addresses ({host})",
            f" * Running on {scheme}://{_display_host(loopback)}:{port}",
        ]
        try:
            # Resolving our own name sends no traffic, unlike probing a route.
            own = socket.gethostbyname(socket.gethostname())
        except OSError:
            own = ""
        if own and not own.startswith("127.") and host == "0.0.0.0":
            lines.append(f" * Running on {scheme}://{own}:{port}")
        return lines
    return [f" * Running on {scheme}://{_display_host(host)}:{port}"]


class BaseWSGIServer(socketserver.TCPServer):
    """A WSGI server that handles one connection at a time.

    It closes each connection after one response (a kept-alive idle connection would block
    every other client); :class:`ThreadedWSGIServer` keeps connections alive.
    ``fd`` adopts an already listening socket (the reloader passes one to its child).
    """

    multithread = False
    multiprocess = False
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(
        self,
        host: str,
        port: int,
        app: WSGIApplication,
        handler: type[WSGIRequestHandler] | None = None,
        passthrough_errors: bool = False,
        ssl_context: SSLContextArg = None,
        fd: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.app = app
        self.passthrough_errors = passthrough_errors
        self.ssl_context = _resolve_ssl_context(ssl_context)
        self.address_family = _address_family(host)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._busy = 0
        self._busy_changed = threading.Condition()
        self._closed = False
        address: Any
        if self.address_family == socket.AF_UNIX:
            address = host[len("unix://") :]
            if fd is None:
                _remove_stale_socket_file(address)
        else:
            address = (host.strip("[]"), port)
        super().__init__(address, handler or WSGIRequestHandler, bind_and_activate=False)
        if fd is None:
            try:
                self.server_bind()
                self.server_activate()
            except BaseException:
                self.server_close()
                raise
        else:
            self.socket.close()
            self.socket = socket.socket(fileno=fd)
            self.server_address = self.socket.getsockname()
        if self.address_family != socket.AF_UNIX:
            self.port = int(self.server_address[1])

    @property
    def keep_alive(self) -> bool:
        """Whether connections stay open between requests (not for a one-at-a-time server)."""
        return self.multithread or self.multiprocess

    def _environ_address(self) -> tuple[str, str]:
        if self.address_family == socket.AF_UNIX:
            return "localhost", "0"
        return str(self.server_address[0]), str(self.server_address[1])

    def _track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def _untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def _count_busy(self, delta: int) -> None:
        with self._busy_changed:
            self._busy += delta
            self._busy_changed.notify_all()

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # Runs in the accepting thread, before a handler thread starts: counting here leaves
        # no window in which a stop could miss a connection just accepted. A forked child
        # cannot report back, so a forking server does not count.
        if not self.multiprocess:
            self._count_busy(1)
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, let requests in flight finish (at most ``timeout`` s), and close.

        Call it from another thread than the one running :meth:`serve_forever`. Connections
        waiting in the listen backlog stay there: with the reloader, the next child takes
        them, so a restart refuses no client.
        """
        deadline = time.monotonic() + timeout
        stopper = threading.Thread(target=self.shutdown, name="kolba-stop", daemon=True)
        stopper.start()
        stopper.join(timeout)
        with self._busy_changed:
            while self._busy > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._busy_changed.wait(left)
        self.server_close()

    def log_startup(self) -> None:
        """Log the development-server warning and the addresses the server listens on."""
        lines = [_DEV_WARNING]
        if self.address_family == socket.AF_UNIX:
            lines.append(f" * Running on {self.host}")
        else:
            scheme = "https" if self.ssl_context is not None else "http"
            lines.extend(_running_on_lines(scheme, self.host.strip("[]"), self.port))
        _server_logger().info("\n".join(lines))

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until :meth:`shutdown` or Ctrl+C (which also closes the server).

        After :meth:`shutdown` the server stays open, so that :meth:`stop` can let the
        requests in flight finish; call :meth:`server_close` (or :meth:`stop`) when done.
        """
        try:
            super().serve_forever(poll_interval=poll_interval)
        except KeyboardInterrupt:
            self.server_close()

    def request_shutdown(self) -> None:
        """Stop :meth:`serve_forever` soon, without waiting (safe from inside a request)."""
        threading.Thread(target=self.shutdown, name="kolba-shutdown", daemon=True).start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log an error that escaped a request handler, or re-raise it with passthrough_errors."""
        if self.passthrough_errors:
            raise  # noqa: PLE0704 (socketserver calls this inside its except block)
        _server_logger().error("Error while serving %s", client_address, exc_info=True)

    def server_close(self) -> None:
        """Close the listening socket and wake connections blocked on idle sockets."""
        if self._closed:
            return
        self._closed = True
        super().server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
            except OSError:
                pass


def _remove_stale_socket_file(path: str) -> None:
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            os.unlink(path)
    except OSError:
        pass


class ThreadedWSGIServer(socketserver.ThreadingMixIn, BaseWSGIServer):
    """A WSGI server that handles each connection in its own daemon thread."""

    multithread = True
    daemon_threads = True
    block_on_close = False


if sys.platform != "win32":

    class ForkingWSGIServer(socketserver.ForkingMixIn, BaseWSGIServer):
        """A WSGI server that handles each connection in a forked child process."""

        multiprocess = True

        def __init__(
            self,
            host: str,
            port: int,
            app: WSGIApplication,
            processes: int = 40,
            handler: type[WSGIRequestHandler] | None = None,
            passthrough_errors: bool = False,
            ssl_context: SSLContextArg = None,
            fd: int | None = None,
        ) -> None:
            super().__init__(host, port, app, handler, passthrough_errors, ssl_context, fd)
            self.max_children = processes


def make_server(
    host: str,
    port: int,
    app: WSGIApplication,
    threaded: bool = False,
    processes: int = 1,
    request_handler: type[WSGIRequestHandler] | None = None,
    passthrough_errors: bool = False,
    ssl_context: SSLContextArg = None,
    fd: int | None = None,
) -> BaseWSGIServer:
    """Create a bound server for ``app`` (call ``serve_forever()`` on it to run it).

    ``threaded`` handles each connection in a thread; ``processes > 1`` forks up to that many
    children (Unix only). Port 0 picks a free port, readable from ``server.port``.
    """
    if threaded and processes > 1:
        raise ValueError("threaded=True and processes > 1 cannot be combined; choose one.")
    if threaded:
        return ThreadedWSGIServer(
            host, port, app, request_handler, passthrough_errors, ssl_context, fd=fd
        )
    if processes > 1:
        if sys.platform == "win32":
            raise ValueError("processes > 1 needs os.fork(), which Windows lacks; use threads.")
        return ForkingWSGIServer(
            host, port, app, processes, request_handler, passthrough_errors, ssl_context, fd=fd
        )
    return BaseWSGIServer(host, port, app, request_handler, passthrough_errors, ssl_context, fd=fd)


def _with_static_files(app: WSGIApplication, static_files: dict[str, Any]) -> WSGIApplication:
    try:
        module = importlib.import_module("kolba.middleware.shared_data")
    except ImportError as exc:
        raise RuntimeError(
            "static_files needs kolba.middleware.shared_data, which is not available."
        ) from exc
    return cast("WSGIApplication", module.SharedDataMiddleware(app, static_files))


def run_simple(
    hostname: str,
    port: int,
    application: WSGIApplication,
    use_reloader: bool = False,
    use_debugger: bool = False,
    use_evalex: bool = True,
    extra_files: Iterable[str] | None = None,
    exclude_patterns: Iterable[str] | None = None,
    reloader_interval: float = 1,
    reloader_type: str = "auto",
    threaded: bool = False,
    processes: int = 1,
    request_handler: type[WSGIRequestHandler] | None = None,
    static_files: dict[str, Any] | None = None,
    passthrough_errors: bool = False,
    ssl_context: SSLContextArg = None,
) -> None:
    """Run ``application`` on the development server until Ctrl+C.

    ``use_reloader`` restarts the process when a source file changes (the listening socket
    stays open across restarts); ``use_debugger`` shows a traceback page for unhandled errors
    (``use_evalex`` is accepted for compatibility: there is no interactive console). The other
    arguments are those of :func:`make_server` and :func:`kolba.wsgi.reloader.run_with_reloader`.
    """
    if not isinstance(port, int):
        raise TypeError(f"port must be an int, not {type(port).__name__}.")
    if static_files:
        application = _with_static_files(application, static_files)
    if use_debugger:
        from .debug import DebuggedApplication

        application = DebuggedApplication(application, evalex=use_evalex)

    in_child = is_running_from_reloader()
    inherited_fd = os.environ.get(SERVER_FD_ENV) if in_child else None
    # On Windows a listening socket cannot be handed to a child through an fd number, so
    # there the reloader's child binds the port itself.
    pass_fd = use_reloader and sys.platform != "win32"
    try:
        server = make_server(
            hostname,
            port,
            application,
            threaded,
            processes,
            request_handler,
            passthrough_errors,
            ssl_context,
            fd=int(inherited_fd) if inherited_fd else None,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _server_logger().error(
                "Port %s on %s is already in use. Stop the program that uses it, or choose"
                " another port (--port, or port= in app.run()).",
                port,
                hostname,
            )
            sys.exit(1)
        raise
    if pass_fd and not in_child:
        os.environ[SERVER_FD_ENV] = str(server.fileno())
    if not in_child:
        server.log_startup()
        _server_logger().info("Press CTRL+C to quit")
    if use_debugger and (in_child or not use_reloader):
        _server_logger().info(" * Debugger is active (tracebacks only, no console)")
    if not use_reloader:
        try:
            server.serve_forever()
        finally:
            server.server_close()
        return
    if not in_child and not pass_fd:
        server.server_close()
    try:
        run_with_reloader(
            server.serve_forever,
            extra_files=extra_files,
            exclude_patterns=exclude_patterns,
            interval=reloader_interval,
            reloader_type=reloader_type,
            stop_func=server.stop,
        )
    finally:
        server.server_close()
