"""A streaming ``multipart/form-data`` parser (RFC 7578 on RFC 2046's framing), free of IO.

:class:`MultipartDecoder` is fed the body in pieces of any size with
:meth:`~MultipartDecoder.receive_data` (``None`` marks the end of the body) and hands out
what it found, one event per :meth:`~MultipartDecoder.next_event` call (or all that the
buffered bytes allow, as a list, per :meth:`~MultipartDecoder.events` call):

- :class:`Field` or :class:`File` once a form part's header block is complete;
- :class:`OtherPart` for a part that is not a form field (no Content-Disposition ``name``),
  whose content is skipped rather than reported;
- :class:`Data`, a piece of the current part's content; the part's last piece (which may
  be empty) has ``more_data`` False;
- :data:`NEED_DATA` when the buffered bytes are used up;
- :data:`COMPLETE` after the closing boundary line. Whatever follows it (the epilogue) is
  ignored, as is the preamble before the first boundary line: neither is reported.

The same decoder serves a WSGI stream (:mod:`kolba.wsgi.multipart`) and an ASGI ``receive``.

Speed: boundaries are found with ``bytes.find`` on the buffer, and a part's header block is
read in one go once its blank line has arrived (by a single regex match when it has the
shape browsers send), so no Python loop runs per byte.

Memory: between calls the decoder keeps only what it cannot decide on yet, which is at most
one header block (``max_header_block_size``) or the few bytes of a boundary line cut at a
chunk edge. A preamble, a part or an epilogue of any size passes through in bounded memory,
and every scan resumes where the last one stopped, so a body fed one byte at a time is
still parsed in linear time.

A malformed body raises :class:`MultipartError`, a 400 whose message says what was wrong.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote_to_bytes

from .exceptions import BadRequest

#: Longest boundary accepted (RFC 2046 allows 70 characters; this leaves generous headroom).
MAX_BOUNDARY_LENGTH: Final = 256
#: Most headers one part may have (browsers send two or three).
MAX_PART_HEADERS: Final = 8
#: Longest header block of one part, in bytes, without the blank line that ends it.
MAX_HEADER_BLOCK_SIZE: Final = 8192

# RFC 9110 token characters, the only ones a header name may hold.
_TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BLANKS = re.compile(rb"[ \t]*")

# The header block browsers send: a Content-Disposition with a name and maybe a filename,
# made of printable ASCII without '"', '%' and '\\' (no quoting, escaping or decoding
# subtleties), then maybe a Content-Type, then the blank line. Anything else takes the
# general path, which gives the same result for these blocks.
_PLAIN = rb"[\x20\x21\x23\x24\x26-\x5b\x5d-\x7e]*"
_BROWSER_HEADERS = re.compile(
    rb'Content-Disposition: (form-data; name="(' + _PLAIN + rb')"'
    rb'(?:; filename="(' + _PLAIN + rb')")?)'
    rb"(?:\r\nContent-Type: ([\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?))?"
    rb"\r\n\r\n"
)
_NEVER = re.compile(rb"(?!)(.)?(.)?(.)?(.)?")  # no match; as many groups as the one above

# States of the decoder.
_START = 0  # nothing decided yet
_PREAMBLE = 1  # in text before the first boundary line
_FIRST = 2  # just after the first "--boundary"
_PADDING = 3  # after a boundary, expecting optional blanks and CRLF
_HEADERS = 4  # at the start of a part's header block
_DATA = 5  # in a form part's content
_SKIPPED = 6  # in the content of a part that is not a form field
_DONE = 7  # after the closing boundary line


class MultipartError(BadRequest):
    """400: the body is not valid ``multipart/form-data``; the message says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The multipart/form-data body is malformed: {detail} Send it as browsers do:"
            " each part after a '--' + boundary line, CRLF line endings, a"
            " Content-Disposition header with a name, and a closing '--' + boundary + '--'"
            " line."
        )
        #: What was wrong, in one sentence.
        self.detail = detail


def _cut_off() -> MultipartError:
    return MultipartError(
        "the body ended before the closing boundary line; it may have been cut off."
    )


# -- events -----------------------------------------------------------------------------------


class Event:
    """Base class of what :meth:`MultipartDecoder.next_event` returns."""

    __slots__ = ()


class Field(Event):
    """A form field begins: its value follows as :class:`Data` events.

    ``headers`` are the part's headers as sent: ``(name, value)`` pairs of latin-1 text,
    free of CR, LF and NUL, values stripped of surrounding blanks.
    """

    __slots__ = ("headers", "name")

    def __init__(self, name: str, headers: list[tuple[str, str]]) -> None:
        self.name = name
        self.headers = headers

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, headers={self.headers!r})"


