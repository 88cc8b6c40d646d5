"""Jinja2 templating: loaders, context, autoescape, filters, streaming, the seeds' templates."""

from __future__ import annotations

import logging
import os
import time
import typing as t
from datetime import datetime, timezone

import flask
import pytest
from jinja2 import TemplateNotFound
from markupsafe import Markup

import kolba
from kolba.json.provider import DefaultJSONProvider
from kolba.sessions import SecureCookieSession, SecureCookieSessionInterface
from kolba.signals import before_render_template, template_rendered

HERE = os.path.dirname(os.path.abspath(__file__))

ROUTES = [
    {"label": "Home", "path": "/"},
    {"label": "About", "path": "/about"},
    {"label": "Blogs & News", "path": "/blogs"},
]

# What pandas' DataFrame.to_html(classes=...) produces, as the seed passes it to a template.
PANDAS_TABLE = """<table border="1" class="dataframe table table-striped table-hover">
  <thead>
    <tr style="text-align: right;">
      <th></th>
      <th>name</th>
      <th>score</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th>0</th>
      <td>Ada &amp; Co</td>
      <td>0.95</td>
    </tr>
    <tr>
      <th>1</th>
      <td>&lt;Grace&gt;</td>
      <td>0.87</td>
    </tr>
  </tbody>
</table>"""


def seed_app(module: t.Any, cls: t.Any) -> t.Any:
    """The same app in Flask and in kolba, so their pages can be compared."""
    app = cls(__name__, root_path=HERE)
    app.secret_key = "seed secret"

    @app.route("/")
    def index() -> str:
        module.flash("Welcome <back>")
        return module.render_template(
            "seed/page.html",
            routes=ROUTES,
            items=["one", "<two>", "three"],
            user='ada "the first"',
            kenny={"sick": False, "dead": True},
        )

    @app.route("/search")
    def search() -> str:
        return module.render_template("seed/search.html", data=PANDAS_TABLE, raw="<b>raw</b>")

    @app.route("/notes")
    def notes() -> str:
        return module.render_template("seed/notes.txt", name="<Ada>")

    return app


def kolba_app(tmp_path: t.Any | None = None, **config: t.Any) -> kolba.Kolba:
    root = HERE if tmp_path is None else str(tmp_path)
    app = kolba.Kolba(__name__, root_path=root)
    app.config.update({"SECRET_KEY": "templating", "TESTING": True, **config})
    return app


