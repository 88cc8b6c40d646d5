"""A small blog written with kolba: accounts, and posts their authors can edit or delete.

``create_app`` builds the app (the application factory pattern), so tests and the command
line each get a fresh one::

    kolba --app blog init-db     # from examples/blog: create the database
    kolba --app blog run         # serve it on http://127.0.0.1:5000

or, in one step, ``python examples/blog/run.py``.
"""

from __future__ import annotations

import os

from kolba import Kolba

from . import auth, blog, db, errors
from .config import config_for


def _instance_path() -> str | None:
    """BLOG_INSTANCE_PATH moves the instance folder (database, private settings)."""
    path = os.environ.get("BLOG_INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def create_app(config_name: str | None = None) -> Kolba:
    """Build the blog with the settings named ``config_name`` (development, testing or
    production; default: the BLOG_CONFIG environment variable, else development).
    """
    settings = config_for(config_name or os.environ.get("BLOG_CONFIG") or "development")
    app = Kolba(__name__, instance_path=_instance_path(), instance_relative_config=True)
    app.config.from_object(settings)
    # Private overrides (a production secret key, say) live outside the code.
    app.config.from_pyfile("config.py", silent=True)
    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = os.path.join(app.instance_path, "blog.sqlite")
    settings.init_app(app)

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)
    errors.init_app(app)
    return app
