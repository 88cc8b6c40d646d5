"""Encoding form fields and files as a multipart/form-data body (for the test client)."""

from __future__ import annotations

import secrets
import typing as t

from ..sansio.datastructures import FileStorage, MultiDict


def _quote_param(value: str) -> str:
    # Browsers percent-encode quotes and line breaks in multipart parameters.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def encode_multipart(
    fields: MultiDict[str, t.Any], boundary: str | None = None
) -> tuple[bytes, str]:
    """Return ``(body, boundary)`` for ``fields``; FileStorage values become file parts."""
    if boundary is None:
        boundary = f"---------------KolbaFormBoundary{secrets.token_hex(12)}"
    chunks: list[bytes] = []
    for name, value in fields.items(multi=True):
        chunks.append(f"--{boundary}\r\n".encode())
        disposition = f'form-data; name="{_quote_param(name)}"'
        if isinstance(value, FileStorage):
            filename = value.filename or ""
            disposition += f'; filename="{_quote_param(filename)}"'
            content_type = value.content_type or "application/octet-stream"
            head = f"Content-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
            chunks.append(head.encode("utf-8"))
            stream = value.stream
            while True:
                block = stream.read(65536)
                if not block:
                    break
                chunks.append(block if isinstance(block, bytes) else str(block).encode("utf-8"))
        else:
            chunks.append(f"Content-Disposition: {disposition}\r\n\r\n".encode())
            data = value if isinstance(value, bytes) else str(value).encode("utf-8")
            chunks.append(data)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), boundary


__all__ = ["encode_multipart"]