class File(Event):
    """An uploaded file begins: its content follows as :class:`Data` events.

    ``filename`` is as the client sent it (possibly empty, possibly a path: cleaning it is
    the application's job). ``content_type`` and ``content_length`` come from the part's
    headers (None when absent; a Content-Length that is not a plain decimal number of at
    most 18 digits counts as absent).
    """

    __slots__ = ("content_length", "content_type", "filename", "headers", "name")

    def __init__(
        self,
        name: str,
        filename: str,
        headers: list[tuple[str, str]],
        content_type: str | None = None,
        content_length: int | None = None,
    ) -> None:
        self.name = name
        self.filename = filename
        self.headers = headers
        self.content_type = content_type
        self.content_length = content_length

    def __repr__(self) -> str:
        return f"File(name={self.name!r}, filename={self.filename!r}, headers={self.headers!r})"


class OtherPart(Event):
    """A part that is not a form field (no Content-Disposition, or no ``name`` in it).

    Browsers never send one; its content is skipped. It is reported so that a consumer can
    count parts against a limit.
    """

    __slots__ = ("headers",)

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers

    def __repr__(self) -> str:
        return f"OtherPart(headers={self.headers!r})"


class Data(Event):
    """A piece of the current part's content; ``more_data`` is False on its last piece."""

    __slots__ = ("data", "more_data")

    def __init__(self, data: bytes, more_data: bool) -> None:
        self.data = data
        self.more_data = more_data

    def __repr__(self) -> str:
        return f"Data(data={self.data!r}, more_data={self.more_data!r})"


class NeedData(Event):
    """The buffered bytes are used up: call :meth:`MultipartDecoder.receive_data`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NEED_DATA"


class Complete(Event):
    """The closing boundary line was read: the body is complete."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "COMPLETE"


#: The one :class:`NeedData` event (compare with ``is``).
NEED_DATA: Final = NeedData()
#: The one :class:`Complete` event (compare with ``is``).
COMPLETE: Final = Complete()


# -- the decoder ------------------------------------------------------------------------------


