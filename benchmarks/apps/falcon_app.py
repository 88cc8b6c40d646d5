"""The benchmark scenarios written the idiomatic Falcon way.

Falcon's default media type is JSON, so text responses set ``text/html; charset=utf-8``
explicitly to send the same bytes and headers as Flask. Its cookies default to Secure and
HttpOnly; the benchmark asks for the plain ``seen=1; Path=/`` every other app sends. The hook
scenario uses a middleware component (process_request / process_response), Falcon's
counterpart of before_request / after_request.
"""

from __future__ import annotations

import falcon


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


def create_app(*, with_hooks: bool = False) -> falcon.App[falcon.Request, falcon.Response]:
    """Build the app serving every scenario route (plus the middleware and /hooks when asked)."""
    app = falcon.App(middleware=[HookMiddleware()] if with_hooks else [])
    app.add_route("/", Hello())
    app.add_route("/user/{user_id:int}", User())
    app.add_route("/json", Json())
    app.add_route("/form", Form())
    app.add_route("/cookies", Cookies())
    if with_hooks:
        app.add_route("/hooks", Hooks())
    return app


app = create_app()
hooks_app = create_app(with_hooks=True)
