"""The request over a WSGI environ, side by side with Flask 3.1's for every [core] attribute."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import flask
import flask.wrappers
import pytest

import kolba
from kolba.sansio.datastructures import CombinedMultiDict, Headers, ImmutableMultiDict
from kolba.sansio.exceptions import BadHost, BadRequest, BadRequestKeyError, UnsupportedMediaType
from kolba.wrappers import Request as KolbaRequest
from kolba.wsgi.request import EnvironHeaders
from kolba.wsgi.request import Request as WSGIRequest


def environ(**overrides: Any) -> dict[str, Any]:
    body = overrides.pop("body", b"")
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    env.update(overrides)
    return env


def wsgi_str(text: str) -> str:
    """Text as a WSGI server puts it in the environ: its UTF-8 bytes decoded as latin-1."""
    return text.encode("utf-8").decode("latin-1")


# ---------------------------------------------------------------------------------------------
# The side-by-side table

ENVIRONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "query": {"QUERY_STRING": "a=1&a=2&b=%20x+y&c", "PATH_INFO": "/p%20q/r"},
    "script_root": {"SCRIPT_NAME": "/app/", "PATH_INFO": "/x y", "QUERY_STRING": wsgi_str("q=ü")},
    "https_443": {"wsgi.url_scheme": "https", "HTTP_HOST": "example.com:443"},
    "port_8080": {"HTTP_HOST": "example.com:8080"},
    "no_host_header": {"SERVER_NAME": "srv", "SERVER_PORT": "8000"},
    "ipv6": {"HTTP_HOST": "[::1]:5000"},
    "idna": {"HTTP_HOST": "xn--bcher-kva.example"},
    "forwarded": {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"},
    "semicolon_query": {"QUERY_STRING": "a=1;b=2"},
    "bad_percent": {"QUERY_STRING": "a=%ff%fe&b=%&c=%zz", "PATH_INFO": "/%ff"},
    "utf8_path": {"PATH_INFO": wsgi_str("/ä")},
    "invalid_utf8_path": {"PATH_INFO": b"/\xff\xfe".decode("latin-1")},
    "empty_path": {"PATH_INFO": ""},
    "path_specials": {"PATH_INFO": "/a?b#c%2F"},
    "query_specials": {"QUERY_STRING": wsgi_str("a=b c&d=é")},
    "cookies": {"HTTP_COOKIE": 'a=1; a=2; b="x\\054y"; sid=abc'},
    "json_type": {"CONTENT_TYPE": "Application/JSON; Charset=UTF-8", "CONTENT_LENGTH": "2"},
    "plus_json": {"CONTENT_TYPE": "application/vnd.api+json"},
    "text_json": {"CONTENT_TYPE": "text/json"},
    "form_type": {"CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "0"},
    "empty_type": {"CONTENT_TYPE": "", "CONTENT_LENGTH": ""},
    "cl_negative": {"CONTENT_LENGTH": "-1"},
    "cl_underscore": {"CONTENT_LENGTH": "1_000"},
    "cl_plus": {"CONTENT_LENGTH": "+5"},
    "cl_blanks": {"CONTENT_LENGTH": " 5 "},
    "cl_arabic_indic": {"CONTENT_LENGTH": "\u0665"},
    "cl_list": {"CONTENT_LENGTH": "5, 5"},
    "chunked": {"CONTENT_LENGTH": "5", "HTTP_TRANSFER_ENCODING": "chunked"},
    "conditional": {
        "HTTP_IF_MATCH": '"a", W/"b"',
        "HTTP_IF_NONE_MATCH": "*",
        "HTTP_IF_MODIFIED_SINCE": "Sun, 06 Nov 1994 08:49:37 GMT",
        "HTTP_IF_UNMODIFIED_SINCE": "garbage",
        "HTTP_IF_RANGE": 'W/"x"',
        "HTTP_RANGE": "bytes=0-10",
        "HTTP_CACHE_CONTROL": "no-cache, max-age=5",
        "HTTP_MAX_FORWARDS": "3",
        "HTTP_PRAGMA": "no-cache",
        "HTTP_DATE": "bad",
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "X-A, x-b",
    },
    "client": {
        "HTTP_REFERER": "http://a.example/",
        "HTTP_ORIGIN": "http://b.example",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11)",
        "HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz",
        "HTTP_ACCEPT": "text/html;q=0.9, application/json",
        "HTTP_ACCEPT_LANGUAGE": "de-CH, en;q=0.5",
        "HTTP_ACCEPT_ENCODING": "gzip, br;q=0.1",
        "HTTP_ACCEPT_CHARSET": "utf-8",
    },
    "bearer": {"HTTP_AUTHORIZATION": "Bearer abc.def"},
    "lower_method": {"REQUEST_METHOD": "post"},
    "latin1_header": {"HTTP_X_NAME": "caf\xe9", "HTTP_USER_AGENT": wsgi_str("Gärtner")},
}

ATTRIBUTES = [
    "method",
    "path",
    "full_path",
    "script_root",
    "url",
    "base_url",
    "url_root",
    "host_url",
    "root_url",
    "host",
    "scheme",
    "is_secure",
    "remote_addr",
    "access_route",
    "query_string",
    "args",
    "cookies",
    "content_type",
    "mimetype",
    "mimetype_params",
    "content_length",
    "is_json",
    "referrer",
    "origin",
    "user_agent",
    "authorization",
    "accept_mimetypes",
    "accept_languages",
    "accept_encodings",
    "accept_charsets",
    "if_match",
    "if_none_match",
    "if_modified_since",
    "if_unmodified_since",
    "if_range",
    "range",
    "cache_control",
    "pragma",
    "date",
    "max_forwards",
    "access_control_request_method",
    "access_control_request_headers",
    "headers",
    "values",
    "form",
    "files",
    "is_multithread",
    "is_multiprocess",
    "is_run_once",
    "remote_user",
]

# Where kolba deliberately differs from Flask 3.1: (environ, attribute) -> kolba's value.
DIFFERENCES: dict[tuple[str, str], Any] = {
    # The host is lower-cased (hosts are case-insensitive; routing compares them lowered).
    # Flask keeps the Host header's spelling. (No environ above uses upper case.)
}


def _plain(value: Any) -> Any:
    """A comparable, module-independent form of an attribute value."""
    if hasattr(value, "to_header"):
        return ("header", value.to_header())
    if hasattr(value, "items") and hasattr(value, "lists"):
        return ("multi", sorted(value.items(multi=True), key=repr))
    if hasattr(value, "to_wsgi_list"):
        return ("headers", sorted(value.items()))
    if type(value).__name__ == "Authorization":
        return ("auth", value.type, dict(value), value.token)
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _attribute(request: Any, name: str) -> Any:
    try:
        return _plain(getattr(request, name))
    except Exception as e:
        return ("error", getattr(e, "code", type(e).__name__))


@pytest.mark.parametrize("name", list(ENVIRONS))
def test_attributes_match_flask(name: str) -> None:
    mismatches = []
    for attribute in ATTRIBUTES:
        theirs = _attribute(flask.wrappers.Request(environ(**ENVIRONS[name])), attribute)
        ours = _attribute(KolbaRequest(environ(**ENVIRONS[name])), attribute)
        expected = DIFFERENCES.get((name, attribute), theirs)
        if ours != expected:
            mismatches.append(f"{attribute}: flask={theirs!r} kolba={ours!r}")
    assert not mismatches, "\n".join(mismatches)


def test_upper_case_host_is_lowered_unlike_flask() -> None:
    env = environ(HTTP_HOST="Example.COM:8080")
    assert flask.wrappers.Request(env).host == "Example.COM:8080"
    request = KolbaRequest(environ(HTTP_HOST="Example.COM:8080"))
    assert request.host == "example.com:8080"
    assert request.url == "http://example.com:8080/"


@pytest.mark.parametrize("host", ["foo/bar", "user@foo", "a.test:port", "[z:443]:8080", "a b"])
def test_malformed_host_is_a_400_where_flask_gives_an_empty_host(host: str) -> None:
    assert flask.wrappers.Request(environ(HTTP_HOST=host)).host == ""
    with pytest.raises(BadHost):
        KolbaRequest(environ(HTTP_HOST=host)).host  # noqa: B018


def test_empty_host_header_falls_back_to_the_server_name() -> None:
    # PEP 3333's URL reconstruction; Flask gives "" (and the URL "http:///").
    request = KolbaRequest(environ(HTTP_HOST="", SERVER_NAME="srv", SERVER_PORT="8080"))
    assert request.host == "srv:8080"
    assert request.url == "http://srv:8080/"


def test_cookie_values_are_utf8_unlike_flask() -> None:
    env = {"HTTP_COOKIE": wsgi_str("name=Jürgen")}
    assert flask.wrappers.Request(environ(**env)).cookies["name"] == wsgi_str("Jürgen")
    assert KolbaRequest(environ(**env)).cookies["name"] == "Jürgen"


def test_full_path_with_invalid_utf8_query() -> None:
    # Flask raises UnicodeDecodeError (a 500); kolba keeps the byte as an escape.
    env = {"QUERY_STRING": b"next=/a\xff".decode("latin-1")}
    with pytest.raises(UnicodeDecodeError):
        flask.wrappers.Request(environ(**env)).full_path  # noqa: B018
    assert KolbaRequest(environ(**env)).full_path == "/?next=/a%FF"


# ---------------------------------------------------------------------------------------------
# EnvironHeaders


def test_environ_headers_read_the_environ() -> None:
    env = environ(
        HTTP_HOST="x",
        CONTENT_TYPE="text/plain",
        CONTENT_LENGTH="5",
        HTTP_X_MULTI="1, 2",
        HTTP_CONTENT_TYPE="ignored duplicate",
        HTTP_X_LATIN="caf\xe9",
    )
    headers = KolbaRequest(env).headers
    assert isinstance(headers, EnvironHeaders)
    assert headers["content-type"] == "text/plain"
    assert headers["CONTENT-LENGTH"] == "5"
    assert headers.get("x-multi") == "1, 2"
    assert headers.getlist("X-Multi") == ["1, 2"]
    assert headers.get_all("x-multi") == ["1, 2"]
    assert headers.get("Content-Length", type=int) == 5
    assert headers.get("Host", -1, type=int) == -1
    assert headers.getlist("Content-Length", type=int) == [5]
    assert headers.getlist("Host", type=int) == []
    assert headers.getlist("Missing") == []
    assert headers["X-Latin"] == "caf\xe9"  # the environ string as is, as in Flask
    assert "x_multi" in headers
    assert "X-MULTI" in headers
    assert "missing" not in headers
    assert 5 not in headers  # type: ignore[comparison-overlap]
    assert dict(headers) == {
        "Host": "x",
        "Content-Type": "text/plain",
        "Content-Length": "5",
        "X-Multi": "1, 2",
        "X-Latin": "caf\xe9",
    }
    assert len(headers) == 5
    assert headers[0] == ("Host", "x")
    assert headers == KolbaRequest(env).headers  # the same environ
    assert headers != KolbaRequest(environ()).headers
    assert Headers(headers).getlist("x-multi") == ["1, 2"]  # a mutable copy
    assert "EnvironHeaders([('Host', 'x')" in repr(headers)


def test_environ_headers_missing_key_is_a_400() -> None:
    headers = KolbaRequest(environ()).headers
    with pytest.raises(BadRequestKeyError) as info:
        headers["X-Missing"]
    assert info.value.code == 400


def test_environ_headers_are_read_only() -> None:
    headers = KolbaRequest(environ(HTTP_X_A="1")).headers
    mutators = [
        lambda: headers.add("a", "b"),
        lambda: headers.set("a", "b"),
        lambda: headers.setlist("a", ["b"]),
        lambda: headers.setdefault("a", "b"),
        lambda: headers.extend({"a": "b"}),
        lambda: headers.update({"a": "b"}),
        lambda: headers.remove("X-A"),
        lambda: headers.pop("X-A"),
        headers.popitem,
        headers.clear,
        lambda: headers.__setitem__("a", "b"),
        lambda: headers.__delitem__("X-A"),
        headers.copy,
    ]
    for mutate in mutators:
        with pytest.raises(TypeError):
            mutate()
    assert headers["X-A"] == "1"


def test_empty_content_type_reads_as_empty_and_is_not_listed() -> None:
    headers = KolbaRequest(environ(CONTENT_TYPE="", CONTENT_LENGTH="")).headers
    assert headers["Content-Type"] == ""
    assert headers.get("Content-Length") == ""
    assert list(headers) == []


# ---------------------------------------------------------------------------------------------
# The request object itself


def test_environ_points_back_to_the_request_until_close() -> None:
    env = environ()
    request = KolbaRequest(env)
    assert env["werkzeug.request"] is request
    assert request.environ is env
    request.close()
    assert env["werkzeug.request"] is None
    unpopulated = environ()
    KolbaRequest(unpopulated, populate_request=False)
    assert "werkzeug.request" not in unpopulated


def test_shallow_request_refuses_to_read_the_body() -> None:
    request = KolbaRequest(environ(CONTENT_LENGTH="3", body=b"a=1"), shallow=True)
    assert request.args == {}
    with pytest.raises(RuntimeError, match="shallow"):
        request.get_data()


def test_server_flags_and_primitives() -> None:
    request = WSGIRequest(
        environ(
            REMOTE_USER="ada",
            SERVER_PORT="x",
            **{"wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": True},
        )
    )
    assert request.remote_user == "ada"
    assert request.server == ("localhost", None)
    assert request.is_multithread
    assert request.is_multiprocess
    assert request.is_run_once
    assert WSGIRequest(environ(SERVER_NAME="")).server is None
    assert WSGIRequest({"wsgi.input": io.BytesIO()}).method == "GET"


def test_from_values_builds_a_request() -> None:
    request = KolbaRequest.from_values(
        "/p?x=1", method="POST", data={"a": "1"}, headers={"X-A": "b"}
    )
    assert request.path == "/p"
    assert request.args["x"] == "1"
    assert request.form["a"] == "1"
    assert request.headers["X-A"] == "b"
    assert isinstance(request, KolbaRequest)


def test_args_form_files_values_types() -> None:
    request = KolbaRequest.from_values("/?a=1&b=2", method="POST", data={"b": "3", "c": "4"})
    assert isinstance(request.args, ImmutableMultiDict)
    assert isinstance(request.form, ImmutableMultiDict)
    assert isinstance(request.files, ImmutableMultiDict)
    assert isinstance(request.values, CombinedMultiDict)
    assert request.values["b"] == "2"  # args first
    assert request.values.getlist("b") == ["2", "3"]
    assert request.values["c"] == "4"
    with pytest.raises(TypeError):
        request.form["x"] = "1"  # type: ignore[index]


def test_values_leave_out_the_form_for_get() -> None:
    request = KolbaRequest.from_values(
        "/?a=1", method="GET", data=b"b=2", content_type="application/x-www-form-urlencoded"
    )
    assert request.form["b"] == "2"  # a GET body is still parsed when asked for
    assert "b" not in request.values
    assert request.values.to_dict() == {"a": "1"}


def test_missing_form_key_is_a_400_key_error() -> None:
    request = KolbaRequest.from_values("/", method="POST", data={"a": "1"})
    with pytest.raises(BadRequestKeyError) as info:
        request.form["missing"]
    assert info.value.code == 400
    with pytest.raises(KeyError):
        request.files["missing"]
    with pytest.raises(KeyError):
        request.values["missing"]
    with pytest.raises(KeyError):
        request.args["missing"]
    with pytest.raises(KeyError):
        request.cookies["missing"]


# ---------------------------------------------------------------------------------------------
# Body: data, get_data, stream


def _post(body: bytes, content_type: str = "text/plain", **extra: Any) -> KolbaRequest:
    env = environ(
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)),
        body=body,
        **extra,
    )
    return KolbaRequest(env)


def test_get_data_caches_and_decodes() -> None:
    request = _post("héllo".encode())
    assert request.get_data() == "héllo".encode()
    assert request.get_data(as_text=True) == "héllo"
    assert request.data == "héllo".encode()
    assert _post(b"\xff").get_data(as_text=True) == "\ufffd"


def test_get_data_without_cache_reads_once() -> None:
    request = _post(b"abc")
    assert request.get_data(cache=False) == b"abc"
    assert request.get_data(cache=False) == b""


def test_form_then_data_is_empty_and_data_then_form_still_parses() -> None:
    form_first = _post(b"a=1&b=2", "application/x-www-form-urlencoded")
    assert form_first.form.to_dict() == {"a": "1", "b": "2"}
    assert form_first.data == b""
    assert form_first.get_data() == b""

    data_first = _post(b"a=1&b=2", "application/x-www-form-urlencoded")
    assert data_first.get_data() == b"a=1&b=2"
    assert data_first.form.to_dict() == {"a": "1", "b": "2"}
    assert data_first.data == b"a=1&b=2"


def test_data_parses_a_form_first_like_flask() -> None:
    ours = _post(b"a=1", "application/x-www-form-urlencoded")
    theirs = flask.wrappers.Request(
        environ(
            REQUEST_METHOD="POST",
            CONTENT_TYPE="application/x-www-form-urlencoded",
            CONTENT_LENGTH="3",
            body=b"a=1",
        )
    )
    assert ours.data == theirs.data == b""
    assert ours.form.to_dict() == theirs.form.to_dict() == {"a": "1"}


def test_non_form_body_is_left_for_data() -> None:
    request = _post(b'{"a": 1}', "application/json")
    assert request.form == {}
    assert request.files == {}
    assert request.data == b'{"a": 1}'


def test_stream_and_input_stream() -> None:
    env = environ(
        REQUEST_METHOD="POST", CONTENT_TYPE="text/plain", CONTENT_LENGTH="3", body=b"abcdef"
    )
    request = KolbaRequest(env)
    assert request.input_stream is env["wsgi.input"]
    assert request.stream.read() == b"abc"  # stops at Content-Length
    assert request.stream.read() == b""


# ---------------------------------------------------------------------------------------------
# JSON


def test_get_json_parses_json_types_only() -> None:
    assert _post(b'{"a": 1}', "application/json").get_json() == {"a": 1}
    assert _post(b"[1]", "application/problem+json").json == [1]
    for content_type in ("text/plain", "text/json", "application/x-www-form-urlencoded", ""):
        request = _post(b'{"a": 1}', content_type)
        with pytest.raises(UnsupportedMediaType) as info:
            request.get_json()
        assert info.value.code == 415
        assert "application/json" in info.value.description
        assert request.get_json(silent=True) is None
        assert request.get_json(force=True) == {"a": 1}


def test_get_json_without_content_type_is_415() -> None:
    request = KolbaRequest(environ(REQUEST_METHOD="POST", CONTENT_LENGTH="2", body=b"{}"))
    with pytest.raises(UnsupportedMediaType):
        request.json  # noqa: B018


def test_malformed_json_is_400_and_names_the_parser_error_only_in_debug() -> None:
    body = b'{"a":'
    env = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "5"}
    # The WSGI request knows nothing of debug mode: it says what the parser said.
    with pytest.raises(BadRequest) as info:
        WSGIRequest(environ(body=body, **env)).get_json()
    assert "Failed to decode JSON object" in info.value.description
    # The app's request hides it unless the app is in debug mode (outside an app too).
    request = KolbaRequest(environ(body=body, **env))
    with pytest.raises(BadRequest) as info:
        request.get_json()
    assert info.value.code == 400
    assert "Failed to decode JSON object" not in info.value.description
    assert request.get_json(silent=True) is None


def test_get_json_cache_follows_flask() -> None:
    # A silent failure is cached for silent calls only: a later normal call still raises.
    sequences: list[list[dict[str, bool]]] = [
        [{"silent": True}, {}],
        [{}, {"silent": True}],
        [{"silent": True}, {"silent": True}],
        [{"cache": False}, {}],
        [{"force": True}, {}],
    ]
    bodies = [(b'{"a":', "application/json"), (b'{"a": 1}', "application/json")]
    for body, content_type in bodies:
        for calls in sequences:
            results = []
            for module in (flask.wrappers, kolba.wrappers):
                request = module.Request(
                    environ(
                        REQUEST_METHOD="POST",
                        CONTENT_TYPE=content_type,
                        CONTENT_LENGTH=str(len(body)),
                        body=body,
                    )
                )
                outcome = []
                for kwargs in calls:
                    try:
                        outcome.append(("ok", request.get_json(**kwargs)))
                    except Exception as e:
                        outcome.append(("error", getattr(e, "code", None)))
                results.append(outcome)
            assert results[0] == results[1], (body, calls)


def test_get_json_result_is_cached() -> None:
    request = _post(b'{"a": [1]}', "application/json")
    first = request.get_json()
    assert request.get_json() is first
    assert request.json is first
    assert request.get_json(cache=False) == first
    assert request.get_json(cache=False) is not first  # parsed again from the cached body


def test_on_json_loading_failed_can_return_a_value() -> None:
    class Lenient(KolbaRequest):
        def on_json_loading_failed(self, e: Exception | None) -> Any:
            return {"error": str(type(e).__name__)}

    body = b"nope"
    request = Lenient(
        environ(
            REQUEST_METHOD="POST",
            CONTENT_TYPE="application/json",
            CONTENT_LENGTH="4",
            body=body,
        )
    )
    assert request.get_json() == {"error": "JSONDecodeError"}
    assert request.get_json() == {"error": "JSONDecodeError"}  # cached like a result


def test_json_module_is_used() -> None:
    class Custom(WSGIRequest):
        class json_module:
            @staticmethod
            def loads(data: bytes) -> Any:
                return ("custom", json.loads(data))

    request = Custom(
        environ(
            REQUEST_METHOD="POST", CONTENT_TYPE="application/json", CONTENT_LENGTH="1", body=b"1"
        )
    )
    assert request.get_json() == ("custom", 1)


# ---------------------------------------------------------------------------------------------
# Through the app: what a client sees


def _app() -> kolba.Kolba:
    app = kolba.Kolba(__name__)

    @app.post("/json")
    def json_view() -> Any:
        return {"got": kolba.request.get_json()}

    @app.post("/form")
    def form_view() -> Any:
        return kolba.request.form["name"]

    @app.get("/echo-header")
    def echo_header() -> Any:
        response = kolba.make_response("ok")
        response.headers["X-Echo"] = kolba.request.headers.get("X-In", "")
        return response

    return app


def test_json_errors_through_the_app() -> None:
    app = _app()
    client = app.test_client()
    assert client.post("/json", json={"a": 1}).get_json() == {"got": {"a": 1}}
    wrong_type = client.post("/json", data=b'{"a": 1}', content_type="text/plain")
    assert wrong_type.status_code == 415
    malformed = client.post("/json", data=b'{"a":', content_type="application/json")
    assert malformed.status_code == 400
    assert b"Failed to decode JSON object" not in malformed.data  # not outside debug
    assert b"not valid JSON" in malformed.data
    app.debug = True
    debug = client.post("/json", data=b'{"a":', content_type="application/json")
    assert debug.status_code == 400
    assert b"Failed to decode JSON object" in debug.data


def test_missing_form_key_through_the_app() -> None:
    app = _app()
    client = app.test_client()
    assert client.post("/form", data={"name": "Ada"}).data == b"Ada"
    response = client.post("/form", data={"other": "x"})
    assert response.status_code == 400
    assert b"name" not in response.data  # the key is shown only in debug
    app.config["TRAP_BAD_REQUEST_ERRORS"] = False
    assert client.post("/form", data={"other": "x"}).status_code == 400
    app.config["TRAP_BAD_REQUEST_ERRORS"] = None
    app.debug = True
    with pytest.raises(KeyError) as info:
        client.post("/form", data={"other": "x"})
    assert "name" in str(info.value)
    assert "KeyError: 'name'" in info.value.description  # type: ignore[attr-defined]


def test_a_request_header_can_be_echoed_into_a_response_header() -> None:
    # Request header values stay latin-1 environ strings, so any byte a client sent can be
    # sent back without the response refusing it (a UTF-8 decoded '€' could not be).
    client = _app().test_client()
    environ_overrides = {"HTTP_X_IN": wsgi_str("€uro")}
    response = client.get("/echo-header", environ_overrides=environ_overrides)
    assert response.status_code == 200
    assert response.headers["X-Echo"] == wsgi_str("€uro")


def test_debug_files_key_error_explains_the_missing_enctype() -> None:
    app = kolba.Kolba(__name__)
    app.debug = True

    @app.post("/")
    def upload() -> str:
        return kolba.request.files["file"].filename or ""

    with pytest.raises(KeyError) as info:
        app.test_client().post("/", data={"file": "index.txt"})
    assert "enctype" in str(info.value)
    assert "index.txt" in str(info.value)
