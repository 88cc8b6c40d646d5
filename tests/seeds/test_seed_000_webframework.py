"""Seed 000 ("Flask - WebFramework in Python"): each in-scope snippet on Flask and on kolba.

Snippets (file /work/shared/seeds/000_03cc8adf9d76f208.txt):
  L54-65    hello world main.py with app.run(debug=True) under __main__
  L80-82    export FLASK_APP=main.py; flask run / python -m flask run
  L88       app.run(host='0.0.0.0', debug=True)
  L102-103  render_template('search.html', data=<html table>) with {{ data|safe }}
  L174-211  the todo REST API (tasks CRUD with JSON blobs, jsonify)
  L231-236  imports render_template, request, url_for, flash, redirect; app.secret_key
  L239      before_request updating a last_seen timestamp
  L243-245  FLASK_DEBUG=0, FLASK_APP=microblog.py, flask run
  L305-323  blueprints: register_blueprint, url_for('main.index'), render_template('index.html')
Out of scope: pandas (L95-103 uses only a stand-in table), SQLAlchemy, Flask-Migrate, mail,
HTTPS certificates, forms, Elasticsearch.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from seeds_differential import (
    compare,
    env_for,
    free_port,
    importable,
    invoke_cli,
    load,
    record_server,
    request_both,
    serve_and_get,
    snapshot,
    write_project,
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


# --- L54-65: hello world ------------------------------------------------------------------------


def test_hello_world_index(tmp_path: Path) -> None:
    apps = load(tmp_path, {"main.py": MAIN_PY}, "main:app")
    seen = compare(apps, "GET", "/")
    assert seen["status"] == 200
    assert seen["body"] == "Hello from Flask App!"
    assert seen["headers"]["Content-Type"] == "text/html; charset=utf-8"
    # A URL the app does not have: a 404 on both (the page wording is each framework's own).
    missing = compare(apps, "GET", "/nope", body=False)
    assert missing["status"] == 404


def test_hello_world_run_as_script_starts_debug_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `python main.py`: the __main__ block calls app.run(debug=True).
    calls = record_server(monkeypatch)
    for framework, recorder in calls.items():
        root = write_project(tmp_path / framework, {"main.py": MAIN_PY}, framework)
        with importable(root):
            runpy.run_path(str(root / "main.py"), run_name="__main__")
        assert len(recorder.calls) == 1
    seen = calls.map(lambda recorder: recorder.calls[0]).same()
    assert seen == {
        "host": "127.0.0.1",
        "port": 5000,
        "use_reloader": True,
        "use_debugger": True,
        "debug": True,
        # Flask names a __main__ app after its file.
        "app_name": "main",
    }


def test_importing_main_does_not_start_a_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_server(monkeypatch)
    load(tmp_path, {"main.py": MAIN_PY}, "main:app")
    assert calls.flask.calls == calls.kolba.calls == []


# --- L80-82: export FLASK_APP=main.py; flask run -------------------------------------------------


def test_flask_app_env_and_run_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_server(monkeypatch)
    results = invoke_cli(tmp_path, {"main.py": MAIN_PY}, ["run"], env={"FLASK_APP": "main.py"})
    for framework, result in results.items():
        assert result.exit_code == 0, (framework, result.output)
    seen = calls.map(lambda recorder: recorder.calls).same()
    # Loaded from main.py (not run as __main__: app.run() is not reached), served without
    # debug, on the default address.
    assert seen == [
        {
            "host": "127.0.0.1",
            "port": 5000,
            "use_reloader": False,
            "use_debugger": False,
            "debug": False,
            "app_name": "main",
        }
    ]


def test_python_m_run_serves_the_app(tmp_path: Path) -> None:
    # `python -m flask run` for real: a server process on a free loopback port, one request,
    # then the process is stopped by its pid.
    answers = {}
    for framework in ("flask", "kolba"):
        root = write_project(tmp_path / framework, {"main.py": MAIN_PY}, framework)
        port = free_port()
        env = env_for(framework, {"FLASK_APP": "main.py"})
        command = [sys.executable, "-m", framework, "run", "--port", str(port)]
        answers[framework] = serve_and_get(command, root, env, port)
    assert answers["kolba"] == answers["flask"]
    assert answers["kolba"] == (200, "text/html; charset=utf-8", "Hello from Flask App!")


# --- L88: app.run(host='0.0.0.0', debug=True) ---------------------------------------------------


def test_run_on_all_interfaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = MAIN_PY.replace("app.run(debug=True)", "app.run(host='0.0.0.0', debug=True)")
    source = source.replace("if __name__ == '__main__':", "def serve():")
    calls = record_server(monkeypatch)
    # Nothing is served: the recorder stands in for the server, so no socket is opened.
    load(tmp_path, {"main.py": source}, "main:serve()")
    seen = calls.map(lambda recorder: recorder.calls).same()
    assert [(c["host"], c["port"], c["debug"], c["use_reloader"]) for c in seen] == [
        ("0.0.0.0", 5000, True, True)
    ]


# --- L102-103: {{ data|safe }} ------------------------------------------------------------------

SEARCH_APP = """
    from flask import Flask, render_template

    app = Flask(__name__)
    # Stands in for df_result.to_html(classes='table table-striped table-hover').
    TABLE = '<table class="table table-striped table-hover"><tr><td>1 & 2</td></tr></table>'

    @app.route('/search')
    def search():
        return render_template('search.html', data=TABLE)
