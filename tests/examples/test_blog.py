"""The blog example (examples/blog): accounts, posts by their author, error pages, the init-db
command, and the one command that serves it, checked over real HTTP.
"""

from __future__ import annotations

import http.cookiejar
import importlib.util
import os
import pathlib
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import types
import typing as t
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kolba import Kolba, g, session
from kolba.security import check_password_hash
from kolba.testing import KolbaClient

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "blog"
SRC = EXAMPLE.parents[1] / "src"


def _load_package() -> types.ModuleType:
    """Import examples/blog/blog as the package "blog", without touching sys.path."""
    if "blog" in sys.modules and getattr(sys.modules["blog"], "__file__", "").startswith(
        str(EXAMPLE)
    ):
        return sys.modules["blog"]
    spec = importlib.util.spec_from_file_location(
        "blog", EXAMPLE / "blog" / "__init__.py", submodule_search_locations=[str(EXAMPLE / "blog")]
    )
    assert spec is not None
    assert spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["blog"] = package
    spec.loader.exec_module(package)
    return package


blog = _load_package()
blog_db = sys.modules["blog.db"]

# Password hashes of the kind Flask's tutorial ships (pbkdf2, 50000 rounds): "test" and "other".
TEST_HASH = (
    "pbkdf2:sha256:50000$TCI4GzcX$0de171a4f4dac32e3364c7ddc7c14f3e2fa61f2d17574483f7ffbb431b4acb2f"
)
OTHER_HASH = (
    "pbkdf2:sha256:50000$kJPKsz6N$d2d4784f1b030a9761f5ccaeeaca413f27f2ecb76d6168407af962ddce849f79"
)


@pytest.fixture
def app(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Kolba:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("BLOG_CONFIG", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = blog.create_app("testing")
    with app.app_context():
        blog_db.init_db()
        db = blog_db.get_db()
        db.executemany(
            "INSERT INTO user (username, password) VALUES (?, ?)",
            [("test", TEST_HASH), ("other", OTHER_HASH)],
        )
        db.execute(
            "INSERT INTO post (title, body, author_id, created)"
            " VALUES ('test title', 'test' || x'0a' || 'body', 1, '2018-01-01 00:00:00')"
        )
        db.commit()
    return app


@pytest.fixture
def client(app: Kolba) -> KolbaClient:
    return app.test_client()


class Auth:
    def __init__(self, client: KolbaClient) -> None:
        self.client = client

    def login(self, username: str = "test", password: str = "test", **kwargs: t.Any) -> t.Any:
        return self.client.post(
            "/auth/login", data={"username": username, "password": password}, **kwargs
        )

    def logout(self) -> t.Any:
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client: KolbaClient) -> Auth:
    return Auth(client)


def _query(app: Kolba, sql: str, *params: t.Any) -> list[sqlite3.Row]:
    with app.app_context():
        return list(blog_db.get_db().execute(sql, params).fetchall())


# --- the factory and its settings ----------------------------------------------------------


def test_config_by_name(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("BLOG_CONFIG", raising=False)
    assert not blog.create_app().testing
    assert blog.create_app("development").config["TEMPLATES_AUTO_RELOAD"] is True
    assert blog.create_app("testing").testing
    monkeypatch.setenv("BLOG_CONFIG", "testing")
    assert blog.create_app().testing
    with pytest.raises(ValueError, match="development, production, testing"):
        blog.create_app("staging")


def test_database_lives_in_the_instance_folder(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "inst"))
    app = blog.create_app("testing")
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["DATABASE"] == str(tmp_path / "inst" / "blog.sqlite")


def test_instance_config_file_overrides(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("DATABASE = '/elsewhere/blog.db'\nlowercase = 'ignored'\n")
    app = blog.create_app("testing")
    assert app.config["DATABASE"] == "/elsewhere/blog.db"
    assert "lowercase" not in app.config


def test_production_needs_a_secret_key(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY environment variable"):
        blog.create_app("production")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = blog.create_app("production")
    assert app.secret_key == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


# --- the database --------------------------------------------------------------------------


def test_one_connection_per_context(app: Kolba) -> None:
    with app.app_context():
        db = blog_db.get_db()
        assert blog_db.get_db() is db
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


def test_init_db_command(app: Kolba) -> None:
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Initialized the database" in result.output
    # It starts over: the seeded rows are gone, the tables are there.
    assert _query(app, "SELECT count(*) FROM user")[0][0] == 0
    assert _query(app, "SELECT count(*) FROM post")[0][0] == 0


def test_init_db_command_is_listed(app: Kolba) -> None:
    result = app.test_cli_runner().invoke(args=["--help"])
    assert "init-db" in result.output
    assert "Create the database tables" in result.output


def test_ensure_db_creates_only_when_missing(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "new" / "instance"))
    app = blog.create_app("testing")
    assert not (tmp_path / "new").exists()
    assert blog_db.ensure_db(app) is True
    assert pathlib.Path(app.config["DATABASE"]).is_file()
    with app.app_context():
        db = blog_db.get_db()
        db.execute("INSERT INTO user (username, password) VALUES ('kept', 'x')")
        db.commit()
    assert blog_db.ensure_db(app) is False
    assert _query(app, "SELECT username FROM user")[0][0] == "kept"


# --- accounts -------------------------------------------------------------------------------


def test_register(client: KolbaClient, app: Kolba) -> None:
    assert client.get("/auth/register").status_code == 200
    response = client.post("/auth/register", data={"username": "ada", "password": "lovelace"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    (row,) = _query(app, "SELECT password FROM user WHERE username = 'ada'")
    assert row["password"] != "lovelace"
    assert check_password_hash(row["password"], "lovelace")
    assert "Your account is ready. Please log in." in client.get("/auth/login").text


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "", "Username is required."),
        ("   ", "x", "Username is required."),
        ("a", "", "Password is required."),
        ("x" * 41, "x", "Username must be at most 40 characters."),
        ("test", "test", "The username &#39;test&#39; is taken; choose another."),
    ],
)
def test_register_validation(
    client: KolbaClient, username: str, password: str, message: str
) -> None:
    response = client.post("/auth/register", data={"username": username, "password": password})
    assert response.status_code == 400
    assert message in response.text
    assert 'class="flash flash-error"' in response.text


def test_register_keeps_the_username_in_the_form(client: KolbaClient) -> None:
    response = client.post("/auth/register", data={"username": "test", "password": "x"})
    assert 'value="test"' in response.text


def test_password_minimum_outside_testing(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path))
    app = blog.create_app("development")
    blog_db.ensure_db(app)
    response = app.test_client().post(
        "/auth/register", data={"username": "ada", "password": "short"}
    )
    assert response.status_code == 400
    assert "Password must be at least 8 characters." in response.text