def write(folder: t.Any, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# -- the seeds' templates render exactly as in Flask -----------------------------------------------


@pytest.mark.parametrize("path", ["/", "/search", "/notes"])
def test_seed_pages_render_like_flask(path: str) -> None:
    flask_page = seed_app(flask, flask.Flask).test_client().get(path)
    kolba_page = seed_app(kolba, kolba.Kolba).test_client().get(path)
    assert kolba_page.status_code == flask_page.status_code == 200
    assert kolba_page.text == flask_page.get_data(as_text=True)
    assert kolba_page.headers["Content-Type"] == flask_page.headers["Content-Type"]


def test_seed_page_features() -> None:
    html = seed_app(kolba, kolba.Kolba).test_client().get("/").text
    assert "<title>Index - My Webpage</title>" in html  # block in an extended template
    assert '<link rel="stylesheet" href="/static/css/styles.css">' in html  # super() + url_for
    assert ".important { color: #336699; }" in html
    assert '<a href="/blogs" class="app-nav-link">Blogs &amp; News</a>' in html  # include
    assert '<div class="flash">Welcome &lt;back&gt;</div>' in html
    assert "<li>&lt;two&gt;</li>" in html
    assert html.count('<li class="sep">|</li>') == 2  # namespace() survives the loop scope
    assert "<p>3 items</p>" in html
    assert '<input type="text" name="username" value="ada &#34;the first&#34;">' in html  # macro
    assert '<input type="password" name="password" value="">' in html
    assert "You killed Kenny!" in html
    assert "a comment" not in html
    assert '<script src="/static/base.js"></script><script src="my-script.js"></script>' in html


def test_seed_pandas_table_is_shown_with_safe() -> None:
    html = seed_app(kolba, kolba.Kolba).test_client().get("/search").text
    assert PANDAS_TABLE in html  # |safe: the table's own markup, its escapes kept
    assert "<p>&lt;b&gt;raw&lt;/b&gt;</p>" in html  # without |safe it is escaped


def test_txt_templates_are_not_escaped() -> None:
    text = seed_app(kolba, kolba.Kolba).test_client().get("/notes").text
    assert text.startswith("Dear <Ada>, <not escaped> & fine")


# -- loading ------------------------------------------------------------------------------------------


def test_app_folder_wins_over_blueprint_folders(tmp_path: t.Any) -> None:
    write(tmp_path / "templates", "shared.html", "app")
    write(tmp_path / "bp_one" / "templates", "shared.html", "one")
    write(tmp_path / "bp_one" / "templates", "only_one.html", "one only")
    write(tmp_path / "bp_two" / "templates", "only_one.html", "two")
    write(tmp_path / "bp_two" / "templates", "only_two.html", "two only")
    app = kolba_app(tmp_path)
    one = kolba.Blueprint(
        "one", __name__, root_path=str(tmp_path / "bp_one"), template_folder="templates"
    )
    two = kolba.Blueprint(
        "two", __name__, root_path=str(tmp_path / "bp_two"), template_folder="templates"
    )
    app.register_blueprint(one)
    app.register_blueprint(two)
    with app.app_context():
        assert kolba.render_template("shared.html") == "app"
        assert kolba.render_template("only_one.html") == "one only"  # registration order
        assert kolba.render_template("only_two.html") == "two only"
        assert app.jinja_env.list_templates() == ["only_one.html", "only_two.html", "shared.html"]


def test_a_list_means_the_first_that_exists(tmp_path: t.Any) -> None:
    write(tmp_path / "templates", "fallback.html", "fallback")
    app = kolba_app(tmp_path)
    with app.app_context():
        assert kolba.render_template(["missing.html", "fallback.html"]) == "fallback"
        with pytest.raises(TemplateNotFound) as info:
            kolba.render_template(["nope.html", "neither.html"])
        assert "nope.html" in str(info.value)
        assert "neither.html" in str(info.value)
        template = app.jinja_env.get_template("fallback.html")
        assert kolba.render_template(template) == "fallback"


def test_missing_template_is_template_not_found(tmp_path: t.Any) -> None:
    app = kolba_app(tmp_path)
    with app.app_context(), pytest.raises(TemplateNotFound, match=r"absent\.html"):
        kolba.render_template("absent.html")


def test_explain_template_loading_logs_every_folder(
    tmp_path: t.Any, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "templates", "x.html", "x")
    write(tmp_path / "bp" / "templates", "x.html", "bp")
    app = kolba_app(tmp_path, EXPLAIN_TEMPLATE_LOADING=True)
    bp = kolba.Blueprint(
        "bp", __name__, root_path=str(tmp_path / "bp"), template_folder="templates"
    )
    app.register_blueprint(bp)
    with caplog.at_level(logging.INFO), app.app_context():
        assert kolba.render_template("x.html") == "x"
        with pytest.raises(TemplateNotFound):
            kolba.render_template("y.html")
    text = caplog.text
    assert "'x.html'" in text
    assert "found at" in text
    assert "<Blueprint 'bp'>" in text
    assert "NOT FOUND" in text


@pytest.mark.parametrize(
    ("setting", "debug", "reloads"),
    [(True, False, True), (False, True, False), (None, True, True), (None, False, False)],
)
def test_templates_auto_reload(
    tmp_path: t.Any, setting: bool | None, debug: bool, reloads: bool
) -> None:
    write(tmp_path / "templates", "live.html", "v1")
    app = kolba_app(tmp_path, TEMPLATES_AUTO_RELOAD=setting, DEBUG=debug)
    with app.app_context():
        assert kolba.render_template("live.html") == "v1"
        path = tmp_path / "templates" / "live.html"
        path.write_text("v2")
        later = time.time() + 5
        os.utime(path, (later, later))
        assert kolba.render_template("live.html") == ("v2" if reloads else "v1")


# -- autoescape ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("a.html", True),
        ("a.htm", True),
        ("a.xml", True),
        ("a.xhtml", True),
        ("a.svg", True),
        ("a.txt", False),
        ("a.j2", False),
    ],
)
def test_autoescape_by_extension(tmp_path: t.Any, name: str, escaped: bool) -> None:
    write(tmp_path / "templates", name, "{{ v }}|{{ m }}|{{ v|safe }}")
    app = kolba_app(tmp_path)
    with app.app_context():
        out = kolba.render_template(name, v="<i>", m=Markup("<b>"))
    assert out == ("&lt;i&gt;|<b>|<i>" if escaped else "<i>|<b>|<i>")


