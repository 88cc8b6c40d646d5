"""Seed 002 (the long "Flask" notes): each in-scope snippet on Flask and on kolba.

Snippets (file /work/shared/seeds/002_d1f83adc3f5ebfc2.txt):
  L13-24     hello world main.py (same code as seed 000 L54-65, whose test serves it; used
             here by the CLI tests)
  L39-45     flask --app main.py run; --host/-h, --port/-p, --no-debug; python -m flask run
  L47-53     FLASK_DEBUG=0; flask --app app:create_app('uat') run --no-debug -h 0.0.0.0 -p 5002
  L61-68     the request object: method, form, args, cookies, files, remote_addr, get_data()
  L70-95     contexts: current_app, g, request, session; with app.app_context()
  L98-104    hooks: before_request, before_first_request, after_request, teardown_request, g
  L106-116   app.url_map; redirect(url_for("profile")); url_for with query args and _external
  L118-131   make_response + set_cookie; redirect('http://www.example.com'); abort(404)
  L134-147   session["username"]; permanent sessions; flash("The message", "info")
  L153-218   render_template('user.html'), the example template, filters, namespace, super()
  L224-232   @app.errorhandler(404)/(500) rendering templates
  L252-256   {% block scripts %}{{ super() }}...{% endblock %}
  L445-456   POST -> session -> redirect(url_for('index')) -> GET (request.form for the form)
  L479-540   the "task" blueprint: edit and delete views, flash 'danger', url_for('task.delete')
  L961,1555  flask --app hello.py shell
  L1287-1313 blueprint "second" registered with url_prefix="", two views named home
  L1341-1405 config classes + create_app(config_name) + main blueprint, app_errorhandler
  L1439-1470 pytest fixtures app/client/runner, test_hello, `with client:`
  L1563-1575 manual testing: create_app('default'), app_context().push(), test_client()
  L1625-1654 unittest BasicTestCase (setUp/tearDown with the app context)
  L1670-1710 uploading a file with FileStorage, follow_redirects=True, flashed result
  L1734-1777 response.get_data(as_text=True), response.request.path, response.json[...]
  L1810-1820 @bp.app_errorhandler(404) and @app.errorhandler(500) templates
  L1838-1866 logging: basicConfig, app.logger, current_app.logger, logger levels
  L1884-1897 @app.cli.command() test; flask --app flasky.py test
  L1977-1986 the WSGI entry point "application"
  L2002      app.run(host='0.0.0.0', debug=True) (same as seed 000 L88)
  L2016-2017 {{ data|safe }} (same as seed 000 L102-103)
  L2100-2137 the REST API table (same as seed 000 L174-211)
  L2166-2176 redirect_url(): next arg, then referrer, then url_for(default)
  L2194      werkzeug.security generate_password_hash / check_password_hash
  L2197-2230 auth blueprint: before_app_request loading g.user, session, login_required
Out of scope: Bootstrap/Moment extensions (L235-280), WTForms/Flask-WTF and CSRF (L282-553),
SQLAlchemy/Flask-SQLAlchemy (L555-983, L1562-1575 db parts), Flask-Migrate (L984-1013),
Flask-Mail (L1016-1073), bandit, setup.py, IIS, Frozen-Flask, plotting, JWT, Flask-Login
(L2232-2260), Elasticsearch.
"""

from __future__ import annotations

import io
import logging
import re
import textwrap
import unittest
import wsgiref.util
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from seeds_differential import (
    Pair,
    both,
    compare,
    invoke_cli,
    load,
    record_server,
    request_both,
    snapshot,
)

MAIN_PY = """
    #!venv_app/bin/python3
    from flask import Flask
    app = Flask(__name__)

    @app.route('/')
    def index():
        return "Hello from Flask App!"

    if __name__ == '__main__':
        app.run(debug=True)
"""


# --- L39-53: flask --app ... run with options ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--app", "main.py", "run"], ("127.0.0.1", 5000, False)),
        (
            ["--app", "main.py", "run", "--host", "0.0.0.0", "--port", "8080"],
            ("0.0.0.0", 8080, False),
        ),
        (
            ["--app", "main.py", "run", "-h", "localhost", "-p", "5002", "--no-debug"],
            ("localhost", 5002, False),
        ),
        (["--app", "main.py", "--debug", "run"], ("127.0.0.1", 5000, True)),
        (["--app", "main", "run", "--no-debug"], ("127.0.0.1", 5000, False)),
    ],
)
def test_app_option_and_run_options(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    expected: tuple[str, int, bool],
) -> None:
    # No server is started: the recorder stands in for it (and so 0.0.0.0 binds nothing).
    calls = record_server(monkeypatch)
    results = invoke_cli(tmp_path, {"main.py": MAIN_PY}, args)
    for framework, result in results.items():
        assert result.exit_code == 0, (framework, result.output)
    seen = calls.map(lambda recorder: recorder.calls).same()
    assert [(c["host"], c["port"], c["debug"]) for c in seen] == [expected]
    assert seen[0]["use_reloader"] is seen[0]["use_debugger"] is expected[2]


FACTORY_APP = """
    from flask import Flask

    class Config:
        GREETING = 'hello'

    class UatConfig(Config):
        GREETING = 'hello from uat'

    config = {'default': Config, 'uat': UatConfig}

    def create_app(config_name='default'):
        app = Flask(__name__)
        app.config.from_object(config[config_name])

        @app.route('/')
        def index():
            return app.config['GREETING']

        return app
"""


