"""Posts: everyone reads them; logged-in users write them; only the author edits or deletes."""

from __future__ import annotations

import sqlite3
import typing as t

from kolba import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from .auth import login_required
from .db import get_db

if t.TYPE_CHECKING:
    from kolba.typing import ResponseReturnValue

bp = Blueprint("blog", __name__)

_POST_COLUMNS = (
    "SELECT p.id, p.title, p.body, p.author_id, u.username,"
    " strftime('%Y-%m-%d', p.created) AS created_on"
    " FROM post p JOIN user u ON p.author_id = u.id"
)


@bp.route("/")
def index() -> ResponseReturnValue:
    """All posts, newest first."""
    posts = get_db().execute(f"{_POST_COLUMNS} ORDER BY p.created DESC, p.id DESC").fetchall()
    return render_template("blog/index.html", posts=posts)


def get_post(post_id: int, check_author: bool = True) -> sqlite3.Row:
    """The post ``post_id``: 404 if there is none, 403 if it is someone else's."""
    post = get_db().execute(f"{_POST_COLUMNS} WHERE p.id = ?", (post_id,)).fetchone()
    if post is None:
        abort(404, f"There is no post number {post_id}.")
    if check_author and post["author_id"] != g.user["id"]:
        abort(403, "Only the author of a post may change or delete it.")
    return t.cast(sqlite3.Row, post)


def _read_form() -> tuple[str, str, str | None]:
    """The title and body sent, and what is wrong with them (or None)."""
    title = request.form.get("title", "").strip()
    body = request.form.get("body", "").strip()
    limit = current_app.config["TITLE_MAX_LENGTH"]
    if not title:
        return title, body, "A title is required."
    if len(title) > limit:
        return title, body, f"The title must be at most {limit} characters."
    return title, body, None


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create() -> ResponseReturnValue:
    """Write a new post."""
    if request.method == "POST":
        title, body, error = _read_form()
        if error is None:
            db = get_db()
            db.execute(
                "INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)",
                (title, body, g.user["id"]),
            )
            db.commit()
            flash("Your post is published.", "success")
            return redirect(url_for("blog.index"))
        flash(error, "error")
        return render_template("blog/create.html", title=title, body=body), 400
    return render_template("blog/create.html", title="", body="")


@bp.route("/<int:post_id>/update", methods=("GET", "POST"))
@login_required
def update(post_id: int) -> ResponseReturnValue:
    """Edit one of your posts."""
    post = get_post(post_id)
    if request.method == "POST":
        title, body, error = _read_form()
        if error is None:
            db = get_db()
            db.execute("UPDATE post SET title = ?, body = ? WHERE id = ?", (title, body, post_id))
            db.commit()
            flash("Your post is updated.", "success")
            return redirect(url_for("blog.index"))
        flash(error, "error")
        return render_template("blog/update.html", post=post, title=title, body=body), 400
    return render_template("blog/update.html", post=post, title=post["title"], body=post["body"])


@bp.post("/<int:post_id>/delete")
@login_required
def delete(post_id: int) -> ResponseReturnValue:
    """Delete one of your posts."""
    get_post(post_id)
    db = get_db()
    db.execute("DELETE FROM post WHERE id = ?", (post_id,))
    db.commit()
    flash("Your post is deleted.", "info")
    return redirect(url_for("blog.index"))
