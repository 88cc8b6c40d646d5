"""The benchmark scenarios written the idiomatic Falcon way.

Falcon's default media type is JSON, so text responses set ``text/html; charset=utf-8``
explicitly to send the same bytes and headers as Flask. Its cookies default to Secure and
HttpOnly; the benchmark asks for the plain ``seen=1; Path=/`` every other app sends. The hook
scenario uses a middleware component (process_request / process_response), Falcon's
counterpart of before_request / after_request.

Falcon has no sessions, templates or blueprints of its own, so those scenarios do the same
work as Flask by hand: the session cookie is verified and re-signed with itsdangerous (Flask's
format), the table is rendered by a Jinja2 Environment on the same templates folder, and the
"nested blueprint" route is a plain route with the same path. Static files and multipart forms
use Falcon's own support (``add_static_route``, the multipart media handler).
"""

from __future__ import annotations

from datetime import timedelta

import falcon
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

# Flask's Jinja setup for .html files: autoescaping on, no reloading checks per render.
JINJA = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(), auto_reload=False
)
SESSION = session_serializer(SECRET_KEY)
# Flask verifies the signature's age against PERMANENT_SESSION_LIFETIME (31 days).
SESSION_MAX_AGE = int(timedelta(days=31).total_seconds())


class Hello:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = "Hello, World!"


class User:
    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"user {user_id}"


class Json:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"n": req.get_param_as_int("n", default=0), "message": "Hello, World!"}


class Form:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = req.get_media()
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"{data['first']} {data['last']} {data['email']} {data['age']} {data['city']}"


class Cookies:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        cookies = req.cookies
        theme = cookies.get("theme")
        lang = cookies.get("lang")
        sid = cookies.get("sid")
        resp.set_cookie("seen", "1", path="/", secure=False, http_only=False)
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"{theme} {lang} {sid}"


class Template:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = JINJA.get_template("table.html").render(title="Items", rows=ROWS)


class Upload:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields: dict[str, str] = {}
        filename = ""
        size = 0
        for part in req.get_media():
            if part.filename:
                filename = part.filename
                size = len(part.stream.read())
            else:
                fields[part.name] = part.text
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"{fields['title']} {fields['author']} {fields['tags']} {filename} {size}"


class Report:
    def on_get(self, req: falcon.Request, resp: falcon.Response, report_id: int) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"report {report_id}"


class Session:
    """Reads and re-signs a Flask-format session cookie, as Flask's session does."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        data: dict[str, object] = {}
        cookie = req.cookies.get("session")
        if cookie:
            try:
                data = SESSION.loads(cookie, max_age=SESSION_MAX_AGE)
            except BadSignature:
                data = {}
        count = int(data.get("count", 0)) + 1  # type: ignore[call-overload]
        data["count"] = count
        resp.set_cookie("session", SESSION.dumps(data), path="/", secure=False, http_only=True)
        resp.vary = ("Cookie",)
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"{data.get('user')} {count}"


class Hooks:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = f"hooks {req.context.user}"


class HookMiddleware:
    """One before-request and one after-request step, as the Flask app's two hooks."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.user = "ada"

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        resp.set_header("X-Hook", "1")


def create_app(
    *, with_hooks: bool = False, with_session: bool = False
) -> falcon.App[falcon.Request, falcon.Response]:
    """Build the app serving every scenario route (plus the middleware and /hooks when asked)."""
    app = falcon.App(middleware=[HookMiddleware()] if with_hooks else [])
    app.add_route("/", Hello())
    app.add_route("/user/{user_id:int}", User())
    app.add_route("/json", Json())
    app.add_route("/form", Form())
    app.add_route("/cookies", Cookies())
    app.add_route("/template", Template())
    app.add_route("/upload", Upload())
    app.add_route("".join(NESTED_PREFIXES) + "/{report_id:int}", Report())
    app.add_static_route("/static", str(STATIC_DIR))
    if with_session:
        app.add_route("/session", Session())
    if with_hooks:
        app.add_route("/hooks", Hooks())
    return app


app = create_app()
hooks_app = create_app(with_hooks=True)
session_app = create_app(with_session=True)
