"""follow_redirects: methods and bodies per status, history, loops, hosts, cookies, session."""

from __future__ import annotations

import io
import typing as t

import pytest

import kolba
from kolba import Kolba, request, session
from kolba.testing import ClientRedirectError, KolbaClient


@pytest.fixture
def app() -> Kolba:
    app = Kolba(__name__)
    app.secret_key = "redirect secret"
    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

    @app.route("/to/<int:code>", methods=every)
    def to(code: int) -> t.Any:
        target = request.args.get("next", "/echo")
        return kolba.redirect(target, code)

    @app.route("/echo", methods=every)
    def echo() -> t.Any:
        return {
            "method": request.method,
            "data": request.get_data(as_text=True),
            "content_type": request.content_type,
            "args": request.args.to_dict(),
            "url": request.url,
        }

    return app


@pytest.fixture
def client(app: Kolba) -> KolbaClient:
    return app.test_client()


@pytest.mark.parametrize("code", [301, 302, 303])
def test_becomes_get_without_body(client: KolbaClient, code: int) -> None:
    rv = client.post(
        f"/to/{code}", data="payload", content_type="text/plain", follow_redirects=True
    )
    assert rv.status_code == 200
    assert rv.json["method"] == "GET"
    assert rv.json["data"] == ""
    assert rv.json["content_type"] is None
    assert rv.request.path == "/echo"
    assert [r.status_code for r in rv.history] == [code]


@pytest.mark.parametrize("code", [307, 308])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_keeps_method_and_body(client: KolbaClient, code: int, method: str) -> None:
    rv = getattr(client, method)(f"/to/{code}", json={"k": "v"}, follow_redirects=True)
    assert rv.json["method"] == method.upper()
    assert kolba.json.loads(rv.json["data"]) == {"k": "v"}
    assert rv.json["content_type"] == "application/json"


def test_keeps_a_form_body_through_several_redirects(app: Kolba, client: KolbaClient) -> None:
    @app.route("/hop/<int:n>", methods=["POST"])
    def hop(n: int) -> t.Any:
        if n:
            return kolba.redirect(f"/hop/{n - 1}", 307)
        return {"form": request.form.to_dict(flat=False)}

    rv = client.post("/hop/3", data={"a": ["1", "2"]}, follow_redirects=True)
    assert rv.json == {"form": {"a": ["1", "2"]}}
    assert [r.request.path for r in rv.history] == ["/hop/3", "/hop/2", "/hop/1"]


def test_head_stays_head(client: KolbaClient) -> None:
    rv = client.head("/to/302", follow_redirects=True)
    assert rv.request.method == "HEAD"
    assert rv.status_code == 200
    assert rv.data == b""


def test_without_follow_redirects(client: KolbaClient) -> None:
    rv = client.get("/to/302")
    assert rv.status_code == 302
    assert rv.location == "/echo"
    assert rv.history == ()


def test_history_records_each_step(client: KolbaClient) -> None:
    rv = client.get("/to/301?next=/to/302%3Fnext%3D/echo%253Fq%253D1", follow_redirects=True)
    assert rv.json["args"] == {"q": "1"}
    assert [r.status_code for r in rv.history] == [301, 302]
    assert [r.request.path for r in rv.history] == ["/to/301", "/to/302"]
    assert rv.history[0].location == "/to/302?next=/echo%3Fq%3D1"
    assert rv.history[1].history == (rv.history[0],)
    # Each step's body was read before the next request, and stays readable.
    assert b"/to/302" in rv.history[0].data


def test_relative_location_resolves_against_the_current_url(
    app: Kolba, client: KolbaClient
) -> None:
    @app.route("/docs/a/start")
    def start() -> t.Any:
        return kolba.redirect("../b/end?x=1", 302)

    @app.route("/docs/b/end")
    def end() -> str:
        return request.full_path

    assert client.get("/docs/a/start", follow_redirects=True).text == "/docs/b/end?x=1"


def test_absolute_location_on_the_same_host(client: KolbaClient) -> None:
    rv = client.get("/to/302?next=http://localhost/echo?z=9", follow_redirects=True)
    assert rv.json["args"] == {"z": "9"}


def test_scheme_change_is_followed(client: KolbaClient) -> None:
    rv = client.get("/to/301?next=https://localhost/echo", follow_redirects=True)
    assert rv.json["url"] == "https://localhost/echo"


def test_loop_is_detected(app: Kolba, client: KolbaClient) -> None:
    @app.route("/ping")
    def ping() -> t.Any:
        return kolba.redirect("/pong")

    @app.route("/pong")
    def pong() -> t.Any:
        return kolba.redirect("/ping")

    with pytest.raises(
        ClientRedirectError, match="Redirect loop: '/ping' redirected \\(302\\) to '/pong'"
    ):
        client.get("/ping", follow_redirects=True)


def test_endless_new_redirects_give_up(app: Kolba, client: KolbaClient) -> None:
    @app.route("/n/<int:n>")
    def forever(n: int) -> t.Any:
        return kolba.redirect(f"/n/{n + 1}")

    client.max_redirects = 5
    with pytest.raises(ClientRedirectError, match="Gave up after 5 redirects"):
        client.get("/n/0", follow_redirects=True)


def test_external_redirect_is_refused(client: KolbaClient) -> None:
    with pytest.raises(RuntimeError, match="leaves the app's host 'localhost'"):
        client.get("/to/302?next=http://example.com/", follow_redirects=True)