def test_strings_are_autoescaped() -> None:
    app = kolba_app()
    with app.app_context():
        assert kolba.render_template_string("{{ v }}", v="<&>") == "&lt;&amp;&gt;"
        assert (
            kolba.render_template_string("{% autoescape false %}{{ v }}{% endautoescape %}", v="<")
            == "<"
        )


# -- context ------------------------------------------------------------------------------------------


def test_default_context_in_a_request() -> None:
    app = kolba_app(SOMETHING="configured")

    @app.route("/page/<name>")
    def page(name: str) -> str:
        kolba.g.who = "g-value"
        kolba.session["seen"] = "yes"
        kolba.flash("flashed")
        return kolba.render_template_string(
            "{{ config.SOMETHING }} {{ request.path }} {{ session.seen }} {{ g.who }}"
            " {{ url_for('page', name='x') }} {{ get_flashed_messages()|join(',') }}"
        )

    assert app.test_client().get("/page/a").text == "configured /page/a yes g-value /page/x flashed"


def test_app_context_only_has_config_and_g() -> None:
    app = kolba_app(SOMETHING="configured")
    with app.app_context():
        kolba.g.x = 1
        out = kolba.render_template_string(
            "{{ config.SOMETHING }} {{ g.x }} {{ request is defined }}"
        )
    assert out.startswith("configured 1")


def test_explicit_arguments_win_over_processors_and_defaults() -> None:
    app = kolba_app()

    @app.context_processor
    def inject() -> dict[str, t.Any]:
        return {"user": "from processor", "config": "processor config", "extra": "kept"}

    with app.test_request_context("/"):
        out = kolba.render_template_string(
            "{{ user }} {{ config }} {{ extra }} {{ request }}",
            user="explicit",
            config=42,
            request="r",
        )
    assert out == "explicit 42 kept r"


def test_later_processor_wins_and_blueprint_processors_stay_in_their_blueprint() -> None:
    app = kolba_app()
    parent = kolba.Blueprint("parent", __name__, url_prefix="/parent")
    child = kolba.Blueprint("child", __name__, url_prefix="/child")

    @app.context_processor
    def app_level() -> dict[str, t.Any]:
        return {"where": "app", "app_only": "a"}

    @parent.context_processor
    def parent_level() -> dict[str, t.Any]:
        return {"where": "parent", "parent_only": "p"}

    @child.context_processor
    def child_level() -> dict[str, t.Any]:
        return {"where": "child"}

    @parent.app_context_processor
    def everywhere() -> dict[str, t.Any]:
        return {"global_one": "g"}

    template = "{{ where }} {{ app_only }} {{ parent_only|default('-') }} {{ global_one }}"

    @app.route("/")
    def root() -> str:
        return kolba.render_template_string(template)

    @parent.route("/")
    def parent_view() -> str:
        return kolba.render_template_string(template)

    @child.route("/")
    def child_view() -> str:
        return kolba.render_template_string(template)

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client = app.test_client()
    assert client.get("/").text == "app a - g"
    assert client.get("/parent/").text == "parent a p g"
    assert client.get("/parent/child/").text == "child a p g"


