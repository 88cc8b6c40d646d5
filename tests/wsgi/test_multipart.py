"""multipart/form-data: fields, files, spooling, limits and cleanup."""

from __future__ import annotations

import io
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kolba
from kolba.sansio.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from kolba.sansio.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from kolba.wrappers import Request
from kolba.wsgi.formparser import SPOOL_MAX_SIZE, default_stream_factory
from kolba.wsgi.multipart import MultipartParser, parse_disposition

Part = tuple[list[tuple[str, str]], bytes]


def field(name: str, value: bytes | str) -> Part:
    data = value.encode() if isinstance(value, str) else value
    return [("Content-Disposition", f'form-data; name="{name}"')], data


def upload(name: str, filename: str, data: bytes, content_type: str | None = None) -> Part:
    headers = [("Content-Disposition", f'form-data; name="{name}"; filename="{filename}"')]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return headers, data


def encode(parts: list[Part], boundary: str = "XyZ") -> bytes:
    out = bytearray()
    for headers, data in parts:
        out += f"--{boundary}\r\n".encode()
        for key, value in headers:
            out += f"{key}: {value}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


class Chunked(io.RawIOBase):
    """A WSGI input that hands out the body in the given read sizes (then what is left)."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data = data
        self.pos = 0
        self.sizes = list(sizes)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = len(self.data)
        if self.sizes:
            size = min(size, self.sizes.pop(0))
        out = self.data[self.pos : self.pos + size]
        self.pos += len(out)
        return out


def environ(
    body: bytes, boundary: str | None = "XyZ", wire: Any = None, **extra: Any
) -> dict[str, Any]:
    content_type = "multipart/form-data" + (f"; boundary={boundary}" if boundary else "")
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": wire if wire is not None else io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
    }
    env.update(extra)
    return env


_parsed: list[Request] = []


def parse(body: bytes, boundary: str | None = "XyZ", **extra: Any) -> Request:
    request = Request(environ(body, boundary, **extra))
    _parsed.append(request)
    request.form  # noqa: B018
    return request


@pytest.fixture(autouse=True)
def _close_requests() -> Iterator[None]:
    """Close what a test parsed, as the app does when a request ends (an unclosed spooled
    file would fail the test with a ResourceWarning).
    """
    yield
    while _parsed:
        _parsed.pop().close()


@pytest.fixture
def temp_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every temporary file an upload is spooled to (SpooledTemporaryFile.rollover)."""
    created: list[Any] = []
    real = tempfile.TemporaryFile

    def recording(*args: Any, **kwargs: Any) -> Any:
        f = real(*args, **kwargs)
        created.append(f)
        return f

    monkeypatch.setattr(tempfile, "TemporaryFile", recording)
    yield created
    for f in created:
        f.close()


# ---------------------------------------------------------------------------------------------
# Fields and files


def test_fields_and_files() -> None:
    body = encode(
        [
            field("name", "Ada"),
            field("tags", "a"),
            field("tags", "b"),
            upload("doc", "notes.txt", b"hello\r\nworld", "text/plain; charset=utf-8"),
            upload("doc", "empty.bin", b""),
            field("unicode", "Zürich €"),
        ]
    )
    request = parse(body)
    assert isinstance(request.form, ImmutableMultiDict)
    assert isinstance(request.files, ImmutableMultiDict)
    assert request.form.to_dict(flat=False) == {
        "name": ["Ada"],
        "tags": ["a", "b"],
        "unicode": ["Zürich €"],
    }
    first, second = request.files.getlist("doc")
    assert isinstance(first, FileStorage)
    assert first.filename == "notes.txt"
    assert first.name == "doc"
    assert first.content_type == "text/plain; charset=utf-8"
    assert first.mimetype == "text/plain"
    assert first.mimetype_params == {"charset": "utf-8"}
    assert first.headers["Content-Disposition"].startswith("form-data")
    assert first.read() == b"hello\r\nworld"
    assert second.filename == "empty.bin"
    assert second.content_type is None
    assert second.read() == b""
    assert request.values["name"] == "Ada"
    assert request.get_data() == b""  # the parser consumed the body
    request.close()
    assert first.stream.closed
    assert second.stream.closed


