"""Seed 004 (the "First app" article): each in-scope snippet on Flask and on kolba.

Snippets (file /work/shared/seeds/004_c089c7d3562f5fa2.txt):
  L17-34    root_url on "/", second_url_function_handler on '/home/<name>/'
  L35-51    request (args, method, json), session, g, current_app, app.url_map
  L52-59    make_response(data, code, headers), cookies, redirect() with its default 302
  L74-94    render_template with dict/list/object values, capitalize and safe filters,
            conditions and loops, {% include %} of a navigation bar, blocks, base.html
            extended by a category layout extended by pages
  L95-109   @app.errorhandler(404) rendering 404.html; HTTPException from werkzeug.exceptions;
            '/<path:nompath>' calling abort(404, nompath)
  L113-136  url_for: keyword arguments, _external, unknown arguments as a query string,
            with app.app_context(): with current_app.test_request_context(): url_for(...),
            redirect(url_for('login')) from an admin view, url_for('static', ...)
  L137-138  request.form on POST
  L146      app.config["SECRET_KEY"]
  L164-178  session after a redirect; session.permanent with permanent_session_lifetime set
            in a request hook
Filled in: second_url_function_handler takes its ``name`` argument (the notes forget it);
the notes' ``loggedin`` is a session flag.
Out of scope: flask-script / runserver (L63-68), flask-bootstrap, WTForms (L139-163),
SQLAlchemy (L179-292), Flask-Migrate (L293-352).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from seeds_differential import compare, load, request_both, snapshot

APP_PY = """
    import os
    from datetime import timedelta
    from flask import (Flask, request, session, g, current_app, make_response, redirect,
                       render_template, url_for, abort)
    from werkzeug.exceptions import HTTPException

    # creation of the application instance (there could be many)
    app = Flask(__name__) # so flask knows where is the root path of the app
    app.config["SECRET_KEY"] = "randomly generated string"

    # endpoint here is the root url '/'
    # the decorator turns root_url function to a "route function"
    @app.route('/')
    def root_url():
        # returned value = response
        return "<h1>Hello !</h1>"

    # endpoint here is '/home/'
    # with dynamic url routing
    @app.route('/home/<name>/')
    def second_url_function_handler(name):
        # name becomes an argument that you can use in the decorated function wrapped by flask decorator
        response_string = "<h1>Hello to Home {}!</h1>".format(name)
        return response_string

    @app.route('/inspect', methods=['GET', 'POST'])
    def inspect():
        g.seen = request.method
        return {
            'args': request.args.to_dict(),
            'method': g.seen,
            'json': request.get_json(silent=True),
            'app': current_app.name,
            'visits': session.setdefault('visits', 0),
        }

    @app.route('/custom')
    def custom():
        return make_response('created', 201, {'X-Notes': 'yes', 'Content-Type': 'text/plain'})

    @app.route('/go')
    def go():
        return redirect(url_for('root_url'))

    class Page:
        def __init__(self, title):
            self.title = title

    @app.route('/page/<kind>')
    def page(kind):
        return render_template(
            kind + '.html',
            user={'name': 'luc'},
            items=['a', 'b'],
            page=Page('<i>About</i>'),
            note='<b>bold</b>',
        )

    @app.errorhandler(404)
    def page_not_found(e):
        return render_template('404.html', e=e, is_http=isinstance(e, HTTPException)), 404

    @app.route('/<path:nompath>')
    def error_test(nompath):
        # raises an HTTPException of status code 404
        # nompath is the error message
        # retrieved from e in page_not_found(e)
        abort(404, nompath)

    @app.route('/login', methods=['GET', 'POST'])
    def login():
        if request.method == 'POST':
            session['loggedin'] = request.form['user']
            return redirect(url_for('admin'))
        return 'login form'

    # just as an example
    @app.route('/admin/')
    def admin():
        if not session.get('loggedin'):
            # should login endpoint exist
            return redirect(url_for('login'))
        return render_template('admin.html', user=session['loggedin'])

    @app.before_request
    def permanent_session():
        session.permanent = True
        app.permanent_session_lifetime = timedelta(minutes=30) # lasts 30 minutes

    def build_urls():
        with app.app_context():
            with current_app.test_request_context():
                return [
                    url_for('second_url_function_handler', name="luc"),
                    url_for('second_url_function_handler', name="luc", _external=True),
                    url_for('root_url', test=25),
                    url_for('static', filename='logos/favicon.ico'),
                ]
