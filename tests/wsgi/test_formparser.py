"""Form bodies: urlencoded parsing, its limit, and the FormDataParser API."""

from __future__ import annotations

import io
import sys
from typing import Any

import flask
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba
from kolba.sansio.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from kolba.sansio.exceptions import BadRequest, RequestEntityTooLarge
from kolba.sansio.urls import url_encode
from kolba.wrappers import Request
from kolba.wsgi.formparser import (
    FormDataParser,
    MalformedFormError,
    default_stream_factory,
    parse_form_data,
    parse_urlencoded,
)
from kolba.wsgi.request import Request as WSGIRequest
from kolba.wsgi.streams import LimitedStream

URLENCODED = "application/x-www-form-urlencoded"


def environ(body: bytes, content_type: str = URLENCODED, **extra: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
    }
    env.update(extra)
    return env


@pytest.mark.parametrize(
    "body",
    [
        b"a=1&b=2&a=3",
        b"a=1;b=2",
        b"a=%2B+b",
        b"=x&y=&&z",
        b"%",
        b"a=%zz&b=%4",
        b"name=J%C3%BCrgen&city=St+Albans",
        b"a=%ff%fe",
        b"",
        b"&&&",
        b"a==b=c",
    ],
)
def test_urlencoded_like_flask(body: bytes) -> None:
    ours = Request(environ(body)).form
    theirs = flask.wrappers.Request(environ(body)).form
    assert isinstance(ours, ImmutableMultiDict)
    assert sorted(ours.items(multi=True)) == sorted(theirs.items(multi=True))


def test_urlencoded_invalid_utf8_is_kept_as_escapes() -> None:
    # Flask drops a body with a raw invalid byte; kolba keeps it as %XX.
    assert Request(environ(b"a=\xff&b=1")).form.to_dict() == {"a": "%FF", "b": "1"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=10))
def test_urlencoded_round_trip(pairs: list[tuple[str, str]]) -> None:
    body = url_encode(MultiDict(pairs)).encode()
    form = Request(environ(body)).form
    assert sorted(form.items(multi=True)) == sorted(pairs)


def test_urlencoded_body_over_the_memory_limit_is_413() -> None:
    body = b"a=" + b"x" * 600_000
    request = Request(environ(body))
    with pytest.raises(RequestEntityTooLarge) as info:
        request.form  # noqa: B018
    assert "MAX_FORM_MEMORY_SIZE" in info.value.description
    assert "600002 bytes" in info.value.description
    request = Request(environ(body))
    request.max_form_memory_size = 700_000
    assert len(request.form["a"]) == 600_000
    # As in Flask, None on the app's request means "use the config" (500 000 by default)...
    request = Request(environ(body))
    request.max_form_memory_size = None
    with pytest.raises(RequestEntityTooLarge):
        request.form  # noqa: B018
    # ...while the plain WSGI request takes None as "no limit".
    plain = WSGIRequest(environ(body))
    plain.max_form_memory_size = None
    assert len(plain.form["a"]) == 600_000


def test_urlencoded_limit_without_content_length_stops_reading() -> None:
    class Counting(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.total = getattr(self, "total", 0) + len(data)
            return data

    wire = Counting(b"a=" + b"x" * 5_000_000)
    env = environ(b"", **{"wsgi.input": wire, "wsgi.input_terminated": True})
    del env["CONTENT_LENGTH"]
    request = Request(env)
    request.max_form_memory_size = 1000
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_MEMORY_SIZE"):
        request.form  # noqa: B018
    assert wire.total <= 1001


def test_parse_urlencoded_joins_short_reads() -> None:
    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = data
            self.pos = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int | None = -1) -> bytes:
            out = self.data[self.pos : self.pos + 1]
            self.pos += len(out)
            return out

    body = b"a=1&b=" + b"y" * 5000
    form = parse_urlencoded(Trickle(body), None, 10_000, MultiDict)  # type: ignore[arg-type]
    assert form["b"] == "y" * 5000
    with pytest.raises(RequestEntityTooLarge):
        parse_urlencoded(Trickle(body), None, 100, MultiDict)  # type: ignore[arg-type]


def test_parameter_storage_class_is_used_for_form_and_files() -> None:
    class Mutable(Request):
        parameter_storage_class = MultiDict

    request = Mutable(environ(b"a=1"))
    request.form.add("b", "2")
    assert request.form.getlist("b") == ["2"]
    assert type(request.files) is MultiDict


# ---------------------------------------------------------------------------------------------
# FormDataParser


