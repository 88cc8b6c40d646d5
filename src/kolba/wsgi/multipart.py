"""Streaming multipart/form-data parsing for ``request.form`` and ``request.files``.

The byte-level work (finding boundaries, splitting part headers from part data) is done by
python-multipart's :class:`~python_multipart.MultipartParser`, a maintained streaming parser
with linear scanning and header limits. This module decides what the parts mean: which are
fields and which are files, how names and filenames are read from Content-Disposition, where
file data is stored, and which limits give a 400 or a 413.

Memory stays bounded whatever the client sends: the body is read in fixed-size chunks, a
field is refused (413) once it grows past ``max_form_memory_size``, part headers are capped in
number and size (400), and uploaded files share one in-memory budget
(:data:`~kolba.wsgi.formparser.SPOOL_MAX_SIZE`) beyond which they are spooled to temporary
files. Every file opened for a request is closed again if parsing fails.
"""

from __future__ import annotations

import logging
import tempfile
from typing import IO, Any
from urllib.parse import unquote_to_bytes

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser as _ByteParser

from ..sansio.datastructures import FileStorage, Headers, MultiDict
from .formparser import SPOOL_MAX_SIZE, MalformedFormError, StreamFactory, too_large

#: Longest boundary accepted (RFC 2046 allows 70 characters; this leaves generous headroom).
MAX_BOUNDARY_LENGTH = 256
#: Most headers one part may have (browsers send two or three).
MAX_PART_HEADERS = 8
#: Longest single part header line, in bytes.
MAX_PART_HEADER_SIZE = 8192
#: How much of the body is read and parsed at a time.
READ_SIZE = 64 * 1024

# python-multipart logs a warning for every malformed body before raising. Here each of
# those becomes a 400 with its own message, so the log lines would only let a client flood
# the server's log: the byte parser gets a logger that is never enabled.
_QUIET_LOGGER = logging.Logger("kolba.multipart.quiet", logging.CRITICAL + 1)

_SKIP, _FIELD, _FILE = 0, 1, 2


def _malformed(detail: str) -> MalformedFormError:
    return MalformedFormError(
        f"The multipart/form-data body is malformed: {detail} Send it as browsers do: each"
        " part after a '--' + boundary line, CRLF line endings, a Content-Disposition header"
        " with a name, and a closing '--' + boundary + '--' line."
    )


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


def _text(raw: str) -> str:
    """Header bytes (held as latin-1 text) decoded as UTF-8, as browsers send them."""
    if raw.isascii():
        return raw
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw


def _unquote(raw: str) -> str:
    """The content of a quoted parameter value.

    ``\\"`` and ``\\\\`` are escapes (RFC 9110), but browsers do not escape backslashes in
    filenames (they send ``"`` as ``%22`` instead), so a value with any other backslash
    (``C:\\dir\\a.txt``, ``\\\\server\\share``) is taken literally.
    """
    if "\\" in raw:
        escaped: list[str] = []
        i, n = 0, len(raw)
        while i < n:
            char = raw[i]
            if char == "\\" and i + 1 < n and raw[i + 1] in '"\\':
                escaped.append(raw[i + 1])
                i += 2
            elif char == "\\":
                break  # a lone backslash: the value was not escaped at all
            else:
                escaped.append(char)
                i += 1
        else:
            raw = "".join(escaped)
    return raw.replace("%22", '"')


def _decode_extended(value: str) -> str | None:
    """Decode an RFC 8187 ``charset'language'value``; None when it is not one."""
    charset, sep, rest = value.partition("'")
    _language, sep2, encoded = rest.partition("'")
    if not (sep and sep2):
        return None
    charset = charset.lower()
    if charset not in ("utf-8", "iso-8859-1", "us-ascii"):
        return None
    try:
        return unquote_to_bytes(encoded).decode(charset)
    except UnicodeError:
        return None


