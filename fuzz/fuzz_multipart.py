"""Fuzz the multipart/form-data parser (``kolba.wsgi.multipart.MultipartParser`` over
``kolba.sansio.multipart.MultipartDecoder``) with bounded bodies, read in chunks of varying
size.

The first input byte picks the boundary and the read size; the rest is the body. Checks:
the parser returns or raises a 400/413 ``HTTPException``, nothing else; when it raises,
every file it opened is closed; when it returns, field values are text, the stored bytes
stay within a small multiple of the body's, and the part headers it keeps as trusted hold
no CR, LF or NUL (an app may copy them into a response). The sansio decoder, fed the same
body in pieces and read one ``next_event()`` at a time, must agree: the same parts when
the parser returns, a MultipartError when it answers 400.
"""

from __future__ import annotations

import io
import time
from typing import IO, Any

import fuzzkit

_TRACED = ("kolba.sansio.multipart", "kolba.wsgi.multipart", "kolba.wsgi.formparser")

with fuzzkit.instrumented(*_TRACED):
    from kolba.sansio.exceptions import HTTPException
    from kolba.sansio.multipart import (
        COMPLETE,
        NEED_DATA,
        Data,
        Field,
        File,
        MultipartDecoder,
        MultipartError,
    )
    from kolba.wsgi.formparser import default_stream_factory
    from kolba.wsgi.multipart import MultipartParser

_BOUNDARIES = ("XyZ", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a'()+_,-./:=?", "-", "x" * 70)
_READ_SIZES = (1, 3, 7, 64, 1024, 65536)


class _TrackingFactory:
    """The default stream factory, remembering every file it made."""

    def __init__(self) -> None:
        self.made: list[IO[bytes]] = []

    def __call__(
        self,
        total: int | None,
        content_type: str | None,
        filename: str | None = None,
        length: int | None = None,
    ) -> IO[bytes]:
        stream = default_stream_factory(total, content_type, filename, length)
        self.made.append(stream)
        return stream


def _decode_one_by_one(body: bytes, boundary: str, size: int) -> list[list[Any]] | None:
    """``[name, filename, content]`` of each form part, as ``next_event()`` reports them
    when the body is fed ``size`` bytes at a time; None for a malformed body.
    """
    parts: list[list[Any]] = []
    pos = 0
    try:
        decoder = MultipartDecoder(boundary.encode("latin-1"))
        while True:
            event = decoder.next_event()
            if event is NEED_DATA:
                chunk = body[pos : pos + size]
                pos += len(chunk)
                decoder.receive_data(chunk or None)
            elif isinstance(event, Field):
                parts.append([event.name, None, bytearray()])
            elif isinstance(event, File):
                parts.append([event.name, event.filename, bytearray()])
            elif isinstance(event, Data):
                parts[-1][2] += event.data
            elif event is COMPLETE:
                return parts
    except MultipartError:
        return None


def TestOneInput(data: bytes) -> None:
    selector = data[0] if data else 0
    boundary = _BOUNDARIES[selector % len(_BOUNDARIES)]
    read_size = _READ_SIZES[(selector // len(_BOUNDARIES)) % len(_READ_SIZES)]
    body = data[1:]
    factory = _TrackingFactory()
    parser = MultipartParser(
        factory,
        max_form_memory_size=4096,
        max_form_parts=64,
        read_size=read_size,
        spool_memory=8192,
    )
    stream = io.BytesIO(body)
    start = time.perf_counter()
    try:
        form, files = parser.parse(stream, boundary, len(body))
    except HTTPException as e:
        if e.code not in (400, 413):
            raise AssertionError(f"unexpected {e!r} for {body!r}") from e
        assert all(f.closed for f in factory.made), "a file was left open after an error"
        if e.code == 400:
            assert _decode_one_by_one(body, boundary, read_size) is None, body
        return
    finally:
        fuzzkit.check_time(start, "MultipartParser.parse")
    one_by_one = _decode_one_by_one(body, boundary, read_size)
    assert one_by_one is not None, body
    try:
        expected_form = sorted(
            (name, bytes(content).decode("utf-8", "replace"))
            for name, filename, content in one_by_one
            if filename is None
        )
        assert sorted(form.items(multi=True)) == expected_form, body
        expected_files = sorted(
            (name, filename, bytes(content))
            for name, filename, content in one_by_one
            if filename is not None
        )
        got_files = sorted((k, f.filename, f.read()) for k, f in files.items(multi=True))
        assert got_files == expected_files, body
        for _key, upload in files.items(multi=True):
            upload.seek(0)
        stored = 0
        for key, value in form.items(multi=True):
            assert isinstance(key, str), (body, key)
            assert isinstance(value, str), (body, value)
            stored += len(value.encode("utf-8", "surrogateescape"))
        for key, upload in files.items(multi=True):
            assert isinstance(key, str), (body, key)
            stored += len(upload.read())
            for name, value in upload.headers.items():
                assert not any(c in name + value for c in "\r\n\0"), (body, name, value)
        # U+FFFD replacements can grow a field; compare against the raw bytes generously.
        assert stored <= 3 * len(body), (len(body), stored)
    finally:
        for upload in files.values():
            upload.close()
        for f in factory.made:
            f.close()


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
