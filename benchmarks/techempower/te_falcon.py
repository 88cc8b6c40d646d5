"""The TechEmpower test types written the idiomatic Falcon way.

Falcon has no templates of its own, so fortunes are rendered by a Jinja2 Environment on the
same template file Flask and kolba use (autoescaping on, compiled once). The server adds the
Server and Date headers; the database work is te_db's, shared by every framework.
"""

from __future__ import annotations

from pathlib import Path

import falcon
import te_db
from jinja2 import Environment, FileSystemLoader, select_autoescape

JINJA = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(),
    auto_reload=False,
)


class Plaintext:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.data = b"Hello, World!"


class Json:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"message": "Hello, World!"}


class Db:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = te_db.one_world()


class Queries:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = te_db.worlds(te_db.clamp_queries(req.get_param("queries")))


class Updates:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = te_db.update_worlds(te_db.clamp_queries(req.get_param("queries")))


class Fortunes:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = JINJA.get_template("fortunes.html").render(fortunes=te_db.fortunes())


app = falcon.App()
app.add_route("/plaintext", Plaintext())
app.add_route("/json", Json())
app.add_route("/db", Db())
app.add_route("/queries", Queries())
app.add_route("/updates", Updates())
app.add_route("/fortunes", Fortunes())
