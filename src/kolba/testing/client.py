"""The test client: call an app in process like a browser would, with cookies and redirects.

``app.test_client()`` returns a :class:`KolbaClient`. Each call (``client.get("/")``,
``client.post("/login", data={...})``) builds a WSGI environ with
:class:`~kolba.testing.EnvironBuilder`, runs the app, stores the cookies it set and returns
a :class:`TestResponse`.
"""

from __future__ import annotations

import io
import typing as t
from collections import deque
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from ..sansio.datastructures import Headers
from ..sansio.http import dump_cookie, parse_cookie, parse_date
from ..wrappers import Response
from .builder import EnvironBuilder, _uri_path, split_host, split_url, url_environ

if t.TYPE_CHECKING:
    from types import TracebackType

    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

    from ..app import Kolba
    from ..sessions import SessionMixin
    from ..wsgi.request import Request

#: The statuses ``follow_redirects`` follows (305 too, as Werkzeug does).
_REDIRECT_CODES = frozenset((301, 302, 303, 305, 307, 308))
#: The redirects that repeat the method and body; the others become a GET without body.
_REPEAT_BODY_CODES = frozenset((307, 308))
#: The environ key the app calls to hand its contexts over for ``with client:``.
_PRESERVE_KEY = "kolba.debug.preserve_context"
_COOKIES_DISABLED = (
    "Cookies are disabled. This client was made with use_cookies=False; make it with"
    " app.test_client() (cookies are on by default) to store cookies or use the session."
)


def _now() -> datetime:
    """The current time (a seam tests can replace to check expiry without sleeping)."""
    return datetime.now(timezone.utc)


class ClientRedirectError(Exception):
    """``follow_redirects`` met a redirect loop, or too many redirects."""


class Cookie:
    """A cookie the client holds, as the app's ``Set-Cookie`` header described it.

    ``value`` is the value as written in the header (quoted, if the app's value needed
    quoting) and is what the client sends back; ``decoded_value`` is the value the app set.
    ``domain`` has no leading dot. With ``origin_only`` (no Domain attribute was given) the
    cookie goes back to that exact host only, otherwise to its subdomains too.
    """

    def __init__(
        self,
        key: str,
        value: str,
        domain: str,
        path: str = "/",
        origin_only: bool = True,
        expires: datetime | None = None,
        max_age: int | None = None,
        secure: bool = False,
        http_only: bool = False,
        same_site: str | None = None,
        partitioned: bool = False,
        decoded_key: str | None = None,
        decoded_value: str | None = None,
    ) -> None:
        self.key = key
        self.value = value
        self.decoded_key = key if decoded_key is None else decoded_key
        self.decoded_value = value if decoded_value is None else decoded_value
        self.domain = domain.lstrip(".").lower()
        self.path = path
        self.origin_only = origin_only
        self.expires = expires
        self.max_age = max_age
        self.secure = secure
        self.http_only = http_only
        self.same_site = same_site
        self.partitioned = partitioned
        # When the cookie stops being sent; Max-Age wins over Expires (RFC 6265 5.3).
        self._deadline = expires
        if max_age is not None:
            self._deadline = _now() + timedelta(seconds=max_age)

    @classmethod
    def from_set_cookie(cls, header: str, host: str, request_path: str) -> Cookie | None:
        """Parse a ``Set-Cookie`` header received from ``host`` for ``request_path``.

        Returns None for a header without ``name=``, which browsers ignore too. Unknown
        or malformed attributes are skipped (RFC 6265 section 5.2).
        """
        pair, *attributes = header.split(";")
        key, sep, value = pair.partition("=")
        key, value = key.strip(" \t"), value.strip(" \t")
        if not sep or not key:
            return None
        attrs: dict[str, str] = {}
        for attribute in attributes:
            name, _, attr_value = attribute.partition("=")
            attrs[name.strip(" \t").lower()] = attr_value.strip(" \t")
        max_age: int | None = None
        raw_max_age = attrs.get("max-age", "")
        if raw_max_age.lstrip("-").isdigit():
            max_age = int(raw_max_age)
        path = attrs.get("path", "")
        if not path.startswith("/"):
            # RFC 6265 default-path: the request path up to its last "/".
            path = request_path.rpartition("/")[0] or "/"
        decoded = parse_cookie(f"{key}={value}")
        decoded_key, decoded_value = next(iter(decoded.items()), (key, value))
        domain = attrs.get("domain", "").lstrip(".")
        return cls(
            key,
            value,
            domain=domain or host,
            path=path,
            origin_only=not domain,
            expires=parse_date(attrs.get("expires")),
            max_age=max_age,
            secure="secure" in attrs,
            http_only="httponly" in attrs,
            same_site=attrs.get("samesite") or None,
            partitioned="partitioned" in attrs,
            decoded_key=decoded_key,
            decoded_value=decoded_value,
        )

    @property
    def _storage_key(self) -> tuple[str, str, str]:
        return self.domain, self.path, self.decoded_key

    def _is_expired(self, now: datetime) -> bool:
        return self._deadline is not None and self._deadline <= now

    def _matches(self, host: str, path: str) -> bool:
        """Whether a request to ``host`` and ``path`` carries this cookie (RFC 6265 5.1.3,
        5.1.4). Secure cookies are sent over plain HTTP too, as Flask's client does, so an
        app with ``SESSION_COOKIE_SECURE`` can be tested on ``http://localhost``.
        """
        if host != self.domain and (self.origin_only or not host.endswith("." + self.domain)):
            return False
        if self.path in (path, "/"):
            return True
        return path.startswith(self.path if self.path.endswith("/") else self.path + "/")

    def __repr__(self) -> str:
        return f"<Cookie {self.key}={self.value!r} domain={self.domain!r} path={self.path!r}>"


