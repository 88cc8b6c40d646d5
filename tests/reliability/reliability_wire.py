"""Raw HTTP/1.1 over sockets for the reliability tests (and scripts/soak.py).

Every read has a deadline, so a server that hangs fails the test that waits for it instead
of blocking the suite. Only 127.0.0.1 is ever contacted. Servers run in a thread of the
test process, on a free port, and are stopped with ``shutdown()``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kolba.wsgi.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

LOOPBACK = "127.0.0.1"
KB = 1024
MB = 1024 * KB


class QuietHandler(WSGIRequestHandler):
    """The dev server's handler without an access-log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def live_server(
    app: WSGIApplication, handler: type[WSGIRequestHandler] | None = None
) -> Iterator[BaseWSGIServer]:
    """A threaded kolba dev server for ``app`` on a free 127.0.0.1 port, stopped on exit."""
    server = make_server(LOOPBACK, 0, app, threaded=True, request_handler=handler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"kolba-test-server-{server.port}",
        daemon=True,
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        if thread.is_alive():  # pragma: no cover - reported as a failure
            raise RuntimeError("the test server did not stop within 10 s")


def open_fds() -> int | None:
    """How many file descriptors this process holds (None where /proc is missing)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def wait_for(condition: Any, timeout: float, interval: float = 0.01) -> bool:
    """Poll ``condition()`` until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


# --- bodies ----------------------------------------------------------------------------------


class Pieces:
    """A body made of ``(bytes, repeat)`` pieces, produced while it is sent (10 MB bodies
    cost no memory up front).
    """

    def __init__(self, pieces: Iterable[tuple[bytes, int]]) -> None:
        self.pieces = [(p, n) for p, n in pieces if p and n]
        self.length = sum(len(p) * n for p, n in self.pieces)

    def blocks(self, size: int = 256 * KB) -> Iterator[bytes]:
        out = bytearray()
        for piece, count in self.pieces:
            # Repeat small pieces in bulk, so a 1-byte piece repeated 10**7 times is cheap.
            per_block = max(1, size // len(piece))
            left = count
            while left:
                take = min(left, per_block)
                out += piece * take
                left -= take
                if len(out) >= size:
                    yield bytes(out)
                    out.clear()
        if out:
            yield bytes(out)

    def data(self) -> bytes:
        return b"".join(self.blocks())


def chunked(data: bytes | Pieces, chunk: int, final: bool = True) -> Iterator[bytes]:
    """``data`` framed with ``Transfer-Encoding: chunked``, ``chunk`` bytes per chunk."""
    blocks = data.blocks() if isinstance(data, Pieces) else iter([data])
    out = bytearray()
    for block in blocks:
        for start in range(0, len(block), chunk):
            part = block[start : start + chunk]
            out += b"%x\r\n%b\r\n" % (len(part), part)
            if len(out) >= 256 * KB:
                yield bytes(out)
                out.clear()
    if final:
        out += b"0\r\n\r\n"
    if out:
        yield bytes(out)


# --- replies ---------------------------------------------------------------------------------


@dataclass
class Reply:
    """One parsed HTTP response."""

    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    head: bytes = b""  # the status line and header block as received
    closes: bool = False  # the server said it closes the connection after this response

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class Connection:
    """One client connection to 127.0.0.1 whose every read shares one deadline."""

    def __init__(self, port: int, budget: float) -> None:
        self.deadline = time.monotonic() + budget
        self.sock = socket.create_connection((LOOPBACK, port), timeout=budget)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()
        self.sender: threading.Thread | None = None
        self.send_error: BaseException | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        if self.sender is not None:
            self.sender.join(5)

    def extend(self, budget: float) -> None:
        self.deadline = time.monotonic() + budget

    # -- sending -------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_in_background(self, blocks: Iterable[bytes], half_close: bool = False) -> None:
        """Send ``blocks`` from another thread, so the answer can be read while a large body
        is still going out (a server may answer early and stop reading).
        """

        def run() -> None:
            try:
                for block in blocks:
                    self.sock.sendall(block)
                if half_close:
                    self.sock.shutdown(socket.SHUT_WR)
            except OSError as exc:
                self.send_error = exc

        self.sender = threading.Thread(target=run, name="raw-client-sender", daemon=True)
        self.sender.start()

    def trickle(self, data: bytes, step: int = 1) -> None:
        """Send ``data`` ``step`` bytes per write (each its own TCP segment)."""
        for start in range(0, len(data), step):
            self.sock.sendall(data[start : start + step])

    def half_close(self) -> None:
        self.sock.shutdown(socket.SHUT_WR)

    # -- reading -------------------------------------------------------------------------------

    def _recv(self) -> bytes:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete answer within the time budget")
        self.sock.settimeout(left)
        return self.sock.recv(256 * KB)

    def _fill(self) -> None:
        data = self._recv()
        if not data:
            raise EOFError("the server closed the connection in the middle of an answer")
        self.buffer += data

    def _line(self, limit: int = 256 * KB) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.buffer[: end + 1])
                del self.buffer[: end + 1]
                return line
            if len(self.buffer) > limit:
                raise ValueError("a response line is unreasonably long")
            self._fill()

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def at_eof(self) -> bool:
        """Whether the server closed the connection (waits until the deadline at most)."""
        if self.buffer:
            return False
        try:
            return self._recv() == b""
        except (ConnectionResetError, BrokenPipeError):
            return True

    def read_reply(self, method: str = "GET") -> Reply:
        """Read one response, skipping ``100 Continue`` interim answers."""
        while True:
            reply = self._read_one(method)
            if reply.status != 100:
                return reply

    def _read_one(self, method: str) -> Reply:
        status_line = self._line()
        if not status_line.startswith(b"HTTP/1."):
            raise ValueError(f"not an HTTP response: {status_line[:100]!r}")
        version, _, rest = status_line.rstrip(b"\r\n").partition(b" ")
        code, _, reason = rest.partition(b" ")
        reply = Reply(int(code), reason.decode("latin-1"))
        head = bytearray(status_line)
        while True:
            line = self._line()
            head += line
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            reply.headers.append((name.strip(), value.strip()))
        reply.head = bytes(head)
        connection = (reply.header("Connection") or "").lower()
        reply.closes = "close" in connection or (
            version == b"HTTP/1.0" and "keep-alive" not in connection
        )
        if method == "HEAD" or reply.status < 200 or reply.status in (204, 304):
            return reply
        if (reply.header("Transfer-Encoding") or "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line() not in (b"\r\n", b"\n"):
                        pass
                    break
                body += self._exactly(size)
                self._exactly(2)
            reply.body = bytes(body)
        elif reply.header("Content-Length") is not None:
            reply.body = self._exactly(int(reply.header("Content-Length") or "0"))
        else:
            body = bytearray(self.buffer)
            self.buffer.clear()
            while data := self._recv():
                body += data
            reply.body = bytes(body)
            reply.closes = True
        return reply


def request(
    method: str,
    target: str | bytes,
    *headers: str | bytes,
    body: bytes | Pieces = b"",
    length: str | bytes | None = "auto",
    host: str | bytes | None = "test",
) -> tuple[bytes, bytes | Pieces]:
    """The head of a request (request line and header block) and its body.

    ``headers`` are ``"Name: value"`` lines (bytes for values outside latin-1).
    ``length="auto"`` adds a Content-Length for a non-empty body; None sends none.
    """
    lines: list[bytes] = [
        method.encode()
        + b" "
        + (target if isinstance(target, bytes) else target.encode())
        + b" HTTP/1.1"
    ]
    if host is not None:
        lines.append(b"Host: " + (host if isinstance(host, bytes) else host.encode("latin-1")))
    lines.extend(h if isinstance(h, bytes) else h.encode("latin-1") for h in headers)
    size = body.length if isinstance(body, Pieces) else len(body)
    if length == "auto":
        if size or method in ("POST", "PUT", "PATCH"):
            lines.append(b"Content-Length: %d" % size)
    elif length is not None:
        lines.append(
            b"Content-Length: " + (length if isinstance(length, bytes) else length.encode())
        )
    return b"\r\n".join(lines) + b"\r\n\r\n", body


def exchange(port: int, raw: bytes, method: str = "GET", budget: float = 5.0) -> Reply:
    """Send ``raw`` on a new connection and read the answer."""
    with Connection(port, budget) as conn:
        conn.send(raw)
        return conn.read_reply(method)


def get(port: int, target: str, *headers: str, budget: float = 5.0) -> Reply:
    head, _ = request("GET", target, *headers)
    return exchange(port, head, budget=budget)
