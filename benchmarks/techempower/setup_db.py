"""Create and fill the TechEmpower tables in the local PostgreSQL: ``python setup_db.py``.

The tables live in their own schema (te_db.SCHEMA, ``kolba_bench``) of the ``test`` database
on 127.0.0.1:5432, so the suite never touches anyone else's tables. Running it again is cheap:
a table already holding the right rows is left alone; anything else is refilled.
"""

from __future__ import annotations

import random
import sys

import psycopg
import te_db

SCHEMA = te_db.SCHEMA

#: The twelve classic fortunes, ids 1..12 (the 13th row is added by every app per request).
FORTUNES: tuple[tuple[int, str], ...] = (
    (1, "fortune: No such file or directory"),
    (2, "A computer scientist is someone who fixes things that aren't broken."),
    (3, "After enough decimal places, nobody gives a damn."),
    (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
    (5, "A computer program does what you tell it to do, not what you want it to do."),
    (6, "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen"),
    (7, "Any program that runs right is obsolete."),
    (8, "A list is only as strong as its weakest link. — Donald Knuth"),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, "フレームワークのベンチマーク"),
)


def reachable(dsn: str) -> str | None:
    """None when PostgreSQL answers at ``dsn``, else why not."""
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    return None


def ensure_tables(dsn: str) -> str:
    """Create the schema and tables if needed and make their rows right; say what was done."""
    done = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.world "
            "(id integer PRIMARY KEY, randomnumber integer NOT NULL)"
        )
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.fortune "
            "(id integer PRIMARY KEY, message varchar(2048) NOT NULL)"
        )
        row = conn.execute(
            f"SELECT count(*), min(id), max(id), min(randomnumber), max(randomnumber) "
            f"FROM {SCHEMA}.world"
        ).fetchone()
        count, low, high, smallest, largest = row or (0, None, None, None, None)
        n = te_db.WORLD_ROWS
        if not (count == n and low == 1 and high == n and 1 <= smallest <= largest <= n):
            with conn.transaction():
                conn.execute(f"TRUNCATE {SCHEMA}.world")
                with conn.cursor().copy(
                    f"COPY {SCHEMA}.world (id, randomnumber) FROM STDIN"
                ) as copy:
                    for id_ in range(1, te_db.WORLD_ROWS + 1):
                        copy.write_row((id_, random.randint(1, te_db.WORLD_ROWS)))
            done.append(f"filled world with {te_db.WORLD_ROWS} rows")
        fortunes = conn.execute(f"SELECT id, message FROM {SCHEMA}.fortune ORDER BY id").fetchall()
        if tuple(fortunes) != FORTUNES:
            with conn.transaction():
                conn.execute(f"TRUNCATE {SCHEMA}.fortune")
                conn.cursor().executemany(
                    f"INSERT INTO {SCHEMA}.fortune (id, message) VALUES (%s, %s)", FORTUNES
                )
            done.append(f"filled fortune with {len(FORTUNES)} rows")
        conn.execute(f"ANALYZE {SCHEMA}.world")
        conn.execute(f"ANALYZE {SCHEMA}.fortune")
    return "; ".join(done) or "tables already in place"


def main() -> int:
    dsn = te_db.dsn()
    why = reachable(dsn)
    if why is not None:
        print(f"no PostgreSQL reachable ({dsn}): {why}", file=sys.stderr)
        return 1
    print(f"{SCHEMA}: {ensure_tables(dsn)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
