"""The TechEmpower part: the rules' checks catch wrong answers, and every app passes them.

The apps are called in-process through WSGI here (the server's Server and Date headers are
added by a stand-in), against the local PostgreSQL when one is reachable.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
TE_DIR = BENCH_DIR / "techempower"
for folder in (BENCH_DIR, TE_DIR):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

pytest.importorskip("psycopg")
pytest.importorskip("psycopg_pool")
te_db: Any = importlib.import_module("te_db")
validate: Any = importlib.import_module("validate")
setup_db: Any = importlib.import_module("setup_db")
runner: Any = importlib.import_module("inprocess")

SERVER = [("Server", "test"), ("Date", formatdate(usegmt=True))]
JSON = [*SERVER, ("Content-Type", "application/json")]


def _framed(headers: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    return [*headers, ("Content-Length", str(len(body)))]


@pytest.mark.parametrize(
    ("value", "count"),
    [
        (None, 1),
        ("", 1),
        ("0", 1),
        ("-3", 1),
        ("foo", 1),
        ("2.5", 1),
        ("1", 1),
        ("20", 20),
        ("500", 500),
        ("501", 500),
        ("99999", 500),
    ],
)
def test_clamp_queries(value: str | None, count: int) -> None:
    assert te_db.clamp_queries(value) == count


# --- the checks ---------------------------------------------------------------------------


def test_common_check_wants_server_date_and_framing() -> None:
    body = b"Hello, World!"
    assert validate.check_common(200, _framed(SERVER, body), body) == []
    problems = validate.check_common(200, [("Date", "yesterday")], body)
    assert problems == [
        "no Server header",
        "Date 'yesterday' is not an HTTP date",
        "neither Content-Length nor chunked framing",
    ]
    assert validate.check_common(200, [*SERVER, ("Transfer-Encoding", "chunked")], body) == []


def test_plaintext_and_json_checks() -> None:
    text = _framed([*SERVER, ("Content-Type", "text/plain")], b"Hello, World!")
    assert validate.check_plaintext(200, text, b"Hello, World!") == []
    assert validate.check_plaintext(200, _framed(SERVER, b"Hello"), b"Hello")
    body = b'{"message":"Hello, World!"}'
    assert validate.check_json(200, _framed(JSON, body), body) == []
    wrong = b'{"message":"Hello"}'
    assert validate.check_json(200, _framed(JSON, wrong), wrong)


@pytest.mark.parametrize(
    "item",
    [
        {"id": 0, "randomNumber": 5},
        {"id": 5, "randomNumber": 10001},
        {"id": "5", "randomNumber": 5},
        {"id": 5},
        {"id": 5, "randomNumber": 5, "extra": 1},
        {"id": True, "randomNumber": 5},
        [5, 5],
    ],
)
def test_world_check_rejects(item: object) -> None:
    assert validate.world_problems(item)


def test_rows_check_counts_rows() -> None:
    body = json.dumps([{"id": 1, "randomNumber": 2}] * 3).encode()
    assert validate.check_rows(3)(200, _framed(JSON, body), body) == []
    assert validate.check_rows(4)(200, _framed(JSON, body), body) == ["3 rows, expected 4"]
    single = b'{"id": 1, "randomNumber": 2}'
    assert validate.check_rows(1)(200, _framed(JSON, single), single)[0].startswith(
        "expected a JSON array"
    )


def _fortunes_page(rows: list[tuple[int, str]]) -> bytes:
    from markupsafe import escape

    cells = "".join(f"<tr><td>{i}</td><td>{escape(m)}</td></tr>" for i, m in rows)
    return f"<!DOCTYPE html><html><body><table>{cells}</table></body></html>".encode()


SORTED_FORTUNES = sorted([*setup_db.FORTUNES, te_db.EXTRA_FORTUNE], key=lambda row: row[1])
HTML = [*SERVER, ("Content-Type", "text/html; charset=utf-8")]


def test_fortunes_check_accepts_the_right_page() -> None:
    body = _fortunes_page(SORTED_FORTUNES)
    assert [i for i, _ in SORTED_FORTUNES] == validate.EXPECTED_FORTUNE_IDS
    assert validate.check_fortunes(200, _framed(HTML, body), body) == []


def test_fortunes_check_rejects_unsorted_unescaped_or_mistyped_pages() -> None:
    unsorted = _fortunes_page(sorted(SORTED_FORTUNES))
    assert validate.check_fortunes(200, _framed(HTML, unsorted), unsorted)[0].startswith(
        "fortune ids"
    )
    missing = _fortunes_page([r for r in SORTED_FORTUNES if r[0] != 0])
    assert validate.check_fortunes(200, _framed(HTML, missing), missing)
    raw = _fortunes_page(SORTED_FORTUNES).replace(b"&lt;script&gt;", b"<script>")
    assert any("unescaped" in p for p in validate.check_fortunes(200, _framed(HTML, raw), raw))
    body = _fortunes_page(SORTED_FORTUNES)
    latin = [*SERVER, ("Content-Type", "text/html")]
    assert validate.check_fortunes(200, _framed(latin, body), body)[0].startswith("Content-Type")


# --- the apps, against PostgreSQL ---------------------------------------------------------

_UNREACHABLE = setup_db.reachable(te_db.dsn())
needs_db = pytest.mark.skipif(
    _UNREACHABLE is not None, reason=f"no PostgreSQL reachable: {_UNREACHABLE}"
)


def _in_process_fetch(app: Any) -> Any:
    """fetch() for validate_server, calling the WSGI app directly; adds what a server adds."""

    def fetch(url: str) -> tuple[int, list[tuple[str, str]], bytes]:
        path, _, query = url.partition("?")
        scenario = runner.Scenario("te", "te", "GET", path, query=query)
        environ = runner.fresh_environ(runner.environ_template(scenario), b"")
        status, headers, body = runner.call_app(app, environ)
        return status, [*headers, *SERVER], body

    return fetch


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    dsn: str = te_db.dsn()
    setup_db.ensure_tables(dsn)
    yield dsn
    if te_db._pool is not None:
        te_db._pool.close()
        te_db._pool = None


@needs_db
@pytest.mark.parametrize("framework", ["falcon", "flask", "kolba"])
def test_app_follows_every_rule(framework: str, database: str) -> None:
    if importlib.util.find_spec(framework) is None:
        pytest.skip(f"{framework} is not installed")
    module = importlib.import_module(f"te_{framework}")
    assert validate.validate_server("", _in_process_fetch(module.app), database) == {}


@needs_db
def test_validation_catches_an_app_that_breaks_the_rules(database: str) -> None:
    def sloppy(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = b"[]" if environ["PATH_INFO"] in {"/queries", "/updates"} else b"Hello"
        start_response("200 OK", [("Content-Type", "text/html")])
        return [body]

    problems = validate.validate_server("", _in_process_fetch(sloppy), database)
    assert set(problems) == {"plaintext", "json", "db", "fortunes", "queries", "updates"}


@needs_db
def test_tables_hold_the_rows_the_rules_ask_for(database: str) -> None:
    import psycopg

    with psycopg.connect(database) as conn:
        world = conn.execute(
            f"SELECT count(*), min(randomnumber) >= 1, max(randomnumber) <= 10000 "
            f"FROM {te_db.SCHEMA}.world"
        ).fetchone()
        fortunes = conn.execute(
            f"SELECT id, message FROM {te_db.SCHEMA}.fortune ORDER BY id"
        ).fetchall()
    assert world == (10000, True, True)
    assert tuple(fortunes) == setup_db.FORTUNES
    assert setup_db.ensure_tables(database) == "tables already in place"


def test_markdown_reports_a_skip() -> None:
    te_bench = importlib.import_module("te_bench")
    data = {"settings": {}, "skipped": "skipped: no PostgreSQL reachable"}
    assert "TechEmpower tests skipped: no PostgreSQL reachable." in te_bench.render_markdown(data)


def test_run_skips_with_a_message_when_no_database_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    te_bench = importlib.import_module("te_bench")
    monkeypatch.setenv("KOLBA_BENCH_PG_DSN", "host=127.0.0.1 port=1 dbname=x connect_timeout=1")
    data = te_bench.run(1, 1)
    assert data["skipped"].startswith("skipped: no PostgreSQL reachable at")
    assert "results" not in data
