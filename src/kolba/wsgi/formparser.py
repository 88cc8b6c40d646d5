"""Reading form bodies (urlencoded and multipart) into ``request.form`` and ``request.files``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..sansio.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from ..sansio.exceptions import RequestEntityTooLarge
from ..sansio.urls import url_decode

if TYPE_CHECKING:
    from .request import Request


def _too_large(what: str, size: int, limit: int, setting: str) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(
        f"The {what} is {size} bytes, over the limit of {limit}. Raise {setting}"
        f" (or request.{setting.lower()}) to accept it."
    )


def parse_form_data(
    request: Request,
) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
    """Parse the request body as a form, by its content type.

    Other content types give empty results and leave the body unread, so ``request.data``
    still has it.
    """
    storage: type[MultiDict[str, Any]] = request.parameter_storage_class
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        return _parse_urlencoded(request, storage), storage()
    if mimetype == "multipart/form-data":
        from .multipart import parse_multipart

        return parse_multipart(request, storage)
    return storage(), storage()


def _parse_urlencoded(request: Request, storage: type[MultiDict[str, Any]]) -> MultiDict[str, str]:
    limit = request.max_form_memory_size
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        raise _too_large("urlencoded form body", length, limit, "MAX_FORM_MEMORY_SIZE")
    stream = request.stream
    if limit is not None and length is None:
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise _too_large("urlencoded form body", len(data), limit, "MAX_FORM_MEMORY_SIZE")
    else:
        data = stream.read()
    return url_decode(data, cls=storage)


__all__ = ["ImmutableMultiDict", "parse_form_data"]
