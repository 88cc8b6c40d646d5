"""Seed 001 ("Flask webserver"): each in-scope snippet on Flask and on kolba.

Snippets (file /work/shared/seeds/001_32d98ac97e8f4bf7.txt):
  L15-22    export FLASK_APP=app.py; export FLASK_DEBUG=1; flask run
  L26-34    app = Flask(__name__) with app.run(debug=True) under __main__
  L40-57    routes: "/" and "/home" on one view, "/about", "/dynamic/<int:id>"
  L65-72    a view returning a multi-line string
  L78-102   render_template("home.html", routes=routes) with a for loop
  L106-130  layout.html with {% block content %}, a page filling the block
  L136-144  url_for('static', filename='index.css') in a template; static files
  L170-176  app.config['SECRET_KEY'] (and the same value taken from an env variable)
  L247-268  save_picture(): a FileStorage's filename and save() under app.root_path/static
  L505-521  url_for('blogs', page=page_num) in a pagination loop (stand-in pagination object)
  L537-552  the app as a package: "from app import app", routes imported after the app
  L651-658  request.args.get('next')
  L660-662  debug mode reports the error instead of a plain 500
  L768-776  config.py loading SECRET_KEY from a JSON file, used with config.from_object
Out of scope: flask-wtf forms and validators (L146-245), Pillow (L270-295), SQLAlchemy
(L353-523), bcrypt (L554-576), flask-login (L578-647), deployment (L664-879: ufw, nginx,
gunicorn, supervisor).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from seeds_differential import (
    both,
    compare,
    invoke_cli,
    load,
    record_server,
    request_both,
    snapshot,
)

# --- L15-22: FLASK_APP=app.py, FLASK_DEBUG=1, flask run --------------------------------------

APP_PY = """
    from flask import Flask

    app = Flask(__name__)

    if __name__ == '__main__':
      # This debug mode is not executed when in uwsgi mode
      app.run(debug=True)
"""


def test_env_debug_one_runs_with_reloader_and_debugger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_server(monkeypatch)
    results = invoke_cli(
        tmp_path, {"app.py": APP_PY}, ["run"], env={"FLASK_APP": "app.py", "FLASK_DEBUG": "1"}
    )
    for framework, result in results.items():
        assert result.exit_code == 0, (framework, result.output)
        assert "Debug mode: on" in result.output, framework
    seen = calls.map(lambda recorder: recorder.calls).same()
    assert [(c["debug"], c["use_reloader"], c["use_debugger"], c["app_name"]) for c in seen] == [
        (True, True, True, "app")
    ]


def test_app_without_routes_only_serves_404(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": APP_PY})
    assert compare(apps, "GET", "/", body=False)["status"] == 404
    assert apps.map(lambda app: [r.rule for r in app.url_map.iter_rules()]).same() == [
        "/static/<path:filename>"
    ]


# --- L40-72: routing ------------------------------------------------------------------------------

ROUTES_APP = """
    from flask import Flask

    app = Flask(__name__)

    # 2 routes covered with one method
    # / and /home
    @app.route("/")
    @app.route("/home")
    def home():
      return "<h1>Hello world</h1>"

    # /about route handled here
    @app.route("/about")
    def about():
      return '''
        <h1>This is page header</h1>
        <section>Just a secton example</section>
      '''

    # dynamic routes
    @app.route("/dynamic/<int:id>")
    def dynamic(id):
      return f"<h1>About page {id}</h1>"
"""


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/", 200, "<h1>Hello world</h1>"),
        ("/home", 200, "<h1>Hello world</h1>"),
        ("/about", 200, "<section>Just a secton example</section>"),
        ("/dynamic/42", 200, "<h1>About page 42</h1>"),
        ("/dynamic/007", 200, "<h1>About page 7</h1>"),
        ("/dynamic/abc", 404, None),
        ("/dynamic/-1", 404, None),
        ("/home/", 404, None),
    ],
)
def test_routes(tmp_path: Path, path: str, status: int, text: str | None) -> None:
    apps = load(tmp_path, {"app.py": ROUTES_APP})
    seen = compare(apps, "GET", path, body=text is not None)
    assert seen["status"] == status
    if text is not None:
        assert text in seen["body"]
        assert seen["headers"]["Content-Type"] == "text/html; charset=utf-8"


def test_multiline_string_is_returned_verbatim(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": ROUTES_APP})
    seen = compare(apps, "GET", "/about")
    assert seen["body"] == (
        "\n    <h1>This is page header</h1>\n    <section>Just a secton example</section>\n  "
    )
    # HEAD is answered by the GET view, without a body.
    head = compare(apps, "HEAD", "/about")
    assert head["body"] == ""
    assert head["headers"]["Content-Length"] == seen["headers"]["Content-Length"]


# --- L78-144: templates, blocks, static files --------------------------------------------------

TEMPLATE_APP = """
    from flask import Flask, render_template, url_for

    app = Flask(__name__)

    # routes data
    routes=[
      {'label':'Home', 'path':'/'},
      {'label':'About', 'path':'/about'},
      {'label':'Blogs', 'path':'/blogs'}
    ]

    # passing data to templating engine
    @app.route("/home")
    def home():
      return render_template("home.html", routes=routes)

    @app.route("/blogs")
    def blogs():
      return render_template("blogs.html", routes=routes)
