"""The TechEmpower test types for kolba: te_flask.py with the imports renamed.

Nothing here may differ from te_flask.py except the renaming (flask -> kolba, Flask -> Kolba);
tests/benchmarks/test_techempower.py enforces it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import te_db

from kolba import Kolba, jsonify, make_response, render_template, request

if TYPE_CHECKING:
    from kolba import Response

app = Kolba(__name__)


@app.route("/plaintext")
def plaintext() -> Response:
    resp = make_response(b"Hello, World!")
    resp.mimetype = "text/plain"
    return resp


@app.route("/json")
def json_view() -> Response:
    return jsonify({"message": "Hello, World!"})


@app.route("/db")
def db() -> Response:
    return jsonify(te_db.one_world())


@app.route("/queries")
def queries() -> Response:
    return jsonify(te_db.worlds(te_db.clamp_queries(request.args.get("queries"))))


@app.route("/updates")
def updates() -> Response:
    return jsonify(te_db.update_worlds(te_db.clamp_queries(request.args.get("queries"))))


@app.route("/fortunes")
def fortunes() -> str:
    return render_template("fortunes.html", fortunes=te_db.fortunes())
