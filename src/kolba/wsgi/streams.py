"""Request body streams that never read past the body: the WSGI input wrapped with its length."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO

from ..sansio.exceptions import ClientDisconnected, RequestEntityTooLarge


class LimitedStream(io.RawIOBase):
    """Reads at most ``limit`` bytes from ``stream``.

    With ``is_max=False`` the limit is the declared Content-Length: a client that sends fewer
    bytes has disconnected, which raises ClientDisconnected (400). With ``is_max=True`` the
    limit is a maximum for a body of unknown length (chunked): going past it raises
    RequestEntityTooLarge (413).
    """

    def __init__(self, stream: IO[bytes], limit: int, is_max: bool = False) -> None:
        super().__init__()
        self._stream = stream
        self._pos = 0
        self.limit = limit
        self._limit_is_max = is_max
        self._ended = False

    @property
    def is_exhausted(self) -> bool:
        """Whether every byte up to the limit has been read."""
        return self._pos >= self.limit

    def on_exhausted(self) -> bytes:
        """What a read past the end returns."""
        return b""

    def on_disconnect(self, error: Exception | None = None) -> bytes:
        """Called when the stream ended before the limit."""
        raise ClientDisconnected() from error

    def _over_max(self) -> bytes:
        raise RequestEntityTooLarge(
            f"The request body is over the limit of {self.limit} bytes. Raise"
            " MAX_CONTENT_LENGTH (or request.max_content_length) to accept it."
        )

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        data = self.read(size)
        n = len(data)
        buffer[:n] = data
        return n

    def read(self, size: int | None = -1) -> bytes:
        """Read up to ``size`` bytes (everything that is left when negative or None)."""
        if size is None or size < 0:
            if not self._limit_is_max:
                return self._read_rest()
            chunks: list[bytes] = []
            while True:
                chunk = self.read(65536)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
        remaining = self.limit - self._pos
        if remaining <= 0:
            if self._limit_is_max and not self._ended:
                # Probe for one more byte: anything there means the body is too large.
                if self._raw_read(1):
                    return self._over_max()
                self._ended = True
            return self.on_exhausted()
        to_read = min(size, remaining)
        if not to_read:
            return b""
        data = self._raw_read(to_read)
        if not data:
            if self._limit_is_max:
                # A body of unknown length ended before the maximum: that is its end.
                self._ended = True
                self.limit = self._pos
                return b""
            return self.on_disconnect()
        self._pos += len(data)
        return data

    def _read_rest(self) -> bytes:
        # PERF: the rest of a body of known length is asked for in one read, which a WSGI
        # input answers whole; chunked 64 KiB reads cost a call and a join more each.
        remaining = self.limit - self._pos
        if remaining <= 0:
            return self.on_exhausted()
        chunks: list[bytes] = []
        while remaining > 0:
            data = self._raw_read(remaining)
            if not data:
                return self.on_disconnect()
            self._pos += len(data)
            remaining -= len(data)
            chunks.append(data)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _raw_read(self, size: int) -> bytes:
        try:
            return self._stream.read(size)
        except (OSError, ValueError) as e:
            return self.on_disconnect(e)

    def readall(self) -> bytes:
        """Read everything up to the limit."""
        return self.read(-1)

    def readline(self, size: int | None = -1) -> bytes:
        """Read one line, at most ``size`` bytes, never past the limit."""
        remaining = self.limit - self._pos
        if remaining <= 0:
            return self.on_exhausted()
        if size is None or size < 0 or size > remaining:
            size = remaining
        readline = getattr(self._stream, "readline", None)
        if readline is None:  # pragma: no cover - every WSGI server provides readline
            return self.read(size)
        try:
            line: bytes = readline(size)
        except (OSError, ValueError) as e:
            return self.on_disconnect(e)
        if size and not line and not self._limit_is_max:
            return self.on_disconnect()
        self._pos += len(line)
        return line

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """Read the remaining lines."""
        lines = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                break
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def tell(self) -> int:
        """How many bytes have been read."""
        return self._pos

    def exhaust(self) -> None:
        """Read and discard the rest of the body (so a keep-alive connection stays usable)."""
        while self.read(65536):
            pass


class EmptyStream(io.RawIOBase):
    """The body of a request that has none."""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return b""

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return 0

    def readline(self, size: int | None = -1) -> bytes:
        return b""


__all__ = ["EmptyStream", "LimitedStream"]