"""
TEMPLATES = {
    "templates/layout.html": """
        <html><head>
        <!--importing static index.css file -->
        <link rel="stylesheet" href="{{url_for('static',filename='index.css')}}" />
        </head><body>
        <nav class="app-nav">
          <!-- Jinja2 loop and using data -->
          {% for route in routes%}
          <a href="{{route.path}}" class="app-nav-link">{{route.label}}</a>
          {% endfor%}
        </nav>
        <section class="page-body">
          <!--
            HERE WE INSERT CONTENT FROM
            SPECIFIC PAGE TEMPLATE
          --->
          {% block content %}{% endblock content %}
        </section>
        </body></html>
    """,
    "templates/home.html": """
        {% extends "layout.html" %}
    """,
    "templates/blogs.html": """
        {% extends "layout.html" %}
        <!-- section from home.html template -->
        {% block content %}
        <h1>Page content title</h1>
        <div>
          This is body of the home page template
        </div>
        {% endblock content %}
    """,
    "static/index.css": "body { margin: 0 }\n",
}


def test_template_loop_over_routes(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": TEMPLATE_APP, **TEMPLATES})
    seen = compare(apps, "GET", "/home")
    assert seen["status"] == 200
    for label, path in (("Home", "/"), ("About", "/about"), ("Blogs", "/blogs")):
        assert f'<a href="{path}" class="app-nav-link">{label}</a>' in seen["body"]
    assert '<link rel="stylesheet" href="/static/index.css" />' in seen["body"]
    assert "Page content title" not in seen["body"]


def test_page_fills_the_layout_block(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": TEMPLATE_APP, **TEMPLATES})
    seen = compare(apps, "GET", "/blogs")
    assert '<section class="page-body">' in seen["body"]
    assert "<h1>Page content title</h1>" in seen["body"]
    # Text outside the child's blocks is not rendered.
    assert "section from home.html template" not in seen["body"]


def test_static_css_is_served(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": TEMPLATE_APP, **TEMPLATES})
    responses = request_both(apps, "GET", "/static/index.css")
    seen = responses.map(lambda r: snapshot(r, headers=("Content-Type", "Cache-Control"))).same()
    assert seen["status"] == 200
    assert seen["body"] == "body { margin: 0 }\n"
    assert seen["headers"] == {
        "Content-Type": "text/css; charset=utf-8",
        "Cache-Control": "no-cache",
    }
    # ETag values are each framework's own (derived from the file); what a browser relies on
    # is that sending one back gives a 304 without a body.
    etags = responses.map(lambda r: r.headers["ETag"])
    assert etags.flask
    assert etags.kolba
    revalidated = both(
        lambda fw: (
            getattr(apps, fw)
            .test_client()
            .get("/static/index.css", headers={"If-None-Match": getattr(etags, fw)})
        )
    )
    seen = revalidated.map(lambda r: snapshot(r, headers=("Cache-Control",))).same()
    assert seen == {
        "status": 304,
        "headers": {"Cache-Control": "no-cache"},
        "cookies": [],
        "body": "",
    }
    assert compare(apps, "GET", "/static/missing.css", body=False)["status"] == 404


# --- L170-176: SECRET_KEY in the config, or from an env variable ---------------------------

SECRET_APP = """
    import os
    from flask import Flask, session

    app = Flask(__name__)
    # set the key
    app.config['SECRET_KEY']="01545c0cdd271a8177bea35d4d4b0517"
    # Make env variable to take this value (not to be in the code!!!)
    if os.environ.get('SECRET_KEY'):
        app.config['SECRET_KEY'] = os.environ['SECRET_KEY']
    # The same through the framework's own prefixed variables (FLASK_SECRET_KEY).
    app.config.from_prefixed_env()

    @app.route('/remember/<word>')
    def remember(word):
        session['word'] = word
        return 'ok'

    @app.route('/recall')
    def recall():
        return session.get('word', 'nothing') + ' / ' + app.config['SECRET_KEY']