def test_subdomain_redirect_needs_permission(app: Kolba) -> None:
    client = app.test_client()
    with pytest.raises(RuntimeError, match="allow_subdomain_redirects"):
        client.get("/to/302?next=http://api.localhost/echo", follow_redirects=True)
    client = app.test_client(allow_subdomain_redirects=True)
    rv = client.get("/to/302?next=http://api.localhost/echo", follow_redirects=True)
    assert rv.json["url"] == "http://api.localhost/echo"
    # ...and back to the parent domain.
    rv = client.get("http://api.localhost/to/302?next=http://localhost/echo", follow_redirects=True)
    assert rv.json["url"] == "http://localhost/echo"


def test_redirect_under_the_application_root() -> None:
    app = Kolba(__name__)
    app.config.update(SERVER_NAME="example.com", APPLICATION_ROOT="/shop")

    @app.route("/start")
    def start() -> t.Any:
        return kolba.redirect(kolba.url_for("end", _external=True))

    @app.route("/end")
    def end() -> t.Any:
        return {"url": request.url, "root": request.script_root, "path": request.path}

    rv = app.test_client().get("/start", follow_redirects=True)
    assert rv.history[0].location == "http://example.com/shop/end"
    assert rv.json == {"url": "http://example.com/shop/end", "root": "/shop", "path": "/end"}


def test_redirect_outside_the_application_root() -> None:
    app = Kolba(__name__)
    app.config["APPLICATION_ROOT"] = "/shop"

    @app.route("/start")
    def start() -> t.Any:
        return kolba.redirect("/elsewhere")

    @app.route("/elsewhere")
    def elsewhere() -> t.Any:
        return {"root": request.script_root, "path": request.path}

    rv = app.test_client().get("/start", follow_redirects=True)
    assert rv.json == {"root": "", "path": "/elsewhere"}


def test_headers_carry_over(client: KolbaClient) -> None:
    rv = client.get("/to/302", headers={"X-Keep": "yes"}, follow_redirects=True)
    assert rv.request.headers["X-Keep"] == "yes"


def test_cookies_set_by_a_redirect_are_sent_to_the_next_hop(app: Kolba) -> None:
    @app.route("/mark")
    def mark() -> t.Any:
        rv = kolba.redirect("/check")
        rv.set_cookie("marked", "yes")
        return rv

    @app.route("/check")
    def check() -> str:
        return request.cookies.get("marked", "missing")

    client = app.test_client()
    assert client.get("/mark", follow_redirects=True).text == "yes"


def test_session_state_is_correct_after_redirects(app: Kolba) -> None:
    @app.route("/login")
    def login() -> t.Any:
        session["user"] = "ada"
        return kolba.redirect("/home")

    @app.route("/logout")
    def logout() -> t.Any:
        session.clear()
        return kolba.redirect("/home")

    @app.route("/home")
    def home() -> t.Any:
        return {"user": session.get("user")}

    client = app.test_client()
    assert client.get("/login", follow_redirects=True).json == {"user": "ada"}
    assert client.get("/home").json == {"user": "ada"}
    assert client.get("/logout", follow_redirects=True).json == {"user": None}
    assert client.get("/home").json == {"user": None}
    with client.session_transaction() as sess:
        assert "user" not in sess


def test_intermediate_streamed_bodies_are_closed(app: Kolba) -> None:
    closed: list[str] = []

    @app.route("/streamed-redirect")
    def streamed() -> t.Any:
        rv = kolba.Response(iter(["moving"]), status=302, headers={"Location": "/echo"})
        rv.call_on_close(lambda: closed.append("redirect body"))
        return rv

    rv = app.test_client().get("/streamed-redirect", follow_redirects=True)
    assert closed == ["redirect body"]
    assert rv.history[0].data == b"moving"


def test_307_with_an_unseekable_body_explains_itself(client: KolbaClient) -> None:
    class OneWay(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: t.Any) -> int:
            return 0

    with pytest.raises(RuntimeError, match="can't seek back"):
        client.post(
            "/to/307",
            input_stream=OneWay(),  # type: ignore[arg-type]
            content_length=4,
            follow_redirects=True,
        )
    # Without a length (a streamed body) the body can't be sent again either.
    with pytest.raises(RuntimeError, match="can't seek back"):
        client.post("/to/307", input_stream=OneWay(), follow_redirects=True)  # type: ignore[arg-type]


def _chain_app(module: t.Any, cls: type[t.Any]) -> t.Any:
    app = cls(f"redirect_parity_{module.__name__}")
    app.secret_key = "k"

    @app.route("/a", methods=["POST"])
    def a() -> t.Any:
        module.session["step"] = "a"
        return module.redirect("/b", 307)

    @app.route("/b", methods=["POST"])
    def b() -> t.Any:
        return module.redirect("/c", 303)

    @app.route("/c")
    def c() -> t.Any:
        return {"method": module.request.method, "data": module.request.get_data(as_text=True)}

    return app


def test_same_redirect_chain_as_flask() -> None:
    flask = pytest.importorskip("flask")
    results = []
    for module, cls in ((flask, flask.Flask), (kolba, Kolba)):
        rv = _chain_app(module, cls).test_client().post("/a", data="body", follow_redirects=True)
        results.append(
            (
                rv.status_code,
                rv.json,
                [(r.status_code, r.location, r.request.method) for r in rv.history],
                rv.request.path,
            )
        )
    assert results[0] == results[1]


def test_follow_from_a_path_without_leading_slash(client: KolbaClient) -> None:
    # client.post("admin/upload", follow_redirects=True) in the wild: the relative request
    # path is resolved from the app's root, so the redirect stays on the same host.
    response = client.post("to/302?next=/echo", follow_redirects=True)
    assert response.status_code == 200
    assert response.json["method"] == "GET"
    assert response.request.path == "/echo"
