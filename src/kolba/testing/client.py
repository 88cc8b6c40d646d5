"""The test client: send requests to an app in process, with cookies and redirects."""

from __future__ import annotations

import typing as t
from contextlib import ExitStack, contextmanager
from copy import copy
from datetime import datetime, timezone
from urllib.parse import urlsplit

from ..sansio.datastructures import Headers
from ..sansio.http import dump_cookie, parse_date, parse_options_header
from ..wrappers import Response
from .builder import EnvironBuilder

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

    from ..app import Kolba
    from ..sessions import SessionMixin
    from ..wsgi.request import Request

_REDIRECT_CODES = frozenset((301, 302, 303, 305, 307, 308))


class ClientRedirectError(Exception):
    """``follow_redirects`` met a redirect loop."""


class Cookie:
    """A cookie the client holds; ``value`` is what the app set."""

    def __init__(
        self,
        key: str,
        value: str,
        domain: str,
        path: str,
        origin_only: bool,
        expires: datetime | None = None,
        secure: bool = False,
        http_only: bool = False,
        same_site: str | None = None,
        max_age: int | None = None,
    ) -> None:
        self.key = key
        self.value = value
        self.domain = domain
        self.path = path
        self.origin_only = origin_only
        self.expires = expires
        self.secure = secure
        self.http_only = http_only
        self.same_site = same_site
        self.max_age = max_age
        # The names Werkzeug's test client uses.
        self.decoded_key = key
        self.decoded_value = value

    def _matches(self, host: str, path: str) -> bool:
        host = host.lower()
        domain = self.domain.lower()
        if self.origin_only:
            if host != domain:
                return False
        elif host != domain and not host.endswith("." + domain.lstrip(".")):
            return False
        cookie_path = self.path or "/"
        return (
            path == cookie_path
            or path.startswith(cookie_path.rstrip("/") + "/")
            or cookie_path == "/"
        )

    @property
    def _expired(self) -> bool:
        if self.max_age is not None and self.max_age <= 0:
            return True
        return self.expires is not None and self.expires <= datetime.now(timezone.utc)

    def __repr__(self) -> str:
        return f"<Cookie {self.key}={self.value!r} domain={self.domain!r} path={self.path!r}>"


def _parse_set_cookie(header: str, origin_host: str) -> Cookie:
    pair, _, rest = header.partition(";")
    key, _, value = pair.partition("=")
    key = key.strip()
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        from ..sansio.http import parse_cookie

        value = parse_cookie(f"{key}={value}").get(key, value[1:-1])
    attrs = parse_options_header(f"x;{rest}")[1] if rest.strip() else {}
    lowered = {k.lower(): v for k, v in attrs.items()}
    flags = {part.strip().lower() for part in rest.split(";")}
    domain = lowered.get("domain")
    expires = parse_date(lowered["expires"]) if "expires" in lowered else None
    max_age: int | None = None
    if "max-age" in lowered:
        try:
            max_age = int(lowered["max-age"])
        except ValueError:
            max_age = None
    return Cookie(
        key,
        value,
        domain=(domain or origin_host).lstrip("."),
        path=lowered.get("path") or "/",
        origin_only=domain is None,
        expires=expires,
        secure="secure" in flags,
        http_only="httponly" in flags,
        same_site=lowered.get("samesite"),
        max_age=max_age,
    )


