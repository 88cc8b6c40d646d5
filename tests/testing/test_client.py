"""The test client: request arguments, the response it returns, and how it calls the app."""

from __future__ import annotations

import io
import typing as t
from collections.abc import Iterator

import pytest

import kolba
from kolba import Kolba, g, request, session
from kolba.sansio.datastructures import Headers
from kolba.testing import EnvironBuilder, KolbaClient, TestResponse, run_wsgi_app


def _echo() -> dict[str, t.Any]:
    """What the app saw: enough of the request to check every client argument."""
    return {
        "method": request.method,
        "path": request.path,
        "url": request.url,
        "script_root": request.script_root,
        "scheme": request.scheme,
        "host": request.host,
        "args": request.args.to_dict(flat=False),
        "content_type": request.content_type,
        "data": request.get_data(as_text=True),
        "remote_addr": request.remote_addr,
        "user_agent": request.headers.get("User-Agent"),
    }


@pytest.fixture
def app() -> Kolba:
    app = Kolba(__name__)
    app.secret_key = "test secret"
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    @app.route("/", methods=methods)
    def index() -> t.Any:
        return _echo()

    @app.route("/<path:rest>", methods=methods)
    def anything(rest: str) -> t.Any:
        return _echo()

    @app.post("/form")
    def form() -> t.Any:
        return {"form": request.form.to_dict(flat=False), "mimetype": request.mimetype}

    @app.post("/json")
    def json_view() -> t.Any:
        return {"json": request.get_json(), "mimetype": request.mimetype}

    @app.post("/raw")
    def raw() -> t.Any:
        # The body exactly as received, to check what the client encoded.
        return kolba.Response(request.get_data(), content_type="application/octet-stream")

    return app


@pytest.fixture
def client(app: Kolba) -> KolbaClient:
    return app.test_client()


# -- paths, URLs and methods -------------------------------------------------------------------


def test_path_defaults_to_root(client: KolbaClient) -> None:
    rv = client.get()
    assert rv.json["path"] == "/"
    assert rv.json["url"] == "http://localhost/"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_helpers_send_their_method(client: KolbaClient, method: str) -> None:
    rv = getattr(client, method)("/x")
    assert rv.status_code == 200
    assert rv.json["method"] == method.upper()


def test_open_takes_the_method(client: KolbaClient) -> None:
    assert client.open("/x", method="patch").json["method"] == "PATCH"
    assert client.open("/x").json["method"] == "GET"


def test_head_gets_headers_without_body(client: KolbaClient) -> None:
    rv = client.head("/x")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.mimetype == "application/json"
    assert int(rv.headers["Content-Length"]) > 0