def test_empty_filename_is_a_file_that_is_false() -> None:
    # What a browser sends for a file input left empty.
    request = parse(encode([upload("f", "", b"")]))
    assert "f" in request.files
    assert not request.files["f"]
    assert request.form == {}


def test_part_content_length_header_is_reported() -> None:
    headers, data = upload("f", "a.txt", b"abc")
    request = parse(encode([([*headers, ("Content-Length", "3")], data)]))
    assert request.files["f"].content_length == 3


@pytest.mark.parametrize("length", ["\xb2", "9" * 5000])
def test_a_part_content_length_that_int_refuses_is_not_an_error(length: str) -> None:
    # Both passed str.isdigit() and then failed int(): a 500 with python-multipart's adapter.
    seen: list[int | None] = []

    def factory(total: Any, content_type: Any, filename: Any, part_length: Any) -> Any:
        seen.append(part_length)
        return default_stream_factory(total, content_type, filename, part_length)

    headers, data = upload("f", "a.txt", b"abc")
    body = encode([([*headers, ("Content-Length", length)], data)]).decode().encode("latin-1")
    _form, files = MultipartParser(factory).parse(io.BytesIO(body), "XyZ", len(body))
    assert seen == [None]
    assert files["f"].read() == b"abc"
    assert files["f"].content_length == 0
    files["f"].close()


def test_test_client_uploads() -> None:
    app = kolba.Kolba(__name__)

    @app.post("/")
    def view() -> Any:
        f = kolba.request.files["f"]
        return {"form": kolba.request.form.to_dict(), "f": [f.filename, f.read().decode()]}

    data = {"a": "1", "f": (io.BytesIO(b"content"), "x.txt", "text/plain")}
    assert app.test_client().post("/", data=data).get_json() == {
        "form": {"a": "1"},
        "f": ["x.txt", "content"],
    }