def parse_disposition(value: str) -> tuple[str | None, str | None]:
    """Return ``(name, filename)`` from a part's Content-Disposition header.

    ``name*`` is ignored (RFC 7578 forbids it in forms, and honouring it would let a body
    show a filter one name and the app another); ``filename*`` is used only when there is no
    plain ``filename``. A repeated parameter or an unterminated quote is a 400. Linear time.
    """
    params: dict[str, str] = {}
    text = _text(value)
    pos = text.find(";")
    n = len(text)
    while 0 <= pos < n:
        pos += 1
        while pos < n and text[pos] in " \t;":
            pos += 1
        eq = text.find("=", pos)
        semi = text.find(";", pos)
        if eq < 0 or (0 <= semi < eq):
            pos = semi  # a parameter without a value: skip it
            continue
        key = text[pos:eq].strip(" \t").lower()
        pos = eq + 1
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos < n and text[pos] == '"':
            end = pos + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= n:
                raise _malformed(f"a Content-Disposition header has an unterminated quote ({key}).")
            param = _unquote(text[pos + 1 : end])
            pos = text.find(";", end + 1)
        else:
            semi = text.find(";", pos)
            end = n if semi < 0 else semi
            param = text[pos:end].strip(" \t").replace("%22", '"')
            pos = semi
        if key in params:
            raise _malformed(f"a Content-Disposition header repeats the {key!r} parameter.")
        params[key] = param
    filename = params.get("filename")
    if filename is None and "filename*" in params:
        filename = _decode_extended(params["filename*"])
    return params.get("name"), filename


class MultipartParser:
    """Parses a multipart/form-data body into ``(form, files)`` MultiDicts.

    ``stream_factory`` makes the file each upload is written to. Files made by the default
    factory (SpooledTemporaryFile) share an in-memory budget of ``spool_memory`` bytes; once
    it is used up, the file being written is moved to disk.
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
        opened before the error are closed.
        """
        try:
            boundary_bytes = boundary.encode("latin-1")
        except UnicodeEncodeError:
            raise _malformed("the boundary has characters that are not bytes.") from None
        if len(boundary_bytes) > self.max_boundary_length:
            raise _malformed(
                f"the boundary is {len(boundary_bytes)} bytes long; at most"
                f" {self.max_boundary_length} are accepted (RFC 2046 allows 70)."
            )
        collector = _Collector(self, content_length)
        parser = _ByteParser(
            boundary_bytes,
            collector.callbacks(),  # type: ignore[arg-type]
            max_header_count=self.max_part_headers,
            max_header_size=self.max_part_header_size,
        )
        parser.logger = _QUIET_LOGGER
        try:
            self._feed(stream, parser, collector, b"--" + boundary_bytes)
        except FormParserError as e:
            collector.close()
            raise self._error(str(e)) from None
        except BaseException:
            collector.close()
            raise
        return collector.results(self.cls)

    def _feed(
        self, stream: IO[bytes], parser: _ByteParser, collector: _Collector, delimiter: bytes
    ) -> None:
        started = False
        at_start = True  # nothing of the body has been skipped yet
        carry = b""
        while True:
            chunk = _read_chunk(stream, self.read_size)
            if not chunk:
                break
            if not started:
                # Skip the preamble (text before the first delimiter line that RFC 2046
                # allows): scan for the delimiter at a line start, keeping only a short tail
                # between reads so a long preamble costs no memory.
                buffer = carry + chunk if carry else chunk
                if at_start and len(buffer) < len(delimiter):
                    carry = buffer  # too short to tell yet
                    continue
                if at_start and buffer.startswith(delimiter):
                    pos = 0
                else:
                    pos = buffer.find(b"\n" + delimiter)
                    if pos >= 0:
                        pos += 1
                if pos < 0:
                    at_start = False
                    carry = buffer[-len(delimiter) :]
                    continue
                started = True
                chunk = buffer[pos:]
                # Transport padding (blanks after the first delimiter, RFC 2046) is dropped
                # here; the byte parser accepts it only on later delimiter lines.
                after = len(delimiter)
                blank_end = after
                while blank_end < len(chunk) and chunk[blank_end] in b" \t":
                    blank_end += 1
                if blank_end > after:
                    chunk = chunk[:after] + chunk[blank_end:]
            parser.write(chunk)
            if collector.ended:
                # Anything after the closing delimiter is an epilogue: not read at all.
                return
        if not started:
            if at_start and not carry:
                return  # an empty body: no fields, no files
            raise _malformed(
                f"the boundary line {delimiter.decode('latin-1')!r} from the Content-Type"
                " header never appears in the body."
            )
        raise _malformed(
            "the body ended before the closing boundary line; it may have been cut off."
        )

    def _error(self, detail: str) -> MalformedFormError:
        if "header count" in detail:
            return _malformed(f"a part has more than {self.max_part_headers} headers.")
        if "header size" in detail:
            return _malformed(
                f"a part has a header line over {self.max_part_header_size} bytes long."
            )
        return _malformed(f"{detail.rstrip('.')}.")