"""
SEARCH_HTML = """
    <h1>Results</h1>
    {{ data|safe }}
    <p>escaped: {{ data }}</p>
"""


def test_safe_filter_renders_html_table(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": SEARCH_APP, "templates/search.html": SEARCH_HTML})
    seen = compare(apps, "GET", "/search")
    assert seen["status"] == 200
    assert (
        '<table class="table table-striped table-hover"><tr><td>1 & 2</td></tr></table>'
        in (seen["body"])
    )
    assert "escaped: &lt;table class=&#34;table" in seen["body"]


# --- L174-211: the todo REST API ------------------------------------------------------------------

TODO_API = """
    from flask import Flask, jsonify, abort, request, make_response

    app = Flask(__name__)

    tasks = [
        {
            'id': 1,
            'title': 'Title of a to do task',
            'description': 'Description of to do task',
            'done': False
        },
    ]

    @app.route('/todo/api/v1.0/tasks', methods=['GET'])
    def get_tasks():
        return jsonify({'tasks': tasks})

    @app.route('/todo/api/v1.0/tasks/<int:task_id>', methods=['GET'])
    def get_task(task_id):
        task = [task for task in tasks if task['id'] == task_id]
        if len(task) == 0:
            abort(404)
        return jsonify({'task': task[0]})

    @app.route('/todo/api/v1.0/tasks', methods=['POST'])
    def create_task():
        if not request.json or not 'title' in request.json:
            abort(400)
        task = {
            'id': tasks[-1]['id'] + 1,
            'title': request.json['title'],
            'description': request.json.get('description', ""),
            'done': False
        }
        tasks.append(task)
        return jsonify({'task': task}), 201

    @app.route('/todo/api/v1.0/tasks/<int:task_id>', methods=['PUT'])
    def update_task(task_id):
        task = [task for task in tasks if task['id'] == task_id]
        if len(task) == 0:
            abort(404)
        if not request.json:
            abort(400)
        task[0]['title'] = request.json.get('title', task[0]['title'])
        task[0]['done'] = request.json.get('done', task[0]['done'])
        return jsonify({'task': task[0]})

    @app.route('/todo/api/v1.0/tasks/<int:task_id>', methods=['DELETE'])
    def delete_task(task_id):
        task = [task for task in tasks if task['id'] == task_id]
        if len(task) == 0:
            abort(404)
        tasks.remove(task[0])
        return jsonify({'result': True})

    @app.errorhandler(404)
    def not_found(error):
        return make_response(jsonify({'error': 'Not found'}), 404)

    @app.errorhandler(400)
    def bad_request(error):
        return make_response(jsonify({'error': 'Bad request'}), 400)
"""


def test_todo_api_crud(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": TODO_API})
    clients = apps.map(lambda app: app.test_client())
    url = "/todo/api/v1.0/tasks"

    listed = compare(clients, "GET", url)
    assert listed["status"] == 200
    assert listed["headers"]["Content-Type"] == "application/json"

    def json_of(method: str, path: str, **kwargs: object) -> object:
        responses = request_both(clients, method, path, **kwargs)
        snaps = responses.map(snapshot).same()
        data = responses.map(lambda r: r.get_json()).same()
        return snaps["status"], data

    assert json_of("GET", url + "/1") == (
        200,
        {
            "task": {
                "id": 1,
                "title": "Title of a to do task",
                "description": "Description of to do task",
                "done": False,
            }
        },
    )
    assert json_of("GET", url + "/9") == (404, {"error": "Not found"})
    created = json_of("POST", url, json={"title": "Read the notes"})
    assert created == (
        201,
        {"task": {"id": 2, "title": "Read the notes", "description": "", "done": False}},
    )
    assert json_of("PUT", url + "/2", json={"done": True}) == (
        200,
        {"task": {"id": 2, "title": "Read the notes", "description": "", "done": True}},
    )
    assert json_of("DELETE", url + "/1") == (200, {"result": True})
    assert json_of("GET", url) == (
        200,
        {"tasks": [{"id": 2, "title": "Read the notes", "description": "", "done": True}]},
    )
    # No title: the app's own 400 handler answers.
    assert json_of("POST", url, json={"description": "x"}) == (400, {"error": "Bad request"})
    # A method the URL does not take: 405 with the allowed methods.
    wrong = compare(clients, "PATCH", url + "/2", body=False)
    assert wrong["status"] == 405
    assert wrong["headers"]["Allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"


# --- L231-236: flash with app.secret_key --------------------------------------------------------

FLASH_APP = """
    from flask import Flask, render_template, request, url_for, flash, redirect

    app = Flask(__name__)
    app.secret_key = 'super secret key'

    @app.route('/', methods=['GET', 'POST'])
    def index():
        if request.method == 'POST':
            title = request.form.get('title')
            if not title:
                flash('Title is required!')
            else:
                flash('Saved ' + title)
                return redirect(url_for('index'))
        return render_template('index.html')