def test_options_lists_allowed_methods() -> None:
    app = Kolba(__name__)

    @app.post("/only-post")
    def only_post() -> str:
        return ""

    rv = app.test_client().options("/only-post")
    assert rv.status_code == 200
    assert set(rv.headers["Allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}


def test_full_url_sets_host_path_and_query(client: KolbaClient) -> None:
    rv = client.get("http://domain.com/a?x=1")
    assert rv.json["host"] == "domain.com"
    assert rv.json["path"] == "/a"
    assert rv.json["args"] == {"x": ["1"]}
    assert rv.json["url"] == "http://domain.com/a?x=1"
    assert rv.request.host == "domain.com"


def test_full_https_url_with_port(client: KolbaClient) -> None:
    rv = client.get("https://api.example.org:8443/v1")
    assert rv.json["scheme"] == "https"
    assert rv.json["host"] == "api.example.org:8443"
    assert rv.json["url"] == "https://api.example.org:8443/v1"


def test_a_double_slash_path_is_not_a_host(client: KolbaClient) -> None:
    rv = client.get("//evil.example/x")
    assert rv.request.host == "localhost"


def test_base_url_sets_scheme_host_and_script_root(client: KolbaClient) -> None:
    rv = client.get("/a", base_url="https://example.org/root/")
    assert rv.json["url"] == "https://example.org/root/a"
    assert rv.json["script_root"] == "/root"
    assert rv.json["path"] == "/a"


def test_non_ascii_path(app: Kolba, client: KolbaClient) -> None:
    @app.route("/ünï/<name>")
    def unicode_view(name: str) -> str:
        return name

    assert client.get("/ünï/café").text == "café"
    assert client.get("/%C3%BCn%C3%AF/caf%C3%A9").text == "café"


def test_fragment_is_not_sent(client: KolbaClient) -> None:
    rv = client.get("/a?x=1#top")
    assert rv.json["path"] == "/a"
    assert rv.json["args"] == {"x": ["1"]}


# -- query strings -----------------------------------------------------------------------------


def test_query_string_as_dict(client: KolbaClient) -> None:
    rv = client.get("/a", query_string={"x": ["1", "2"], "y": "é", "n": 3})
    assert rv.json["args"] == {"x": ["1", "2"], "y": ["é"], "n": ["3"]}


def test_query_string_as_str_and_bytes(client: KolbaClient) -> None:
    assert client.get("/a", query_string="x=1&y=2").json["args"] == {"x": ["1"], "y": ["2"]}
    assert client.get("/a", query_string=b"z=%C3%A9").json["args"] == {"z": ["é"]}


def test_query_string_in_path(client: KolbaClient) -> None:
    assert client.get("/a?x=1&x=2").json["args"] == {"x": ["1", "2"]}


def test_query_string_given_twice_is_an_error(client: KolbaClient) -> None:
    with pytest.raises(ValueError, match="query string was given twice"):
        client.get("/a?x=1", query_string={"y": "2"})


# -- headers and environ -----------------------------------------------------------------------


def test_headers_as_dict_list_and_headers(client: KolbaClient) -> None:
    rv = client.get("/a", headers={"X-One": "1"})
    assert rv.request.headers["X-One"] == "1"
    rv = client.get("/a", headers=[("X-Many", "a"), ("X-Many", "b")])
    assert rv.request.headers["X-Many"] == "a, b"
    rv = client.get("/a", headers=Headers([("X-Obj", "o")]))
    assert rv.request.headers["X-Obj"] == "o"


def test_host_header_overrides_the_default_host(client: KolbaClient) -> None:
    assert client.get("/a", headers={"Host": "h.example"}).json["host"] == "h.example"


def test_environ_base_defaults(app: Kolba, client: KolbaClient) -> None:
    assert client.environ_base["REMOTE_ADDR"] == "127.0.0.1"
    assert client.environ_base["HTTP_USER_AGENT"] == f"Kolba/{kolba.__version__}"
    rv = client.get("/a")
    assert rv.json["remote_addr"] == "127.0.0.1"
    assert rv.json["user_agent"] == f"Kolba/{kolba.__version__}"


def test_editing_client_environ_base_affects_later_requests(client: KolbaClient) -> None:
    client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    client.environ_base["HTTP_X_TENANT"] = "acme"
    rv = client.get("/a")
    assert rv.json["remote_addr"] == "10.0.0.9"
    assert rv.request.headers["X-Tenant"] == "acme"


def test_environ_base_argument_beats_client_defaults(client: KolbaClient) -> None:
    rv = client.get("/a", environ_base={"REMOTE_ADDR": "1.2.3.4"})
    assert rv.json["remote_addr"] == "1.2.3.4"
    # environ_base holds defaults only: the computed values win over it.
    rv = client.get("/a", environ_base={"PATH_INFO": "/elsewhere"})
    assert rv.json["path"] == "/a"
    # A request header wins over a default header.
    rv = client.get("/a", headers={"User-Agent": "mine"})
    assert rv.json["user_agent"] == "mine"


def test_environ_overrides_beat_everything(client: KolbaClient) -> None:
    rv = client.get("/a", environ_overrides={"REMOTE_ADDR": "5.6.7.8", "wsgi.url_scheme": "https"})
    assert rv.json["remote_addr"] == "5.6.7.8"
    assert rv.json["scheme"] == "https"


def test_subdomain(client: KolbaClient) -> None:
    assert client.get("/a", subdomain="api").json["host"] == "api.localhost"


def test_subdomain_with_server_name_reaches_a_subdomain_route() -> None:
    app = Kolba(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"

    @app.route("/where", subdomain="api")
    def api_only() -> str:
        return f"api at {request.host}"

    @app.route("/where")
    def main_site() -> str:
        return f"main at {request.host}"

    client = app.test_client()
    assert client.get("/where", subdomain="api").text == "api at api.example.com"
    assert client.get("/where").text == "main at example.com"


def test_url_scheme(client: KolbaClient) -> None:
    rv = client.get("/a", url_scheme="https")
    assert rv.json["scheme"] == "https"
    assert rv.json["url"] == "https://localhost/a"


def test_subdomain_or_scheme_with_base_url_is_an_error(client: KolbaClient) -> None:
    with pytest.raises(TypeError, match="base_url"):
        client.get("/", base_url="http://x.org/", subdomain="api")
    with pytest.raises(TypeError, match="base_url"):
        client.get("/", base_url="http://x.org/", url_scheme="https")


def test_server_name_and_application_root_shape_the_default_url(app: Kolba) -> None:
    app.config.update(SERVER_NAME="example.com:1234", APPLICATION_ROOT="/foo")

    @app.route("/ext")
    def ext() -> str:
        return kolba.url_for("ext", _external=True)

    client = app.test_client()
    rv = client.get("/")
    assert rv.json["url"] == "http://example.com:1234/foo/"
    assert rv.json["script_root"] == "/foo"
    assert client.get("/ext").text == "http://example.com:1234/foo/ext"


def test_preferred_url_scheme_sets_the_default_scheme(app: Kolba) -> None:
    app.config["PREFERRED_URL_SCHEME"] = "https"
    assert app.test_client().get("/").json["url"] == "https://localhost/"


def test_errors_stream(app: Kolba, client: KolbaClient) -> None:
    @app.route("/warn")
    def warn() -> str:
        request.environ["wsgi.errors"].write("written to wsgi.errors")
        return "ok"

    stream = io.StringIO()
    client.get("/warn", errors_stream=stream)
    assert stream.getvalue() == "written to wsgi.errors"


def test_app_logger_writes_to_errors_stream() -> None:
    from kolba.logging import default_handler

    app = Kolba("kolba_test_client_logger")
    # pytest's log capture makes the app logger skip its default handler: add it back.
    app.logger.addHandler(default_handler)

    @app.route("/")
    def fail() -> str:
        raise ZeroDivisionError

    stream = io.StringIO()
    try:
        rv = app.test_client().get("/", errors_stream=stream)
    finally:
        app.logger.removeHandler(default_handler)
    assert rv.status_code == 500
    assert "ZeroDivisionError" in stream.getvalue()


# -- request bodies ----------------------------------------------------------------------------


def test_data_str_and_bytes(client: KolbaClient) -> None:
    rv = client.post("/a", data="héllo")
    assert rv.json["data"] == "héllo"
    assert rv.json["content_type"] is None
    rv = client.post("/a", data=b"raw", content_type="text/plain")
    assert rv.json["data"] == "raw"
    assert rv.json["content_type"] == "text/plain"
    assert rv.request.content_length == 3


def test_data_file_object_is_read(client: KolbaClient) -> None:
    assert client.post("/a", data=io.BytesIO(b"from a file")).json["data"] == "from a file"


def test_data_dict_is_a_urlencoded_form(client: KolbaClient) -> None:
    rv = client.post("/form", data={"name": "Ada", "tags": ["a", "b"], "n": 1})
    assert rv.json == {
        "form": {"name": ["Ada"], "tags": ["a", "b"], "n": ["1"]},
        "mimetype": "application/x-www-form-urlencoded",
    }


def test_data_list_of_pairs(client: KolbaClient) -> None:
    rv = client.post("/form", data=[("k", "1"), ("k", "2")])
    assert rv.json["form"] == {"k": ["1", "2"]}


def test_form_fields_with_a_non_form_content_type_are_refused(client: KolbaClient) -> None:
    with pytest.raises(ValueError, match="Form fields can't be sent as 'application/json'"):
        client.post("/form", data={"a": "1"}, content_type="application/json")


def test_json_body(client: KolbaClient) -> None:
    rv = client.post("/json", json={"a": [1, 2], "b": None})
    assert rv.json == {"json": {"a": [1, 2], "b": None}, "mimetype": "application/json"}


def test_json_keeps_an_explicit_content_type(client: KolbaClient) -> None:
    rv = client.post("/a", json=[1], content_type="application/vnd.api+json")
    assert rv.json["content_type"] == "application/vnd.api+json"
    assert rv.json["data"] == "[1]"


def test_json_goes_through_the_app_json_provider(app: Kolba) -> None:
    class Marked(kolba.json.provider.DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return super().dumps({"wrapped": obj}, **kwargs)

    app.json = Marked(app)
    rv = app.test_client().post("/raw", json={"x": 1})
    assert kolba.json.loads(rv.data) == {"wrapped": {"x": 1}}


def test_json_and_data_together_are_an_error(client: KolbaClient) -> None:
    with pytest.raises(TypeError, match="either 'json' or 'data'"):
        client.post("/json", json={}, data="x")


def _upload_app() -> Kolba:
    app = Kolba(__name__)

    @app.post("/upload")
    def upload() -> t.Any:
        return {
            "files": [
                [key, f.filename, f.content_type, f.read().decode()]
                for key, f in request.files.items(multi=True)
            ],
            "form": request.form.to_dict(flat=False),
        }

    return app


def _upload_data() -> dict[str, t.Any]:
    return {
        "doc": (io.BytesIO(b"hello"), "name.txt", "text/plain"),
        "blob": (io.BytesIO(b"\x00\x01"), "data.bin"),
        "many": [(io.BytesIO(b"1"), "one.csv"), (io.BytesIO(b"2"), "two.csv")],
        "field": ["x", "y"],
    }


def test_files_make_a_multipart_body(client: KolbaClient) -> None:
    rv = client.post("/raw", data=_upload_data())
    content_type = rv.request.content_type
    assert content_type is not None
    assert content_type.startswith('multipart/form-data; boundary="')
    boundary = content_type.split('boundary="')[1].rstrip('"')
    body = rv.data
    assert body.startswith(f"--{boundary}\r\n".encode())
    assert body.endswith(f"--{boundary}--\r\n".encode())
    assert b'name="doc"; filename="name.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n' in body
    assert b'filename="data.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01' in body
    assert b'filename="one.csv"\r\nContent-Type: text/csv\r\n\r\n1\r\n' in body
    assert b'filename="two.csv"\r\nContent-Type: text/csv\r\n\r\n2\r\n' in body
    assert body.count(b'Content-Disposition: form-data; name="field"\r\n\r\n') == 2
    assert rv.request.content_length == len(body)


def test_files_arrive_in_request_files() -> None:
    rv = _upload_app().test_client().post("/upload", data=_upload_data())
    assert rv.json == {
        "files": [
            ["doc", "name.txt", "text/plain", "hello"],
            ["blob", "data.bin", "application/octet-stream", "\x00\x01"],
            ["many", "one.csv", "text/csv", "1"],
            ["many", "two.csv", "text/csv", "2"],
        ],
        "form": {"field": ["x", "y"]},
    }


def test_file_storage_with_explicit_multipart_content_type(tmp_path: t.Any) -> None:
    # The seeds' upload test: a FileStorage value and content_type="multipart/form-data".
    from kolba.datastructures import FileStorage

    path = tmp_path / "sample.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with path.open("rb") as stream:
        csv_file = FileStorage(stream=stream, filename="sample.csv", content_type="text/csv")
        rv = (
            _upload_app()
            .test_client()
            .post("/upload", data={"csv_file": csv_file}, content_type="multipart/form-data")
        )
    assert rv.json["files"] == [["csv_file", "sample.csv", "text/csv", "a,b\n1,2\n"]]


def test_files_are_closed_after_the_request(client: KolbaClient) -> None:
    upload = io.BytesIO(b"data")
    client.post("/a", data={"f": (upload, "f.txt")})
    assert upload.closed


# -- the response ------------------------------------------------------------------------------


def test_response_attributes(app: Kolba, client: KolbaClient) -> None:
    rv = client.get("/a?q=1")
    assert isinstance(rv, TestResponse)
    assert rv.status_code == 200
    assert rv.status == "200 OK"
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.mimetype == "application/json"
    assert rv.json["path"] == "/a"
    assert rv.get_json()["args"] == {"q": ["1"]}
    assert isinstance(rv.data, bytes)
    assert rv.get_data(as_text=True) == rv.text == rv.data.decode()
    assert rv.location is None
    assert rv.history == ()
    assert rv.request.path == "/a"
    assert rv.request.args["q"] == "1"
    assert isinstance(rv.request, app.request_class)


def test_headers_are_shown_as_the_app_sent_them() -> None:
    # A 304 without Content-Type must not gain one on its way through the client.
    app = Kolba(__name__)
    app.add_url_rule("/", "not_modified", lambda: ("", 304))
    rv = app.test_client().get("/")
    assert rv.status_code == 304
    assert "Content-Type" not in rv.headers
    assert rv.mimetype is None


def test_json_of_a_non_json_response_is_none(app: Kolba, client: KolbaClient) -> None:
    @app.route("/text")
    def text() -> str:
        return "plain"

    rv = client.get("/text")
    assert rv.json is None
    assert rv.mimetype == "text/html"
    assert rv.text == "plain"


def test_response_json_uses_the_app_json_provider(app: Kolba) -> None:
    class Loud(kolba.json.provider.DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            return {"loaded_by": "app.json", "value": super().loads(s, **kwargs)}

    app.json = Loud(app)

    @app.route("/j")
    def j() -> t.Any:
        return kolba.jsonify(1)

    assert app.test_client().get("/j").json == {"loaded_by": "app.json", "value": 1}


def test_redirect_response_location(app: Kolba, client: KolbaClient) -> None:
    @app.route("/go")
    def go() -> t.Any:
        return kolba.redirect("/target")

    rv = client.get("/go")
    assert rv.status_code == 302
    assert rv.location == "/target"


def test_response_is_also_the_app_response_class() -> None:
    class MyResponse(kolba.Response):
        def shout(self) -> str:
            return self.get_data(as_text=True).upper()

    app = Kolba(__name__)
    app.response_class = MyResponse

    @app.route("/")
    def index() -> str:
        return "hi"

    rv = app.test_client().get("/")
    assert isinstance(rv, MyResponse)
    assert isinstance(rv, TestResponse)
    assert rv.shout() == "HI"
    # One wrapper class per response class, not one per client.
    assert type(app.test_client().get("/")) is type(rv)


def _streaming_app(events: list[str]) -> Kolba:
    app = Kolba(__name__)

    @app.route("/stream")
    def stream() -> t.Any:
        def generate() -> Iterator[str]:
            events.append("started")
            yield "a"
            yield "b"

        rv = kolba.Response(generate())
        rv.call_on_close(lambda: events.append("closed"))
        return rv

    return app


def test_unbuffered_body_is_read_lazily_and_closed_with_the_response() -> None:
    events: list[str] = []
    client = _streaming_app(events).test_client()
    with client.get("/stream") as rv:
        assert events == []
        assert rv.data == b"ab"
        assert events == ["started"]
    assert events == ["started", "closed"]


def test_buffered_body_is_read_and_closed_before_returning() -> None:
    events: list[str] = []
    rv = _streaming_app(events).test_client().get("/stream", buffered=True)
    assert events == ["started", "closed"]
    assert rv.data == b"ab"


def test_close_releases_the_response() -> None:
    events: list[str] = []
    rv = _streaming_app(events).test_client().get("/stream")
    rv.close()
    assert "closed" in events


# -- open() with a builder, an environ or a request ---------------------------------------------


def test_open_a_builder(app: Kolba, client: KolbaClient) -> None:
    builder = EnvironBuilder(app, "/b", method="POST", data="body", query_string={"q": "1"})
    rv = client.open(builder)
    assert rv.json["method"] == "POST"
    assert rv.json["path"] == "/b"
    assert rv.json["args"] == {"q": ["1"]}
    assert rv.json["data"] == "body"
    assert rv.json["remote_addr"] == "127.0.0.1"  # the client's defaults still apply
    builder.close()


def test_helpers_with_a_builder_keep_its_method(app: Kolba, client: KolbaClient) -> None:
    assert client.get(EnvironBuilder(app, "/b", method="PUT")).json["method"] == "PUT"


def test_open_an_environ_dict(app: Kolba, client: KolbaClient) -> None:
    environ = EnvironBuilder(app, "/e", query_string="x=1").get_environ()
    rv = client.open(environ)
    assert rv.json["path"] == "/e"
    assert rv.json["args"] == {"x": ["1"]}


def test_open_a_partial_environ_dict(client: KolbaClient) -> None:
    rv = client.open({"PATH_INFO": "/partial", "REQUEST_METHOD": "DELETE"})
    assert rv.json["method"] == "DELETE"
    assert rv.json["path"] == "/partial"
    assert rv.json["host"] == "localhost"


def test_open_a_request(client: KolbaClient) -> None:
    first = client.get("/r?x=2")
    rv = client.open(first.request)
    assert rv.json["path"] == "/r"
    assert rv.json["args"] == {"x": ["2"]}


def test_open_a_builder_with_more_arguments_is_an_error(app: Kolba, client: KolbaClient) -> None:
    with pytest.raises(TypeError, match="ready-made EnvironBuilder"):
        client.open(EnvironBuilder(app, "/"), data="lost")


# -- client classes ----------------------------------------------------------------------------


class LoginClient(KolbaClient):
    """Flask-Login's pattern: a client subclass with a ``user=`` argument."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        user = kwargs.pop("user", None)
        fresh = kwargs.pop("fresh_login", True)
        super().__init__(*args, **kwargs)
        if user is not None:
            with self.session_transaction() as sess:
                sess["_user_id"] = user
                sess["_fresh"] = fresh


def test_custom_test_client_class_with_extra_kwarg(app: Kolba) -> None:
    @app.route("/whoami")
    def whoami() -> t.Any:
        return {"user": session.get("_user_id"), "fresh": session.get("_fresh")}

    app.test_client_class = LoginClient
    client = app.test_client(user="ada", fresh_login=False)
    assert isinstance(client, LoginClient)
    assert client.get("/whoami").json == {"user": "ada", "fresh": False}
    assert app.test_client().get("/whoami").json == {"user": None, "fresh": None}


def test_client_repr(app: Kolba, client: KolbaClient) -> None:
    assert repr(client) == f"<KolbaClient {app!r}>"


def test_g_is_per_request(app: Kolba, client: KolbaClient) -> None:
    @app.route("/count")
    def count() -> str:
        g.n = g.get("n", 0) + 1
        return str(g.n)

    assert client.get("/count").text == "1"
    assert client.get("/count").text == "1"


# -- run_wsgi_app with plain WSGI apps ---------------------------------------------------------


def test_run_wsgi_app_with_late_start_response_and_write() -> None:
    def wsgi(environ: dict[str, t.Any], start_response: t.Any) -> Iterator[bytes]:
        write = start_response("201 Created", [("X-Late", "yes")])
        write(b"written-")
        yield b"yielded"

    body, status, headers = run_wsgi_app(wsgi, {}, buffered=True)
    assert status == "201 Created"
    assert headers["X-Late"] == "yes"
    assert b"".join(body) == b"written-yielded"


def test_run_wsgi_app_without_start_response_is_an_error() -> None:
    def broken(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        return []

    with pytest.raises(RuntimeError, match="without calling start_response"):
        run_wsgi_app(broken, {})


def test_run_wsgi_app_start_response_twice_is_an_error() -> None:
    def twice(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [])
        start_response("500 Oops", [])
        return []

    with pytest.raises(RuntimeError, match="twice without exc_info"):
        run_wsgi_app(twice, {})


def test_run_wsgi_app_replaces_headers_on_error_before_the_body() -> None:
    def recovering(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [])
        try:
            raise ValueError("late")
        except ValueError:
            import sys

            start_response("500 Internal Server Error", [], sys.exc_info())
        return [b"error page"]

    body, status, _headers = run_wsgi_app(recovering, {}, buffered=True)
    assert status == "500 Internal Server Error"
    assert list(body) == [b"error page"]


def test_run_wsgi_app_closes_the_iterable_when_buffered() -> None:
    closed = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"x"

        def close(self) -> None:
            closed.append(True)

    def wsgi(environ: dict[str, t.Any], start_response: t.Any) -> Body:
        start_response("200 OK", [])
        return Body()

    run_wsgi_app(wsgi, {}, buffered=True)
    assert closed == [True]


# -- side by side with Flask --------------------------------------------------------------------


def _parity_app(module: t.Any, name: str) -> t.Any:
    app = getattr(module, "Flask" if module.__name__ == "flask" else "Kolba")(name)
    app.secret_key = "parity"
    req = module.request

    @app.route("/p", methods=["GET", "POST", "PUT"])
    def echo() -> t.Any:
        return {
            "method": req.method,
            "url": req.url,
            "args": req.args.to_dict(flat=False),
            "form": req.form.to_dict(flat=False),
            "json": req.get_json(silent=True),
            "data": req.get_data(as_text=True) if req.mimetype == "text/plain" else None,
            "ct": req.mimetype,
            "cookie": req.cookies.get("flavour"),
            "has_session": "session" in req.cookies,
            "remote": req.remote_addr,
        }

    @app.route("/set")
    def set_() -> t.Any:
        module.session["n"] = module.session.get("n", 0) + 1
        rv = module.make_response("set")
        rv.set_cookie("flavour", "oat")
        return rv

    return app


PARITY_CALLS: list[tuple[str, tuple[t.Any, ...], dict[str, t.Any]]] = [
    ("get", ("/p",), {}),
    ("get", ("http://domain.com/p?x=1",), {}),
    ("get", ("/p",), {"query_string": {"a": ["1", "2"], "b": "c d"}}),
    ("get", ("/p",), {"base_url": "https://example.org/root"}),
    ("get", ("/p",), {"subdomain": "api", "url_scheme": "https"}),
    ("post", ("/p",), {"data": {"f": ["1", "2"], "g": "3"}}),
    ("post", ("/p",), {"json": {"k": [1, 2]}}),
    ("put", ("/p",), {"data": "raw", "content_type": "text/plain"}),
    ("get", ("/p",), {"environ_overrides": {"REMOTE_ADDR": "9.9.9.9"}}),
    ("get", ("/missing",), {}),
]


@pytest.mark.parametrize(("method", "args", "kwargs"), PARITY_CALLS)
def test_same_as_flask(method: str, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> None:
    flask = pytest.importorskip("flask")
    results = []
    for module in (flask, kolba):
        client = _parity_app(module, f"parity_{module.__name__}").test_client()
        client.get("/set")
        rv = getattr(client, method)(*args, **kwargs)
        results.append((rv.status_code, rv.json, rv.mimetype, rv.history))
    assert results[0] == results[1]
