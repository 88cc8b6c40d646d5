"""Every input the fuzzers (fuzz/) ever crashed on, one test each, plus every seed of the
seed corpus through its harness.

A crash was either a defect in kolba or a check in a harness that asked for more than
HTTP (or Werkzeug) gives; each test below says which, and pins the behaviour a user sees.
The harness itself runs on the input too, so a harness check that is loosened too far, or a
parser that regresses, fails here without atheris. Add a test for every new crash file in
fuzz/.work/crashes/; never delete one.
"""

from __future__ import annotations

import importlib
import io
import sys
import time
import typing as t
from pathlib import Path

import pytest
from werkzeug import datastructures as wz_ds
from werkzeug import http as wz_http
from werkzeug.routing import Map as WzMap
from werkzeug.routing import Rule as WzRule

import kolba
from kolba.exceptions import BadRequest
from kolba.sansio import header_types, http
from kolba.wsgi.formparser import default_stream_factory
from kolba.wsgi.multipart import MultipartParser

FUZZ_DIR = Path(__file__).resolve().parents[2] / "fuzz"


def harness(name: str) -> t.Callable[[bytes], None]:
    """The ``TestOneInput`` of ``fuzz/fuzz_<name>.py`` (atheris is not needed to import it)."""
    if str(FUZZ_DIR) not in sys.path:
        sys.path.insert(0, str(FUZZ_DIR))
    module = importlib.import_module(f"fuzz_{name}")
    return t.cast(t.Callable[[bytes], None], module.TestOneInput)


def _seeds() -> list[tuple[str, bytes]]:
    if str(FUZZ_DIR) not in sys.path:
        sys.path.insert(0, str(FUZZ_DIR))
    seeds = importlib.import_module("fuzzseeds").SEEDS
    return [(name, data) for name, items in seeds.items() for data in items]


_SEEDS = _seeds()


@pytest.mark.parametrize(
    ("name", "data"), _SEEDS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(_SEEDS)]
)
def test_every_seed_passes_its_harness(name: str, data: bytes) -> None:
    start = time.perf_counter()
    harness(name)(data)
    assert time.perf_counter() - start < 2.0


# -- cookies -------------------------------------------------------------------------------------


def test_cookie_name_outside_ascii_round_trips_as_bytes() -> None:
    """Crash ``b"\\x0b\\x8b\\x0b\\x0b"`` (harness defect): dump_cookie writes a non-ASCII
    name as its UTF-8 bytes, so the round trip holds for the bytes a browser sends back, not
    for the text. A user sees: a cookie named "ü" comes back as "ü".
    """
    harness("cookies")(b"\x0b\x8b\x0b\x0b")
    app = kolba.Kolba(__name__)

    @app.route("/set")
    def set_cookie() -> t.Any:
        response = kolba.make_response("set")
        response.set_cookie("ü\x8b", "välue")
        return response

    @app.route("/get")
    def get_cookie() -> t.Any:
        return kolba.request.cookies.to_dict()

    client = app.test_client()
    client.get("/set")
    assert client.get("/get").json == {"ü\x8b": "välue"}


# -- options headers (Content-Type, Content-Disposition) ------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\n",  # a value is stripped of spaces and tabs only, as in Werkzeug
        b"?;*=-=",  # an empty parameter name
        b"\x02;\x04;1\x1e\x00\x00;O**=OO\x1e\x00\xaf\x00\x00;=*OO",  # a name ending in "*"
    ],
)
def test_options_header_oddities_read_as_werkzeug_reads_them(data: bytes) -> None:
    """Crashes from over-strict harness checks: each parses exactly as Werkzeug parses it."""
    harness("options_header")(data)
    text = data.decode("latin-1")
    assert http.parse_options_header(text) == wz_http.parse_options_header(text)


def test_json_with_a_trailing_line_break_in_the_content_type_is_not_json() -> None:
    """What the ``b"\\n"`` case means for a request: the mimetype keeps the stray character,
    so the body is not treated as JSON (no guessing in a security decision).
    """
    app = kolba.Kolba(__name__)
    app.add_url_rule("/", "v", lambda: {"json": kolba.request.is_json}, methods=["POST"])
    rv = app.test_client().post(
        "/", data=b"{}", environ_overrides={"CONTENT_TYPE": "application/json\x0b"}
    )
    assert rv.json == {"json": False}


# -- Accept and Cache-Control ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "wz_class"),
    [
        (b"\x02en-US,e,-HCd;eq=1,;07=.*,q1", wz_ds.LanguageAccept),  # an empty item
        (b"\x02en-US7,q;*=0.1", wz_ds.LanguageAccept),  # a parameter named "*"
        (b'\x01text/html; q="0.5"; x="a,b", text/plain', wz_ds.MIMEAccept),  # stray quotes
    ],
)
def test_accept_garbage_reads_as_werkzeug_reads_it(data: bytes, wz_class: t.Any) -> None:
    """Crashes from an over-strict round-trip check: such items cannot be written back
    unchanged by Werkzeug either; what matters is that they read the same.
    """
    harness("accept_header")(data)
    classes = {1: header_types.MIMEAccept, 2: header_types.LanguageAccept}
    text = data[1:].decode("latin-1")
    ours = http.parse_accept_header(text, classes[data[0]])
    assert list(ours) == list(wz_http.parse_accept_header(text, wz_class))


