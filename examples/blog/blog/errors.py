"""Error pages in the blog's own layout instead of the plain default ones."""

from __future__ import annotations

import typing as t

from kolba import Blueprint, render_template

if t.TYPE_CHECKING:
    from kolba import Kolba
    from kolba.exceptions import HTTPException
    from kolba.typing import ResponseReturnValue

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(403)
def forbidden(error: HTTPException) -> ResponseReturnValue:
    return render_template("errors/403.html", error=error), 403


@bp.app_errorhandler(404)
def not_found(error: HTTPException) -> ResponseReturnValue:
    return render_template("errors/404.html", error=error), 404


def internal_error(error: Exception) -> ResponseReturnValue:
    # Kept simple on purpose: the page must render even when the database is the problem.
    return render_template("errors/500.html"), 500


def init_app(app: Kolba) -> None:
    """Register the error pages: 403 and 404 from the blueprint for the whole app
    (``app_errorhandler``), 500 on the app itself (``errorhandler``).
    """
    app.register_blueprint(bp)
    app.errorhandler(500)(internal_error)