def test_login(client: KolbaClient, auth: Auth) -> None:
    assert client.get("/auth/login").status_code == 200
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with client:
        page = client.get("/")
        assert session["user_id"] == 1
        assert g.user["username"] == "test"
    assert "Welcome, test!" in page.text
    assert "Signed in as <strong>test</strong>" in page.text
    # A flash is shown once.
    assert "Welcome, test!" not in client.get("/").text


@pytest.mark.parametrize(
    ("username", "password"), [("nobody", "test"), ("test", "wrong"), ("", "")]
)
def test_login_errors(auth: Auth, username: str, password: str) -> None:
    response = auth.login(username, password)
    assert response.status_code == 400
    assert "Incorrect username or password." in response.text


def test_logout(client: KolbaClient, auth: Auth) -> None:
    auth.login()
    with client:
        response = auth.logout()
        assert "user_id" not in session
    assert response.status_code == 302
    page = client.get("/")
    assert "You are logged out." in page.text
    assert "Log in" in page.text
    # Logging out changes state: a link or a prefetch (GET) must not do it.
    assert client.get("/auth/logout").status_code == 405


def test_a_deleted_user_is_logged_out(client: KolbaClient, auth: Auth, app: Kolba) -> None:
    auth.login()
    with app.app_context():
        db = blog_db.get_db()
        db.execute("DELETE FROM post")
        db.execute("DELETE FROM user WHERE id = 1")
        db.commit()
    with client:
        client.get("/")
        assert g.user is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/create"),
        ("post", "/create"),
        ("get", "/1/update"),
        ("post", "/1/update"),
        ("post", "/1/delete"),
    ],
)
def test_login_required(client: KolbaClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert urllib.parse.parse_qs(location.query) == {"next": [path]}
    assert "Please log in first." in client.get("/auth/login").text


def test_login_goes_back_to_the_page_asked_for(client: KolbaClient) -> None:
    page = client.get("/auth/login?next=/create")
    assert 'action="/auth/login?next=/create"' in page.text
    response = client.post(
        "/auth/login?next=/create", data={"username": "test", "password": "test"}
    )
    assert response.headers["Location"] == "/create"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "http://evil.example/", "/\\evil.example", "create"]
)
def test_login_never_redirects_off_site(auth: Auth, target: str) -> None:
    response = auth.client.post(
        "/auth/login", query_string={"next": target}, data={"username": "test", "password": "test"}
    )
    assert response.headers["Location"] == "/"