# Valid bodies: kolba and Flask read the same fields and files, whatever the read sizes.
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\%'),
    min_size=1,
    max_size=8,
)
part_strategy = st.one_of(
    st.tuples(st.just("field"), names, st.text(max_size=30)),
    st.tuples(st.just("file"), names, st.binary(max_size=300)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(part_strategy, max_size=6),
    st.lists(st.integers(min_value=1, max_value=50), max_size=40),
    st.sampled_from(["XyZ", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a'()+_,-./:=?"]),
)
def test_valid_bodies_parse_like_flask_in_any_chunking(
    parts: list[tuple[str, str, Any]], sizes: list[int], boundary: str
) -> None:
    encoded = [
        field(name, value) if kind == "field" else upload(name, f"{name}.bin", value)
        for kind, name, value in parts
    ]
    body = encode(encoded, boundary)
    # Make sure the boundary is unique in the body, as a client would.
    if any(boundary.encode() in data for _, data in encoded):
        return
    parser = MultipartParser(default_stream_factory, read_size=64)
    form, files = parser.parse(Chunked(body, sizes), boundary, len(body))  # type: ignore[arg-type]
    try:
        ours = (
            sorted(form.items(multi=True)),
            sorted((k, f.filename, f.read()) for k, f in files.items(multi=True)),
        )
    finally:
        for _, f in files.items(multi=True):
            f.close()
    ct = f'multipart/form-data; boundary="{boundary}"'
    with flask.wrappers.Request(dict(environ(body), CONTENT_TYPE=ct)) as flask_request:
        theirs = (
            sorted(flask_request.form.items(multi=True)),
            sorted((k, f.filename, f.read()) for k, f in flask_request.files.items(multi=True)),
        )
    assert ours == theirs


@pytest.mark.parametrize("read_size", [1, 2, 3, 7, 64, 65536])
def test_any_read_size_gives_the_same_result(read_size: int) -> None:
    body = encode([field("a", "x" * 100 + "\r\n--Xy"), upload("f", "f.txt", b"\r\n--XyZ-" * 20)])
    parser = MultipartParser(default_stream_factory, read_size=read_size)
    form, files = parser.parse(io.BytesIO(body), "XyZ", len(body))
    assert form["a"] == "x" * 100 + "\r\n--Xy"
    assert files["f"].read() == b"\r\n--XyZ-" * 20
    files["f"].close()


# ---------------------------------------------------------------------------------------------
# Structure: what is tolerated and what is a 400


def test_preamble_epilogue_and_padding_are_tolerated() -> None:
    body = (
        b"This is a preamble.\r\n"
        + encode([field("a", "1")]).replace(b"--XyZ\r\n", b"--XyZ  \r\n", 1)
        + b"an epilogue that is never read"
    )
    request = parse(body)
    assert request.form.to_dict() == {"a": "1"}


def test_leading_blank_lines_before_the_first_boundary() -> None:
    assert parse(b"\r\n\r\n" + encode([field("a", "1")])).form["a"] == "1"


def test_empty_body_and_bare_close_are_an_empty_form() -> None:
    assert parse(b"").form == {}
    assert parse(b"--XyZ--\r\n").form == {}


def test_quoted_boundary() -> None:
    request = Request(environ(encode([field("a", "1")]), boundary='"XyZ"'))
    assert request.form["a"] == "1"


def test_parts_without_a_name_or_disposition_are_skipped() -> None:
    body = encode(
        [
            ([("Content-Type", "text/plain")], b"no disposition"),
            ([("Content-Disposition", "form-data")], b"no name"),
            ([("Content-Disposition", "form-data; name*=UTF-8''x")], b"extended name only"),
            field("kept", "yes"),
        ]
    )
    request = parse(body)
    assert request.form.to_dict() == {"kept": "yes"}
    assert request.files == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1", "cut off"),
        (b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ-", "cut off"),
        (b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ__\r\n", "cut off"),
        (b"--XyZ\nContent-Disposition: form-data; name=a\n\n1\n--XyZ--\n", "CRLF"),
        (b"--XyZ\rContent-Disposition: form-data; name=a\r\r1\r--XyZ--\r", "CRLF"),
        (b"just some bytes", "never appears"),
        (
            b'--XyZ\r\nContent-Disposition: form-data; name="a\r\n\r\n1\r\n--XyZ--\r\n',
            "unterminated quote",
        ),
        (
            b"--XyZ\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n1\r\n--XyZ--\r\n",
            "repeats",
        ),
        (
            b"--XyZ\r\nContent-Disposition: form-data; name=a\r\nX: a\nb\r\n\r\n1\r\n--XyZ--\r\n",
            "line feed",
        ),
        (
            b"--XyZ\r\nContent-Disposition: form-data; name=a\r\nX: a\x00b\r\n\r\n1\r\n--XyZ--\r\n",
            "NUL",
        ),
    ],
)
def test_malformed_bodies_are_a_400_that_says_why(body: bytes, message: str) -> None:
    with pytest.raises(BadRequest) as info:
        parse(body)
    assert info.value.code == 400
    assert message in info.value.description
    assert "multipart" in info.value.description


def test_missing_or_overlong_boundary_is_a_400() -> None:
    body = encode([field("a", "1")])
    with pytest.raises(BadRequest, match="boundary"):
        parse(body, boundary=None)
    long = "B" * 300
    with pytest.raises(BadRequest, match="300 bytes"):
        parse(encode([field("a", "1")], long), boundary=long)
    assert parse(encode([field("a", "1")], "B" * 256), boundary="B" * 256).form["a"] == "1"


def test_part_header_count_and_size_limits_are_a_400() -> None:
    many = [(f"X-H{i}", "v") for i in range(9)]
    headers, data = field("a", "1")
    with pytest.raises(BadRequest, match="more than 8 headers"):
        parse(encode([(headers + many, data)]))
    assert parse(encode([(headers + many[:7], data)])).form["a"] == "1"
    long_name = "n" * 9000
    with pytest.raises(BadRequest, match="8192 bytes"):
        parse(encode([field(long_name, "1")]))
    assert parse(encode([field("n" * 4000, "1")])).form["n" * 4000] == "1"
    # The 8 KiB are for the whole header block, not for each line of it.
    lines = [(f"X-H{i}", "v" * 2000) for i in range(5)]
    with pytest.raises(BadRequest, match="8192 bytes"):
        parse(encode([(headers + lines, data)]))
    assert parse(encode([(headers + lines[:3], data)])).form["a"] == "1"


def test_a_preamble_line_that_only_starts_with_the_boundary_is_preamble() -> None:
    body = b"--XyZ-not-a-boundary-line\r\n--XyZx\r\n" + encode([field("a", "1")])
    assert parse(body).form["a"] == "1"


# ---------------------------------------------------------------------------------------------
# Content-Disposition


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('form-data; name="a"', ("a", None)),
        ("form-data; name=a; filename=b.txt", ("a", "b.txt")),
        ('form-data; name="a"; filename=""', ("a", "")),
        ('form-data;name="a";filename="b c.txt"', ("a", "b c.txt")),
        ('form-data; NAME="a"; FileName="b"', ("a", "b")),
        ('form-data; name="a%22b"', ('a"b', None)),
        ('form-data; name="a\\"b"', ('a"b', None)),
        ('form-data; name="f"; filename="C:\\\\x\\\\..\\\\boot.ini"', ("f", "C:\\x\\..\\boot.ini")),
        ('form-data; name="f"; filename="C:\\x\\..\\boot.ini"', ("f", "C:\\x\\..\\boot.ini")),
        (
            'form-data; name="f"; filename="\\\\server\\share\\a.txt"',
            ("f", "\\\\server\\share\\a.txt"),
        ),
        (
            'form-data; name="f"; filename="a.txt"; filename*=UTF-8\'\'..%2F..%2Fetc%2Fpasswd',
            ("f", "a.txt"),
        ),
        ("form-data; name=\"f\"; filename*=UTF-8''n%C3%A4me.txt", ("f", "näme.txt")),
        ("form-data; name=\"f\"; filename*=koi8-r''x", ("f", None)),
        ('form-data; name="f"; filename*=garbage', ("f", None)),
        ("form-data; name=\"a\"; name*=UTF-8''b", ("a", None)),
        ("form-data; name*=UTF-8''b", (None, None)),
        ("form-data; flag; name=a", ("a", None)),
        ("form-data", (None, None)),
        ("attachment; name=a", ("a", None)),
        ('form-data; name="ä€.txt"'.encode().decode("latin-1"), ("ä€.txt", None)),
        ('form-data; name="\xe4"', ("\xe4", None)),  # not UTF-8: kept as latin-1
    ],
)
def test_parse_disposition(value: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_disposition(value) == expected


def test_filename_star_never_overrides_filename() -> None:
    # Werkzeug lets filename* replace filename (and name* replace name), so a filter that
    # reads the plain parameters sees something else than the app; kolba does not.
    disposition = (
        'form-data; name="f"; name*=UTF-8\'\'g; filename="a.txt";'
        " filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"
    )
    request = parse(encode([([("Content-Disposition", disposition)], b"x")]))
    assert list(request.files) == ["f"]
    assert request.files["f"].filename == "a.txt"


# ---------------------------------------------------------------------------------------------
# Spooling


def test_small_uploads_stay_in_memory(temp_files: list[Any]) -> None:
    request = parse(encode([upload("f", "a", b"x" * 100_000), upload("g", "b", b"y" * 100_000)]))
    assert request.files["f"].read() == b"x" * 100_000
    assert temp_files == []
    request.close()


def test_a_large_upload_is_spooled_to_a_temporary_file(temp_files: list[Any]) -> None:
    request = parse(encode([upload("f", "big.bin", b"x" * (SPOOL_MAX_SIZE + 1))]))
    assert len(temp_files) == 1
    assert request.files["f"].read() == b"x" * (SPOOL_MAX_SIZE + 1)
    request.close()
    assert all(f.closed for f in temp_files)


def test_uploads_share_one_memory_budget(temp_files: list[Any]) -> None:
    # Three files of 60% of the budget each: only the first fits in memory.
    size = SPOOL_MAX_SIZE * 6 // 10
    parts = [upload(n, n, n.encode() * size) for n in "abc"]
    request = parse(encode(parts))
    assert len(temp_files) == 2
    for n in "abc":
        assert request.files[n].read() == n.encode() * size
    request.close()
    assert all(f.closed for f in temp_files)


def test_many_small_uploads_do_not_each_get_a_budget(temp_files: list[Any]) -> None:
    parts = [upload(f"f{i}", "x", b"z" * 20_000) for i in range(100)]  # 2 MB in total
    request = parse(encode(parts))
    in_memory = 100 - len(temp_files)
    assert in_memory * 20_000 <= SPOOL_MAX_SIZE
    request.close()


def test_uploaded_files_are_closed_after_the_request(temp_files: list[Any]) -> None:
    app = kolba.Kolba(__name__)
    seen: list[FileStorage] = []

    @app.post("/")
    def view() -> str:
        seen.extend(kolba.request.files.values())
        return "ok"

    @app.post("/fail")
    def fail() -> str:
        seen.extend(kolba.request.files.values())
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = encode([upload("big", "b", b"x" * (SPOOL_MAX_SIZE + 10)), upload("small", "s", b"x")])
    ct = "multipart/form-data; boundary=XyZ"
    client = app.test_client()
    assert client.post("/", data=body, content_type=ct).status_code == 200
    assert client.post("/fail", data=body, content_type=ct).status_code == 500
    assert len(seen) == 4
    assert all(f.stream.closed for f in seen)
    assert len(temp_files) == 2
    assert all(f.closed for f in temp_files)


def test_files_spooled_before_an_error_are_closed(temp_files: list[Any]) -> None:
    big = upload("big", "b", b"x" * (SPOOL_MAX_SIZE + 10))
    # A 413 for too many parts after a file went to disk:
    request = Request(environ(encode([big] + [field("a", "1")] * 5)))
    request.max_form_parts = 3
    with pytest.raises(RequestEntityTooLarge):
        request.form  # noqa: B018
    # A 400 for a body cut off after a file went to disk:
    body = encode([big, field("a", "1")])[:-10]
    with pytest.raises(BadRequest):
        parse(body)
    # A client that went away (well after its file went to disk):
    body = encode([upload("big", "b", b"x" * (SPOOL_MAX_SIZE * 2))])
    env = environ(body, CONTENT_LENGTH=str(len(body) + 100))
    with pytest.raises(ClientDisconnected):
        Request(env).form  # noqa: B018
    assert len(temp_files) == 3
    assert all(f.closed for f in temp_files)


# ---------------------------------------------------------------------------------------------
# Limits


def test_too_many_parts_is_413_naming_the_setting() -> None:
    body = encode([field("a", str(i)) for i in range(1001)])
    with pytest.raises(RequestEntityTooLarge) as info:
        parse(body)
    assert "MAX_FORM_PARTS" in info.value.description
    assert "1000 parts" in info.value.description
    assert len(parse(encode([field("a", "1")] * 1000)).form.getlist("a")) == 1000
    request = Request(environ(body))
    request.max_form_parts = 2000
    assert len(request.form.getlist("a")) == 1001


def test_field_over_the_memory_limit_is_413_but_files_are_not_limited() -> None:
    with pytest.raises(RequestEntityTooLarge) as info:
        parse(encode([field("comment", "x" * 500_001)]))
    assert "MAX_FORM_MEMORY_SIZE" in info.value.description
    assert "comment" in info.value.description
    assert len(parse(encode([field("comment", "x" * 500_000)])).form["comment"]) == 500_000
    request = parse(encode([upload("f", "f", b"x" * 600_000)]))
    assert len(request.files["f"].read()) == 600_000
    request.close()


def test_limits_come_from_the_app_config_and_the_request() -> None:
    app = kolba.Kolba(__name__)
    app.config.update(MAX_FORM_PARTS=2, MAX_FORM_MEMORY_SIZE=10)

    @app.post("/")
    def view() -> Any:
        return kolba.request.form.to_dict()

    @app.post("/generous")
    def generous() -> Any:
        kolba.request.max_form_parts = 10
        kolba.request.max_form_memory_size = 100
        return kolba.request.form.to_dict()

    client = app.test_client()
    ct = "multipart/form-data; boundary=XyZ"
    three = encode([field("a", "1"), field("b", "2"), field("c", "3")])
    response = client.post("/", data=three, content_type=ct)
    assert response.status_code == 413
    assert b"Raise MAX_FORM_PARTS" in response.data
    long = encode([field("a", "x" * 11)])
    response = client.post("/", data=long, content_type=ct)
    assert response.status_code == 413
    assert b"Raise MAX_FORM_MEMORY_SIZE" in response.data
    assert client.post("/generous", data=three, content_type=ct).get_json() == {
        "a": "1",
        "b": "2",
        "c": "3",
    }
    assert client.post("/generous", data=long, content_type=ct).status_code == 200
    assert client.post("/", data=encode([field("a", "1")]), content_type=ct).status_code == 200


def test_max_content_length_applies_before_and_while_reading() -> None:
    body = encode([upload("f", "f", b"x" * 10_000)])
    request = Request(environ(body))
    request.max_content_length = 1000
    with pytest.raises(RequestEntityTooLarge, match="MAX_CONTENT_LENGTH"):
        request.form  # noqa: B018
    env = environ(body, **{"wsgi.input_terminated": True})
    del env["CONTENT_LENGTH"]
    chunked = Request(env)
    chunked.max_content_length = 1000
    with pytest.raises(RequestEntityTooLarge, match="MAX_CONTENT_LENGTH"):
        chunked.form  # noqa: B018
    env = environ(body, **{"wsgi.input_terminated": True})
    del env["CONTENT_LENGTH"]
    ok = Request(env)
    assert ok.files["f"].read() == b"x" * 10_000
    ok.close()


def test_a_custom_cls_is_used() -> None:
    parser = MultipartParser(default_stream_factory, cls=MultiDict)
    body = encode([field("a", "1")])
    form, files = parser.parse(io.BytesIO(body), "XyZ", len(body))
    assert type(form) is MultiDict
    assert type(files) is MultiDict


# ---------------------------------------------------------------------------------------------
# Fuzzing: any mangling of a valid body is a parse, a 400 or a 413, never another error

VALID = encode(
    [
        field("a", "1"),
        upload("f", "x.txt", b"file\r\ndata--XyZ", "text/plain"),
        field("b", "two words"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(VALID)),
            st.integers(min_value=0, max_value=8),
            st.binary(max_size=8),
        ),
        min_size=1,
        max_size=4,
    ),
    st.integers(min_value=1, max_value=64),
)
def test_mangled_bodies_never_raise_anything_but_http_errors(
    edits: list[tuple[int, int, bytes]], read_size: int
) -> None:
    body = bytearray(VALID)
    for position, removed, inserted in edits:
        body[position : position + removed] = inserted
    parser = MultipartParser(default_stream_factory, read_size=read_size)
    try:
        form, files = parser.parse(io.BytesIO(bytes(body)), "XyZ", len(body))
    except (BadRequest, RequestEntityTooLarge):
        return
    for _, f in files.items(multi=True):
        f.close()
    assert all(isinstance(v, str) for _, v in form.items(multi=True))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_content_disposition_parses_or_is_a_400(value: str) -> None:
    try:
        name, filename = parse_disposition(value)
    except BadRequest as e:
        assert e.code == 400
        return
    assert name is None or isinstance(name, str)
    assert filename is None or isinstance(filename, str)