def test_parser_leaves_other_bodies_untouched() -> None:
    stream = io.BytesIO(b'{"a": 1}')
    parser = FormDataParser()
    rest, form, files = parser.parse(stream, "application/json", 8)
    assert rest is stream
    assert form == {}
    assert files == {}
    assert stream.read() == b'{"a": 1}'


def test_parser_parses_urlencoded_and_empties_the_stream() -> None:
    rest, form, files = FormDataParser().parse(io.BytesIO(b"a=1"), URLENCODED, 3)
    assert rest.read() == b""
    assert form.to_dict() == {"a": "1"}
    assert isinstance(form, ImmutableMultiDict)
    assert files == {}


def test_parser_limits() -> None:
    with pytest.raises(RequestEntityTooLarge, match="MAX_CONTENT_LENGTH"):
        FormDataParser(max_content_length=2).parse(io.BytesIO(b"a=1"), URLENCODED, 3)
    with pytest.raises(RequestEntityTooLarge, match="MAX_CONTENT_LENGTH"):
        # A raw stream of unknown length is stopped at the maximum too.
        FormDataParser(max_content_length=2).parse(io.BytesIO(b"a=1"), URLENCODED, None)
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_MEMORY_SIZE"):
        FormDataParser(max_form_memory_size=2).parse(io.BytesIO(b"a=1"), URLENCODED, 3)
    _, form, _ = FormDataParser(max_form_memory_size=3).parse(
        LimitedStream(io.BytesIO(b"a=1"), 3), URLENCODED, 3
    )
    assert form["a"] == "1"


def test_parser_silent_mode_hides_malformed_bodies_only() -> None:
    body = b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1"  # no closing line
    mimetype = "multipart/form-data"
    _, form, files = FormDataParser(silent=True).parse(
        io.BytesIO(body), mimetype, len(body), {"boundary": "B"}
    )
    assert form == {}
    assert files == {}
    with pytest.raises(MalformedFormError) as info:
        FormDataParser(silent=False).parse(io.BytesIO(body), mimetype, len(body), {"boundary": "B"})
    assert isinstance(info.value, BadRequest)
    with pytest.raises(RequestEntityTooLarge):
        # A limit is never silent.
        FormDataParser(silent=True, max_form_memory_size=0).parse(
            io.BytesIO(body + b"\r\n--B--\r\n"), mimetype, None, {"boundary": "B"}
        )


def test_parse_form_data_from_an_environ() -> None:
    stream, form, files = parse_form_data(environ(b"a=1&b=2"))
    assert form.to_dict() == {"a": "1", "b": "2"}
    assert files == {}
    assert stream.read() == b""
    _, form, _ = parse_form_data(environ(b"a=1"), cls=MultiDict)
    assert type(form) is MultiDict
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data(environ(b"a=1"), max_content_length=1)


def test_custom_form_data_parser_class_and_stream_factory() -> None:
    made: list[tuple[Any, ...]] = []

    class Recording(Request):
        def _get_file_stream(
            self,
            total_content_length: int | None,
            content_type: str | None,
            filename: str | None = None,
            content_length: int | None = None,
        ) -> Any:
            made.append((total_content_length, content_type, filename))
            return io.BytesIO()

    body = (
        b"--B\r\nContent-Disposition: form-data; name=f; filename=a.txt\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--B--\r\n"
    )
    request = Recording(environ(body, "multipart/form-data; boundary=B"))
    assert request.files["f"].read() == b"hello"
    assert made == [(len(body), "text/plain", "a.txt")]

    class Upper(FormDataParser):
        def parse(
            self, stream: Any, mimetype: str, content_length: Any, options: Any = None
        ) -> Any:
            rest, form, files = super().parse(stream, mimetype, content_length, options)
            return rest, self.cls({k.upper(): v for k, v in form.items()}), files

    class UsesUpper(Request):
        form_data_parser_class = Upper

    assert UsesUpper(environ(b"a=1")).form.to_dict() == {"A": "1"}


def test_default_stream_factory_spools() -> None:
    stream = default_stream_factory(None, "text/plain", "a.txt")
    stream.write(b"x")
    stream.seek(0)
    assert stream.read() == b"x"
    stream.close()


def test_file_storage_is_what_files_hold() -> None:
    app = kolba.Kolba(__name__)

    @app.post("/")
    def upload() -> Any:
        f = kolba.request.files["doc"]
        assert isinstance(f, FileStorage)
        return {"name": f.filename, "type": f.mimetype, "size": len(f.read())}

    data = {"doc": (io.BytesIO(b"%PDF-1.4"), "report.pdf", "application/pdf")}
    assert app.test_client().post("/", data=data).get_json() == {
        "name": "report.pdf",
        "type": "application/pdf",
        "size": 8,
    }
