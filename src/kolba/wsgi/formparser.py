"""Reading form bodies (urlencoded and multipart) into ``request.form`` and ``request.files``.

:class:`FormDataParser` has Werkzeug's constructor and ``parse`` signature, so a request
subclass that sets ``form_data_parser_class`` ports unchanged. Every limit is enforced while
reading, before the data is held: the body is never read past the point where a limit fails.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from ..sansio.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from ..sansio.urls import url_decode
from .formbase import SPOOL_MAX_SIZE as SPOOL_MAX_SIZE
from .formbase import MalformedFormError as MalformedFormError
from .formbase import StreamFactory as StreamFactory
from .formbase import default_stream_factory as default_stream_factory
from .formbase import too_large as too_large
from .multipart import MultipartParser
from .streams import EmptyStream, LimitedStream

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

#: The content types whose bodies become ``request.form``.
FORM_MIMETYPES = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))


class FormDataParser:
    """Parses a form body into ``(stream, form, files)``.

    ``max_form_memory_size`` limits one non-file multipart field and a whole urlencoded
    body; ``max_form_parts`` limits the number of multipart parts; ``max_content_length``
    the whole body. Each is a 413 when exceeded. ``stream_factory`` makes the file each
    upload is written to (see :func:`default_stream_factory`).

    A malformed body is a 400 Bad Request, unless ``silent``: then what was parsed before
    the error is dropped and the results are empty (Werkzeug's default). Size limits are
    never silent.
    """

    def __init__(
        self,
        stream_factory: StreamFactory | None = None,
        max_form_memory_size: int | None = None,
        max_content_length: int | None = None,
        cls: type[MultiDict[str, Any]] | None = None,
        silent: bool = True,
        *,
        max_form_parts: int | None = None,
    ) -> None:
        self.stream_factory: StreamFactory = stream_factory or default_stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.max_content_length = max_content_length
        self.max_form_parts = max_form_parts
        self.cls: type[MultiDict[str, Any]] = cls or ImmutableMultiDict
        self.silent = silent

    def parse_from_environ(
        self, environ: WSGIEnvironment
    ) -> tuple[IO[bytes], MultiDict[str, Any], MultiDict[str, Any]]:
        """Parse the body of a WSGI ``environ`` (Content-Length and limits applied)."""
        from .request import Request

        request = Request(environ, populate_request=False)
        request.max_content_length = self.max_content_length
        return self.parse(
            request.stream, request.mimetype, request.content_length, request.mimetype_params
        )

    def parse(
        self,
        stream: IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str] | None = None,
    ) -> tuple[IO[bytes], MultiDict[str, Any], MultiDict[str, Any]]:
        """Parse ``stream`` as a body of type ``mimetype``.

        Returns the stream left over (empty for a parsed form body, the untouched
        ``stream`` for other types), the fields and the files.
        """
        if mimetype not in FORM_MIMETYPES:
            return stream, self.cls(), self.cls()
        if (
            self.max_content_length is not None
            and content_length is not None
            and content_length > self.max_content_length
        ):
            raise too_large(
                f"The request body is {content_length} bytes, over the limit of"
                f" {self.max_content_length} bytes.",
                "MAX_CONTENT_LENGTH",
            )
        if self.max_content_length is not None and not isinstance(stream, LimitedStream):
            # A stream the request did not wrap (a raw file): stop it at the maximum too.
            stream = LimitedStream(stream, self.max_content_length, is_max=True)  # type: ignore[assignment]
        try:
            if mimetype == "multipart/form-data":
                form, files = self._parse_multipart(stream, content_length, options or {})
            else:
                form, files = self._parse_urlencoded(stream, content_length), self.cls()
        except MalformedFormError:
            if not self.silent:
                raise
            form, files = self.cls(), self.cls()
        return EmptyStream(), form, files  # type: ignore[return-value]

    def _parse_urlencoded(
        self, stream: IO[bytes], content_length: int | None
    ) -> MultiDict[str, Any]:
        return parse_urlencoded(stream, content_length, self.max_form_memory_size, self.cls)

    def _parse_multipart(
        self, stream: IO[bytes], content_length: int | None, options: dict[str, str]
    ) -> tuple[MultiDict[str, Any], MultiDict[str, FileStorage]]:
        boundary = options.get("boundary")
        if not boundary:
            raise MalformedFormError(
                "The multipart/form-data body has no boundary: the Content-Type header needs"
                " one, as in 'multipart/form-data; boundary=XyZ'."
            )
        parser = MultipartParser(
            self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        return parser.parse(stream, boundary, content_length)


def parse_urlencoded(
    stream: IO[bytes],
    content_length: int | None,
    max_form_memory_size: int | None,
    cls: type[MultiDict[str, Any]],
) -> MultiDict[str, Any]:
    """Read an ``application/x-www-form-urlencoded`` body into a ``cls`` MultiDict.

    A body over ``max_form_memory_size`` bytes is a 413: refused before reading when the
    Content-Length says so, else as soon as one byte more than the limit has arrived.
    """
    limit = max_form_memory_size
    if limit is None:
        data = stream.read()
    else:
        if content_length is not None and content_length > limit:
            raise too_large(
                f"The urlencoded form body is {content_length} bytes, over the limit of"
                f" {limit} bytes.",
                "MAX_FORM_MEMORY_SIZE",
            )
        data = stream.read(limit + 1)
        if len(data) <= limit and (content_length is None or len(data) < content_length):
            # A stream may return less than asked for before its end; a bytearray keeps
            # collecting many small reads linear.
            buffer = bytearray(data)
            while len(buffer) <= limit:
                more = stream.read(limit + 1 - len(buffer))
                if not more:
                    break
                buffer += more
            data = bytes(buffer)
        if len(data) > limit:
            raise too_large(
                f"The urlencoded form body is over the limit of {limit} bytes.",
                "MAX_FORM_MEMORY_SIZE",
            )
    return url_decode(data, cls=cls, errors="percent")


def parse_form_data(
    environ: WSGIEnvironment,
    stream_factory: StreamFactory | None = None,
    max_form_memory_size: int | None = None,
    max_content_length: int | None = None,
    cls: type[MultiDict[str, Any]] | None = None,
    silent: bool = True,
    *,
    max_form_parts: int | None = None,
) -> tuple[IO[bytes], MultiDict[str, Any], MultiDict[str, Any]]:
    """Parse the form body of a WSGI ``environ``: ``(stream, form, files)``.

    A shortcut for ``FormDataParser(...).parse_from_environ(environ)``.
    """
    return FormDataParser(
        stream_factory,
        max_form_memory_size,
        max_content_length,
        cls,
        silent,
        max_form_parts=max_form_parts,
    ).parse_from_environ(environ)


__all__ = [
    "FORM_MIMETYPES",
    "FormDataParser",
    "MalformedFormError",
    "default_stream_factory",
    "parse_form_data",
    "parse_urlencoded",
]