def test_run_factory_with_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_server(monkeypatch)
    args = ["--app", "app:create_app('uat')", "run", "--no-debug", "-h", "0.0.0.0", "-p", "5002"]
    # FLASK_ENV is ignored by Flask 3 (and by kolba); FLASK_DEBUG=0 keeps debug off.
    env = {"FLASK_ENV": "production", "FLASK_DEBUG": "0"}
    results = invoke_cli(tmp_path, {"app.py": FACTORY_APP}, args, env=env)
    for framework, result in results.items():
        assert result.exit_code == 0, (framework, result.output)
        assert "Debug mode: off" in result.output
    seen = calls.map(lambda recorder: recorder.calls).same()
    assert [(c["host"], c["port"], c["debug"], c["app_name"]) for c in seen] == [
        ("0.0.0.0", 5002, False, "app")
    ]


def test_factory_with_argument_routes_command(tmp_path: Path) -> None:
    # The app the factory made is the one the command works on.
    results = invoke_cli(
        tmp_path, {"app.py": FACTORY_APP}, ["--app", "app:create_app('uat')", "routes"]
    )
    # kolba does not pad the last column with spaces; the table is otherwise the same.
    outputs = results.map(
        lambda r: (r.exit_code, [line.rstrip() for line in r.output.splitlines()])
    )
    assert outputs.same() == (
        0,
        [
            "Endpoint  Methods  Rule",
            "--------  -------  -----------------------",
            "index     GET      /",
            "static    GET      /static/<path:filename>",
        ],
    )


# --- L61-68: the request object -------------------------------------------------------------------

REQUEST_APP = """
    from flask import Flask, request

    app = Flask(__name__)

    @app.route('/inspect', methods=['GET', 'POST'])
    def inspect():
        upload = request.files.get('doc')
        return {
            'method': request.method,
            'form': request.form.to_dict(flat=False),
            'args': request.args.to_dict(flat=False),
            'cookies': dict(request.cookies),
            'files': {k: [f.filename, f.content_type, f.read().decode()]
                      for k, f in request.files.items()},
            'remote_addr': request.remote_addr,
            'data': request.get_data(as_text=True),
            'user_agent': request.headers.get('User-Agent'),
            'has_upload': upload is not None,
        }
"""