class TestResponse(Response):
    """What the test client returns: a response plus the ``request`` that produced it and
    the ``history`` of redirects followed to get here.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        response: t.Iterable[bytes],
        status: str,
        headers: Headers,
        request: Request,
        history: tuple[TestResponse, ...] = (),
        **kwargs: t.Any,
    ) -> None:
        super().__init__(response, status, headers, **kwargs)
        self.request = request
        self.history = history

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.get_data(as_text=True)  # type: ignore[no-any-return]


class KolbaClient:
    """Calls the app like a server would, keeping cookies between requests.

    ``with client:`` keeps the context of the last request pushed until the block ends, so
    ``request``, ``session`` and ``g`` can be inspected after a call.
    """

    __test__ = False

    def __init__(
        self,
        application: Kolba,
        response_wrapper: type[Response] | None = None,
        use_cookies: bool = True,
        allow_subdomain_redirects: bool = False,
    ) -> None:
        from .. import __version__

        self.application = application
        if response_wrapper in (None, Response):
            response_wrapper = TestResponse
        elif response_wrapper is not None and not issubclass(response_wrapper, TestResponse):
            response_wrapper = type("WrapperTestResponse", (TestResponse, response_wrapper), {})
        self.response_wrapper = t.cast(type[TestResponse], response_wrapper)
        self._cookies: dict[tuple[str, str, str], Cookie] | None = {} if use_cookies else None
        self.allow_subdomain_redirects = allow_subdomain_redirects
        self.preserve_context = False
        self._new_contexts: list[t.ContextManager[t.Any]] = []
        self._context_stack = ExitStack()
        self.environ_base: dict[str, t.Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": f"Kolba/{__version__}",
        }

    # -- cookies -------------------------------------------------------------------------------

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> Cookie | None:
        """The cookie ``key`` set for ``domain`` and ``path``, or None."""
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        return self._cookies.get((domain, path, key))

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        domain: str = "localhost",
        origin_only: bool = True,
        path: str = "/",
        **kwargs: t.Any,
    ) -> None:
        """Set a cookie as if the app had set it (sent with later requests)."""
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        header = dump_cookie(key, value, domain=domain, path=path, **kwargs)
        cookie = _parse_set_cookie(header, domain)
        cookie.origin_only = origin_only
        if cookie._expired:
            self._cookies.pop((domain, path, key), None)
        else:
            self._cookies[(domain, path, key)] = cookie

    def delete_cookie(
        self, key: str, *, domain: str = "localhost", path: str = "/", **kwargs: t.Any
    ) -> None:
        """Forget a cookie."""
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        self._cookies.pop((domain, path, key), None)

    def _add_cookies_to_wsgi(self, environ: WSGIEnvironment) -> None:
        if self._cookies is None:
            return
        host = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost"))
        host = host.split(":", 1)[0]
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
        for key in [k for k, c in self._cookies.items() if c._expired]:
            del self._cookies[key]
        values = [f"{c.key}={c.value}" for c in self._cookies.values() if c._matches(host, path)]
        if values:
            environ["HTTP_COOKIE"] = "; ".join(values)
        else:
            environ.pop("HTTP_COOKIE", None)

    def _update_cookies_from_response(self, host: str, path: str, headers: list[str]) -> None:
        if self._cookies is None:
            return
        for header in headers:
            cookie = _parse_set_cookie(header, host)
            key = (cookie.domain, cookie.path, cookie.key)
            if cookie._expired:
                self._cookies.pop(key, None)
            else:
                self._cookies[key] = cookie

    # -- sessions --------------------------------------------------------------------------------

    @contextmanager
    def session_transaction(self, *args: t.Any, **kwargs: t.Any) -> t.Iterator[SessionMixin]:
        """Open the session as the next request would see it, let the block change it, and
        keep the changes for the next request.
        """
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        app = self.application
        ctx = app.test_request_context(*args, **kwargs)
        self._add_cookies_to_wsgi(ctx.request.environ)
        with ctx:
            sess = app.session_interface.open_session(app, ctx.request)
        if sess is None:
            raise RuntimeError("Session backend did not open a session.")
        yield sess
        resp = app.response_class()
        if app.session_interface.is_null_session(sess):
            return
        with ctx:
            app.session_interface.save_session(app, sess, resp)
        self._update_cookies_from_response(
            ctx.request.host.partition(":")[0], ctx.request.path, resp.headers.getlist("Set-Cookie")
        )

    # -- requests --------------------------------------------------------------------------------

    def _copy_environ(self, other: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
        out = {**self.environ_base, **other}
        if self.preserve_context:
            out["kolba.debug.preserve_context"] = self._new_contexts.append
        return out

    def _request_from_builder_args(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> Request:
        kwargs["environ_base"] = self._copy_environ(kwargs.get("environ_base") or {})
        builder = EnvironBuilder(self.application, *args, **kwargs)
        try:
            return builder.get_request()
        finally:
            builder.close()

    def open(
        self,
        *args: t.Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        """Send a request. Takes the arguments of :class:`EnvironBuilder` (``path``,
        ``method``, ``data``, ``json``, ``headers``, ``query_string``...), or a builder, an
        environ dict or a request object.
        """
        from ..wsgi.request import Request as BaseRequest

        if args and isinstance(args[0], (EnvironBuilder, dict, BaseRequest)):
            first = args[0]
            if isinstance(first, EnvironBuilder):
                builder = copy(first)
                builder.environ_base = self._copy_environ(builder.environ_base or {})
                request = builder.get_request()
            elif isinstance(first, dict):
                request = EnvironBuilder.from_environ(
                    first, app=self.application, environ_base=self._copy_environ({})
                ).get_request()
            else:
                request = copy(first)
                request.environ = self._copy_environ(request.environ)
        else:
            request = self._request_from_builder_args(args, kwargs)
        # Contexts kept from the previous request end when the next one starts.
        self._context_stack.close()
        response = self._run(request, buffered)
        redirects: set[tuple[str | None, int]] = set()
        history: list[TestResponse] = []
        if follow_redirects:
            while response.status_code in _REDIRECT_CODES:
                if not buffered:
                    response.make_sequence()
                    response.close()
                entry = (response.location, response.status_code)
                if entry in redirects:
                    raise ClientRedirectError(
                        f"Loop detected: A {response.status_code} redirect to"
                        f" {response.location} was already made."
                    )
                redirects.add(entry)
                response.history = tuple(history)
                history.append(response)
                response = self.resolve_redirect(response, buffered=buffered)
        response.history = tuple(history)
        while self._new_contexts:
            cm = self._new_contexts.pop()
            self._context_stack.enter_context(cm)
        return response

    def _run(self, request: Request, buffered: bool) -> TestResponse:
        environ = request.environ
        self._add_cookies_to_wsgi(environ)
        app_iter, status, headers = run_wsgi_app(self.application, environ, buffered=buffered)
        host = str(environ.get("HTTP_HOST") or "localhost").split(":", 1)[0]
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
        self._update_cookies_from_response(host, path, headers.getlist("Set-Cookie"))
        response = self.response_wrapper(app_iter, status, headers, request=request)
        response.json_module = self.application.json
        return response

    def resolve_redirect(self, response: TestResponse, buffered: bool = False) -> TestResponse:
        """Follow one redirect: 307 and 308 keep the method and body, the others GET."""
        location = response.location or "/"
        parts = urlsplit(location)
        old = response.request
        builder = EnvironBuilder.from_environ(
            old.environ, path=parts.path or "/", query_string=parts.query
        )
        old_host = builder.host.split(":")[0]
        to_host = (parts.netloc or builder.host).split(":")[0]
        if to_host != old_host:
            if not (self.allow_subdomain_redirects and to_host.endswith("." + old_host)):
                raise RuntimeError("Following external redirects is not supported.")
        if parts.netloc:
            builder.host = parts.netloc
        if parts.scheme:
            builder.url_scheme = parts.scheme
        if parts.path and not parts.path.startswith("/"):
            base = old.path.rsplit("/", 1)[0]
            builder.path = f"{base}/{parts.path}"
        else:
            builder.path = parts.path or "/"
        # Redirects below the script root are paths relative to the host.
        if builder.script_root and builder.path.startswith(builder.script_root):
            builder.path = builder.path[len(builder.script_root) :] or "/"
        if response.status_code not in (307, 308):
            if builder.method != "HEAD":
                builder.method = "GET"
            builder.input_stream = None
            builder.content_length = None
            builder.headers.pop("Content-Type", None)
            builder.headers.pop("Content-Length", None)
            builder.headers.pop("Transfer-Encoding", None)
        else:
            stream = old.environ.get("wsgi.input")
            if stream is not None and hasattr(stream, "seek"):
                stream.seek(0)
        builder.environ_base = self._copy_environ(builder.environ_base or {})
        environ = builder.get_environ()
        environ.pop("HTTP_COOKIE", None)
        request = (self.application.request_class)(environ)
        return self._run(request, buffered)

    def get(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """A GET request."""
        return self.open(*args, method="GET", **kw)

    def post(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """A POST request."""
        return self.open(*args, method="POST", **kw)

    def put(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """A PUT request."""
        return self.open(*args, method="PUT", **kw)

    def delete(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """A DELETE request."""
        return self.open(*args, method="DELETE", **kw)

    def patch(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """A PATCH request."""
        return self.open(*args, method="PATCH", **kw)

    def options(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """An OPTIONS request."""
        return self.open(*args, method="OPTIONS", **kw)

    def head(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """A HEAD request."""
        return self.open(*args, method="HEAD", **kw)

    def trace(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """A TRACE request."""
        return self.open(*args, method="TRACE", **kw)

    def __enter__(self) -> KolbaClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.preserve_context = False
        self._context_stack.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.application!r}>"


def run_wsgi_app(
    app: WSGIApplication, environ: WSGIEnvironment, buffered: bool = False
) -> tuple[t.Iterable[bytes], str, Headers]:
    """Call a WSGI app; return ``(body iterable, status, headers)``.

    The body is read at once with ``buffered``; otherwise it is iterated lazily, and
    closed when the response is.
    """
    captured: list[t.Any] = []
    written: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        if exc_info is not None and captured:
            raise exc_info[1].with_traceback(exc_info[2])
        captured[:] = [status, headers]
        return written.append

    app_rv = app(environ, start_response)  # type: ignore[arg-type]
    close = getattr(app_rv, "close", None)
    iterator: t.Iterator[bytes] = iter(app_rv)
    if not captured:
        # The app calls start_response lazily, on its first chunk.
        first = next(iterator, None)
        if first is not None:
            written.append(first)
    if buffered:
        try:
            written.extend(iterator)
        finally:
            if close is not None:
                close()
        body: t.Iterable[bytes] = written
    elif written:
        body = _Chain(written, iterator, close)
    else:
        body = _Chain([], iterator, close)
    status, header_list = captured
    return body, status, Headers(header_list)


class _Chain:
    """Yields already-written chunks, then the rest of an app's iterable; closes it."""

    def __init__(
        self, first: list[bytes], rest: t.Iterator[bytes], close: t.Callable[[], t.Any] | None
    ) -> None:
        self._first = iter(first)
        self._rest = rest
        self._close = close

    def __iter__(self) -> _Chain:
        return self

    def __next__(self) -> bytes:
        for chunk in self._first:
            return chunk
        return next(self._rest)

    def close(self) -> None:
        if self._close is not None:
            close, self._close = self._close, None
            close()


__all__ = ["ClientRedirectError", "Cookie", "KolbaClient", "TestResponse", "run_wsgi_app"]
