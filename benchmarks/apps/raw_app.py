"""The floor: plain WSGI callables doing each scenario's work with the standard library only.

No framework, no request or response objects: a dict lookup dispatches static paths, a prefix
test handles /user/<int>. Each handler still does the work the scenario asks for (parse the
query, the form body and the cookies; serialise JSON; send Content-Type and Content-Length),
so the gap between this and a framework is what the framework's machinery costs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, parse_qsl

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Reply = tuple[str, list[tuple[str, str]], bytes]
Handler = Callable[["WSGIEnvironment"], Reply]

HTML = "text/html; charset=utf-8"


def _text(body: str, status: str = "200 OK", content_type: str = HTML) -> Reply:
    data = body.encode()
    return status, [("Content-Type", content_type), ("Content-Length", str(len(data)))], data


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


def form(environ: WSGIEnvironment) -> Reply:
    if environ["REQUEST_METHOD"] != "POST":
        return _text("405 Method Not Allowed", "405 Method Not Allowed", "text/plain")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data = dict(parse_qsl(environ["wsgi.input"].read(length).decode()))
    return _text(f"{data['first']} {data['last']} {data['email']} {data['age']} {data['city']}")


def cookies(environ: WSGIEnvironment) -> Reply:
    jar = {}
    for pair in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = pair.partition("=")
        jar[name.strip()] = value.strip()
    status, headers, data = _text(f"{jar.get('theme')} {jar.get('lang')} {jar.get('sid')}")
    headers.append(("Set-Cookie", "seen=1; Path=/"))
    return status, headers, data


def hooks(environ: WSGIEnvironment) -> Reply:
    return _text(f"hooks {environ['bench.user']}")


ROUTES: dict[str, Handler] = {"/": hello, "/json": json_view, "/form": form, "/cookies": cookies}


def dispatch(environ: WSGIEnvironment, routes: dict[str, Handler]) -> Reply:
    """Find the handler for PATH_INFO and run it; unknown paths get a plain 404."""
    path = environ.get("PATH_INFO", "/")
    handler = routes.get(path)
    if handler is not None:
        return handler(environ)
    if path.startswith("/user/"):
        rest = path[6:]
        if rest.isascii() and rest.isdigit():
            return _text(f"user {int(rest)}")
    return _text("404 Not Found", "404 Not Found", "text/plain")


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI callable for every scenario except hooks."""
    status, headers, data = dispatch(environ, ROUTES)
    start_response(status, headers)
    return [data]


HOOK_ROUTES: dict[str, Handler] = {**ROUTES, "/hooks": hooks}


def hooks_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The same app with the two hooks written inline around the dispatch."""
    environ["bench.user"] = "ada"
    status, headers, data = dispatch(environ, HOOK_ROUTES)
    headers.append(("X-Hook", "1"))
    start_response(status, headers)
    return [data]