def test_async_context_processor() -> None:
    app = kolba_app()

    @app.context_processor
    async def inject() -> dict[str, t.Any]:
        return {"value": "async"}

    with app.app_context():
        assert kolba.render_template_string("{{ value }}") == "async"


def test_template_filters_tests_and_globals() -> None:
    app = kolba_app()

    @app.template_filter()
    def reverse(s: str) -> str:
        return s[::-1]

    @app.template_filter("shout")
    def make_loud(s: str) -> str:
        return s.upper() + "!"

    @app.template_test()
    def even(n: int) -> bool:
        return n % 2 == 0

    @app.template_test("big")
    def is_big(n: int) -> bool:
        return n > 100

    @app.template_global()
    def answer() -> int:
        return 42

    @app.template_global("site")
    def site_name() -> str:
        return "kolba"

    app.add_template_filter(lambda s: f"[{s}]", "bracket")
    app.add_template_test(lambda n: n == 0, "zero")
    app.add_template_global(3.14, "pi")
    app.jinja_env.globals["csrf_token"] = lambda: "tok"  # as Flask-WTF does

    with app.app_context():
        out = kolba.render_template_string(
            "{{ 'abc'|reverse }} {{ 'hi'|shout }} {{ 4 is even }} {{ 3 is even }}"
            " {{ 101 is big }} {{ answer() }} {{ site() }} {{ 'x'|bracket }} {{ 0 is zero }}"
            " {{ pi }} {{ csrf_token() }}"
        )
    assert out == "cba HI! True False True 42 kolba [x] True 3.14 tok"


def test_blueprint_app_template_filters() -> None:
    app = kolba_app()
    bp = kolba.Blueprint("bp", __name__)

    @bp.app_template_filter()
    def double(s: str) -> str:
        return s * 2

    @bp.app_template_test()
    def empty(s: str) -> bool:
        return not s

    @bp.app_template_global()
    def version() -> str:
        return "1.0"

    bp.add_app_template_filter(str.title, "titled")
    app.register_blueprint(bp)
    with app.app_context():
        out = kolba.render_template_string(
            "{{ 'ab'|double }} {{ '' is empty }} {{ version() }} {{ 'x y'|titled }}"
        )
    assert out == "abab True 1.0 X Y"