class _Collector:
    """The callbacks of the byte parser: builds fields and files, enforces the limits."""

    def __init__(self, config: MultipartParser, content_length: int | None) -> None:
        self.config = config
        self.content_length = content_length
        self.fields: dict[str, list[str]] = {}
        self.files: dict[str, list[FileStorage]] = {}
        self.opened: list[IO[bytes]] = []
        self.parts = 0
        self.ended = False
        self.memory_used = 0
        # The part being read.
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.headers: list[tuple[str, str]] = []
        self.kind = _SKIP
        self.name = ""
        self.filename: str | None = None
        self.buffer = bytearray()
        self.file: IO[bytes] | None = None
        self.file_size = 0
        self.in_memory = False

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.parts += 1
        limit = self.config.max_form_parts
        if limit is not None and self.parts > limit:
            raise too_large(f"The multipart body has more than {limit} parts.", "MAX_FORM_PARTS")
        self.headers = []
        self.kind = _SKIP

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        # Header names are tokens (the byte parser checks); values are kept as latin-1 text,
        # the same form as request headers, so they can be copied into a response header.
        name = self.header_name.decode("latin-1")
        value = self.header_value.decode("latin-1").strip(" \t")
        self.header_name.clear()
        self.header_value.clear()
        if "\n" in value or "\0" in value:
            raise _malformed(f"the part header {name!r} holds a line feed or NUL character.")
        self.headers.append((name, value))

    def on_headers_finished(self) -> None:
        disposition = None
        content_type = None
        for key, value in self.headers:
            lower = key.lower()
            if lower == "content-disposition" and disposition is None:
                disposition = value
            elif lower == "content-type" and content_type is None:
                content_type = value
        self.kind = _SKIP
        if disposition is None:
            return  # not a form part: ignored, as browsers never send one
        name, filename = parse_disposition(disposition)
        if name is None:
            return
        self.name = name
        if filename is None:
            self.kind = _FIELD
            self.buffer = bytearray()
            return
        self.kind = _FILE
        self.filename = filename
        part_length = None
        for key, value in self.headers:
            if key.lower() == "content-length" and value.isdigit():
                part_length = int(value)
        self.file = self.config.stream_factory(
            self.content_length, content_type, filename, part_length
        )
        self.opened.append(self.file)
        self.file_size = 0
        self.in_memory = isinstance(self.file, tempfile.SpooledTemporaryFile)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        kind = self.kind
        if kind == _FIELD:
            limit = self.config.max_form_memory_size
            if limit is not None and len(self.buffer) + end - start > limit:
                raise too_large(
                    f"The form field {self.name[:100]!r} is over the limit of {limit} bytes.",
                    "MAX_FORM_MEMORY_SIZE",
                )
            self.buffer += data[start:end]
        elif kind == _FILE:
            size = end - start
            if self.in_memory:
                if self.memory_used + size > self.config.spool_memory:
                    # The uploads in memory would exceed the budget: this one goes to disk.
                    self.file.rollover()  # type: ignore[union-attr]
                    self.memory_used -= self.file_size
                    self.in_memory = False
                else:
                    self.memory_used += size
            self.file.write(memoryview(data)[start:end])  # type: ignore[union-attr]
            self.file_size += size

    def on_part_end(self) -> None:
        if self.kind == _FIELD:
            value = self.buffer.decode("utf-8", "replace")
            self.fields.setdefault(self.name, []).append(value)
        elif self.kind == _FILE and self.file is not None:
            self.file.seek(0)
            upload = FileStorage(
                self.file, self.filename, self.name, headers=Headers._trusted(self.headers)
            )
            self.files.setdefault(self.name, []).append(upload)
            self.file = None
        self.kind = _SKIP

    def on_end(self) -> None:
        self.ended = True

    def close(self) -> None:
        """Close every file opened for this body (the parse failed)."""
        for stream in self.opened:
            try:
                stream.close()
            except Exception:
                pass
        self.opened.clear()

    def results(
        self, cls: type[MultiDict[str, Any]]
    ) -> tuple[MultiDict[str, Any], MultiDict[str, FileStorage]]:
        if isinstance(cls, type) and issubclass(cls, MultiDict):
            return cls._from_lists(self.fields), cls._from_lists(self.files)
        form_pairs = [(k, v) for k, vs in self.fields.items() for v in vs]
        file_pairs = [(k, v) for k, vs in self.files.items() for v in vs]
        return cls(form_pairs), cls(file_pairs)


__all__ = ["MAX_BOUNDARY_LENGTH", "MAX_PART_HEADERS", "MAX_PART_HEADER_SIZE", "MultipartParser"]