class TestResponse(Response):
    """What the test client returns: the app's response plus the ``request`` that produced
    it and the ``history`` of redirect responses followed to get here (oldest first).
    """

    __test__ = False  # a class named Test* that pytest must not collect
    # Show the headers exactly as the app sent them: no Content-Type where it sent none.
    default_mimetype = None

    #: The request that produced this response.
    request: Request
    #: The redirect responses that led here, when ``follow_redirects`` was used.
    history: tuple[TestResponse, ...]
    # The environ as the client built it (before cookies were added and the app ran) and
    # the start of its body, so a 307/308 redirect can send the same request again.
    _sent_environ: WSGIEnvironment | None = None
    _body_start: int | None = None

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
        """The body decoded as text."""
        return t.cast(str, self.get_data(as_text=True))


_wrappers: dict[type[Response], type[TestResponse]] = {}


def _wrapper_for(response_class: type[Response]) -> type[TestResponse]:
    """A TestResponse that is also the app's own response class (made once per class)."""
    if issubclass(response_class, TestResponse):
        return response_class
    wrapper = _wrappers.get(response_class)
    if wrapper is None:
        name = "WrapperTestResponse"
        wrapper = _wrappers[response_class] = type(name, (TestResponse, response_class), {})
    return wrapper


class KolbaClient:
    """Sends requests to an app without a server, keeping cookies between requests.

    Inside ``with client:``, the context of the last request stays pushed after the call,
    so ``request``, ``session`` and ``g`` can be inspected; it is popped by the next
    request or at the end of the block. A client can be reused for several blocks.
    """

    __test__ = False

    #: ``follow_redirects`` gives up with :class:`ClientRedirectError` after this many.
    max_redirects = 30

    def __init__(
        self,
        application: Kolba,
        response_wrapper: type[Response] | None = None,
        use_cookies: bool = True,
        allow_subdomain_redirects: bool = False,
    ) -> None:
        from .. import __version__

        self.application = application
        self.response_wrapper = _wrapper_for(response_wrapper or Response)
        #: The cookie jar, keyed by (domain, path, name); None when cookies are disabled.
        self._cookies: dict[tuple[str, str, str], Cookie] | None = {} if use_cookies else None
        self.allow_subdomain_redirects = allow_subdomain_redirects
        #: Environ values every request starts from (request arguments override them).
        self.environ_base: dict[str, t.Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": f"Kolba/{__version__}",
        }
        #: True inside ``with client:``.
        self.preserve_context = False
        self._new_contexts: list[t.ContextManager[t.Any]] = []
        self._context_stack = ExitStack()

    # -- cookies -----------------------------------------------------------------------------

    def _jar(self) -> dict[tuple[str, str, str], Cookie]:
        if self._cookies is None:
            raise TypeError(_COOKIES_DISABLED)
        return self._cookies

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> Cookie | None:
        """The cookie ``key`` stored for ``domain`` and ``path``, or None."""
        cookie = self._jar().get((domain.lstrip(".").lower(), path, key))
        if cookie is None or cookie._is_expired(_now()):
            return None
        return cookie

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
        """Store a cookie as if the app had set it; later requests to ``domain`` (and with
        ``origin_only=False`` its subdomains) under ``path`` send it. ``kwargs`` are the
        other cookie attributes (``max_age``, ``expires``, ``secure``, ``httponly``...).
        """
        header = dump_cookie(key, value, domain=domain, path=path, **kwargs)
        cookie = Cookie.from_set_cookie(header, domain, path)
        if cookie is not None:
            cookie.origin_only = origin_only
            self._store(cookie)

    def delete_cookie(
        self, key: str, *, domain: str = "localhost", path: str = "/", **kwargs: t.Any
    ) -> None:
        """Forget the cookie ``key`` stored for ``domain`` and ``path``. Other attributes
        (``secure``, ``httponly``...) are accepted and don't matter.
        """
        self._jar().pop((domain.lstrip(".").lower(), path, key), None)

    def _store(self, cookie: Cookie) -> None:
        jar = self._jar()
        if cookie._is_expired(_now()):
            # An expiry in the past is how a server deletes a cookie.
            jar.pop(cookie._storage_key, None)
        else:
            jar[cookie._storage_key] = cookie

    def _cookie_header(self, environ: WSGIEnvironment) -> str | None:
        """The Cookie header for a request: the test's own Cookie header, if it passed
        one, then the stored cookies that match the request's host and path (except those
        the own header already names: it wins).
        """
        own = environ.get("HTTP_COOKIE") or None
        if self._cookies is None:
            return own
        now = _now()
        for key in [key for key, cookie in self._cookies.items() if cookie._is_expired(now)]:
            del self._cookies[key]
        host, path = _host_and_path(environ)
        named = set(parse_cookie(own)) if own is not None else set()
        pairs = [
            f"{cookie.key}={cookie.value}"
            for cookie in self._cookies.values()
            if cookie._matches(host, path) and cookie.decoded_key not in named
        ]
        if own is not None:
            pairs.insert(0, own)
        return "; ".join(pairs) or None

    def _store_from_response(self, environ: WSGIEnvironment, headers: Headers) -> None:
        if self._cookies is None:
            return
        host, path = _host_and_path(environ)
        for header in headers.getlist("Set-Cookie"):
            cookie = Cookie.from_set_cookie(header, host, path)
            if cookie is not None:
                self._store(cookie)

    # -- sessions ----------------------------------------------------------------------------

    @contextmanager
    def session_transaction(self, *args: t.Any, **kwargs: t.Any) -> t.Iterator[SessionMixin]:
        """Edit the session the next request will see::

            with client.session_transaction() as session:
                session["user_id"] = 1

        The session is opened from the client's cookies, the block changes it, and it is
        saved back into them. The arguments are those of ``app.test_request_context`` and
        set the URL the session is opened for (its cookie domain and path).
        """
        if self._cookies is None:
            raise TypeError(_COOKIES_DISABLED)
        app = self.application
        ctx = app.test_request_context(*args, **kwargs)
        environ = ctx.request.environ
        header = self._cookie_header(environ)
        if header is not None:
            environ["HTTP_COOKIE"] = header
        interface = app.session_interface
        # Pushed while the interface works, so a custom one can use current_app, g or
        # request, as it would during a request.
        with ctx:
            session = interface.open_session(app, ctx.request)
        if session is None:
            raise RuntimeError(
                "Session backend did not open a session. The session interface returned"
                " None; for the default cookie session, set app.secret_key (SECRET_KEY)."
            )
        yield session
        if interface.is_null_session(session):
            return
        response = app.response_class()
        with ctx:
            interface.save_session(app, session, response)
        self._store_from_response(environ, response.headers)

    # -- requests ----------------------------------------------------------------------------

    def open(
        self,
        *args: t.Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        """Send a request and return the response.

        Takes :class:`EnvironBuilder`'s arguments (``path``, ``method``, ``query_string``,
        ``headers``, ``data``, ``json``, ``content_type``, ``base_url``, ``subdomain``,
        ``environ_base``, ``environ_overrides``...), or a single builder, environ dict or
        request object to send as it is. ``buffered`` reads the whole body before
        returning; ``follow_redirects`` follows redirects and records them in ``history``.
        """
        environ = self._environ_from(args, kwargs)
        # Contexts kept from the previous request end before the next one starts.
        self._context_stack.close()
        response = self._send(environ, buffered)
        if follow_redirects:
            response = self._follow(response, buffered)
        kept = list(self._new_contexts)
        self._new_contexts.clear()
        for cm in kept:
            self._context_stack.enter_context(cm)
        return response

    def _environ_from(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> dict[str, t.Any]:
        from ..wsgi.request import Request as BaseRequest

        first = args[0] if len(args) == 1 else None
        if isinstance(first, (EnvironBuilder, dict, BaseRequest)):
            # The helpers (client.post(...)) pass a method; the given request keeps its own.
            kwargs.pop("method", None)
            if kwargs:
                raise TypeError(
                    f"Got request arguments {sorted(kwargs)} with a ready-made"
                    f" {type(first).__name__}. Set them on it instead, or pass only arguments."
                )
            if isinstance(first, EnvironBuilder):
                environ = dict(first.get_environ())
            else:
                given = first.environ if isinstance(first, BaseRequest) else first
                # Fill in whatever keys a hand-written environ leaves out.
                builder = EnvironBuilder.from_environ(given, app=self.application)
                environ = dict(builder.get_environ())
                environ.update(given)
            for key, value in self.environ_base.items():
                environ.setdefault(key, value)
        else:
            kwargs["environ_base"] = {**self.environ_base, **(kwargs.get("environ_base") or {})}
            builder = EnvironBuilder(self.application, *args, **kwargs)
            try:
                environ = dict(builder.get_environ())
            finally:
                builder.close()
        return environ

    def _send(self, environ: dict[str, t.Any], buffered: bool) -> TestResponse:
        if self.preserve_context:
            environ[_PRESERVE_KEY] = self._new_contexts.append
        else:
            environ.pop(_PRESERVE_KEY, None)
        # Only the last request of a redirect chain keeps its contexts.
        self._new_contexts.clear()
        sent = dict(environ)
        body_start = _tell(environ.get("wsgi.input"))
        header = self._cookie_header(environ)
        if header is None:
            environ.pop("HTTP_COOKIE", None)
        else:
            environ["HTTP_COOKIE"] = header
        request = self.application.request_class(environ)
        body, status, headers = run_wsgi_app(self.application, environ, buffered=buffered)
        self._store_from_response(environ, headers)
        response = self.response_wrapper(body, status, headers, request=request)
        response.json_module = self.application.json
        response._sent_environ = sent
        response._body_start = body_start
        return response

    def _follow(self, response: TestResponse, buffered: bool) -> TestResponse:
        history: list[TestResponse] = []
        seen: set[tuple[str, int]] = set()
        while response.status_code in _REDIRECT_CODES and response.location is not None:
            step = (response.location, response.status_code)
            if step in seen:
                raise ClientRedirectError(
                    f"Redirect loop: {response.request.path!r} redirected ({step[1]}) to"
                    f" {step[0]!r}, which this chain already followed. Fix the redirect"
                    " logic, or call without follow_redirects to inspect each step."
                )
            if len(history) >= self.max_redirects:
                raise ClientRedirectError(
                    f"Gave up after {len(history)} redirects (the last to {step[0]!r})."
                    " Raise client.max_redirects if the chain is meant to be that long."
                )
            seen.add(step)
            if not buffered:
                # Read the body now: the next request may reuse what it depends on.
                response.make_sequence()
                response.close()
            response.history = tuple(history)
            history.append(response)
            response = self.resolve_redirect(response, buffered=buffered)
        response.history = tuple(history)
        return response

    def resolve_redirect(self, response: TestResponse, buffered: bool = False) -> TestResponse:
        """Send the request that ``response``'s redirect asks for: 307 and 308 repeat the
        method and body, the others become a GET without body (HEAD stays HEAD).
        """
        sent = dict(response._sent_environ or response.request.environ)
        location = response.location or "/"
        scheme, netloc, path, query = split_url(urljoin(_current_url(sent), location))
        old_name = _host_and_path(sent)[0]
        new_name = split_host(scheme, netloc)[0].lower()
        if new_name != old_name:
            related = new_name.endswith("." + old_name) or old_name.endswith("." + new_name)
            if not related:
                raise RuntimeError(
                    f"The redirect to {location!r} leaves the app's host {old_name!r}; the"
                    " test client only calls this app. Assert on response.location instead."
                )
            if not self.allow_subdomain_redirects:
                raise RuntimeError(
                    f"The redirect to {location!r} moves from {old_name!r} to {new_name!r}."
                    " Set client.allow_subdomain_redirects = True to follow it."
                )
        script_root = _uri_path(sent.get("SCRIPT_NAME", ""))
        if path == script_root or path.startswith(script_root + "/"):
            path = path[len(script_root) :] or "/"
        else:
            # Outside the app's root: the request goes to the path as a whole.
            script_root = ""
        sent.update(url_environ(scheme, netloc, script_root, path, query))
        if response.status_code in _REPEAT_BODY_CODES:
            stream = sent.get("wsgi.input")
            if stream is not None and response._body_start is not None:
                stream.seek(response._body_start)
            elif sent.get("CONTENT_LENGTH") not in (None, "", "0") or sent.get(
                "wsgi.input_terminated"
            ):
                raise RuntimeError(
                    f"A {response.status_code} redirect must send the body again, but the"
                    " request's input stream can't seek back. Pass the body as 'data'."
                )
        else:
            if sent.get("REQUEST_METHOD") != "HEAD":
                sent["REQUEST_METHOD"] = "GET"
            sent["wsgi.input"] = io.BytesIO()
            for key in ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING"):
                sent.pop(key, None)
            sent.pop("wsgi.input_terminated", None)
        return self._send(sent, buffered)

    def get(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a GET request (the arguments of :meth:`open`)."""
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a POST request (the arguments of :meth:`open`)."""
        return self.open(*args, method="POST", **kwargs)

    def put(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a PUT request (the arguments of :meth:`open`)."""
        return self.open(*args, method="PUT", **kwargs)

    def patch(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a PATCH request (the arguments of :meth:`open`)."""
        return self.open(*args, method="PATCH", **kwargs)

    def delete(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a DELETE request (the arguments of :meth:`open`)."""
        return self.open(*args, method="DELETE", **kwargs)

    def head(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a HEAD request (the arguments of :meth:`open`)."""
        return self.open(*args, method="HEAD", **kwargs)

    def options(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send an OPTIONS request (the arguments of :meth:`open`)."""
        return self.open(*args, method="OPTIONS", **kwargs)

    def trace(self, *args: t.Any, **kwargs: t.Any) -> TestResponse:
        """Send a TRACE request (the arguments of :meth:`open`)."""
        return self.open(*args, method="TRACE", **kwargs)

    # -- with client: ------------------------------------------------------------------------

    def __enter__(self) -> KolbaClient:
        if self.preserve_context:
            raise RuntimeError(
                "This client is already inside a 'with client:' block. Leave it first, or"
                " use a second client for the inner block."
            )
        self.preserve_context = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.preserve_context = False
        self._context_stack.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.application!r}>"


def _rooted(path: str) -> str:
    """``path`` starting with a slash: ``client.get("admin/upload")`` sends the path as
    given (as Flask's client does), but cookies and redirects resolve it from the root.
    """
    return path if not path or path.startswith("/") else "/" + path


def _host_and_path(environ: WSGIEnvironment) -> tuple[str, str]:
    """The host name and path a request's cookies are matched against."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "localhost"
    name = split_host(environ.get("wsgi.url_scheme", "http"), host)[0].lower()
    path = f"{environ.get('SCRIPT_NAME', '')}{_rooted(environ.get('PATH_INFO', ''))}" or "/"
    return name, path


def _current_url(environ: WSGIEnvironment) -> str:
    """The URL of a request, for resolving a relative Location against it."""
    root = _uri_path(environ.get("SCRIPT_NAME", ""))
    path = _rooted(_uri_path(environ.get("PATH_INFO", ""))) or "/"
    query = environ.get("QUERY_STRING")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "localhost"
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{root}{path}"
    return f"{url}?{query}" if query else url


def _tell(stream: t.IO[bytes] | None) -> int | None:
    try:
        return stream.tell() if stream is not None and stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def run_wsgi_app(
    app: WSGIApplication, environ: WSGIEnvironment, buffered: bool = False
) -> tuple[t.Iterable[bytes], str, Headers]:
    """Call a WSGI app and return ``(body, status, headers)``.

    With ``buffered`` the whole body is read (and the app's iterable closed) before this
    returns; otherwise the body is read as it is iterated, and closing it closes the app's
    iterable. Supports apps that call ``start_response`` late (on their first chunk) and
    the legacy ``write()`` callable.
    """
    started: list[t.Any] = []
    pending: deque[bytes] = deque()  # written with write(), or read to find the headers
    handed_out = False  # the headers were returned to the caller

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], object]:
        if started and exc_info is None:
            raise RuntimeError(
                "start_response was called twice without exc_info. Pass exc_info when"
                " replacing the headers after an error."
            )
        if exc_info is not None and handed_out:
            # The caller has the headers already: they can no longer change (PEP 3333).
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return pending.append

    app_iter = app(environ, start_response)
    close = getattr(app_iter, "close", None)
    body = _AppBody(pending, iter(app_iter), close)
    try:
        if not started:
            # The app starts the response on its first chunk (WSGI allows that).
            first = next(body._rest, None)
            if first is not None:
                pending.append(first)
        if not started:
            raise RuntimeError(
                "The WSGI app returned without calling start_response. It must call it"
                " before (or while) producing its body."
            )
        if buffered:
            chunks = list(body)
            body.close()
            return chunks, started[0], Headers(started[1])
    except BaseException:
        body.close()
        raise
    handed_out = True
    return body, started[0], Headers(started[1])


class _AppBody:
    """A WSGI app's body: what was already written, then the rest of its iterable."""

    def __init__(
        self,
        pending: deque[bytes],
        rest: t.Iterator[bytes],
        close: t.Callable[[], object] | None,
    ) -> None:
        self._pending = pending
        self._rest = rest
        self._close = close

    def __iter__(self) -> _AppBody:
        return self

    def __next__(self) -> bytes:
        if self._pending:
            return self._pending.popleft()
        chunk = next(self._rest)
        if self._pending:
            # write() was called while producing this chunk: it comes first.
            self._pending.append(chunk)
            return self._pending.popleft()
        return chunk

    def close(self) -> None:
        """Close the app's iterable (once)."""
        close, self._close = self._close, None
        if close is not None:
            close()


__all__ = ["ClientRedirectError", "Cookie", "KolbaClient", "TestResponse", "run_wsgi_app"]