def test_tojson_is_html_safe_and_uses_the_app_provider() -> None:
    app = kolba_app()
    with app.app_context():
        out = kolba.render_template_string(
            "<script>var data = {{ data|tojson }};</script>",
            data={
                "html": "</script><script>alert('x')&",
                "when": datetime(2024, 1, 2, tzinfo=timezone.utc),
            },
        )
    assert "</script><script>" not in out
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(\\u0027x\\u0027)\\u0026" in out
    assert (
        '"when": "Tue, 02 Jan 2024 00:00:00 GMT"' in out
        or '"when":"Tue, 02 Jan 2024 00:00:00 GMT"' in out
    )

    class Custom(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return '"custom"'

    app.json = Custom(app)
    with app.app_context():
        assert kolba.render_template_string("{{ 1|tojson }}") == '"custom"'


def test_jinja_options_apply(tmp_path: t.Any) -> None:
    class App(kolba.Kolba):
        jinja_options = {"trim_blocks": True, "line_statement_prefix": "%"}

    app = App(__name__, root_path=str(tmp_path))
    with app.app_context():
        out = kolba.render_template_string("% for x in [1, 2]\n{{ x }}\n% endfor\n")
    assert out == "1\n2\n"


# -- rendering APIs -----------------------------------------------------------------------------------


def test_render_template_string_caches_compiled_sources() -> None:
    app = kolba_app()
    with app.app_context():
        source = "{{ a }}-{{ b|default('none') }}"
        assert kolba.render_template_string(source, a=1) == "1-none"
        assert kolba.render_template_string(source, a=2, b=3) == "2-3"
        assert kolba.render_template_string("{{ a }}!", a=1) == "1!"

        # A filter registered after a source was first compiled is still found.
        @app.template_filter("late")
        def late(v: t.Any) -> str:
            return "late"

        assert kolba.render_template_string("{{ a|late }}", a=1) == "late"
        start = time.perf_counter()
        for i in range(200):
            kolba.render_template_string(source, a=i)
        # Compiling costs ~0.5 ms each; cached rendering is far cheaper.
        assert time.perf_counter() - start < 2.0


def test_stream_template_keeps_the_request_while_streaming(tmp_path: t.Any) -> None:
    write(
        tmp_path / "templates",
        "stream.html",
        "{% for i in range(3) %}{{ request.args.n }}{{ i }},{% endfor %}",
    )
    app = kolba_app(tmp_path)

    @app.route("/file")
    def from_file() -> kolba.Response:
        return kolba.Response(kolba.stream_template("stream.html"))

    @app.route("/string")
    def from_string() -> kolba.Response:
        return kolba.Response(kolba.stream_template_string("{{ request.path }}|{{ v }}", v="<x>"))

    client = app.test_client()
    assert client.get("/file?n=a").text == "a0,a1,a2,"
    assert client.get("/string").text == "/string|&lt;x&gt;"


def test_stream_template_without_a_request(tmp_path: t.Any) -> None:
    app = kolba_app(tmp_path)
    with app.app_context():
        assert "".join(kolba.stream_template_string("{{ 1 + 1 }}")) == "2"


def test_get_template_attribute_calls_a_macro() -> None:
    app = kolba_app()
    with app.app_context():
        hello = kolba.get_template_attribute("seed/_macros.html", "hello")
        assert hello("World") == "Hello World!"


def test_signals_see_the_template_and_the_full_context() -> None:
    app = kolba_app()
    seen: list[tuple[str, t.Any]] = []

    def before(sender: t.Any, template: t.Any, context: dict[str, t.Any], **kw: t.Any) -> None:
        seen.append(("before", context["x"]))

    def after(sender: t.Any, template: t.Any, context: dict[str, t.Any], **kw: t.Any) -> None:
        seen.append(("after", "g" in context))

    with (
        before_render_template.connected_to(before, app),
        template_rendered.connected_to(after, app),
        app.app_context(),
    ):
        kolba.render_template_string("{{ x }}", x=1)
    assert seen == [("before", 1), ("after", True)]


def test_rendering_outside_an_app_context_says_so() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        kolba.render_template_string("x")


@pytest.fixture
def session_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the stock session interface opens a session for (it opens them lazily;
    a custom interface would be opened on every request, as in Flask).
    """
    opened: list[str] = []
    stock_open = SecureCookieSessionInterface.open_session

    def counting_open(self: t.Any, app: t.Any, request: t.Any) -> SecureCookieSession | None:
        opened.append(request.path)
        return stock_open(self, app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counting_open)
    return opened


def test_rendering_a_template_that_ignores_the_session_does_not_open_it(
    session_opens: list[str],
) -> None:
    app = kolba_app()
    # With refresh on, a session cookie is opened at the end of every request to see
    # whether it is permanent (and must be re-sent); that is not the template's doing.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False

    @app.route("/")
    def index() -> str:
        return kolba.render_template_string("{{ 1 + 1 }}")

    client = app.test_client()
    client.set_cookie("session", "anything")
    assert client.get("/").text == "2"
    assert session_opens == []


def test_a_session_cookie_is_opened_once_to_refresh_it(session_opens: list[str]) -> None:
    app = kolba_app()

    @app.route("/")
    def index() -> str:
        return kolba.render_template_string("{{ 1 + 1 }}")

    client = app.test_client()
    client.set_cookie("session", "anything")
    assert client.get("/").text == "2"
    assert session_opens == ["/"]


def test_session_used_in_a_template_marks_it_accessed() -> None:
    app = kolba_app()

    @app.route("/")
    def index() -> str:
        return kolba.render_template_string("{{ session.get('user', 'anon') }}")

    rv = app.test_client().get("/")
    assert rv.text == "anon"
    assert rv.headers["Vary"] == "Cookie"
