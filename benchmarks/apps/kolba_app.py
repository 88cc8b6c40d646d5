"""The benchmark scenarios for kolba: flask_app.py with the imports renamed.

Nothing here may differ from flask_app.py except the renaming (flask -> kolba, Flask -> Kolba);
tests/benchmarks/test_bench_apps.py enforces it. That is the porting promise being measured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kolba import Kolba, g, jsonify, make_response, request

if TYPE_CHECKING:
    from kolba import Response


def create_app(*, with_hooks: bool = False) -> Kolba:
    """Build the app serving every scenario route.

    With ``with_hooks`` the app also gets one before_request hook, one after_request hook and the
    /hooks route that depends on them. Hooks run for every request of an app, so the other
    scenarios are timed on the app without them.
    """
    app = Kolba(__name__)

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