@pytest.mark.parametrize(
    "data",
    [
        b"],64S*=,**=",
        b'rpriv\x00at\x00kie, x", no-cachemax-age=0,=",a\x0f max-age=0, s-maxage=1e3',
    ],
)
def test_cache_control_garbage_reads_as_werkzeug_reads_it(data: bytes) -> None:
    harness("cache_control")(data)
    text = data[1:].decode("latin-1")
    ours = http.parse_cache_control_header(text, cls=header_types.ResponseCacheControl)
    theirs = wz_http.parse_cache_control_header(text, cls=wz_ds.ResponseCacheControl)
    assert dict(ours) == {key.lower(): value for key, value in dict(theirs).items()}
    assert ours.max_age is None  # malformed values read as missing, never raise


# -- ETags and If-Range ----------------------------------------------------------------------------


def test_if_range_holding_a_list_of_etags_sends_the_whole_file() -> None:
    """Crash ``'"a", W/"b", "c"'``: read as one If-Range tag, it holds quotes, which
    ``IfRange.to_header`` refuses (as Werkzeug's does). A request must still get an answer:
    the whole file, since the tag cannot match.
    """
    harness("etags")(b'"a", W/"b", "c"')
    app = kolba.Kolba(__name__)

    @app.route("/file")
    def file() -> t.Any:
        return kolba.send_file(io.BytesIO(b"0123456789"), download_name="f.bin", etag="a")

    rv = app.test_client().get(
        "/file", headers={"Range": "bytes=0-1", "If-Range": '"a", W/"b", "c"'}
    )
    assert (rv.status_code, rv.data) == (200, b"0123456789")
    assert (
        app.test_client().get("/file", headers={"Range": "bytes=0-1", "If-Range": '"a"'}).data
        == b"01"
    )


# -- routing ---------------------------------------------------------------------------------------


def _wz_adapter() -> t.Any:
    return WzMap(
        [
            WzRule("/users/<name>/edit", endpoint="edit", methods=["PUT"]),
            WzRule("/files/<path:p>", endpoint="files"),
            WzRule("/static/<path:filename>", endpoint="static"),
        ]
    ).bind("example.test")


@pytest.mark.parametrize(
    ("data", "endpoint", "values", "method"),
    [
        (b"\xb1/http://evil/tp://evil/x", "edit", {"name": ""}, "PUT"),  # empty segment
        (b"\x80\x02\xa6a/b/../c", "static", {"filename": ""}, "GET"),  # empty path value
        (b"\x80\xfd\xff\xff\xff\x00/", "files", {"p": "/"}, "GET"),  # a leading "/"
    ],
)
def test_values_that_cannot_come_back_build_as_in_werkzeug(
    data: bytes, endpoint: str, values: dict[str, str], method: str
) -> None:
    """Crashes from the build-then-match check: these values build a URL that matches no
    rule, in Werkzeug too (url_for does not validate a value against the converter).
    """
    harness("routing")(data)
    app = kolba.Kolba(__name__, static_folder=None)
    app.add_url_rule("/users/<name>/edit", "edit", lambda name: name, methods=["PUT"])
    app.add_url_rule("/files/<path:p>", "files", lambda p: p)
    app.add_url_rule("/static/<path:filename>", "static", lambda filename: filename)
    with app.test_request_context(base_url="http://example.test/"):
        ours = kolba.url_for(endpoint, _method=method, **values)
    assert ours == _wz_adapter().build(endpoint, values, method=method)


def test_a_path_value_with_a_double_slash_redirects_to_the_same_endpoint() -> None:
    """Crash ``b"\\x80\\x01\\x00//evil.example/x"``: url_for("files", p="//evil.example/x")
    builds /files///evil.example/x, which merge_slashes redirects; the redirect stays on
    this host and reaches the same view.
    """
    harness("routing")(b"\x80\x01\x00//evil.example/x")
    app = kolba.Kolba(__name__)
    app.add_url_rule("/files/<path:p>", "files", lambda p: p)
    with app.test_request_context():
        url = kolba.url_for("files", p="//evil.example/x")
    assert url == "/files///evil.example/x"
    rv = app.test_client().get(url)
    assert (rv.status_code, rv.headers["Location"]) == (
        308,
        "http://localhost/files/evil.example/x",
    )
    assert app.test_client().get(url, follow_redirects=True).text == "evil.example/x"


# -- multipart -------------------------------------------------------------------------------------


def test_large_seed_read_one_byte_at_a_time_is_fast() -> None:
    """A "crash" under atheris was only its tracing overhead (the harness no longer times
    inputs under instrumentation; libFuzzer's -timeout catches real hangs). Without tracing,
    a 30 kB body fed to the parser one byte per read stays far inside the budget.
    """
    body = b"--XyZ\r\n" + b"a" * 30000
    parser = MultipartParser(default_stream_factory, read_size=1)
    start = time.perf_counter()
    with pytest.raises(BadRequest):
        parser.parse(io.BytesIO(body), "XyZ", len(body))
    assert time.perf_counter() - start < 1.0
