"""The TechEmpower test types written against Flask's public API.

te_kolba.py is this module with the imports renamed; tests/benchmarks/test_techempower.py
checks that the code below the docstring stays identical, so edit both together. The server
adds the Server and Date headers; the database work is te_db's, shared by every framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import te_db
from flask import Flask, jsonify, make_response, render_template, request

if TYPE_CHECKING:
    from flask import Response

app = Flask(__name__)


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