"""


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({}, "01545c0cdd271a8177bea35d4d4b0517"),
        ({"SECRET_KEY": "from-env"}, "from-env"),
        ({"FLASK_SECRET_KEY": '"from-prefixed-env"'}, "from-prefixed-env"),
    ],
)
def test_secret_key_from_code_or_env(tmp_path: Path, env: dict[str, str], key: str) -> None:
    apps = load(tmp_path, {"app.py": SECRET_APP}, env=env)
    assert apps.map(lambda app: app.secret_key).same() == key
    clients = apps.map(lambda app: app.test_client())
    stored = compare(clients, "GET", "/remember/tea")
    assert stored["cookies"] == [("session", "<signed>", (("httponly", True), ("path", "/")))]
    assert compare(clients, "GET", "/recall")["body"] == f"tea / {key}"


# --- L247-268: saving an uploaded picture -------------------------------------------------------

UPLOAD_APP = """
    import os
    import secrets
    from flask import Flask, request, url_for, redirect

    app = Flask(__name__)

    def save_picture(form_picture):
      # ensure random filename
      random_hex = secrets.token_hex(8)
      # split filename into basename and extension
      # _ means we will not use first param
      _,f_ext = os.path.splitext(form_picture.filename)
      # construct filename
      pic_file = random_hex + f_ext
      pic_path = os.path.join(app.root_path,'static/profiles', pic_file)
      # save picture
      form_picture.save(pic_path)

      return pic_file

    @app.route('/account', methods=['POST'])
    def account():
      # if the picture is uploaded (form.picture.data in the notes' flask-wtf form)
      picture = request.files.get('picture')
      if picture:
        pic_file = save_picture(picture)
        return redirect(url_for('static', filename='profiles/' + pic_file))
      return 'no picture', 400
"""


def test_save_uploaded_picture(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": UPLOAD_APP, "static/profiles/.keep": ""})
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    posted = apps.map(
        lambda app: app.test_client().post(
            "/account",
            data={"picture": (io.BytesIO(image), "me.png", "image/png")},
            content_type="multipart/form-data",
        )
    )
    # The file name is random (secrets.token_hex), so only its shape is compared.
    locations = posted.map(lambda r: (r.status_code, r.headers["Location"]))
    for framework, (status, location) in locations.items():
        assert status == 302, framework
        assert re.fullmatch(r"/static/profiles/[0-9a-f]{16}\.png", location), location
        saved = tmp_path / framework / location.lstrip("/")
        assert saved.read_bytes() == image
        # And it is served back from the static folder.
        with getattr(apps, framework).test_client().get(location) as served:
            assert (served.status_code, served.mimetype, served.data) == (200, "image/png", image)
    missing = compare(apps, "POST", "/account", data={}, content_type="multipart/form-data")
    assert (missing["status"], missing["body"]) == (400, "no picture")


# --- L505-521: url_for('blogs', page=page_num) in a pagination loop ---------------------------

PAGES_APP = """
    from flask import Flask, render_template, request

    app = Flask(__name__)

    class Pages:
        # Stands in for Flask-SQLAlchemy's Pagination (out of scope): items and iter_pages().
        def __init__(self, page):
            self.items = [f"post {n}" for n in range((page - 1) * 2 + 1, page * 2 + 1)]
            self.page = page

        def iter_pages(self):
            return [1, 2, None, 9]

    @app.route('/blogs')
    def blogs():
        page = request.args.get('page', 1, type=int)
        return render_template('blogs.html', posts=Pages(page))
"""
PAGES_HTML = """
    {% for post in posts.items %}
    <section class="blog-post">{{ post }}</section>
    {% endfor %}

    <!-- pagination section -->
    {% for page_num in posts.iter_pages() %} {% if page_num %}
    <a href="{{url_for('blogs',page=page_num)}}" class="btn btn-outline-info mb-4"
      >{{ page_num }}
    </a>
    {% else %} ... {% endif %} {% endfor %}
