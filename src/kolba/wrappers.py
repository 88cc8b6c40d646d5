"""The Request and Response classes apps use: the WSGI ones plus what the app adds
(the matched rule, blueprint names, limits read from the app config).
"""

from __future__ import annotations

import typing as t

from . import json
from .globals import _app_ctx_or_none, _cv_request
from .sansio.exceptions import BadRequest
from .wsgi.request import Request as _WSGIRequest
from .wsgi.response import Response as _WSGIResponse

if t.TYPE_CHECKING:
    from .routing import Rule
    from .sansio.datastructures import FileStorage, MultiDict


def _split_blueprint_path(name: str) -> list[str]:
    out = [name]
    while "." in name:
        name = name.rpartition(".")[0]
        out.append(name)
    return out


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[key]`` failed in debug mode because the body was not multipart.

    The usual cause is an HTML form without ``enctype="multipart/form-data"``: the browser
    then sends the file's name as a plain form field instead of its contents.
    """

    def __init__(self, request: Request, key: str) -> None:
        message = (
            f"request.files has no file {key!r}: the request body is"
            f" {request.mimetype or 'empty'!r}, not 'multipart/form-data', so no file was"
            ' uploaded. Add enctype="multipart/form-data" to the HTML <form> that sends it.'
        )
        sent = request.form.getlist(key)
        if sent:
            names = ", ".join(repr(name) for name in sent)
            message += f" The browser sent only the file name instead: {names}."
        super().__init__(message)
        self.msg = message

    def __str__(self) -> str:
        return self.msg


_hint_classes: dict[type[t.Any], type[t.Any]] = {}


def _files_with_enctype_hint(files: t.Any) -> None:
    """Make a missing key in ``files`` raise :class:`DebugFilesKeyError` (debug mode)."""
    base = type(files)
    hint_class = _hint_classes.get(base)
    if hint_class is None:

        def __getitem__(self: t.Any, key: str) -> t.Any:
            try:
                return base.__getitem__(self, key)
            except KeyError:
                ctx = _cv_request.get(None)
                if ctx is None:
                    raise
                raise DebugFilesKeyError(ctx.request, key) from None

        hint_class = type(
            base.__name__,
            (base,),
            {"__slots__": (), "__getitem__": __getitem__, "_enctype_hint": True},
        )
        _hint_classes[base] = hint_class
    files.__class__ = hint_class


def _config_limit(request: Request, attr: str, key: str, fallback: t.Any) -> t.Any:
    value = request.__dict__.get(attr)
    if value is not None:
        return value
    ctx = _app_ctx_or_none()
    if ctx is None:
        return fallback
    return ctx.app.config[key]


class Request(_WSGIRequest):
    """The request object (``kolba.request``).

    Beyond the WSGI request it knows the matched ``url_rule``, ``view_args`` and
    ``endpoint``, the ``blueprint`` it belongs to, and reads its size limits from the
    app config (MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE, MAX_FORM_PARTS) unless set on
    the request itself.
    """

    json_module: t.Any = json

    #: The rule that matched, or None before matching or when nothing matched.
    url_rule: Rule | None = None
    #: The values the rule captured from the URL.
    view_args: dict[str, t.Any] | None = None
    #: The NotFound, MethodNotAllowed or redirect that matching produced, if any.
    routing_exception: Exception | None = None

    @property
    def max_content_length(self) -> int | None:
        """The body size limit: set per request, else MAX_CONTENT_LENGTH."""
        return _config_limit(self, "_max_content_length", "MAX_CONTENT_LENGTH", None)  # type: ignore[no-any-return]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self.__dict__["_max_content_length"] = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The limit of one non-file form field: set per request, else MAX_FORM_MEMORY_SIZE."""
        return _config_limit(  # type: ignore[no-any-return]
            self, "_max_form_memory_size", "MAX_FORM_MEMORY_SIZE", 500_000
        )

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self.__dict__["_max_form_memory_size"] = value

    @property
    def max_form_parts(self) -> int | None:
        """The limit of multipart parts: set per request, else MAX_FORM_PARTS."""
        return _config_limit(self, "_max_form_parts", "MAX_FORM_PARTS", 1000)  # type: ignore[no-any-return]

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self.__dict__["_max_form_parts"] = value

    @property
    def files(self) -> MultiDict[str, FileStorage]:
        """The uploaded files of a multipart body, as FileStorage objects.

        In debug mode, a missing file on a body that is not multipart raises
        :class:`DebugFilesKeyError`, which names the likely cause: a form without
        ``enctype="multipart/form-data"``.
        """
        # PERF: the check lives here, not in form parsing, so requests that read only
        # request.form pay nothing for it.
        files: MultiDict[str, FileStorage] | None = self.__dict__.get("files")
        if files is None:
            self._load_form_data()
            files = self.__dict__["files"]
        if not files and not getattr(files, "_enctype_hint", False):
            ctx = _app_ctx_or_none()
            if ctx is not None and ctx.app.debug and self.mimetype != "multipart/form-data":
                _files_with_enctype_hint(files)
        return files

    @files.setter
    def files(self, value: MultiDict[str, FileStorage]) -> None:
        self.__dict__["files"] = value

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule."""
        rule = self.url_rule
        return rule.endpoint if rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The name of the blueprint of the matched endpoint (dotted when nested)."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint of the endpoint and its parents, innermost first."""
        name = self.blueprint
        if name is None:
            return []
        return _split_blueprint_path(name)

    def on_json_loading_failed(self, e: Exception | None) -> t.Any:
        """400 for malformed JSON (the parser's message only in debug), 415 for a body that
        is not declared as JSON.
        """
        try:
            return super().on_json_loading_failed(e)
        except BadRequest as error:
            ctx = _app_ctx_or_none()
            if ctx is not None and ctx.app.debug:
                raise
            if e is None:
                raise
            raise BadRequest(
                "The request body is not valid JSON. Check the syntax of the JSON document."
            ) from error


class Response(_WSGIResponse):
    """The response object. Its default mimetype is ``text/html``."""

    default_mimetype: str | None = "text/html"
    json_module: t.Any = json

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """MAX_COOKIE_SIZE of the current app (4093 outside one); 0 disables the check."""
        ctx = _app_ctx_or_none()
        if ctx is not None:
            return ctx.app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]
        return super().max_cookie_size


__all__ = ["DebugFilesKeyError", "Request", "Response"]