# --- posts --------------------------------------------------------------------------------


def test_index(client: KolbaClient, auth: Auth) -> None:
    page = client.get("/").text
    assert "Log in" in page
    assert "Register" in page
    assert "test title" in page
    assert "by test on 2018-01-01" in page
    assert "test\nbody" in page
    assert 'href="/1/update"' not in page
    auth.login()
    page = client.get("/").text
    assert "Log out" in page
    assert 'href="/1/update"' in page
    assert 'href="/create"' in page


def test_index_without_posts(client: KolbaClient, app: Kolba) -> None:
    with app.app_context():
        blog_db.get_db().execute("DELETE FROM post")
        blog_db.get_db().commit()
    assert "No posts yet." in client.get("/").text


def test_posts_are_escaped(client: KolbaClient, auth: Auth) -> None:
    auth.login()
    client.post("/create", data={"title": "<script>alert(1)</script>", "body": "<b>x</b>"})
    page = client.get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_newest_first(client: KolbaClient, auth: Auth) -> None:
    auth.login()
    client.post("/create", data={"title": "newer post", "body": ""})
    page = client.get("/").text
    assert page.index("newer post") < page.index("test title")


def test_create(client: KolbaClient, auth: Auth, app: Kolba) -> None:
    auth.login()
    assert client.get("/create").status_code == 200
    response = client.post("/create", data={"title": "created", "body": "hello"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    rows = _query(app, "SELECT title, body, author_id FROM post ORDER BY id")
    assert [tuple(row) for row in rows][-1] == ("created", "hello", 1)
    assert "Your post is published." in client.get("/").text


def test_update(client: KolbaClient, auth: Auth, app: Kolba) -> None:
    auth.login()
    page = client.get("/1/update")
    assert page.status_code == 200
    assert 'value="test title"' in page.text
    response = client.post("/1/update", data={"title": "updated", "body": "new body"})
    assert response.status_code == 302
    assert tuple(_query(app, "SELECT title, body FROM post WHERE id = 1")[0]) == (
        "updated",
        "new body",
    )
    assert "Your post is updated." in client.get("/").text


@pytest.mark.parametrize(
    ("path", "title", "message"),
    [
        ("/create", "", "A title is required."),
        ("/1/update", "   ", "A title is required."),
        ("/create", "t" * 201, "The title must be at most 200 characters."),
    ],
)
def test_create_update_validate(
    client: KolbaClient, auth: Auth, path: str, title: str, message: str
) -> None:
    auth.login()
    response = client.post(path, data={"title": title, "body": "kept body"})
    assert response.status_code == 400
    assert message in response.text
    assert "kept body" in response.text


def test_delete(client: KolbaClient, auth: Auth, app: Kolba) -> None:
    auth.login()
    response = client.post("/1/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _query(app, "SELECT * FROM post WHERE id = 1") == []
    assert "Your post is deleted." in client.get("/").text
    assert client.get("/1/delete").status_code == 405


def test_only_the_author_may_change_a_post(client: KolbaClient, auth: Auth, app: Kolba) -> None:
    auth.login("other", "other")
    for response in (
        client.get("/1/update"),
        client.post("/1/update", data={"title": "x"}),
        client.post("/1/delete"),
    ):
        assert response.status_code == 403
        assert "Only the author of a post may change or delete it." in response.text
        assert "Not allowed" in response.text
    assert 'href="/1/update"' not in client.get("/").text
    assert tuple(_query(app, "SELECT title FROM post WHERE id = 1")[0]) == ("test title",)


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/2/update"), ("post", "/2/update"), ("post", "/2/delete")]
)
def test_a_missing_post_is_404(client: KolbaClient, auth: Auth, method: str, path: str) -> None:
    auth.login()
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert "There is no post number 2." in response.text


# --- pages, static files, error pages ------------------------------------------------------


def test_layout_and_static_css(client: KolbaClient) -> None:
    page = client.get("/").text
    assert "<title>Posts · kolba blog</title>" in page
    (href,) = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)
    assert href == "/static/style.css"
    with client.get(href) as css:
        assert css.status_code == 200
        assert css.mimetype == "text/css"
        assert b".flash-error" in css.data


def test_404_page(client: KolbaClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.text
    assert "kolba <span>blog</span>" in response.text  # the site's own layout
    with client.get("/static/missing.css") as missing:
        assert missing.status_code == 404


def test_500_page(app: Kolba) -> None:
    app.testing = False  # the testing config lets errors reach the test; a user sees the page

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "a bug" not in response.text
    assert "kolba <span>blog</span>" in response.text


def test_error_handlers_are_registered_as_the_seeds_describe(app: Kolba) -> None:
    # 403/404 come from the errors blueprint for the whole app (app_errorhandler), 500 from
    # the app itself (errorhandler).
    app_handlers = app.error_handler_spec[None]
    assert blog.errors.forbidden in app_handlers[403].values()
    assert blog.errors.not_found in app_handlers[404].values()
    assert blog.errors.internal_error in app_handlers[500].values()
    assert app.blueprints["errors"] is blog.errors.bp


# --- the one command, over real HTTP -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], budget: float = 10.0) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=budget)


def _env(tmp_path: pathlib.Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOLBA_", "FLASK_", "BLOG_"))}
    env.pop("SECRET_KEY", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env["BLOG_INSTANCE_PATH"] = str(tmp_path / "instance")
    env.update(extra)
    return env


class Browser:
    """urllib with a cookie jar: logs in once and stays logged in, like a browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.status, response.read().decode()

    def post(self, path: str, **form: str) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()


def test_run_py_serves_the_blog(tmp_path: pathlib.Path) -> None:
    port = _free_port()
    log_path = tmp_path / "server.log"
    env = _env(tmp_path, BLOG_HOST="127.0.0.1", BLOG_PORT=str(port))
    with log_path.open("wb") as log:
        # From an unrelated folder, as "python examples/blog/run.py" is run from the repo.
        process = subprocess.Popen(
            [sys.executable, str(EXAMPLE / "run.py")], cwd=tmp_path, env=env, stdout=log, stderr=log
        )
        browser = Browser(f"http://127.0.0.1:{port}")
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    status, page = browser.get("/")
                    break
                except (urllib.error.URLError, ConnectionError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(
                            f"the blog did not answer:\n{log_path.read_text(errors='replace')}"
                        )
                    time.sleep(0.1)
            assert status == 200
            assert "No posts yet." in page
            status, url, page = browser.post(
                "/auth/register", username="ada", password="analytical engine"
            )
            assert url.endswith("/auth/login")
            assert "Your account is ready" in page
            status, url, page = browser.post(
                "/auth/login", username="ada", password="analytical engine"
            )
            assert url == f"http://127.0.0.1:{port}/"
            assert "Signed in as <strong>ada</strong>" in page
            status, url, page = browser.post(
                "/create", title="Notes on the engine", body="It weaves patterns."
            )
            assert status == 200
            assert "Your post is published." in page
            assert "Notes on the engine" in page
            assert "by ada on" in page
            _, css = browser.get("/static/style.css")
            assert ".card" in css
            with pytest.raises(urllib.error.HTTPError) as info:
                browser.get("/2/update")
            assert info.value.code == 404
            info.value.close()
        finally:
            _stop(process)
    output = log_path.read_text(errors="replace")
    assert "Created the database" in output
    assert f"http://127.0.0.1:{port}" in output
    assert (tmp_path / "instance" / "blog.sqlite").is_file()


def test_kolba_init_db_from_the_example_folder(tmp_path: pathlib.Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kolba", "--app", "blog", "init-db"],
        cwd=EXAMPLE,
        env=_env(tmp_path),
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Initialized the database" in done.stdout
    assert (tmp_path / "instance" / "blog.sqlite").is_file()
