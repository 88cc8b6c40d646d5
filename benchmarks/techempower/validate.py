"""Checks that a TechEmpower app follows the rules (PERFORMANCE.md) before it is timed.

Each check takes what came over the wire (status, headers, body) and returns every problem it
finds, empty when the answer is right. :func:`validate_server` runs them all against a live
server, including the clamping of ``queries`` and the persistence of ``updates``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import psycopg
import te_db

Headers = Sequence[tuple[str, str]]
Fetch = Callable[[str], tuple[int, list[tuple[str, str]], bytes]]

#: What the fortunes page must list, in order (ids 11,4,5,2,8,0,3,7,10,6,9,1,12).
EXPECTED_FORTUNE_IDS = [11, 4, 5, 2, 8, 0, 3, 7, 10, 6, 9, 1, 12]
#: The ``queries`` parameter values tried, and the row counts the rules require for them.
CLAMP_CASES: tuple[tuple[str, int], ...] = (
    ("", 1),
    ("?queries=", 1),
    ("?queries=0", 1),
    ("?queries=foo", 1),
    ("?queries=1", 1),
    ("?queries=20", 20),
    ("?queries=501", 500),
)


def _values(headers: Headers, name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name.lower()]


def _media(value: str) -> str:
    return value.replace(" ", "").lower()


def check_common(status: int, headers: Headers, body: bytes) -> list[str]:
    """Every test type: 200, Server, a valid Date, and framing (Content-Length or chunked)."""
    problems = []
    if status != 200:
        problems.append(f"status {status}, expected 200")
    if not _values(headers, "Server"):
        problems.append("no Server header")
    dates = _values(headers, "Date")
    if not dates:
        problems.append("no Date header")
    else:
        try:
            parsedate_to_datetime(dates[0])
        except (TypeError, ValueError):
            problems.append(f"Date {dates[0]!r} is not an HTTP date")
    lengths = _values(headers, "Content-Length")
    chunked = any("chunked" in v.lower() for v in _values(headers, "Transfer-Encoding"))
    if lengths:
        if lengths[0] != str(len(body)):
            problems.append(f"Content-Length {lengths[0]} but the body has {len(body)} bytes")
    elif not chunked:
        problems.append("neither Content-Length nor chunked framing")
    return problems


def _content_type(headers: Headers, *accepted: str) -> list[str]:
    got = (_values(headers, "Content-Type") or [""])[0]
    if _media(got) not in {_media(a) for a in accepted}:
        return [f"Content-Type {got!r}, expected {' or '.join(map(repr, accepted))}"]
    return []


def check_plaintext(status: int, headers: Headers, body: bytes) -> list[str]:
    problems = check_common(status, headers, body)
    problems += _content_type(headers, "text/plain", "text/plain; charset=utf-8")
    if body != b"Hello, World!":
        problems.append(f"body {body[:60]!r}, expected b'Hello, World!'")
    return problems


def _json(headers: Headers, body: bytes) -> tuple[Any, list[str]]:
    problems = _content_type(headers, "application/json", "application/json; charset=utf-8")
    try:
        return json.loads(body), problems
    except ValueError:
        return None, [*problems, f"body is not JSON: {body[:60]!r}"]


def check_json(status: int, headers: Headers, body: bytes) -> list[str]:
    problems = check_common(status, headers, body)
    data, more = _json(headers, body)
    problems += more
    if data != {"message": "Hello, World!"}:
        problems.append(f"JSON {data!r}, expected {{'message': 'Hello, World!'}}")
    return problems


def world_problems(item: object) -> list[str]:
    """A World object: exactly id and randomNumber, both integers in 1..10000."""
    if not isinstance(item, dict) or set(item) != {"id", "randomNumber"}:
        return [f"{item!r} is not an object with exactly id and randomNumber"]
    problems = []
    for key in ("id", "randomNumber"):
        value = item[key]
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{key} {value!r} is not an integer")
        elif not 1 <= value <= te_db.WORLD_ROWS:
            problems.append(f"{key} {value} is outside 1..{te_db.WORLD_ROWS}")
    return problems


def check_db(status: int, headers: Headers, body: bytes) -> list[str]:
    problems = check_common(status, headers, body)
    data, more = _json(headers, body)
    return problems + more + world_problems(data)


def check_rows(count: int) -> Callable[[int, Headers, bytes], list[str]]:
    """The queries / updates answer: a JSON array of ``count`` World objects."""

    def check(status: int, headers: Headers, body: bytes) -> list[str]:
        problems = check_common(status, headers, body)
        data, more = _json(headers, body)
        problems += more
        if not isinstance(data, list):
            return [*problems, f"expected a JSON array, got {str(data)[:60]}"]
        if len(data) != count:
            problems.append(f"{len(data)} rows, expected {count}")
        for item in data:
            problems += world_problems(item)
        return problems[:10]

    return check


_FORTUNE_ROW = re.compile(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", re.S)


def check_fortunes(status: int, headers: Headers, body: bytes) -> list[str]:
    """All rows plus the extra one, sorted by message, escaped, as text/html; charset=utf-8."""
    problems = check_common(status, headers, body)
    problems += _content_type(headers, "text/html; charset=utf-8")
    text = body.decode("utf-8", errors="replace")
    rows = [(int(i), m) for i, m in _FORTUNE_ROW.findall(text)]
    if [i for i, _ in rows] != EXPECTED_FORTUNE_IDS:
        problems.append(f"fortune ids {[i for i, _ in rows]}, expected {EXPECTED_FORTUNE_IDS}")
    from setup_db import FORTUNES

    expected = dict([*FORTUNES, te_db.EXTRA_FORTUNE])
    for id_, message in rows:
        if html.unescape(message) != expected.get(id_):
            problems.append(f"fortune {id_} reads {message!r}")
        if "<" in message or ">" in message or '"' in message:
            problems.append(f"fortune {id_} is not escaped: {message!r}")
    if "<script>" in text:
        problems.append("the script fortune reached the page unescaped")
    if not text.lstrip().lower().startswith("<!doctype html>"):
        problems.append("the page does not start with <!DOCTYPE html>")
    return problems


def check_persisted(rows: list[dict[str, int]], dsn: str) -> list[str]:
    """After an updates answer, the database holds one of the numbers given for each id."""
    given: dict[int, set[int]] = {}
    for row in rows:
        given.setdefault(row["id"], set()).add(row["randomNumber"])
    with psycopg.connect(dsn) as conn:
        stored: dict[int, int] = dict(
            conn.execute(
                f"SELECT id, randomnumber FROM {te_db.SCHEMA}.world WHERE id = ANY(%s)",
                (list(given),),
            ).fetchall()
        )
    return [
        f"world {id_} holds {stored.get(id_)}, not the updated {sorted(numbers)}"
        for id_, numbers in given.items()
        if stored.get(id_) not in numbers
    ]


def validate_server(base: str, fetch: Fetch, dsn: str) -> dict[str, list[str]]:
    """Run every check against the app served at ``base``; problems by test type."""
    problems: dict[str, list[str]] = {}

    def record(test: str, found: list[str]) -> None:
        if found:
            problems.setdefault(test, []).extend(found)

    record("plaintext", check_plaintext(*fetch(base + "/plaintext")))
    record("json", check_json(*fetch(base + "/json")))
    record("db", check_db(*fetch(base + "/db")))
    record("fortunes", check_fortunes(*fetch(base + "/fortunes")))
    for test in ("queries", "updates"):
        for query, count in CLAMP_CASES:
            status, headers, body = fetch(f"{base}/{test}{query}")
            found = check_rows(count)(status, headers, body)
            record(test, [f"{test}{query or ' (no parameter)'}: {p}" for p in found])
            if test == "updates" and not found:
                record(test, check_persisted(json.loads(body), dsn))
    return problems
