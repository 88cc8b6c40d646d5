"""Encode form fields and files as a ``multipart/form-data`` body, as a browser would."""

from __future__ import annotations

import mimetypes
import secrets
import typing as t

from ..sansio.datastructures import FileStorage, MultiDict

# Bytes written per read from a file's stream, so a large file is never read in one go.
_CHUNK = 64 * 1024


def _quote_param(value: str) -> str:
    # The HTML standard percent-encodes '"', CR and LF in names and filenames. A backslash
    # is escaped too, so a parser that unescapes quoted strings reads the same name back.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _as_bytes(value: t.Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def encode_multipart(
    fields: MultiDict[str, t.Any], boundary: str | None = None
) -> tuple[bytes, str]:
    """Return ``(body, boundary)`` for ``fields``.

    A :class:`FileStorage` value becomes a file part (its content type is guessed from the
    filename when it has none); any other value is sent as text (``str()`` of it; bytes as
    they are). ``None`` values are left out, as in a urlencoded form.
    """
    if boundary is None:
        # Random, so it can't appear in the content by accident.
        boundary = f"----KolbaFormBoundary{secrets.token_hex(16)}"
    delimiter = f"--{boundary}\r\n".encode("ascii")
    out = bytearray()
    for name, value in fields.items(multi=True):
        if value is None:
            continue
        out += delimiter
        disposition = f'Content-Disposition: form-data; name="{_quote_param(name)}"'
        if isinstance(value, FileStorage):
            filename = value.filename or ""
            content_type = value.content_type
            if not content_type:
                guessed = mimetypes.guess_type(filename)[0] if filename else None
                content_type = guessed or "application/octet-stream"
            out += (
                f'{disposition}; filename="{_quote_param(filename)}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            while block := value.stream.read(_CHUNK):
                out += _as_bytes(block)
        else:
            out += f"{disposition}\r\n\r\n".encode()
            out += _as_bytes(value)
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode("ascii")
    return bytes(out), boundary


__all__ = ["encode_multipart"]