class MultipartDecoder:
    """Turns the bytes of a ``multipart/form-data`` body into events (see the module doc).

    ``boundary`` is the Content-Type's ``boundary`` parameter, as bytes. A boundary that is
    empty, longer than ``max_boundary_length`` or holds a CR or LF is a :class:`MultipartError`
    right away. A part with more than ``max_part_headers`` headers, or a header block over
    ``max_header_block_size`` bytes, is one too, raised by :meth:`next_event` (or
    :meth:`events`) once the events before it were returned; after an error every call
    raises it again.

    Events come one at a time from :meth:`next_event`, or as a list per chunk of the body
    from :meth:`events`; the two can be mixed.
    """

    __slots__ = (
        "_buf",
        "_delimiter",
        "_delimiter_length",
        "_eof",
        "_error",
        "_match_browser",
        "_max_block",
        "_max_headers",
        "_pending",
        "_pos",
        "_scan",
        "_state",
    )

    def __init__(
        self,
        boundary: bytes,
        *,
        max_boundary_length: int = MAX_BOUNDARY_LENGTH,
        max_part_headers: int = MAX_PART_HEADERS,
        max_header_block_size: int = MAX_HEADER_BLOCK_SIZE,
    ) -> None:
        if not boundary:
            raise MultipartError("the boundary is empty.")
        if len(boundary) > max_boundary_length:
            raise MultipartError(
                f"the boundary is {len(boundary)} bytes long; at most {max_boundary_length}"
                " are accepted (RFC 2046 allows 70)."
            )
        if b"\r" in boundary or b"\n" in boundary:
            # The partial-boundary check at a chunk edge relies on the delimiter holding
            # exactly one CR, its first byte.
            raise MultipartError("the boundary holds a CR or LF character.")
        # What ends a part's content: CRLF, "--" and the boundary (RFC 2046's "delimiter").
        # Without its CRLF it is the first boundary line, which may open the body.
        self._delimiter = b"\r\n--" + boundary
        self._delimiter_length = len(boundary) + 4
        self._max_headers = max_part_headers
        self._max_block = max_header_block_size
        # The browser's header block has up to two headers.
        self._match_browser = (_BROWSER_HEADERS if max_part_headers >= 2 else _NEVER).match
        self._buf = b""
        self._pos = 0  # where the undecided bytes in _buf begin
        self._scan = 0  # where the next search in _buf resumes (>= _pos)
        self._state = _START
        self._eof = False
        self._error: MultipartError | None = None  # raised again by every later call
        self._pending: list[Event] = []  # what next_event has yet to return, reversed

    def receive_data(self, data: bytes | None) -> None:
        """Add the next piece of the body; ``None`` says the body has ended."""
        pending = self._pending
        if pending and pending[0] is NEED_DATA:
            del pending[0]  # data came before next_event got to ask for it
        if data is None:
            self._eof = True
            return
        if self._state == _DONE or not data:
            return  # the epilogue is dropped as it arrives
        pos = self._pos
        if pos < len(self._buf):
            # PERF: only the undecided tail (a few bytes, at most a header block) is copied;
            # a fully consumed buffer is replaced without a copy.
            self._buf = self._buf[pos:] + bytes(data)
            self._scan -= pos
            self._pos = 0
        else:
            self._buf = data if type(data) is bytes else bytes(data)
            self._pos = self._scan = 0

    def next_event(self) -> Event:
        """Return the next event; :data:`NEED_DATA` when more of the body must be fed."""
        pending = self._pending
        if not pending:
            pending = self.events()
            pending.reverse()
            self._pending = pending
        return pending.pop()

    def events(self) -> list[Event]:
        """Return, in one call, every event the buffered bytes allow.

        The last one is :data:`NEED_DATA` or :data:`COMPLETE`, unless the body turned out
        to be malformed after the others: then the next call raises the MultipartError.
        PERF: one call per chunk of the body instead of one per event (what the WSGI
        adapter uses); :meth:`next_event` hands these lists out one event at a time.
        """
        pending = self._pending
        if pending:  # left over from next_event
            pending.reverse()
            self._pending = []
            return pending
        if self._error is not None:
            raise self._error
        out: list[Event] = []
        append = out.append
        try:
            while True:
                state = self._state
                if state == _HEADERS:
                    if self._browser_parts(out):
                        return out
                    state = self._state
                if state in (_DATA, _SKIPPED):
                    event = self._next_data()
                elif state == _HEADERS:
                    event = self._next_part()
                elif state == _DONE:
                    append(COMPLETE)
                    return out
                elif state <= _PREAMBLE:
                    event = self._next_preamble()
                elif state == _FIRST:
                    event = self._next_first()
                else:
                    event = self._next_padding()
                if event is not None:
                    append(event)
                    if event is NEED_DATA or event is COMPLETE:
                        return out
        except MultipartError as error:
            self._error = error
            if not out:
                raise
        return out

    def _browser_parts(self, out: list[Event]) -> bool:
        """Append the events of the parts with a browser's header block whose end is
        buffered; True when that includes the closing boundary (and COMPLETE).

        PERF: the common shape of a whole part runs here on locals: one regex match reads
        the header block (instead of checking it line by line) and one find its end.
        """
        buf = self._buf
        if buf.find(b"\r\n\r\n", self._scan) < 0:
            # The header block has not ended yet: matching it now would scan it again for
            # every piece that arrives (quadratic in its size when it comes a byte at a time).
            return False
        append = out.append
        pos = self._pos
        match = self._match_browser
        delimiter = self._delimiter
        length = self._delimiter_length
        limit = self._max_block + 4  # the block and the blank line after it
        state = _HEADERS
        while True:
            browser = match(buf, pos)
            if browser is None:
                break
            end = browser.end()
            if end - pos > limit:
                raise self._block_too_long()
            disposition, name, filename, content_type = browser.groups()
            headers = [("Content-Disposition", disposition.decode("ascii"))]
            if content_type is not None:
                content_type = content_type.decode("ascii")
                headers.append(("Content-Type", content_type))
            if filename is None:
                append(Field(name.decode("ascii"), headers))
            else:
                append(File(name.decode("ascii"), filename.decode("ascii"), headers, content_type))
            pos = end
            state = _DATA
            found = buf.find(delimiter, end)
            if found < 0:
                break
            after = found + length
            follow = buf[after : after + 2]
            if follow == b"\r\n":
                append(Data(buf[end:found], False))
                pos = after + 2
                state = _HEADERS
            elif follow == b"--":
                append(Data(buf[end:found], False))
                append(COMPLETE)
                self._state = _DONE
                return True
            else:
                break  # padding, a look-alike of the boundary, a chunk edge: the general path
        self._state = state
        self._pos = self._scan = pos
        return False

    # Each step below either returns an event or changes the state and returns None.

    def _next_preamble(self) -> Event | None:
        buf = self._buf
        if self._state == _START:
            first = self._delimiter[2:]
            if len(buf) < len(first) + 2 and not self._eof:
                return NEED_DATA  # too short to tell yet
            if not buf:
                self._state = _DONE  # an empty body: no fields, no files
                return COMPLETE
            if buf.startswith(first):
                if buf.startswith(b"\r\n", len(first)):
                    # PERF: the usual start, "--boundary" CRLF, goes straight to the headers.
                    self._pos = self._scan = len(first) + 2
                    self._state = _HEADERS
                else:
                    self._pos = self._scan = len(first)
                    self._state = _FIRST
                return None
            self._state = _PREAMBLE
        # RFC 2046 allows a preamble: skip to the first line that starts with the boundary.
        line_start = self._delimiter[1:]
        found = buf.find(line_start, self._scan)
        if found >= 0:
            self._pos = self._scan = found + len(line_start)
            self._state = _FIRST
            return None
        if self._eof:
            raise self._no_boundary()
        # Keep only a tail that could begin that line: the preamble costs no memory.
        self._pos = self._scan = max(self._pos, len(buf) - len(line_start) + 1)
        return NEED_DATA

    def _no_boundary(self) -> MultipartError:
        return MultipartError(
            f"the boundary line {self._delimiter[2:].decode('latin-1')!r} from the"
            " Content-Type header never appears in the body."
        )

    def _next_first(self) -> Event | None:
        buf = self._buf
        pos = self._pos
        if buf.startswith(b"--", pos):
            self._state = _DONE  # "--boundary--" alone: an empty form
            return COMPLETE
        if len(buf) - pos < 2 and buf[pos:] in (b"", b"-"):
            if self._eof:
                raise _cut_off()
            return NEED_DATA
        if buf[pos : pos + 1] not in (b" ", b"\t", b"\r", b"\n"):
            # "--boundary" and more on the line ("--boundary-x") is no boundary line: still
            # the preamble.
            self._state = _PREAMBLE
            self._scan = pos
            return None
        self._state = _PADDING
        return None

    def _next_padding(self) -> Event | None:
        # After a boundary: transport padding (blanks, RFC 2046) and then CRLF.
        buf = self._buf
        end = _BLANKS.match(buf, self._pos).end()  # type: ignore[union-attr]
        follow = buf[end : end + 2]
        if follow == b"\r\n":
            self._pos = self._scan = end + 2
            self._state = _HEADERS
            return None
        if follow in (b"", b"\r"):
            if self._eof:
                raise _cut_off()
            self._pos = self._scan = end  # blanks are dropped as they come
            return NEED_DATA
        raise MultipartError(
            "a boundary line goes on after the boundary; it must end with CRLF (line breaks"
            " in a multipart body are CRLF, not LF or CR alone)."
        )

    def _next_part(self) -> Event | None:
        buf = self._buf
        pos = self._pos
        limit = self._max_block
        if buf.startswith(b"\r\n", pos):
            lines: list[bytes] = []  # a blank line right away: a part without headers
            self._pos = self._scan = pos + 2
        else:
            end = buf.find(b"\r\n\r\n", self._scan)
            if end < 0:
                if len(buf) - pos >= limit + 4:
                    raise self._block_too_long()
                if self._eof:
                    raise _cut_off()
                # PERF: the next search starts where this one could still match, so a
                # header block fed in tiny pieces is scanned once.
                self._scan = max(pos, len(buf) - 3)
                return NEED_DATA
            if end - pos > limit:
                raise self._block_too_long()
            block = buf[pos:end]
            self._pos = self._scan = end + 4
            lines = block.split(b"\r\n")
            if len(lines) > self._max_headers:
                raise MultipartError(f"a part has more than {self._max_headers} headers.")
            if (
                block.count(b"\n") >= len(lines)
                or block.count(b"\r") >= len(lines)
                or b"\0" in block
            ):
                raise self._stray_character(lines)
        self._state = _DATA
        headers: list[tuple[str, str]] = []
        disposition = content_type = content_length = None
        for line in lines:
            raw_name, colon, raw_value = line.partition(b":")
            if not colon or not raw_name or raw_name.translate(None, _TOKEN_CHARS):
                raise MultipartError(
                    f"the part header line {line[:100]!r} is not a 'Name: value' line."
                )
            name = raw_name.decode("latin-1")
            # Values are kept as latin-1 text, the form request headers take, so that one
            # can be copied into a response header as it is.
            value = raw_value.strip(b" \t").decode("latin-1")
            headers.append((name, value))
            lower = name.lower()
            if lower == "content-disposition":
                if disposition is None:
                    disposition = value
            elif lower == "content-type":
                if content_type is None:
                    content_type = value
            elif (
                lower == "content-length"
                and content_length is None
                and value.isdigit()
                # str.isdigit() is true for "\xb2" too, which int() refuses; and a number
                # this long is a lie anyway.
                and value.isascii()
                and len(value) < 19
            ):
                content_length = value
        if disposition is not None:
            field_name, filename = parse_disposition(disposition)
            if field_name is not None:
                if filename is None:
                    return Field(field_name, headers)
                return File(
                    field_name,
                    filename,
                    headers,
                    content_type,
                    int(content_length) if content_length is not None else None,
                )
        self._state = _SKIPPED
        return OtherPart(headers)

    def _block_too_long(self) -> MultipartError:
        return MultipartError(
            f"a part's header block is over {self._max_block} bytes long (or never ends with"
            " a blank line)."
        )

    @staticmethod
    def _stray_character(lines: list[bytes]) -> MultipartError:
        for line in lines:
            if b"\r" in line or b"\n" in line or b"\0" in line:
                name = line.partition(b":")[0][:100].decode("latin-1")
                return MultipartError(
                    f"the part header {name!r} holds a carriage return, line feed or NUL"
                    " character that does not end its line."
                )
        raise AssertionError("unreachable: a stray character was counted")  # pragma: no cover

    def _next_data(self) -> Event | None:
        buf = self._buf
        pos = self._pos
        delimiter = self._delimiter
        reported = self._state == _DATA
        found = buf.find(delimiter, self._scan)
        while found >= 0:
            after = found + self._delimiter_length
            follow = buf[after : after + 2]
            if follow == b"\r\n":
                self._state = _HEADERS
                self._pos = self._scan = after + 2
            elif follow == b"--":
                self._state = _DONE
                self._pos = self._scan = after + 2
            elif follow[:1] == b" " or follow[:1] == b"\t":
                self._state = _PADDING
                self._pos = self._scan = after
            elif len(follow) == 2 or follow not in (b"", b"\r", b"-"):
                # "--boundary" followed by something else is content, not a boundary line.
                found = buf.find(delimiter, found + 1)
                continue
            else:
                break  # cut at the chunk edge: decided when more arrives
            return Data(buf[pos:found], False) if reported else None
        if self._eof:
            raise _cut_off()
        if found < 0:
            # Hold back a tail that may be the start of a boundary line cut at the chunk
            # edge; everything before it is content.
            found = len(buf)
            tail = buf.rfind(b"\r", max(pos, found - self._delimiter_length + 1))
            if tail >= 0 and delimiter.startswith(buf[tail:]):
                found = tail
        self._pos = self._scan = found
        if found > pos and reported:
            return Data(buf[pos:found], True)
        return NEED_DATA