"""


def test_pagination_links(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": PAGES_APP, "templates/blogs.html": PAGES_HTML})
    seen = compare(apps, "GET", "/blogs?page=2")
    assert '<section class="blog-post">post 3</section>' in seen["body"]
    assert '<a href="/blogs?page=9" class="btn btn-outline-info mb-4"' in seen["body"]
    assert " ... " in seen["body"]
    # A page that is not a number falls back to the default.
    fallback = compare(apps, "GET", "/blogs?page=two")
    assert '<section class="blog-post">post 1</section>' in fallback["body"]


# --- L537-552: the app as a package ---------------------------------------------------------------

PACKAGE_FILES = {
    "run.py": """
        # __init__.py file in the folder app needs to have variable app
        from app import app
    """,
    "app/__init__.py": """
        from flask import Flask

        app = Flask(__name__)

        # imported after the app is made: routes.py imports app from here
        from app import routes
    """,
    "app/routes.py": """
        from flask import render_template
        from app import app

        @app.route('/')
        def index():
            return render_template('index.html', title='Home')
    """,
    "app/templates/index.html": "<title>{{ title }}</title>",
}


def test_package_app_with_routes_module(tmp_path: Path) -> None:
    apps = load(tmp_path, PACKAGE_FILES, "run:app")
    assert apps.map(lambda app: (app.name, Path(app.root_path).name)).same() == ("app", "app")
    seen = compare(apps, "GET", "/")
    assert seen["body"] == "<title>Home</title>"


# --- L651-658: request.args.get('next') -------------------------------------------------------------

NEXT_APP = """
    from flask import Flask, request, redirect, url_for

    app = Flask(__name__)

    @app.route('/')
    def home():
        return 'home'

    @app.route('/login', methods=['GET', 'POST'])
    def login():
        # get next param from url
        next_page = request.args.get('next')
        return redirect(next_page) if next_page else redirect(url_for('home'))
"""


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/login?next=/account", "/account"),
        ("/login?next=%2Fblogs%3Fpage%3D2", "/blogs?page=2"),
        ("/login", "/"),
        ("/login?next=", "/"),
    ],
)
def test_next_query_parameter(tmp_path: Path, url: str, location: str) -> None:
    apps = load(tmp_path, {"app.py": NEXT_APP})
    seen = compare(apps, "POST", url)
    assert (seen["status"], seen["headers"]["Location"]) == (302, location)


# --- L660-662: in debug mode the error reaches the developer --------------------------------------

ERROR_APP = """
    from flask import Flask

    app = Flask(__name__)

    @app.route('/broken')
    def broken():
        return {'total': 1 / 0}
"""


def test_debug_mode_lets_the_error_through(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": ERROR_APP})
    # Not in debug mode: a plain 500 page (its wording is each framework's own).
    assert compare(apps, "GET", "/broken", body=False)["status"] == 500
    for framework, app in apps.items():
        app.debug = True
        with pytest.raises(ZeroDivisionError):
            app.test_client().get("/broken")
        assert app.config["DEBUG"] is True, framework


# --- L768-776: config.py loads its values from a JSON file --------------------------------------

CONFIG_FILES = {
    "config.json": '{"SECRET_KEY": "ASDASDASDASDASDdfgeysrtyrty", "PER_PAGE": 5}',
    "config.py": """
        # adjust you config.py file to load config.json env variables
        import json
        import os
        with open(os.path.join(os.path.dirname(__file__), 'config.json')) as config_file:
          config = json.load(config_file)

        # all env variables are now in config object
        SECRET_KEY = config.get('SECRET_KEY')
        PER_PAGE = config.get('PER_PAGE')
        lower_case_is_not_config = True
    """,
    "app.py": """
        from flask import Flask

        app = Flask(__name__)
        app.config.from_object('config')

        @app.route('/settings')
        def settings():
            return {'per_page': app.config['PER_PAGE'], 'has_key': bool(app.secret_key)}
    """,
}


def test_config_from_object_reads_json_values(tmp_path: Path) -> None:
    apps = load(tmp_path, CONFIG_FILES)
    assert apps.map(lambda app: app.config["SECRET_KEY"]).same() == "ASDASDASDASDASDdfgeysrtyrty"
    assert apps.map(lambda app: "lower_case_is_not_config" in app.config).same() is False
    seen = compare(apps, "GET", "/settings")
    assert seen["headers"]["Content-Type"] == "application/json"
    assert seen["body"] == '{"has_key":true,"per_page":5}\n'