"""
FLASH_INDEX = """
    {% for message in get_flashed_messages() %}<div class="flash">{{ message }}</div>{% endfor %}
    <form method="post" action="{{ url_for('index') }}"><input name="title"></form>
"""


def test_flash_then_redirect(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": FLASH_APP, "templates/index.html": FLASH_INDEX})
    clients = apps.map(lambda app: app.test_client())

    posted = compare(clients, "POST", "/", data={"title": "<b>notes</b>"})
    assert posted["status"] == 302
    assert posted["headers"]["Location"] == "/"
    assert posted["cookies"] == [("session", "<signed>", (("httponly", True), ("path", "/")))]
    assert posted["headers"]["Vary"] == "Cookie"

    shown = compare(clients, "GET", "/")
    assert '<div class="flash">Saved &lt;b&gt;notes&lt;/b&gt;</div>' in shown["body"]
    assert '<form method="post" action="/">' in shown["body"]
    # Shown once: the next page has no message, and the emptied session cookie is removed.
    again = compare(clients, "GET", "/")
    assert "flash" not in again["body"]

    # A POST without a title flashes on the same request.
    missing = compare(clients, "POST", "/", data={})
    assert missing["status"] == 200
    assert '<div class="flash">Title is required!</div>' in missing["body"]


def test_flash_without_secret_key_fails_the_same(tmp_path: Path) -> None:
    source = FLASH_APP.replace("app.secret_key = 'super secret key'", "")
    apps = load(tmp_path, {"app.py": source, "templates/index.html": FLASH_INDEX})
    for framework, app in apps.items():
        app.testing = True
        with pytest.raises(RuntimeError, match="secret"):
            app.test_client().post("/", data={"title": "x"})
        app.testing = False
        response = app.test_client().post("/", data={"title": "x"})
        assert response.status_code == 500, framework


# --- L239: before_request updates last_seen --------------------------------------------------------

LAST_SEEN_APP = """
    import itertools
    from flask import Flask, g

    app = Flask(__name__)
    clock = itertools.count(1)
    last_seen = {}

    @app.before_request
    def before_request():
        last_seen['user'] = next(clock)
        g.seen_at = last_seen['user']

    @app.route('/whoami')
    def whoami():
        return f"seen at {g.seen_at}"
"""


def test_before_request_updates_last_seen(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": LAST_SEEN_APP}, "app:(app, last_seen)")
    clients = apps.map(lambda pair: pair[0].test_client())
    assert compare(clients, "GET", "/whoami")["body"] == "seen at 1"
    assert compare(clients, "GET", "/whoami")["body"] == "seen at 2"
    # Runs for unknown URLs too (before routing fails is not a thing: the 404 comes after).
    assert compare(clients, "GET", "/missing", body=False)["status"] == 404
    assert apps.map(lambda pair: pair[1]).same() == {"user": 3}


# --- L243-245: FLASK_DEBUG=0, FLASK_APP=microblog.py, flask run ----------------------------------


def test_flask_debug_zero_runs_without_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = record_server(monkeypatch)
    results = invoke_cli(
        tmp_path,
        {"microblog.py": MAIN_PY},
        ["run"],
        env={"FLASK_APP": "microblog.py", "FLASK_DEBUG": "0"},
    )
    for framework, result in results.items():
        assert result.exit_code == 0, (framework, result.output)
    seen = calls.map(lambda recorder: recorder.calls).same()
    assert [(c["debug"], c["use_reloader"], c["use_debugger"], c["app_name"]) for c in seen] == [
        (False, False, False, "microblog")
    ]


# --- L305-323: blueprints; url_for('main.index'); render_template('index.html') ------------------

BLUEPRINT_FILES = {
    "app/__init__.py": """
        from flask import Flask

        def create_app():
            app = Flask(__name__)
            from app.main import bp as main_bp
            app.register_blueprint(main_bp)
            return app
    """,
    "app/main/__init__.py": """
        from flask import Blueprint

        bp = Blueprint('main', __name__)

        from app.main import routes
    """,
    "app/main/routes.py": """
        from flask import render_template, url_for
        from app.main import bp

        @bp.route('/')
        @bp.route('/index')
        def index():
            return render_template('index.html', link=url_for('main.index'))
    """,
    "app/templates/index.html": """
        <a href="{{ link }}">home</a> <a href="{{ url_for('main.index') }}">again</a>
    """,
}


def test_blueprint_module_route_names(tmp_path: Path) -> None:
    apps = load(tmp_path, BLUEPRINT_FILES, "app:create_app()")
    for path in ("/", "/index"):
        seen = compare(apps, "GET", path)
        assert seen["status"] == 200
        # The decorator nearest the function registers first, and url_for builds with the
        # first rule of the endpoint.
        assert seen["body"] == '<a href="/index">home</a> <a href="/index">again</a>'
    endpoints = apps.map(lambda app: sorted(app.view_functions)).same()
    assert endpoints == ["main.index", "static"]
