"""Serve the blog with one command: ``python examples/blog/run.py``.

On the first run it creates the instance folder and the database, then serves the blog on
http://127.0.0.1:5000 with kolba's development server. Environment variables change the
defaults: BLOG_HOST and BLOG_PORT (where to listen), BLOG_CONFIG (development, testing,
production), BLOG_INSTANCE_PATH (where the database lives), BLOG_DEBUG=1 (debug mode, with
the reloader).
"""

from __future__ import annotations

import os

from blog import create_app
from blog.db import ensure_db


def main() -> None:
    app = create_app()
    if ensure_db(app):
        print(f" * Created the database {app.config['DATABASE']}", flush=True)
    app.run(
        host=os.environ.get("BLOG_HOST", "127.0.0.1"),
        port=int(os.environ.get("BLOG_PORT", "5000")),
        debug=os.environ.get("BLOG_DEBUG", "").lower() in ("1", "true", "yes"),
    )


if __name__ == "__main__":
    main()