def test_request_attributes(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": REQUEST_APP})

    def ask(app: object, method: str, **kwargs: object) -> object:
        client = app.test_client()  # type: ignore[attr-defined]
        client.set_cookie("theme", "dark")
        # Each test client names itself in its default User-Agent; this one is the user's.
        headers = {"User-Agent": "notes-browser/1.0"}
        response = client.open("/inspect?q=a&q=b", method=method, headers=headers, **kwargs)
        assert response.status_code == 200
        return response.get_json()

    get = apps.map(lambda app: ask(app, "GET")).same()
    assert get["args"] == {"q": ["a", "b"]}
    assert get["cookies"] == {"theme": "dark"}
    assert get["remote_addr"] == "127.0.0.1"
    assert get["method"] == "GET"
    assert get["data"] == ""
    assert get["user_agent"] == "notes-browser/1.0"

    form = apps.map(
        lambda app: ask(
            app,
            "POST",
            data={"name": "ada", "tag": ["x", "y"], "doc": (io.BytesIO(b"text!"), "a.txt")},
        )
    ).same()
    assert form["form"] == {"name": ["ada"], "tag": ["x", "y"]}
    assert form["files"] == {"doc": ["a.txt", "text/plain", "text!"]}
    # The body of a form post was parsed into form/files, so get_data() has nothing left.
    assert form["data"] == ""

    raw = apps.map(
        lambda app: ask(app, "POST", data=b"raw body", content_type="application/octet-stream")
    ).same()
    assert (raw["data"], raw["form"], raw["has_upload"]) == ("raw body", {}, False)


# --- L70-95: contexts -----------------------------------------------------------------------------

CONTEXT_APP = """
    from flask import Flask, current_app, g, request, session

    app = Flask(__name__)
    app.config['SECRET_KEY'] = 'dev'
    app.config['MAIL_SERVER'] = 'smtp.example.com'

    def mail_server():
        # usable in any module, but only while a context is active
        return current_app.config['MAIL_SERVER']

    @app.route('/visit/<name>')
    def visit(name):
        before = getattr(g, 'name', None)
        g.name = name
        session['visits'] = session.get('visits', 0) + 1
        return {
            'g_before': before,
            'g_now': g.name,
            'app': current_app.name,
            'mail': mail_server(),
            'visits': session['visits'],
            'path': request.path,
        }
"""


def test_contexts_in_requests(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": CONTEXT_APP})
    clients = apps.map(lambda app: app.test_client())
    first = request_both(clients, "GET", "/visit/ada").map(lambda r: r.get_json()).same()
    assert first == {
        "g_before": None,
        "g_now": "ada",
        "app": "app",
        "mail": "smtp.example.com",
        "visits": 1,
        "path": "/visit/ada",
    }
    # g is new for every request; the session carries over.
    second = request_both(clients, "GET", "/visit/bob").map(lambda r: r.get_json()).same()
    assert (second["g_before"], second["visits"]) == (None, 2)


def test_app_context_outside_requests(tmp_path: Path) -> None:
    pairs = load(tmp_path, {"app.py": CONTEXT_APP}, "app:(app, mail_server)")

    def use(pair: tuple[object, object]) -> tuple[str, str, str]:
        app, mail_server = pair
        outside = ""
        try:
            mail_server()  # type: ignore[operator]
        except RuntimeError as exc:
            outside = type(exc).__name__ + (": context" if "context" in str(exc) else "")
        with app.app_context():  # type: ignore[attr-defined]
            inside = mail_server()  # type: ignore[operator]
        # No request here: the request proxy is unbound even with the app context.
        with app.app_context():  # type: ignore[attr-defined]
            from importlib import import_module

            fw = import_module(type(app).__module__.split(".")[0])
            bound = "bound" if fw.has_request_context() else "unbound"
        return outside, inside, bound

    assert pairs.map(use).same() == ("RuntimeError: context", "smtp.example.com", "unbound")


# --- L98-104: request hooks -----------------------------------------------------------------------

HOOKS_APP = """
    from flask import Flask, g

    app = Flask(__name__)
    events = []

    @app.before_request
    def authenticate():
        g.user = 'ada'
        events.append('before')

    @app.after_request
    def add_header(response):
        events.append('after')
        response.headers['X-User'] = g.user
        return response

    @app.teardown_request
    def teardown(error):
        events.append('teardown ' + type(error).__name__)

    @app.route('/')
    def index():
        events.append('view')
        return 'hello ' + g.user

    @app.route('/fail')
    def fail():
        events.append('view')
        raise ValueError('broken')
"""


def test_request_hooks_order_and_g(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": HOOKS_APP}, "app:(app, events)")
    seen = request_both(apps.map(lambda pair: pair[0]), "GET", "/").map(
        lambda r: (r.status_code, r.get_data(as_text=True), r.headers.get("X-User"))
    )
    assert seen.same() == (200, "hello ada", "ada")
    assert apps.map(lambda pair: list(pair[1])).same() == [
        "before",
        "view",
        "after",
        "teardown NoneType",
    ]


def test_after_request_skipped_on_unhandled_error(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": HOOKS_APP}, "app:(app, events)")
    seen = compare(apps.map(lambda pair: pair[0]), "GET", "/fail", body=False)
    assert seen["status"] == 500
    # after_request still runs for the 500 response made from the error; teardown sees the
    # error itself.
    assert apps.map(lambda pair: list(pair[1])).same() == [
        "before",
        "view",
        "after",
        "teardown ValueError",
    ]


FIRST_REQUEST_APP = """
    from flask import Flask

    app = Flask(__name__)
    started = []

    def has_before_first_request():
        return hasattr(app, 'before_first_request')

    if has_before_first_request():
        @app.before_first_request
        def start():
            started.append('once')

    @app.route('/')
    def index():
        return str(len(started))
"""


def test_before_first_request(tmp_path: Path) -> None:
    # Flask removed before_first_request in 2.3 (the notes predate that); kolba keeps it for
    # older apps, so the snippet works on kolba and not on Flask 3.1.
    apps = load(tmp_path, {"app.py": FIRST_REQUEST_APP}, "app:(app, has_before_first_request())")
    assert apps.map(lambda pair: pair[1]) == Pair(False, True)
    app = apps.kolba[0]
    client = app.test_client()
    assert [client.get("/").get_data(as_text=True) for _ in range(3)] == ["1", "1", "1"]


# --- L106-116: url_map, redirect(url_for(...)), url_for arguments -------------------------------

URLS_APP = """
    from flask import Flask, redirect, url_for

    app = Flask(__name__)

    @app.route('/user/<name>')
    def user(name):
        return f'user {name}'

    @app.route('/profile')
    def profile():
        return 'profile'

    @app.route('/me')
    def me():
        return redirect(url_for("profile"))

    def build():
        with app.test_request_context(base_url='http://localhost:5000'):
            return [
                url_for('user', name='john', page=2, version=1),
                url_for('user', name='john', _external=True),
                url_for('static', filename='css/styles.css', _external=True),
                url_for('user', name='a b/c', _anchor='top'),
            ]
"""


def test_url_for_examples(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": URLS_APP}, "app:(app, build())")
    assert apps.map(lambda pair: pair[1]).same() == [
        "/user/john?page=2&version=1",
        "http://localhost:5000/user/john",
        "http://localhost:5000/static/css/styles.css",
        "/user/a%20b/c#top",
    ]
    rules = apps.map(
        lambda pair: sorted(
            (r.rule, r.endpoint, sorted(r.methods)) for r in pair[0].url_map.iter_rules()
        )
    )
    assert [rule for rule, _, _ in rules.same()] == [
        "/me",
        "/profile",
        "/static/<path:filename>",
        "/user/<name>",
    ]
    seen = compare(apps.map(lambda pair: pair[0]), "GET", "/me")
    assert (seen["status"], seen["headers"]["Location"]) == (302, "/profile")


def test_url_for_with_server_name(tmp_path: Path) -> None:
    source = textwrap.dedent(URLS_APP).replace(
        "app = Flask(__name__)",
        "app = Flask(__name__)\napp.config['SERVER_NAME'] = 'localhost:5000'",
    )
    source += """
def outside_request():
    with app.app_context():
        return url_for('user', name='john', _external=True)
"""
    apps = load(tmp_path, {"app.py": source}, "app:outside_request()")
    assert apps.same() == "http://localhost:5000/user/john"


# --- L118-131: make_response, cookies, redirect, abort ----------------------------------------------

RESPONSE_APP = """
    from flask import Flask, make_response, redirect, abort

    app = Flask(__name__)

    @app.route('/')
    def index():
        response = make_response('<h1>Some response with a cookie!</h1>')
        response.set_cookie('message', '51')
        return response

    @app.route('/away')
    def away():
        return redirect('http://www.example.com')

    @app.route('/gone')
    def gone():
        abort(404)
        return 'not reached'
"""


def test_make_response_with_cookie(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": RESPONSE_APP})
    seen = compare(apps, "GET", "/")
    assert seen["body"] == "<h1>Some response with a cookie!</h1>"
    assert seen["cookies"] == [("message", "51", (("path", "/"),))]
    away = compare(apps, "GET", "/away")
    assert (away["status"], away["headers"]["Location"]) == (302, "http://www.example.com")
    assert "http://www.example.com" in away["body"]
    assert compare(apps, "GET", "/gone", body=False)["status"] == 404


# --- L134-147: session, permanent session, flash ---------------------------------------------------

SESSION_APP = """
    from datetime import timedelta
    from flask import Flask, session, flash, get_flashed_messages, render_template_string

    app = Flask(__name__)
    app.secret_key = 'dev'
    app.permanent_session_lifetime = timedelta(days=2)

    @app.route('/login/<username>')
    def login(username):
        session["username"] = username
        session.permanent = True
        flash("The message", "info")
        flash("Second")
        return 'ok'

    @app.route('/')
    def index():
        return render_template_string(
            '{% for message in get_flashed_messages() %}'
            '<div class="flash">{{ message }}</div>'
            '{% endfor %}'
            '{% for c, m in get_flashed_messages(with_categories=true) %}[{{ c }}:{{ m }}]{% endfor %}'
            'user={{ session.username }}'
        )
"""


def test_permanent_session_and_flash(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": SESSION_APP})
    clients = apps.map(lambda app: app.test_client())
    login = request_both(clients, "GET", "/login/ada")
    seen = login.map(snapshot).same()
    assert seen["cookies"] == [
        ("session", "<signed>", (("expires", "<date>"), ("httponly", True), ("path", "/")))
    ]
    # Expires is two days ahead on both (the clock moves, so within a minute).
    expiries = login.map(lambda r: r.headers["Set-Cookie"])
    for framework, header in expiries.items():
        date = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))  # type: ignore[union-attr]
        ahead = date - datetime.now(timezone.utc)
        assert timedelta(days=2) - timedelta(minutes=1) < ahead <= timedelta(days=2), framework
    page = compare(clients, "GET", "/")
    assert page["body"] == (
        '<div class="flash">The message</div><div class="flash">Second</div>'
        "[info:The message][message:Second]user=ada"
    )
    assert compare(clients, "GET", "/")["body"] == "user=ada"


# --- L153-218, L252-256: templates -------------------------------------------------------------

TEMPLATE_APP = """
    from flask import Flask, render_template

    app = Flask(__name__)

    class Kenny:
        def __init__(self, sick=False, dead=False):
            self.sick, self.dead = sick, dead

    @app.route('/user/<name>')
    def user(name):
        return render_template('user.html', name=name)

    @app.route('/page/<state>')
    def page(state):
        navigation = [{'href': '/', 'caption': 'Home'}, {'href': '/a?b=1&c=2', 'caption': '<About>'}]
        kenny = Kenny(sick=state == 'sick', dead=state == 'dead')
        return render_template('page.html', navigation=navigation, kenny=kenny,
                               a_variable='<b>var</b>')

    @app.route('/nav')
    def nav():
        return render_template('nav.html', nav=['one', 'two', 'three'])

    @app.route('/child')
    def child():
        return render_template('child.html')
"""
TEMPLATE_FILES = {
    "templates/user.html": "Hello, {{ name|capitalize }}! {{ name|upper }} {{ name|title }} [{{ '  x  '|trim }}]",
    "templates/page.html": """
        <!DOCTYPE html>
        <html lang="en">
        <head>
            <title>My Webpage</title>
        </head>
        <body>
            <ul id="navigation">
            {% for item in navigation %}
                <li><a href="{{ item.href }}">{{ item.caption }}</a></li>
            {% endfor %}
            </ul>

            {% if kenny.sick %}
              Kenny is sick.
            {% elif kenny.dead %}
              You killed Kenny!  You bastard!!!
            {% else %}
              Kenny looks okay --- so far
            {% endif %}

            <h1>My Webpage</h1>
            {{ a_variable }}

            {# a comment #}
        </body>
        </html>
    """,
    "templates/nav.html": """
        {% set ns = namespace(index=0) %}
        {% for nav_item in nav %}
          {% if ns.index !=0 %}
            --- {{ nav_item }} ---
          {% endif %}
          {% set ns.index = ns.index + 1 %}
        {% endfor %}
        count={{ ns.index }}
    """,
    "templates/base.html": """
        <title>{% block title %}Site{% endblock %}</title>
        {% block scripts %}<script src="{{ url_for('static', filename='base.js') }}"></script>{% endblock %}
    """,
    "templates/child.html": """
        {% extends "base.html" %}
        {% block title %}Child - {{ super() }}{% endblock %}
        {% block scripts %}
        {{ super() }} <!--includes base scripts too, else overrides-->
        <script type="text/javascript" src="my-script.js"></script>
        {% endblock %}
    """,
}


def test_render_template_with_filters(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": TEMPLATE_APP, **TEMPLATE_FILES})
    seen = compare(apps, "GET", "/user/dAVE%20smith")
    assert seen["body"] == "Hello, Dave smith! DAVE SMITH Dave Smith [x]"
    # Autoescaping is on for .html templates.
    escaped = compare(apps, "GET", "/user/%3Cscript%3E")
    assert "&lt;script&gt;" in escaped["body"]


@pytest.mark.parametrize(
    ("state", "text"),
    [("sick", "Kenny is sick."), ("dead", "You killed Kenny!"), ("ok", "Kenny looks okay")],
)
def test_example_template(tmp_path: Path, state: str, text: str) -> None:
    apps = load(tmp_path, {"app.py": TEMPLATE_APP, **TEMPLATE_FILES})
    seen = compare(apps, "GET", f"/page/{state}")
    assert text in seen["body"]
    assert '<li><a href="/a?b=1&amp;c=2">&lt;About&gt;</a></li>' in seen["body"]
    assert "&lt;b&gt;var&lt;/b&gt;" in seen["body"]
    assert "a comment" not in seen["body"]


def test_namespace_counter(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": TEMPLATE_APP, **TEMPLATE_FILES})
    body = compare(apps, "GET", "/nav")["body"]
    assert "--- one ---" not in body
    assert "--- two ---" in body
    assert "--- three ---" in body
    assert "count=3" in body


def test_super_in_blocks(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": TEMPLATE_APP, **TEMPLATE_FILES})
    body = compare(apps, "GET", "/child")["body"]
    assert "<title>Child - Site</title>" in body
    assert '<script src="/static/base.js"></script> <!--includes' in body
    assert '<script type="text/javascript" src="my-script.js"></script>' in body


# --- L224-232: error handlers with templates -----------------------------------------------------

ERRORS_APP = """
    from flask import Flask, render_template

    app = Flask(__name__)

    @app.route('/boom')
    def boom():
        raise KeyError('oops')

    @app.errorhandler(404)
    def page_not_found(e):
        return render_template('404.html'), 404

    @app.errorhandler(500)
    def internal_server_error(e):
        return render_template('500.html', original=type(e.original_exception).__name__), 500
"""
ERROR_TEMPLATES = {
    "templates/404.html": "<h1>Not here</h1>",
    "templates/500.html": "<h1>Sorry ({{ original }})</h1>",
}


def test_error_handlers_render_templates(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": ERRORS_APP, **ERROR_TEMPLATES})
    missing = compare(apps, "GET", "/nowhere")
    assert (missing["status"], missing["body"]) == (404, "<h1>Not here</h1>")
    broken = compare(apps, "GET", "/boom")
    assert (broken["status"], broken["body"]) == (500, "<h1>Sorry (KeyError)</h1>")
    assert broken["headers"]["Content-Type"] == "text/html; charset=utf-8"


# --- L445-456: POST, keep the name in the session, redirect, GET -------------------------------

PRG_APP = """
    from flask import Flask, render_template_string, request, session, redirect, url_for

    app = Flask(__name__)
    app.config['SECRET_KEY'] = 'hard to guess string'

    @app.route('/', methods=['GET', 'POST'])
    def index():
      # The notes use a Flask-WTF NameForm here (out of scope); request.form plays its part.
      if request.method == 'POST' and request.form.get('name'):
        session['name'] = request.form['name']
        return redirect(url_for('index')) # POST -> back to this function as GET

      return render_template_string('Hello {{ name or "stranger" }}!', name=session.get('name'))
"""


def test_post_redirect_get(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": PRG_APP})
    clients = apps.map(lambda app: app.test_client())
    assert compare(clients, "GET", "/")["body"] == "Hello stranger!"
    posted = compare(clients, "POST", "/", data={"name": "Ada"})
    assert (posted["status"], posted["headers"]["Location"]) == (302, "/")
    followed = request_both(clients, "POST", "/", data={"name": "Grace"}, follow_redirects=True)
    seen = followed.map(lambda r: (r.status_code, r.request.path, r.request.method, r.text))
    # A 302 after a POST is followed with a GET.
    assert seen.same() == (200, "/", "GET", "Hello Grace!")


# --- L479-540: the task blueprint -------------------------------------------------------------------

TASK_FILES = {
    "app.py": """
        from flask import Flask
        from task import task

        app = Flask(__name__)
        app.secret_key = 'dev'
        app.register_blueprint(task, url_prefix='/task')
    """,
    "task.py": """
        from flask import Blueprint, render_template, redirect, url_for, flash, request

        task = Blueprint('task', __name__)

        class Task:
            def __init__(self, id, name):
                self.id, self.name, self.active = id, name, True

        TASKS = {1: Task(1, 'write'), 2: Task(2, 'read')}

        @task.route('/')
        def all():
            tasks = [t for t in TASKS.values() if t.active]
            return render_template('task/list.html', tasks=tasks)

        @task.route('/<int:id>/edit', methods=['GET', 'POST'])
        def edit(id):
            task = TASKS[id]
            if request.method == 'POST':
                task.name = request.form['name']
                return redirect(url_for('task.all'))
            return render_template('task/form.html', task=task)

        @task.route('/<int:id>', methods=['DELETE', 'POST'])
        def delete(id):
            task = TASKS[id]
            task.active = False
            flash('Task deactivated!', 'danger')
            return redirect(url_for('task.all'))
    """,
    "templates/task/list.html": """
        {% for category, message in get_flashed_messages(with_categories=true) %}<p class="{{ category }}">{{ message }}</p>{% endfor %}
        {% for task in tasks %}
        <li>{{ task.name }}
        <form action="{{ url_for('task.delete', id=task.id) }}" method="POST">
            <button type="submit" class="btn btn-outline-danger"
              onclick="return confirm('Are you sure?')"
            >
              Delete
            </button>
        </form></li>
        {% endfor %}
    """,
    "templates/task/form.html": "<form method=POST><input name=name value='{{ task.name }}'></form>",
}


def test_task_blueprint_edit_and_delete(tmp_path: Path) -> None:
    apps = load(tmp_path, TASK_FILES)
    clients = apps.map(lambda app: app.test_client())
    listing = compare(clients, "GET", "/task/")
    assert '<form action="/task/1" method="POST">' in listing["body"]
    # The slash redirect (its page's wording is each framework's own).
    slash = compare(clients, "GET", "/task", body=False)
    assert (slash["status"], slash["headers"]["Location"]) == (308, "http://localhost/task/")
    assert "value='write'" in compare(clients, "GET", "/task/1/edit")["body"]
    edited = compare(clients, "POST", "/task/1/edit", data={"name": "draft"})
    assert (edited["status"], edited["headers"]["Location"]) == (302, "/task/")
    deleted = compare(clients, "DELETE", "/task/2")
    assert deleted["headers"]["Location"] == "/task/"
    after = compare(clients, "GET", "/task/")
    assert '<p class="danger">Task deactivated!</p>' in after["body"]
    assert "<li>draft" in after["body"]
    assert "<li>read" not in after["body"]
    # GET is not one of delete's methods.
    wrong = compare(clients, "GET", "/task/1", body=False)
    assert (wrong["status"], wrong["headers"]["Allow"]) == (405, "DELETE, OPTIONS, POST")


# --- L961, L1555: flask --app hello.py shell ---------------------------------------------------------

HELLO_PY = """
    from flask import Flask

    app = Flask(__name__)
    app.config['GREETING'] = 'hi'

    @app.shell_context_processor
    def make_shell_context():
        return {'answer': 42}
"""


def test_shell_has_the_app_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONSTARTUP", raising=False)
    code = (
        "from {fw} import current_app\n"
        "print('name', app.name, current_app.config['GREETING'], answer, g is not None)\n"
    )
    outputs = {}
    for framework in ("flask", "kolba"):
        results = invoke_cli(
            tmp_path / framework,
            {"hello.py": HELLO_PY},
            ["--app", "hello.py", "shell"],
            input=code.format(fw=framework),
        )
        result = getattr(results, framework)
        assert result.exit_code == 0, (framework, result.output)
        outputs[framework] = re.findall(r"name .*", result.output)
    assert outputs["kolba"] == outputs["flask"] == ["name hello hi 42 True"]


# --- L1287-1313: a blueprint registered with url_prefix="" -------------------------------------------

SECOND_FILES = {
    "second.py": """
        from flask import Blueprint

        second = Blueprint("second", __name__)

        @second.route("/home")
        def home():
            return ("from second")
    """,
    "app.py": """
        from flask import Flask
        from second import second

        app = Flask(__name__)

        app.register_blueprint(second, url_prefix="")

        @app.route("/")
        def home():
            return "Hi"

        if __name__ == "__main__":
            app.run(debug=True)
    """,
}


def test_second_blueprint(tmp_path: Path) -> None:
    apps = load(tmp_path, SECOND_FILES)
    assert compare(apps, "GET", "/")["body"] == "Hi"
    assert compare(apps, "GET", "/home")["body"] == "from second"
    assert apps.map(lambda app: sorted(app.view_functions)).same() == [
        "home",
        "second.home",
        "static",
    ]


# --- L1341-1405, L1563-1777, L1810-1820, L1884-1897, L2197-2230: the factory app -----------------

FLASKY = {
    "config.py": """
        import os

        class Config:
            SECRET_KEY = os.environ.get('SECRET_KEY') or 'hard to guess string'
            GREETING = 'Hello, World!'

            @staticmethod
            def init_app(app):
                app.config['INITIALISED_BY'] = app.config['ENV_NAME']

        class DevelopmentConfig(Config):
            ENV_NAME = 'development'

        class TestingConfig(Config):
            ENV_NAME = 'testing'
            TESTING = True

        class ProductionConfig(Config):
            ENV_NAME = 'production'

        config = {
            'development': DevelopmentConfig,
            'testing': TestingConfig,
            'production': ProductionConfig,
            'default': DevelopmentConfig,
        }
    """,
    "app/__init__.py": """
        from flask import Flask
        from config import config

        def create_app(config_name='default'):
            app = Flask(__name__)
            app.config.from_object(config[config_name])
            config[config_name].init_app(app)

            # Routes or blueprints
            from .main import main as main_blueprint
            app.register_blueprint(main_blueprint)
            from .auth import auth as auth_blueprint
            app.register_blueprint(auth_blueprint, url_prefix='/auth')

            @app.errorhandler(500)
            def internal_error(error):
                return render_template('errors/500.html'), 500

            from flask import render_template
            return app
    """,
    "app/main/__init__.py": """
        from flask import Blueprint
        main = Blueprint('main', __name__)

        from . import views, errors
        # last line to avoid circular dependency
    """,
    "app/main/views.py": """
        import io
        from flask import current_app, render_template, request, flash, redirect, url_for, g
        from . import main
        from ..auth import login_required

        @main.route('/')
        @login_required
        def index():
            return render_template('index.html', user=g.user)

        @main.route('/hello')
        def hello():
            return current_app.config['GREETING']

        @main.route('/boom')
        def boom():
            raise RuntimeError('boom')

        @main.route('/admin/upload', methods=['GET', 'POST'])
        def upload():
            if request.method == 'POST':
                csv_file = request.files['csv_file']
                rows = csv_file.read().decode().strip().splitlines()[1:]
                flash('Load successful!')
                flash(f'{len(rows)} records loaded')
                return redirect(url_for('main.upload'))
            return render_template('upload.html')
    """,
    "app/main/errors.py": """
        from flask import render_template
        from . import main

        # blueprint handler, for the whole app
        @main.app_errorhandler(404)
        def internal_error(error):
            return render_template('errors/404.html'), 404
    """,
    "app/auth.py": """
        import functools
        from flask import Blueprint, g, session, redirect, url_for, request, jsonify

        auth = Blueprint('auth', __name__)
        USERS = {1: {'id': 1, 'username': 'ada'}}

        @auth.before_app_request
        def load_logged_in_user():
            user_id = session.get('user_id')

            if user_id is None:
                g.user = None
            else:
                g.user = USERS.get(user_id)

        def login_required(view):
            @functools.wraps(view)
            def wrapped_view(**kwargs):
                if g.user is None:
                    return redirect(url_for('auth.login'))

                return view(**kwargs)

            return wrapped_view

        @auth.route('/login', methods=['GET', 'POST'])
        def login():
            if request.method == 'POST':
                session.clear()
                session['user_id'] = 1
                return redirect(url_for('main.index'))
            return 'login page'

        @auth.route('/logout')
        def logout():
            session.clear()
            return redirect(url_for('auth.login'))

        @auth.route('/token', methods=['POST'])
        def token():
            return jsonify(token='t-' + request.get_json()['username'])
    """,
    "app/templates/index.html": "Hello {{ user.username }} <a href=\"{{ url_for('auth.logout') }}\">out</a>",
    "app/templates/upload.html": "{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}<form></form>",
    "app/templates/errors/404.html": "<h1>Page not found</h1>",
    "app/templates/errors/500.html": "<h1>Internal error</h1>",
    "flasky.py": """
        import os
        from app import create_app

        app = create_app(os.getenv('FLASK_CONFIG') or 'default')

        @app.cli.command()
        def test():
            \"\"\"Run the unit tests.\"\"\"       # help msg on cli
            import unittest
            tests = unittest.TestLoader().discover('tests')
            unittest.TextTestRunner(verbosity=2).run(tests)
    """,
    "tests/__init__.py": "",
    "tests/test_basics.py": """
        import unittest
        from flask import current_app
        from app import create_app

        class BasicsTestCase(unittest.TestCase):
            def setUp(self):
                self.app = create_app('testing')
                self.app_context = self.app.app_context()
                self.app_context.push()
                self.client = self.app.test_client()

            def tearDown(self):
                self.app_context.pop()

            def test_app_exists(self):
                self.assertFalse(current_app is None)
                assert current_app == self.app

            def test_app_is_testing(self):
                self.assertTrue(current_app.config['TESTING'])

            def test_hello(self):
                response = self.client.get('/hello')
                html = response.get_data(as_text=True)
                assert 'Hello, World!' in html
    """,
}


def test_factory_config_classes(tmp_path: Path) -> None:
    apps = load(tmp_path, FLASKY, "app:(create_app('testing'), create_app('production'))")
    seen = apps.map(
        lambda pair: [
            (app.config["ENV_NAME"], app.config["INITIALISED_BY"], app.testing, app.secret_key)
            for app in pair
        ]
    )
    assert seen.same() == [
        ("testing", "testing", True, "hard to guess string"),
        ("production", "production", False, "hard to guess string"),
    ]
    endpoints = apps.map(lambda pair: sorted(pair[0].view_functions)).same()
    assert endpoints == [
        "auth.login", "auth.logout", "auth.token", "main.boom", "main.hello", "main.index",
        "main.upload", "static",
    ]  # fmt: skip


def test_pytest_fixtures_from_the_notes(tmp_path: Path) -> None:
    # conftest.py of the notes: app -> client / runner fixtures, then test_hello.
    apps = load(tmp_path, FLASKY, "app:create_app('testing')")
    clients = apps.map(lambda app: app.test_client())
    response = request_both(clients, "GET", "/hello")
    assert response.map(lambda r: r.data).same() == b"Hello, World!"
    runners = apps.map(lambda app: app.test_cli_runner())
    names = runners.map(lambda r: type(r).__name__)
    assert names == Pair("FlaskCliRunner", "KolbaCliRunner")


def test_with_client_keeps_the_request_context(tmp_path: Path) -> None:
    apps = load(tmp_path, FLASKY, "app:create_app('testing')")

    def inside(app: object) -> tuple[object, ...]:
        fw = __import__(type(app).__module__.split(".")[0])
        client = app.test_client()  # type: ignore[attr-defined]
        with client:
            client.post("/auth/login")
            during = (fw.session.get("user_id"), fw.request.path, fw.g.user)
        with client:
            client.get("/auth/logout")
            after = (dict(fw.session), fw.request.path)
        return during, after

    assert apps.map(inside).same() == (
        (1, "/auth/login", None),
        ({}, "/auth/logout"),
    )


def test_manual_testing_session(tmp_path: Path) -> None:
    apps = load(tmp_path, FLASKY, "app:create_app('default')")

    def manual(app: object) -> tuple[object, ...]:
        fw = __import__(type(app).__module__.split(".")[0])
        app.config["WTF_CSRF_ENABLED"] = False  # type: ignore[attr-defined]
        app_context = app.app_context()  # type: ignore[attr-defined]
        app_context.push()
        try:
            client = app.test_client()  # type: ignore[attr-defined]
            same_app = fw.current_app._get_current_object() is app
            text = client.get("/hello").get_data(as_text=True)
        finally:
            app_context.pop()
        return same_app, text, fw.has_app_context()

    assert apps.map(manual).same() == (True, "Hello, World!", False)


def test_unittest_case_from_the_notes(tmp_path: Path) -> None:
    def run(case: type[unittest.TestCase]) -> tuple[int, list[str]]:
        result = unittest.TestResult()
        unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
        return result.testsRun, [text for _, text in result.failures + result.errors]

    outcomes = load(tmp_path, FLASKY, "tests.test_basics:BasicsTestCase", then=run)
    assert outcomes.same() == (3, [])


def test_redirect_to_login_and_json(tmp_path: Path) -> None:
    apps = load(tmp_path, FLASKY, "app:create_app('testing')")
    clients = apps.map(lambda app: app.test_client())
    followed = request_both(clients, "GET", "/", follow_redirects=True)
    seen = followed.map(
        lambda r: (r.status_code, r.request.path, r.get_data(as_text=True), len(r.history))
    )
    assert seen.same() == (200, "/auth/login", "login page", 1)  # redirected to login
    logged_in = request_both(clients, "POST", "/auth/login", follow_redirects=True)
    assert logged_in.map(lambda r: (r.request.path, r.text)).same() == (
        "/",
        'Hello ada <a href="/auth/logout">out</a>',
    )
    token = request_both(clients, "POST", "/auth/token", json={"username": "ada"})
    assert token.map(lambda r: r.json["token"]).same() == "t-ada"


def test_upload_with_file_storage(tmp_path: Path) -> None:
    (apps, storages) = (
        load(tmp_path / "apps", FLASKY, "app:create_app('testing')"),
        load(
            tmp_path / "storage",
            {"make.py": "from werkzeug.datastructures import FileStorage\n"},
            "make:FileStorage",
        ),
    )
    csv = b"name,flows\na,1\nb,2\nc,3\n"

    def upload(framework: str) -> object:
        csv_file = getattr(storages, framework)(
            stream=io.BytesIO(csv), filename="sample.csv", content_type="text/csv"
        )
        return (
            getattr(apps, framework)
            .test_client()
            .post(
                "admin/upload",
                data={"csv_file": csv_file},
                content_type="multipart/form-data",
                follow_redirects=True,
            )
        )

    seen = both(upload).map(lambda r: (r.status_code, r.request.path, r.get_data(as_text=True)))
    assert seen.same() == (
        200,
        "/admin/upload",
        "<p>Load successful!</p><p>3 records loaded</p><form></form>",
    )


def test_app_errorhandler_and_500_template(tmp_path: Path) -> None:
    apps = load(tmp_path, FLASKY, "app:create_app('production')")
    missing = compare(apps, "GET", "/missing")
    assert (missing["status"], missing["body"]) == (404, "<h1>Page not found</h1>")
    broken = compare(apps, "GET", "/boom")
    assert (broken["status"], broken["body"]) == (500, "<h1>Internal error</h1>")


def test_cli_test_command(tmp_path: Path) -> None:
    results = invoke_cli(tmp_path, FLASKY, ["--app", "flasky.py", "test"])
    for framework, result in results.items():
        assert result.exit_code == 0, (framework, result.output)
        assert "Ran 3 tests" in result.output, result.output
        assert re.search(r"test_hello \(test_basics\.BasicsTestCase.*\) \.\.\. ok", result.output)
        assert "\nOK\n" in result.output
    helps = invoke_cli(tmp_path / "help", FLASKY, ["--app", "flasky.py", "--help"])
    for framework, result in helps.items():
        assert re.search(r"\n  test\s+Run the unit tests\.\n", result.output), (
            framework,
            result.output,
        )


# --- L1838-1866: logging ----------------------------------------------------------------------------

LOGGING_APP = """
    import logging
    from flask import Flask, current_app

    log = logging.getLogger(__name__)

    app = Flask(__name__)
    app.logger.info('some log')

    def init_log():
        log.info("Logging enabled")
        # Set the log level for werkzeug to WARNING because it will print out too much info otherwise
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    @app.route('/')
    def index():
        current_app.logger.debug('Some message')
        current_app.logger.warning('Careful: %s', 'value')
        return 'ok'
"""


def test_logging(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    apps = load(tmp_path, {"app.py": LOGGING_APP}, "app:(app, init_log)")
    caplog.set_level(logging.DEBUG)

    def records(pair: tuple[object, object]) -> list[tuple[str, str, str]]:
        app, init_log = pair
        caplog.clear()
        init_log()  # type: ignore[operator]
        app.test_client().get("/")  # type: ignore[attr-defined]
        return [(r.name, r.levelname, r.getMessage()) for r in caplog.records]

    assert apps.map(records).same() == [
        ("app", "INFO", "Logging enabled"),
        ("app", "DEBUG", "Some message"),
        ("app", "WARNING", "Careful: value"),
    ]
    assert apps.map(lambda pair: pair[0].logger.name).same() == "app"


# --- L1977-1986: the WSGI entry point ---------------------------------------------------------------


def test_wsgi_application_callable(tmp_path: Path) -> None:
    files = {
        "flask_app.py": MAIN_PY,
        "wsgi.py": "from flask_app import app as application  # noqa\n",
    }
    apps = load(tmp_path, files, "wsgi:application")

    def call(application: object) -> tuple[str, list[tuple[str, str]], bytes]:
        environ: dict[str, object] = {}
        wsgiref.util.setup_testing_defaults(environ)
        started: list[object] = []
        body = b"".join(application(environ, lambda s, h, e=None: started.extend([s, h])))  # type: ignore[operator]
        status, headers = started
        return status, sorted(headers), body  # type: ignore[return-value]

    assert apps.map(call).same() == (
        "200 OK",
        [("Content-Length", "21"), ("Content-Type", "text/html; charset=utf-8")],
        b"Hello from Flask App!",
    )


# --- L2166-2176: redirect_url() ----------------------------------------------------------------------

REDIRECT_URL_APP = """
    from flask import Flask, request, url_for, redirect

    app = Flask(__name__)

    @app.route('/')
    def index():
        return 'index'

    def redirect_url(default='index'):
        return request.args.get('next') or \\
               request.referrer or \\
               url_for(default)

    # Use it in in the view
    @app.route('/action')
    def some_view():
        # some action
        return redirect(redirect_url())
"""


@pytest.mark.parametrize(
    ("url", "headers", "location"),
    [
        ("/action?next=/cart", {"Referer": "http://localhost/list"}, "/cart"),
        ("/action", {"Referer": "http://localhost/list"}, "http://localhost/list"),
        ("/action", {}, "/"),
    ],
)
def test_redirect_url(tmp_path: Path, url: str, headers: dict[str, str], location: str) -> None:
    apps = load(tmp_path, {"app.py": REDIRECT_URL_APP})
    seen = compare(apps, "GET", url, headers=headers)
    assert (seen["status"], seen["headers"]["Location"]) == (302, location)


# --- L2194: werkzeug.security password hashes ---------------------------------------------------------

SECURITY_PY = """
    from werkzeug.security import generate_password_hash, check_password_hash

    class User:
        def __init__(self, password):
            self.password_hash = generate_password_hash(password)

        def verify_password(self, password):
            return check_password_hash(self.password_hash, password)
"""


def test_password_hashing(tmp_path: Path) -> None:
    modules = load(tmp_path, {"models.py": SECURITY_PY}, "models:(User, check_password_hash)")
    users = modules.map(lambda pair: pair[0]("cat"))
    assert users.map(lambda u: (u.verify_password("cat"), u.verify_password("dog"))).same() == (
        True,
        False,
    )
    assert users.map(lambda u: u.password_hash.split("$")[0]).same() == "scrypt:32768:8:1"
    # Hashes made by one are checked by the other: a ported app keeps its users' passwords.
    assert modules.kolba[1](users.flask.password_hash, "cat") is True
    assert modules.flask[1](users.kolba.password_hash, "cat") is True
