"""The floor: plain WSGI callables doing each scenario's work with the standard library only.

No framework, no request or response objects: a dict lookup dispatches static paths, prefix
tests handle the routes with an int. Each handler still does the work the scenario asks for
(parse the query, the form body, the cookies and the multipart body; serialise JSON; sign the
session; render the template; stat and read the static file; send Content-Type and
Content-Length), so the gap between this and a framework is what the framework's machinery
costs. Where a library does the work in every framework (Jinja2, itsdangerous), raw calls it too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from datetime import timedelta
from email.utils import formatdate, parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, parse_qsl

from itsdangerous import BadSignature
from jinja2 import Environment, FileSystemLoader, select_autoescape
from scenario_data import (
    NESTED_PREFIXES,
    ROWS,
    SECRET_KEY,
    STATIC_DIR,
    TEMPLATES_DIR,
    session_serializer,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Reply = tuple[str, list[tuple[str, str]], bytes]
Handler = Callable[["WSGIEnvironment"], Reply]

HTML = "text/html; charset=utf-8"
JINJA = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(), auto_reload=False
)
SESSION = session_serializer(SECRET_KEY)
SESSION_MAX_AGE = int(timedelta(days=31).total_seconds())
REPORT_PREFIX = "".join(NESTED_PREFIXES) + "/"


def _text(body: str, status: str = "200 OK", content_type: str = HTML) -> Reply:
    data = body.encode()
    return status, [("Content-Type", content_type), ("Content-Length", str(len(data)))], data


def _cookies(environ: WSGIEnvironment) -> dict[str, str]:
    jar = {}
    for pair in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = pair.partition("=")
        jar[name.strip()] = value.strip()
    return jar


def hello(environ: WSGIEnvironment) -> Reply:
    return _text("Hello, World!")


def json_view(environ: WSGIEnvironment) -> Reply:
    values = parse_qs(environ.get("QUERY_STRING", "")).get("n")
    data = json.dumps({"n": int(values[0]) if values else 0, "message": "Hello, World!"}).encode()
    return (
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        data,
    )


def _body(environ: WSGIEnvironment) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length)  # type: ignore[no-any-return]


def form(environ: WSGIEnvironment) -> Reply:
    if environ["REQUEST_METHOD"] != "POST":
        return _text("405 Method Not Allowed", "405 Method Not Allowed", "text/plain")
    data = dict(parse_qsl(_body(environ).decode()))
    return _text(f"{data['first']} {data['last']} {data['email']} {data['age']} {data['city']}")


def cookies(environ: WSGIEnvironment) -> Reply:
    jar = _cookies(environ)
    status, headers, data = _text(f"{jar.get('theme')} {jar.get('lang')} {jar.get('sid')}")
    headers.append(("Set-Cookie", "seen=1; Path=/"))
    return status, headers, data


def template(environ: WSGIEnvironment) -> Reply:
    return _text(JINJA.get_template("table.html").render(title="Items", rows=ROWS))


def session(environ: WSGIEnvironment) -> Reply:
    data: dict[str, object] = {}
    cookie = _cookies(environ).get("session")
    if cookie:
        try:
            data = SESSION.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            data = {}
    count = int(data.get("count", 0)) + 1  # type: ignore[call-overload]
    data["count"] = count
    status, headers, body = _text(f"{data.get('user')} {count}")
    headers.append(("Set-Cookie", f"session={SESSION.dumps(data)}; HttpOnly; Path=/"))
    headers.append(("Vary", "Cookie"))
    return status, headers, body


def _multipart(environ: WSGIEnvironment) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, content) for each part; a split, not a streaming parser."""
    _, _, boundary = environ.get("CONTENT_TYPE", "").partition("boundary=")
    parts: dict[str, tuple[str | None, bytes]] = {}
    for chunk in _body(environ).split(b"--" + boundary.strip('"').encode())[1:-1]:
        head, _, content = chunk[2:].partition(b"\r\n\r\n")
        name = filename = None
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                for param in line.split(";")[1:]:
                    key, _, value = param.strip().partition("=")
                    if key == "name":
                        name = value.strip('"')
                    elif key == "filename":
                        filename = value.strip('"')
        if name is not None:
            parts[name] = (filename, content[:-2])  # the CRLF before the next boundary
    return parts


def upload(environ: WSGIEnvironment) -> Reply:
    parts = _multipart(environ)
    filename, content = parts["upload"]
    fields = " ".join(parts[name][1].decode() for name in ("title", "author", "tags"))
    return _text(f"{fields} {filename} {len(content)}")


def static(environ: WSGIEnvironment, name: str) -> Reply:
    """One file from the static folder, with ETag / Last-Modified revalidation."""
    if "/" in name or name.startswith("."):
        return _text("404 Not Found", "404 Not Found", "text/plain")
    path = os.path.join(STATIC_DIR, name)
    try:
        stat = os.stat(path)
    except OSError:
        return _text("404 Not Found", "404 Not Found", "text/plain")
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    last_modified = formatdate(int(stat.st_mtime), usegmt=True)
    headers = [("ETag", etag), ("Last-Modified", last_modified), ("Cache-Control", "no-cache")]
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        not_modified = etag in (tag.strip() for tag in if_none_match.split(","))
    else:
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        try:
            not_modified = since is not None and int(stat.st_mtime) <= int(
                parsedate_to_datetime(since).timestamp()
            )
        except (TypeError, ValueError):
            not_modified = False
    if not_modified:
        return "304 Not Modified", headers, b""
    with open(path, "rb") as file:
        data = file.read()
    headers += [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    return "200 OK", headers, data


ROUTES: dict[str, Handler] = {
    "/": hello,
    "/json": json_view,
    "/form": form,
    "/cookies": cookies,
    "/template": template,
    "/upload": upload,
}


def _int_tail(path: str, prefix: str) -> int | None:
    rest = path[len(prefix) :]
    if path.startswith(prefix) and rest.isascii() and rest.isdigit():
        return int(rest)
    return None


def dispatch(environ: WSGIEnvironment, routes: dict[str, Handler]) -> Reply:
    """Find the handler for PATH_INFO and run it; unknown paths get a plain 404."""
    path = environ.get("PATH_INFO", "/")
    handler = routes.get(path)
    if handler is not None:
        return handler(environ)
    if path.startswith("/static/"):
        return static(environ, path[8:])
    if (user_id := _int_tail(path, "/user/")) is not None:
        return _text(f"user {user_id}")
    if (report_id := _int_tail(path, REPORT_PREFIX)) is not None:
        return _text(f"report {report_id}")
    return _text("404 Not Found", "404 Not Found", "text/plain")


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI callable for every scenario except hooks and session."""
    status, headers, data = dispatch(environ, ROUTES)
    start_response(status, headers)
    return [data]


def hooks(environ: WSGIEnvironment) -> Reply:
    return _text(f"hooks {environ['bench.user']}")


HOOK_ROUTES: dict[str, Handler] = {**ROUTES, "/hooks": hooks}
SESSION_ROUTES: dict[str, Handler] = {**ROUTES, "/session": session}


def hooks_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The same app with the two hooks written inline around the dispatch."""
    environ["bench.user"] = "ada"
    status, headers, data = dispatch(environ, HOOK_ROUTES)
    headers.append(("X-Hook", "1"))
    start_response(status, headers)
    return [data]


def session_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The same app with the /session route."""
    status, headers, data = dispatch(environ, SESSION_ROUTES)
    start_response(status, headers)
    return [data]
