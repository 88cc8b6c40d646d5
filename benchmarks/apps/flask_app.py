"""The benchmark scenarios written against Flask's public API.

kolba_app.py is this module with the imports renamed; tests/benchmarks/test_bench_apps.py
checks that the code below the docstring stays identical, so edit both together.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, g, jsonify, make_response, render_template, request, session
from scenario_data import NESTED_PREFIXES, ROWS, SECRET_KEY

if TYPE_CHECKING:
    from flask import Response


def _nested_blueprints() -> Blueprint:
    """Four blueprints nested in each other; the innermost holds one route."""
    levels = [
        Blueprint(f"level{depth}", __name__, url_prefix=prefix)
        for depth, prefix in enumerate(NESTED_PREFIXES)
    ]

    @levels[-1].route("/<int:report_id>")
    def report(report_id: int) -> str:
        return f"report {report_id}"

    for outer, inner in pairwise(levels):
        outer.register_blueprint(inner)
    return levels[0]


def create_app(*, with_hooks: bool = False, with_session: bool = False) -> Flask:
    """Build the app serving every scenario route.

    With ``with_hooks`` the app also gets one before_request hook, one after_request hook and the
    /hooks route that depends on them. Hooks run for every request of an app, so the other
    scenarios are timed on the app without them. ``with_session`` sets a secret key and adds
    /session, on an app of its own for the same reason: a secret key can make every request pay
    for opening the session. The static route comes from the ``static/`` folder beside this file,
    templates from ``templates/``.
    """
    app = Flask(__name__)

    @app.route("/")
    def hello() -> str:
        return "Hello, World!"

    @app.route("/user/<int:user_id>")
    def user(user_id: int) -> str:
        return f"user {user_id}"

    @app.route("/json")
    def json_view() -> Response:
        n = request.args.get("n", 0, type=int)
        return jsonify({"n": n, "message": "Hello, World!"})

    @app.route("/form", methods=["POST"])
    def form() -> str:
        data = request.form
        return f"{data['first']} {data['last']} {data['email']} {data['age']} {data['city']}"

    @app.route("/cookies")
    def cookies() -> Response:
        theme = request.cookies.get("theme")
        lang = request.cookies.get("lang")
        sid = request.cookies.get("sid")
        resp = make_response(f"{theme} {lang} {sid}")
        resp.set_cookie("seen", "1")
        return resp

    @app.route("/template")
    def template() -> str:
        return render_template("table.html", title="Items", rows=ROWS)

    @app.route("/upload", methods=["POST"])
    def upload() -> str:
        data = request.form
        upload = request.files["upload"]
        size = len(upload.read())
        return f"{data['title']} {data['author']} {data['tags']} {upload.filename} {size}"

    app.register_blueprint(_nested_blueprints())

    if with_session:
        app.secret_key = SECRET_KEY

        @app.route("/session")
        def session_view() -> str:
            count = session.get("count", 0) + 1
            session["count"] = count
            return f"{session.get('user')} {count}"

    if with_hooks:

        @app.before_request
        def load_user() -> None:
            g.user = "ada"

        @app.after_request
        def add_header(resp: Response) -> Response:
            resp.headers["X-Hook"] = "1"
            return resp

        @app.route("/hooks")
        def hooks() -> str:
            return f"hooks {g.user}"

    return app


app = create_app()
hooks_app = create_app(with_hooks=True)
session_app = create_app(with_session=True)
