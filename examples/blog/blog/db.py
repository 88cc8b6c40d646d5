"""The SQLite database: one connection per app context, closed when the context ends."""

from __future__ import annotations

import os
import sqlite3
import typing as t

import click

from kolba import current_app, g
from kolba.cli import with_appcontext

if t.TYPE_CHECKING:
    from kolba import Kolba


def get_db() -> sqlite3.Connection:
    """The connection of this request (or CLI command), opened on first use."""
    if "db" not in g:
        connection = sqlite3.connect(current_app.config["DATABASE"])
        # Rows behave like dicts in templates: post["title"].
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        g.db = connection
    return t.cast(sqlite3.Connection, g.db)


def close_db(error: BaseException | None = None) -> None:
    """Close the connection, if this context opened one."""
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def _make_folder_for(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)


def init_db() -> None:
    """Create the tables, dropping existing ones (all posts and users are lost)."""
    _make_folder_for(current_app.config["DATABASE"])
    with current_app.open_resource("schema.sql", "r", encoding="utf-8") as schema:
        get_db().executescript(schema.read())


def has_tables() -> bool:
    """Whether the database exists and holds the blog's tables."""
    path = current_app.config["DATABASE"]
    if not os.path.isfile(path):
        return False
    found = (
        get_db()
        .execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('user', 'post')"
        )
        .fetchone()
    )
    return bool(found[0] == 2)


def ensure_db(app: Kolba) -> bool:
    """Create the database if it is missing (not if it exists). True if it was created."""
    with app.app_context():
        if has_tables():
            return False
        init_db()
        return True


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database tables (existing data is deleted)."""
    init_db()
    click.echo(f"Initialized the database in {current_app.config['DATABASE']}.")


def init_app(app: Kolba) -> None:
    """Close connections after each request and add the ``init-db`` command."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
