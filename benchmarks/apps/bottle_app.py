"""The benchmark scenarios written the idiomatic Bottle way.

Bottle's ``request`` and ``response`` are thread-local proxies shared by every Bottle app, so
the apps below do not interfere. Text responses get Bottle's default content type,
``text/html; charset=UTF-8``; a returned dict goes through Bottle's built-in JSON plugin.

Bottle's own counterparts serve static files (``static_file``), multipart forms
(``request.forms`` / ``request.files``) and nesting (``mount``, four apps deep). For sessions
and templates it does Flask's work by hand, like the Falcon app: itsdangerous signs the
session cookie in Flask's format, and a Jinja2 Environment renders the same template file.
"""

# Bottle ships no type information, so its decorators leave the views untyped.
# mypy: disallow-untyped-decorators=False

from __future__ import annotations

from datetime import timedelta

import bottle  # type: ignore[import-untyped]
from bottle import request, response, static_file
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

JINJA = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(), auto_reload=False
)
SESSION = session_serializer(SECRET_KEY)
SESSION_MAX_AGE = int(timedelta(days=31).total_seconds())


def _nested_apps() -> bottle.Bottle:
    """Four Bottle apps mounted in each other; the innermost holds one route."""
    levels = [bottle.Bottle() for _ in NESTED_PREFIXES]

    @levels[-1].route("/<report_id:int>")
    def report(report_id: int) -> str:
        return f"report {report_id}"

    # Mount innermost first: mounting copies the child's routes (with the prefix) into the parent.
    for depth in range(len(levels) - 1, 0, -1):
        levels[depth - 1].mount(NESTED_PREFIXES[depth] + "/", levels[depth])
    return levels[0]


def create_app(*, with_hooks: bool = False, with_session: bool = False) -> bottle.Bottle:
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

    @app.route("/template")
    def template() -> str:
        return JINJA.get_template("table.html").render(title="Items", rows=ROWS)

    @app.route("/upload", method="POST")
    def upload() -> str:
        data = request.forms
        upload = request.files.get("upload")
        size = len(upload.file.read())
        return f"{data['title']} {data['author']} {data['tags']} {upload.raw_filename} {size}"

    @app.route("/static/<filename:path>")
    def static(filename: str) -> object:
        return static_file(filename, root=str(STATIC_DIR))

    app.mount(NESTED_PREFIXES[0] + "/", _nested_apps())

    if with_session:

        @app.route("/session")
        def session_view() -> str:
            data: dict[str, object] = {}
            cookie = request.get_cookie("session")
            if cookie:
                try:
                    data = SESSION.loads(cookie, max_age=SESSION_MAX_AGE)
                except BadSignature:
                    data = {}
            count = int(data.get("count", 0)) + 1  # type: ignore[call-overload]
            data["count"] = count
            response.set_cookie("session", SESSION.dumps(data), path="/", httponly=True)
            response.set_header("Vary", "Cookie")
            return f"{data.get('user')} {count}"

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
session_app = create_app(with_session=True)
