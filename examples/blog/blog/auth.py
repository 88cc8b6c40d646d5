"""Accounts: register, log in, log out, and the ``login_required`` decorator.

The logged-in user's id is kept in the signed session cookie; each request loads that user
into ``g.user`` (None when nobody is logged in).
"""

from __future__ import annotations

import functools
import sqlite3
import typing as t

from kolba import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from kolba.security import check_password_hash, generate_password_hash

from .db import get_db

if t.TYPE_CHECKING:
    from kolba.typing import ResponseReturnValue

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

bp = Blueprint("auth", __name__, url_prefix="/auth")


@functools.cache
def _decoy_hash() -> str:
    """A hash to check passwords of unknown users against, so that a login for a name
    that does not exist takes as long as one with a wrong password.
    """
    return generate_password_hash("not a password of anyone")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no redirects to other sites)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


def login_required(view: F) -> F:
    """Send visitors who are not logged in to the login page, then back here."""

    @functools.wraps(view)
    def wrapped_view(**kwargs: t.Any) -> ResponseReturnValue:
        if g.user is None:
            flash("Please log in first.", "info")
            return redirect(url_for("auth.login", next=request.path))
        return t.cast("ResponseReturnValue", view(**kwargs))

    return t.cast(F, wrapped_view)


@bp.before_app_request
def load_logged_in_user() -> None:
    """Put the logged-in user (or None) in ``g.user`` for views and templates."""
    user_id = session.get("user_id")
    if user_id is None:
        g.user = None
    else:
        g.user = (
            get_db().execute("SELECT id, username FROM user WHERE id = ?", (user_id,)).fetchone()
        )


def _check_new_account(username: str, password: str) -> str | None:
    """What is wrong with the registration form, or None."""
    config = current_app.config
    if not username:
        return "Username is required."
    if len(username) > config["USERNAME_MAX_LENGTH"]:
        return f"Username must be at most {config['USERNAME_MAX_LENGTH']} characters."
    if not password:
        return "Password is required."
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        return f"Password must be at least {config['PASSWORD_MIN_LENGTH']} characters."
    return None


@bp.route("/register", methods=("GET", "POST"))
def register() -> ResponseReturnValue:
    """Show the registration form; create the account when it is sent."""
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        error = _check_new_account(username, password)
        if error is None:
            db = get_db()
            try:
                db.execute(
                    "INSERT INTO user (username, password) VALUES (?, ?)",
                    (username, generate_password_hash(password)),
                )
                db.commit()
            except sqlite3.IntegrityError:
                error = f"The username {username!r} is taken; choose another."
            else:
                flash("Your account is ready. Please log in.", "success")
                return redirect(url_for("auth.login"))
        flash(error, "error")
        return render_template("auth/register.html", username=username), 400
    return render_template("auth/register.html", username=username)


@bp.route("/login", methods=("GET", "POST"))
def login() -> ResponseReturnValue:
    """Show the login form; log the user in when the password is right."""
    next_page = safe_next(request.args.get("next"))
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = get_db().execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        if user is None:
            check_password_hash(_decoy_hash(), password)
        elif check_password_hash(user["password"], password):
            # A fresh session: nothing from before the login carries over.
            session.clear()
            session["user_id"] = user["id"]
            flash(f"Welcome, {user['username']}!", "success")
            return redirect(next_page or url_for("blog.index"))
        flash("Incorrect username or password.", "error")
        return render_template("auth/login.html", username=username, next=next_page), 400
    return render_template("auth/login.html", username=username, next=next_page)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Forget the logged-in user."""
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("blog.index"))