"""
TEMPLATES = {
    "templates/navigation.html": """<nav><a href="{{ url_for('root_url') }}">Home</a> <a href="{{ url_for('second_url_function_handler', name='luc') }}">Luc</a></nav>""",
    "templates/base.html": """
        <html><head><title>{% block title %}Site{% endblock %}</title></head>
        <body>{% include "navigation.html" %}
        {% block body %}{% endblock %}</body></html>
    """,
    "templates/section.html": """
        {% extends "base.html" %}
        {% block body %}<section>{% block content %}{% endblock %}</section>{% endblock %}
    """,
    "templates/about.html": """
        {% extends "section.html" %}
        {% block title %}{{ page.title|safe }} - {{ super() }}{% endblock %}
        {% block content %}
        Hi {{ user.name|capitalize }} / {{ user['name'] }}
        {% for item in items %}[{{ loop.index }}:{{ item }}]{% endfor %}
        {% if items|length > 1 %}many{% else %}one{% endif %}
        {{ note }} {{ note|safe }}
        {% endblock %}
    """,
    "templates/404.html": "<h1>Lost: {{ e.description }}</h1> http={{ is_http }} code={{ e.code }}",
    "templates/admin.html": "{% extends 'base.html' %}{% block body %}admin {{ user }} <img src=\"{{ url_for('static', filename='logos/favicon.ico') }}\">{% endblock %}",
}


def _apps(tmp_path: Path) -> object:
    return load(tmp_path, {"app.py": APP_PY, **TEMPLATES})


def test_root_and_dynamic_home(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    assert compare(apps, "GET", "/")["body"] == "<h1>Hello !</h1>"
    assert compare(apps, "GET", "/home/luc/")["body"] == "<h1>Hello to Home luc!</h1>"
    # Without the trailing slash: a permanent redirect to the canonical URL (the page's
    # wording is each framework's own).
    moved = compare(apps, "GET", "/home/luc?x=1", body=False)
    assert (moved["status"], moved["headers"]["Location"]) == (
        308,
        "http://localhost/home/luc/?x=1",
    )


def test_request_session_g_current_app(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    seen = request_both(apps, "POST", "/inspect?q=1", json={"a": [1]})
    assert seen.map(lambda r: r.get_json()).same() == {
        "args": {"q": "1"},
        "method": "POST",
        "json": {"a": [1]},
        "app": "app",
        "visits": 0,
    }
    rules = apps.map(lambda app: sorted(r.rule for r in app.url_map.iter_rules())).same()  # type: ignore[attr-defined]
    assert rules == [
        "/", "/<path:nompath>", "/admin/", "/custom", "/go", "/home/<name>/", "/inspect",
        "/login", "/page/<kind>", "/static/<path:filename>",
    ]  # fmt: skip
    # Printing app.url_map lists each rule with its methods and endpoint. The layout differs
    # (Flask pretty-prints one rule a line, lists methods in set order and drops converter
    # names); the facts are the same.
    for framework, app in apps.items():  # type: ignore[attr-defined]
        shown = str(app.url_map)
        assert re.search(
            r"<Rule '/home/<[a-z:]*name>/' \([A-Z, ]+\) -> second_url_function_handler>", shown
        ), framework
        assert "-> error_test>" in shown, framework


def test_make_response_and_redirect(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    custom = request_both(apps, "GET", "/custom")
    seen = custom.map(lambda r: snapshot(r, headers=("Content-Type", "X-Notes"))).same()
    assert (seen["status"], seen["body"], seen["headers"]) == (
        201,
        "created",
        {"Content-Type": "text/plain", "X-Notes": "yes"},
    )
    go = compare(apps, "GET", "/go")
    assert (go["status"], go["headers"]["Location"]) == (302, "/")


def test_template_inheritance_include_filters(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    body = compare(apps, "GET", "/page/about")["body"]
    assert "<title><i>About</i> - Site</title>" in body
    assert '<nav><a href="/">Home</a> <a href="/home/luc/">Luc</a></nav>' in body
    assert "<section>" in body
    assert "Hi Luc / luc" in body
    assert "[1:a][2:b]" in body
    assert "many" in body
    assert "&lt;b&gt;bold&lt;/b&gt; <b>bold</b>" in body


def test_404_handler_with_path_abort(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    seen = compare(apps, "GET", "/some/where")
    assert (seen["status"], seen["body"]) == (404, "<h1>Lost: some/where</h1> http=True code=404")
    # A template that does not exist is a server error, not a 404.
    assert compare(apps, "GET", "/page/nothing", body=False)["status"] == 500


def test_url_for_in_contexts(tmp_path: Path) -> None:
    urls = load(tmp_path, {"app.py": APP_PY, **TEMPLATES}, "app:build_urls()")
    assert urls.same() == [
        "/home/luc/",
        "http://localhost/home/luc/",
        "/?test=25",
        "/static/logos/favicon.ico",
    ]


def test_admin_login_and_permanent_session(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    clients = apps.map(lambda app: app.test_client())  # type: ignore[attr-defined]
    guarded = compare(clients, "GET", "/admin/")
    assert (guarded["status"], guarded["headers"]["Location"]) == (302, "/login")
    login = request_both(clients, "POST", "/login", data={"user": "luc"})
    seen = login.map(snapshot).same()
    assert (seen["status"], seen["headers"]["Location"]) == (302, "/admin/")
    assert seen["cookies"] == [
        ("session", "<signed>", (("expires", "<date>"), ("httponly", True), ("path", "/")))
    ]
    for framework, response in login.items():
        header = response.headers["Set-Cookie"]
        expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))  # type: ignore[union-attr]
        ahead = expires - datetime.now(timezone.utc)
        assert timedelta(minutes=29) < ahead <= timedelta(minutes=30), framework
    admin = compare(clients, "GET", "/admin/")
    assert 'admin luc <img src="/static/logos/favicon.ico">' in admin["body"]
