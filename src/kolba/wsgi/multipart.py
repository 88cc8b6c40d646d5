"""Streaming multipart/form-data parsing for ``request.form`` and ``request.files``.

The byte-level work (finding boundaries, splitting part headers from part data, reading
Content-Disposition) is done by kolba's IO-free :class:`~kolba.sansio.multipart.MultipartDecoder`.
This module feeds it from the WSGI input stream and decides what becomes of the parts: where
file data is stored, and which limits give a 400 or a 413.

Memory stays bounded whatever the client sends: the body is read in fixed-size chunks, a
field is refused (413) once it grows past ``max_form_memory_size``, part headers are capped in
number and size (400), and uploaded files share one in-memory budget
(:data:`~kolba.wsgi.formparser.SPOOL_MAX_SIZE`) beyond which they are spooled to temporary
files. Every file opened for a request is closed again if parsing fails.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from ..sansio.datastructures import FileStorage, Headers, MultiDict
from ..sansio.multipart import (
    MAX_BOUNDARY_LENGTH,
    MAX_HEADER_BLOCK_SIZE,
    MAX_PART_HEADERS,
    NEED_DATA,
    Data,
    Field,
    File,
    MultipartDecoder,
    MultipartError,
    OtherPart,
    parse_disposition,
)
from .formbase import SPOOL_MAX_SIZE, MalformedFormError, StreamFactory, too_large

#: Longest header block of one part, in bytes (the name predates the block-wide limit).
MAX_PART_HEADER_SIZE = MAX_HEADER_BLOCK_SIZE
#: How much of the body is read and parsed at a time.
READ_SIZE = 64 * 1024

_SpooledFile = tempfile.SpooledTemporaryFile


def _read_chunk(stream: IO[bytes], size: int) -> bytes:
    """Read up to ``size`` bytes, joining short reads, so tiny chunks from a client that
    trickles its body do not each cost a parser call.
    """
    data = stream.read(size)
    if not data or len(data) >= size:
        return data
    buffer = bytearray(data)
    while len(buffer) < size:
        more = stream.read(size - len(buffer))
        if not more:
            break
        buffer += more
    return bytes(buffer)


def _close_all(files: list[IO[bytes]]) -> None:
    for stream in files:
        try:
            stream.close()
        except Exception:
            pass


class MultipartParser:
    """Parses a multipart/form-data body into ``(form, files)`` MultiDicts.

    ``stream_factory`` makes the file each upload is written to. Files made by the default
    factory (SpooledTemporaryFile) share an in-memory budget of ``spool_memory`` bytes; once
    it is used up, the file being written is moved to disk. ``max_part_header_size`` limits
    the whole header block of one part.
    """

    def __init__(
        self,
        stream_factory: StreamFactory,
        max_form_memory_size: int | None = None,
        max_form_parts: int | None = None,
        cls: type[MultiDict[str, Any]] | None = None,
        *,
        read_size: int = READ_SIZE,
        max_part_headers: int = MAX_PART_HEADERS,
        max_part_header_size: int = MAX_PART_HEADER_SIZE,
        max_boundary_length: int = MAX_BOUNDARY_LENGTH,
        spool_memory: int = SPOOL_MAX_SIZE,
    ) -> None:
        self.stream_factory = stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.max_form_parts = max_form_parts
        self.cls: type[MultiDict[str, Any]] = cls or MultiDict
        self.read_size = read_size
        self.max_part_headers = max_part_headers
        self.max_part_header_size = max_part_header_size
        self.max_boundary_length = max_boundary_length
        self.spool_memory = spool_memory

    def parse(
        self, stream: IO[bytes], boundary: str, content_length: int | None
    ) -> tuple[MultiDict[str, Any], MultiDict[str, FileStorage]]:
        """Read ``stream`` to the closing boundary and return the fields and the files.

        Raises 400 (MalformedFormError) for a malformed body and 413 for a limit; files
        opened before the error are closed. The epilogue after the closing boundary is not
        read.
        """
        opened: list[IO[bytes]] = []
        try:
            try:
                boundary_bytes = boundary.encode("latin-1")
            except UnicodeEncodeError:
                raise MultipartError("the boundary has characters that are not bytes.") from None
            decoder = MultipartDecoder(
                boundary_bytes,
                max_boundary_length=self.max_boundary_length,
                max_part_headers=self.max_part_headers,
                max_header_block_size=self.max_part_header_size,
            )
            fields, files = self._collect(decoder, stream, content_length, opened)
        except MultipartError as e:
            _close_all(opened)
            raise MalformedFormError(e.description) from None
        except BaseException:
            _close_all(opened)
            raise
        cls = self.cls
        if isinstance(cls, type) and issubclass(cls, MultiDict):
            return cls._from_lists(fields), cls._from_lists(files)
        form_pairs = [(k, v) for k, vs in fields.items() for v in vs]
        file_pairs = [(k, v) for k, vs in files.items() for v in vs]
        return cls(form_pairs), cls(file_pairs)

    def _collect(
        self,
        decoder: MultipartDecoder,
        stream: IO[bytes],
        content_length: int | None,
        opened: list[IO[bytes]],
    ) -> tuple[dict[str, list[str]], dict[str, list[FileStorage]]]:
        """Run the decoder over ``stream``: fields and files as key -> list dicts."""
        # PERF: one flat loop over the decoder's event batches (one per chunk read), with
        # the limits and the part's state in locals; dispatch on the event's exact class.
        # This loop and the decoder are the whole per-part cost of a multipart request.
        events = decoder.events
        receive_data = decoder.receive_data
        read_size = self.read_size
        max_parts = self.max_form_parts
        max_field = self.max_form_memory_size
        spool_memory = self.spool_memory
        stream_factory = self.stream_factory
        fields: dict[str, list[str]] = {}
        files: dict[str, list[FileStorage]] = {}
        remaining = content_length  # of the body, when its length is known
        parts = 0
        memory_used = 0  # bytes of uploads held in memory, shared by all of them
        # The current part.
        name = ""
        part: Any = None  # the File event of the upload being written
        pending: bytearray | None = None  # a field's value arriving in several pieces
        file: IO[bytes] | None = None
        file_size = 0
        in_memory = False
        event: Any
        need_data = True  # the decoder can do nothing before the first chunk
        while True:
            if need_data:
                if remaining is not None and 0 < remaining < read_size:
                    # PERF: asking for exactly what is left of the body means the join in
                    # _read_chunk stops at once, without a read that can only return b"".
                    chunk = _read_chunk(stream, remaining)
                else:
                    chunk = _read_chunk(stream, read_size)
                if remaining is not None:
                    remaining -= len(chunk)
                receive_data(chunk or None)
                need_data = False
            # A batch ends with NEED_DATA or COMPLETE; if it does not, the next call raises.
            for event in events():
                kind = event.__class__
                if kind is Data:
                    data: bytes = event.data
                    if file is None:  # a field's value
                        if pending is None and not event.more_data:
                            if max_field is not None and len(data) > max_field:
                                raise self._field_too_large(name, max_field)
                            value = data.decode("utf-8", "replace")
                        else:
                            if pending is None:
                                pending = bytearray()
                            if max_field is not None and len(pending) + len(data) > max_field:
                                raise self._field_too_large(name, max_field)
                            pending += data
                            if event.more_data:
                                continue
                            value = pending.decode("utf-8", "replace")
                            pending = None
                        values = fields.get(name)
                        if values is None:
                            fields[name] = [value]
                        else:
                            values.append(value)
                        continue
                    size = len(data)
                    if size:
                        if in_memory:
                            if memory_used + size > spool_memory:
                                # The uploads in memory would exceed the budget: this one goes
                                # to disk.
                                file.rollover()  # type: ignore[attr-defined]
                                memory_used -= file_size
                                in_memory = False
                            else:
                                memory_used += size
                        file.write(data)
                        file_size += size
                    if not event.more_data:
                        file.seek(0)
                        upload = FileStorage(
                            file, part.filename, name, headers=Headers._trusted(part.headers)
                        )
                        uploads = files.get(name)
                        if uploads is None:
                            files[name] = [upload]
                        else:
                            uploads.append(upload)
                        file = None
                elif event is NEED_DATA:
                    need_data = True
                elif kind is Field or kind is File or kind is OtherPart:
                    parts += 1
                    if max_parts is not None and parts > max_parts:
                        raise too_large(
                            f"The multipart body has more than {max_parts} parts.", "MAX_FORM_PARTS"
                        )
                    if kind is File:
                        part = event
                        name = part.name
                        file = stream_factory(
                            content_length, part.content_type, part.filename, part.content_length
                        )
                        opened.append(file)
                        file_size = 0
                        in_memory = isinstance(file, _SpooledFile)
                    elif kind is Field:
                        name = event.name
                else:  # COMPLETE: the epilogue after the closing boundary is not read
                    return fields, files

    @staticmethod
    def _field_too_large(name: str, limit: int) -> Exception:
        return too_large(
            f"The form field {name[:100]!r} is over the limit of {limit} bytes.",
            "MAX_FORM_MEMORY_SIZE",
        )


__all__ = [
    "MAX_BOUNDARY_LENGTH",
    "MAX_PART_HEADERS",
    "MAX_PART_HEADER_SIZE",
    "READ_SIZE",
    "MultipartParser",
    "parse_disposition",
]
