"""The benchmark scenarios written the idiomatic Bottle way.

Bottle's ``request`` and ``response`` are thread-local proxies shared by every Bottle app, so
the two apps below do not interfere. Text responses get Bottle's default content type,
``text/html; charset=UTF-8``; a returned dict goes through Bottle's built-in JSON plugin.
"""

# Bottle ships no type information, so its decorators leave the views untyped.
# mypy: disallow-untyped-decorators=False

from __future__ import annotations

import bottle  # type: ignore[import-untyped]
from bottle import request, response


def create_app(*, with_hooks: bool = False) -> bottle.Bottle:
    """Build the app serving every scenario route (plus hooks and /hooks when asked)."""
    app = bottle.Bottle()

    @app.route("/")
    def hello() -> str:
        return "Hello, World!"

    @app.route("/user/<user_id:int>")
    def user(user_id: int) -> str:
        return f"user {user_id}"

    @app.route("/json")
    def json_view() -> dict[str, object]:
        return {"n": int(request.query.get("n", 0)), "message": "Hello, World!"}

    @app.route("/form", method="POST")
    def form() -> str:
        data = request.forms
        return f"{data['first']} {data['last']} {data['email']} {data['age']} {data['city']}"

    @app.route("/cookies")
    def cookies() -> str:
        theme = request.get_cookie("theme")
        lang = request.get_cookie("lang")
        sid = request.get_cookie("sid")
        response.set_cookie("seen", "1", path="/")
        return f"{theme} {lang} {sid}"

    if with_hooks:

        @app.hook("before_request")
        def load_user() -> None:
            # Bottle keeps per-request extras in the environ; this is its documented way.
            request.environ["bench.user"] = "ada"

        @app.hook("after_request")
        def add_header() -> None:
            response.set_header("X-Hook", "1")

        @app.route("/hooks")
        def hooks() -> str:
            return f"hooks {request.environ['bench.user']}"

    return app


app = create_app()
hooks_app = create_app(with_hooks=True)