# -- Content-Disposition ----------------------------------------------------------------------

# What browsers send, with no quoting subtleties in it: printable ASCII without '"', '%' or
# '\\' in the name and filename.
_PLAIN_DISPOSITION = re.compile(
    r'form-data; name="([\x20\x21\x23\x24\x26-\x5b\x5d-\x7e]*)"'
    r'(?:; filename="([\x20\x21\x23\x24\x26-\x5b\x5d-\x7e]*)")?'
)


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

    ``value`` is the header as latin-1 text; names and filenames are read as UTF-8 when
    they decode. ``name*`` is ignored (RFC 7578 forbids it in forms, and honouring it would
    let a body show a filter one name and the app another); ``filename*`` is used only when
    there is no plain ``filename``. A repeated parameter or an unterminated quote is a
    :class:`MultipartError`. Linear time.
    """
    plain = _PLAIN_DISPOSITION.fullmatch(value)
    if plain is not None:
        # PERF: the form every browser sends is read by one regex match (a third of the
        # general parser's time).
        return plain[1], plain[2]
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
                raise MultipartError(
                    f"a Content-Disposition header has an unterminated quote ({key})."
                )
            param = _unquote(text[pos + 1 : end])
            pos = text.find(";", end + 1)
        else:
            semi = text.find(";", pos)
            end = n if semi < 0 else semi
            param = text[pos:end].strip(" \t").replace("%22", '"')
            pos = semi
        if key in params:
            raise MultipartError(f"a Content-Disposition header repeats the {key!r} parameter.")
        params[key] = param
    filename = params.get("filename")
    if filename is None and "filename*" in params:
        filename = _decode_extended(params["filename*"])
    return params.get("name"), filename


__all__ = [
    "COMPLETE",
    "MAX_BOUNDARY_LENGTH",
    "MAX_HEADER_BLOCK_SIZE",
    "MAX_PART_HEADERS",
    "NEED_DATA",
    "Complete",
    "Data",
    "Event",
    "Field",
    "File",
    "MultipartDecoder",
    "MultipartError",
    "NeedData",
    "OtherPart",
    "parse_disposition",
]
