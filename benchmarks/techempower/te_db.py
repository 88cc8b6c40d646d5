"""The database side every TechEmpower app shares: one driver (psycopg 3), the same queries.

Each framework's app reads the request and builds the response its own way; the SQL, the
connection pool and the clamping rule for ``queries`` live here so that the work done against
PostgreSQL is identical for all of them. Nothing is cached: every request reads the rows anew.

The pool is created on first use, inside the server's worker process (never before a fork),
one pool per worker, with autocommit connections so a read costs one round trip.
"""

from __future__ import annotations

import os
import random
import threading
from typing import Any

from psycopg_pool import ConnectionPool

#: Where the tables live; override with KOLBA_BENCH_PG_DSN.
DEFAULT_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=5"
#: The suite's own schema in the shared ``test`` database, so it clashes with nobody's tables.
SCHEMA = "kolba_bench"
WORLD_ROWS = 10_000
EXTRA_FORTUNE = (0, "Additional fortune added at request time.")

SELECT_WORLD = f"SELECT id, randomnumber FROM {SCHEMA}.world WHERE id = %s"
UPDATE_WORLD = f"UPDATE {SCHEMA}.world SET randomnumber = %s WHERE id = %s"
SELECT_FORTUNES = f"SELECT id, message FROM {SCHEMA}.fortune"

_pool: ConnectionPool | None = None
_pool_lock = threading.Lock()


def dsn() -> str:
    return os.environ.get("KOLBA_BENCH_PG_DSN", DEFAULT_DSN)


def pool() -> ConnectionPool:
    """This worker's connection pool, opened on first use."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ConnectionPool(
                    dsn(), min_size=1, max_size=4, kwargs={"autocommit": True}, open=True
                )
    return _pool


def clamp_queries(value: str | None) -> int:
    """The TechEmpower rule: missing, empty, non-numeric or < 1 -> 1; over 500 -> 500."""
    try:
        count = int(value) if value else 1
    except ValueError:
        return 1
    return min(max(count, 1), 500)


def random_id() -> int:
    return random.randint(1, WORLD_ROWS)


def one_world() -> dict[str, int]:
    """One random World row, as the db test returns it."""
    with pool().connection() as conn:
        row = conn.execute(SELECT_WORLD, (random_id(),), prepare=True).fetchone()
    assert row is not None
    return {"id": row[0], "randomNumber": row[1]}


def worlds(count: int) -> list[dict[str, int]]:
    """``count`` random World rows, one SELECT each (the queries test)."""
    with pool().connection() as conn:
        cursor = conn.cursor()
        out = []
        for _ in range(count):
            row = cursor.execute(SELECT_WORLD, (random_id(),), prepare=True).fetchone()
            assert row is not None
            out.append({"id": row[0], "randomNumber": row[1]})
    return out


def update_worlds(count: int) -> list[dict[str, int]]:
    """The updates test: read ``count`` random rows one by one, give each a new random number
    and write them back in one batch (sorted by id, so concurrent batches cannot deadlock)."""
    with pool().connection() as conn:
        cursor = conn.cursor()
        out = []
        for _ in range(count):
            row = cursor.execute(SELECT_WORLD, (random_id(),), prepare=True).fetchone()
            assert row is not None
            out.append({"id": row[0], "randomNumber": random.randint(1, WORLD_ROWS)})
        batch = sorted((w["id"], w["randomNumber"]) for w in out)
        cursor.executemany(UPDATE_WORLD, [(number, id_) for id_, number in batch])
    return out


def fortunes() -> list[tuple[int, str]]:
    """Every Fortune row plus the one added at request time, sorted by message."""
    with pool().connection() as conn:
        rows: list[Any] = conn.execute(SELECT_FORTUNES, prepare=True).fetchall()
    rows.append(EXTRA_FORTUNE)
    rows.sort(key=lambda row: row[1])
    return rows
