"""Tests for kolba.wsgi.response: the body, the WSGI call and its status rules, checked
against Werkzeug's Response where the two must agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.sansio.datastructures import Headers
from kolba.wsgi.response import ClosingIterator, Response

FAST = settings(max_examples=200, deadline=None)


@pytest.fixture
def wz_response() -> Any:
    """Werkzeug's WSGI Response, the behaviour reference."""
    return pytest.importorskip("werkzeug.wrappers").Response


def call(
    response: Any, method: str = "GET", close: bool = True
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Send ``response`` the way a WSGI server does; return (status, headers, body)."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = status
        captured["headers"] = list(headers)
        return lambda data: None

    app_iter = response({"REQUEST_METHOD": method, "SERVER_PROTOCOL": "HTTP/1.1"}, start_response)
    try:
        body = b"".join(app_iter)
    finally:
        if close and hasattr(app_iter, "close"):
            app_iter.close()
    return captured["status"], captured["headers"], body


def gen(*chunks: Any) -> Iterator[Any]:
    yield from chunks


class Tracked:
    """An iterable body that records whether it was closed."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = list(chunks)
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed += 1


# ---------------------------------------------------------------------------------------------
# body forms


def test_no_body() -> None:
    r = Response()
    assert r.data == b""
    assert r.status == "200 OK"
    assert r.content_type == "text/plain; charset=utf-8"
    assert call(r) == (
        "200 OK",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")],
        b"",
    )


@pytest.mark.parametrize(
    ("body", "data"),
    [("héllo", "héllo".encode()), (b"\x00\xff", b"\x00\xff"), (bytearray(b"ab"), b"ab")],
)
def test_str_bytes_and_bytearray_bodies(body: Any, data: bytes) -> None:
    r = Response(body)
    assert r.data == data
    assert r.content_length == len(data)
    assert r.headers["Content-Length"] == str(len(data))
    assert not r.is_streamed
    assert r.is_sequence
    assert call(r)[2] == data


def test_list_and_tuple_bodies_are_sequences_with_a_computed_length() -> None:
    for body in (["a", b"bc"], ("a", b"bc")):
        r = Response(body)
        assert r.is_sequence
        assert not r.is_streamed
        assert "Content-Length" not in r.headers
        _status, headers, data = call(r)
        assert data == b"abc"
        assert ("Content-Length", "3") in headers


def test_generator_body_is_streamed_without_content_length() -> None:
    r = Response(gen("a", b"b"))
    assert r.is_streamed
    assert not r.is_sequence
    _status, headers, data = call(r)
    assert data == b"ab"
    assert all(name != "Content-Length" for name, _ in headers)


def test_chunk_of_a_wrong_type_names_it() -> None:
    r = Response([1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="yielded int"):
        call(r)


# ---------------------------------------------------------------------------------------------
# data access


def test_get_data_set_data_and_the_data_property() -> None:
    r = Response("ü")
    assert r.get_data() == b"\xc3\xbc"
    assert r.get_data(as_text=True) == "ü"
    assert r.text == "ü"
    r.set_data(b"abc")
    assert r.data == b"abc"
    assert r.headers["Content-Length"] == "3"
    r.data = "héllo"
    assert r.data == "héllo".encode()
    assert r.content_length == 6


def test_get_data_as_text_of_invalid_utf8_raises_like_werkzeug(wz_response: Any) -> None:
    with pytest.raises(UnicodeDecodeError):
        wz_response(b"\xff").get_data(as_text=True)
    with pytest.raises(UnicodeDecodeError):
        Response(b"\xff").get_data(as_text=True)


def test_reading_a_streamed_body_buffers_it_once() -> None:
    body = Tracked([b"a", b"b"])
    r = Response(body)
    assert r.is_streamed
    assert r.data == b"ab"
    assert r.data == b"ab"
    assert r.is_sequence
    # The original iterable is closed when the response is.
    assert body.closed == 0
    r.close()
    assert body.closed == 1


def test_make_sequence_and_iter_encoded() -> None:
    r = Response(gen("a", "é"))
    r.make_sequence()
    assert r.response == [b"a", "é".encode()]
    assert list(Response(["a", b"b"]).iter_encoded()) == [b"a", b"b"]


def test_calculate_content_length() -> None:
    assert Response(["a", "bc"]).calculate_content_length() == 3
    assert Response(gen("abc")).calculate_content_length() == 3
    assert Response(gen("abc"), direct_passthrough=True).calculate_content_length() is None


def test_freeze_buffers_and_sets_content_length() -> None:
    r = Response(gen("a", "bb"))
    r.freeze()
    assert r.response == [b"a", b"bb"]
    assert r.headers["Content-Length"] == "3"
    assert call(r)[2] == b"abb"


def test_direct_passthrough_hands_the_iterable_over_untouched() -> None:
    body = Tracked([b"file", b"data"])
    r = Response(body, direct_passthrough=True)
    assert r.direct_passthrough
    with pytest.raises(RuntimeError, match="direct passthrough"):
        r.get_data()
    captured: dict[str, Any] = {}
    app_iter = r({"REQUEST_METHOD": "GET"}, lambda s, h, e=None: captured.update(h=h))
    assert app_iter is body
    r.direct_passthrough = False
    assert r.data == b"filedata"


def test_implicit_sequence_conversion_can_be_turned_off() -> None:
    class Strict(Response):
        implicit_sequence_conversion = False

    r = Strict(gen(b"x"))
    with pytest.raises(RuntimeError, match="make_sequence"):
        r.get_data()
    r.make_sequence()
    assert r.get_data() == b"x"


def test_add_etag_hashes_the_body_unless_set() -> None:
    r = Response("hello")
    r.add_etag()
    etag, weak = r.get_etag()
    assert etag
    assert not weak
    assert r.headers["ETag"] == f'"{etag}"'
    r.data = "other"
    r.add_etag()
    assert r.get_etag()[0] == etag
    r.add_etag(overwrite=True)
    assert r.get_etag()[0] != etag
    mine = Response("x")
    mine.set_etag("mine")
    mine.add_etag()
    assert mine.get_etag() == ("mine", False)


def test_add_etag_matches_werkzeug(wz_response: Any) -> None:
    r, ref = Response("hello"), wz_response("hello")
    r.add_etag(weak=True)
    ref.add_etag(weak=True)
    assert r.headers["ETag"] == ref.headers["ETag"]


def test_json_and_get_json() -> None:
    r = Response('{"a": [1, 2]}', mimetype="application/json")
    assert r.is_json
    assert r.json == {"a": [1, 2]}
    assert r.get_json() == {"a": [1, 2]}
    plain = Response('{"a": 1}', mimetype="text/plain")
    assert plain.json is None
    assert plain.get_json(force=True) == {"a": 1}
    broken = Response("{", mimetype="application/json")
    assert broken.get_json(silent=True) is None
    with pytest.raises(ValueError):
        broken.get_json()


def test_repr() -> None:
    assert repr(Response("abc", 404)) == "<Response 3 bytes [404 NOT FOUND]>"
    assert repr(Response(gen("a"))) == "<Response streamed [200 OK]>"


# ---------------------------------------------------------------------------------------------
# closing


def test_call_on_close_and_close_order() -> None:
    log: list[str] = []

    class Body(Tracked):
        def close(self) -> None:
            log.append("body")

    r = Response(Body([b"x"]))
    returned = r.call_on_close(lambda: log.append("first"))
    r.call_on_close(lambda: log.append("second"))
    assert callable(returned)
    r.close()
    assert log == ["body", "first", "second"]


def test_response_as_a_context_manager_closes() -> None:
    log: list[int] = []
    with Response("x") as r:
        r.call_on_close(lambda: log.append(1))
    assert log == [1]


def test_the_server_closing_the_body_closes_the_response() -> None:
    log: list[int] = []
    body = Tracked([b"a", b"b"])
    r = Response(body)
    r.call_on_close(lambda: log.append(1))
    assert call(r)[2] == b"ab"
    assert body.closed == 1
    assert log == [1]


def test_buffered_body_with_close_callback_still_runs_it() -> None:
    log: list[int] = []
    r = Response("x")
    r.call_on_close(lambda: log.append(1))
    assert call(r) == (
        "200 OK",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "1")],
        b"x",
    )
    assert log == [1]


def test_closing_iterator_runs_every_callback_once_and_reraises_the_first_error() -> None:
    log: list[str] = []

    def boom() -> None:
        log.append("boom")
        raise RuntimeError("first")

    def later() -> None:
        log.append("later")
        raise KeyError("second")

    it = ClosingIterator(["a", b"b"], [boom, later, lambda: log.append("last")])
    assert list(it) == [b"a", b"b"]
    with pytest.raises(RuntimeError, match="first"):
        it.close()
    assert log == ["boom", "later", "last"]
    it.close()
    assert log == ["boom", "later", "last"]


# ---------------------------------------------------------------------------------------------
# status and method rules when sending


def test_head_drops_the_body_and_keeps_content_length() -> None:
    r = Response("hello")
    assert call(r, "HEAD") == (
        "200 OK",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "5")],
        b"",
    )
    # The response itself still has its body (after_request functions may read it).
    assert r.data == b"hello"


def test_head_of_a_stream_sends_nothing_and_closes_it() -> None:
    body = Tracked([b"a"])
    _status, _headers, data = call(Response(body), "HEAD")
    assert data == b""
    assert body.closed == 1


@pytest.mark.parametrize("code", [100, 101, 199, 204])
def test_informational_and_no_content_have_no_body_and_no_length(code: int) -> None:
    _status, headers, data = call(Response("body", code))
    assert data == b""
    assert all(name.lower() != "content-length" for name, _ in headers)
    assert ("Content-Type", "text/plain; charset=utf-8") in headers


def test_not_modified_drops_body_headers_but_keeps_cache_ones() -> None:
    kept = [
        ("ETag", '"e"'),
        ("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Content-Location", "/a"),
        ("Cache-Control", "max-age=1"),
        ("Vary", "Accept"),
        ("Date", "Thu, 01 Jan 1970 00:00:00 GMT"),
    ]
    dropped = [
        ("Content-Type", "text/plain"),
        ("Content-Length", "4"),
        ("Last-Modified", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Allow", "GET"),
        ("Content-Encoding", "gzip"),
        ("Content-Language", "en"),
        ("Content-Range", "bytes 0-1/2"),
        ("Content-MD5", "x"),
    ]
    r = Response("body", 304, headers=[*kept, *dropped])
    assert call(r) == ("304 NOT MODIFIED", kept, b"")
    # The response object keeps every header; only what is sent changes.
    assert len(r.headers) == len(kept) + len(dropped)


_REFERENCE_CASES: list[tuple[Any, Any, str]] = [
    ("hello", 200, "GET"),
    ("hello", 200, "HEAD"),
    ("hello", 201, "GET"),
    ("hello", 404, "GET"),
    ("hello", 204, "GET"),
    ("hello", 304, "GET"),
    ("hello", 101, "GET"),
    ("hello", "299 Custom Thing", "GET"),
    (["a", b"b"], 200, "GET"),
    (["a", b"b"], 200, "HEAD"),
    (None, 200, "GET"),
    (b"", 204, "HEAD"),
]


@pytest.mark.parametrize(("body", "status", "method"), _REFERENCE_CASES)
def test_wsgi_output_matches_werkzeug(
    body: Any, status: Any, method: str, wz_response: Any
) -> None:
    headers = [("X-A", "1"), ("Expires", "Thu, 01 Jan 1970 00:00:00 GMT")]
    mine = call(Response(body, status, headers=list(headers)), method)
    ref = call(wz_response(body, status, headers=list(headers)), method)
    assert mine == ref


def test_streamed_wsgi_output_matches_werkzeug(wz_response: Any) -> None:
    for method in ("GET", "HEAD"):
        assert call(Response(gen("a", "b")), method) == call(wz_response(gen("a", "b")), method)


def test_a_response_can_be_sent_twice() -> None:
    r = Response("again")
    assert call(r) == call(r)


@FAST
@given(
    body=st.one_of(st.binary(max_size=20), st.text(max_size=20)),
    status=st.sampled_from([200, 201, 204, 206, 299, 301, 304, 404, 500, 101]),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    extra=st.lists(
        st.tuples(st.sampled_from(["X-A", "Vary", "Expires"]), st.text("abc ", max_size=5)),
        max_size=3,
    ),
    prepared=st.booleans(),
)
def test_fast_path_sends_what_the_general_path_sends(
    body: str | bytes, status: int, method: str, extra: list[tuple[str, str]], prepared: bool
) -> None:
    def build() -> Response:
        if prepared:
            r = Response._prepared(body, 200, [("Content-Type", "text/html; charset=utf-8")])
        else:
            r = Response(body)
        r.status_code = status
        for name, value in extra:
            r.headers.add(name, value)
        return r

    fast = call(build(), method)
    slow_response = build()
    app_iter, line, headers = slow_response.get_wsgi_response({"REQUEST_METHOD": method})
    assert fast == (line, headers, b"".join(app_iter))


class _General(Response):
    """Takes the general construction path (a set_data of its own disables the short one)."""

    def set_data(self, value: bytes | str | bytearray) -> None:
        super().set_data(value)


@FAST
@given(
    body=st.one_of(st.none(), st.binary(max_size=20), st.text(max_size=20)),
    status=st.one_of(st.none(), st.sampled_from([200, 201, 204, 304, 404, "299 Custom"])),
    mimetype=st.one_of(
        st.none(), st.sampled_from(["text/html", "application/json", "image/svg+xml"])
    ),
    method=st.sampled_from(["GET", "HEAD"]),
)
def test_short_construction_path_builds_what_the_general_one_builds(
    body: Any, status: Any, mimetype: str | None, method: str
) -> None:
    short = Response(body, status, mimetype=mimetype)
    general = _General(body, status, mimetype=mimetype)
    assert list(short.headers.items()) == list(general.headers.items())
    assert (short.status, short.status_code) == (general.status, general.status_code)
    assert short.get_data() == general.get_data()
    assert call(short, method) == call(general, method)


def test_construction_refuses_a_mimetype_with_a_line_break() -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        Response("x", mimetype="text/html\r\nX-Injected: 1")
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        Response("x", content_type="text/html\r\nX-Injected: 1")


def test_subclass_with_its_own_set_data_gets_it_called() -> None:
    seen: list[Any] = []

    class Recording(Response):
        def set_data(self, value: bytes | str | bytearray) -> None:
            seen.append(value)
            super().set_data(value)

    Recording("body")
    assert seen == ["body"]


def test_automatic_content_length_can_be_turned_off() -> None:
    class NoLength(Response):
        automatically_set_content_length = False

    r = NoLength("body")
    assert "Content-Length" not in r.headers
    assert call(r)[1] == [("Content-Type", "text/plain; charset=utf-8")]


# ---------------------------------------------------------------------------------------------
# conditional requests


def _conditional(cls: Any, environ_extra: dict[str, str], **kwargs: Any) -> Any:
    wz_test = pytest.importorskip("werkzeug.test")
    environ = wz_test.create_environ("/")
    environ.update(environ_extra)
    r = cls(
        b"0123456789", headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2020 00:00:00 GMT"}
    )
    assert r.make_conditional(environ, **kwargs) is r
    status, headers, body = call(r)
    return status, sorted((k, v) for k, v in headers if k != "Date"), body


@pytest.mark.parametrize(
    ("environ_extra", "kwargs"),
    [
        ({"HTTP_IF_NONE_MATCH": '"v1"'}, {}),
        ({"HTTP_IF_NONE_MATCH": '"other"'}, {}),
        ({"HTTP_IF_MODIFIED_SINCE": "Thu, 02 Jan 2020 00:00:00 GMT"}, {}),
        ({"HTTP_RANGE": "bytes=2-4"}, {"accept_ranges": True, "complete_length": 10}),
        ({"HTTP_RANGE": "bytes=-3"}, {"accept_ranges": True, "complete_length": 10}),
        ({"REQUEST_METHOD": "POST", "HTTP_IF_NONE_MATCH": '"v1"'}, {}),
    ],
)
def test_make_conditional_matches_werkzeug(
    environ_extra: dict[str, str], kwargs: dict[str, Any], wz_response: Any
) -> None:
    assert _conditional(Response, environ_extra, **kwargs) == _conditional(
        wz_response, environ_extra, **kwargs
    )


def test_make_conditional_answers_304_without_a_body() -> None:
    status, headers, body = _conditional(Response, {"HTTP_IF_NONE_MATCH": '"v1"'})
    assert status == "304 NOT MODIFIED"
    assert body == b""
    assert ("ETag", '"v1"') in headers


# ---------------------------------------------------------------------------------------------
# conversion


def test_force_type_changes_the_class_in_place() -> None:
    class Mine(Response):
        pass

    r = Response("x")
    assert Mine.force_type(r) is r
    assert type(r) is Mine


def test_force_type_of_a_wsgi_app_needs_an_environ() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("201 CREATED", [("X-From", "app"), ("Content-Type", "text/plain")])
        return [b"made ", b"by app"]

    with pytest.raises(TypeError, match="environ"):
        Response.force_type(app)
    r = Response.force_type(app, {"REQUEST_METHOD": "GET"})
    assert r.status == "201 CREATED"
    assert r.headers["X-From"] == "app"
    assert r.data == b"made by app"


def test_from_app_with_an_app_that_starts_the_response_lazily() -> None:
    body = Tracked([b"never"])
    log: list[str] = []

    def app(environ: Any, start_response: Any) -> Iterator[bytes]:
        try:
            start_response("202 ACCEPTED", [("X-Lazy", "1")])
            log.append("started")
            yield b"a"
            yield b"b"
        finally:
            log.append("closed")

    r = Response.from_app(app, {})
    assert (r.status, r.headers["X-Lazy"]) == ("202 ACCEPTED", "1")
    assert r.is_streamed
    assert call(r)[2] == b"ab"
    assert log == ["started", "closed"]
    assert body.closed == 0


def test_from_app_that_never_starts_the_response() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        return [b"x"]

    with pytest.raises(RuntimeError, match="start_response"):
        Response.from_app(app, {})  # type: ignore[arg-type]


def test_from_app_with_the_write_callable() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"written ")
        return [b"returned"]

    assert Response.from_app(app, {}).data == b"written returned"  # type: ignore[arg-type]


def test_from_app_closes_a_buffered_app_iterable() -> None:
    body = Tracked([b"a"])

    def app(environ: Any, start_response: Any) -> Tracked:
        start_response("200 OK", [])
        return body

    r = Response.from_app(app, {}, buffered=True)  # type: ignore[arg-type]
    assert r.data == b"a"
    assert body.closed == 1


def test_headers_object_given_is_used() -> None:
    h = Headers([("X-A", "1")])
    r = Response("x", headers=h)
    assert r.headers is h
    assert call(r)[1] == [
        ("X-A", "1"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "1"),
    ]
