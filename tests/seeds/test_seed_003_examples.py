"""Seed 003 ("Flask" with the big example app): each in-scope snippet on Flask and on kolba.

Snippets (file /work/shared/seeds/003_a36275b389860282.txt):
  L22-38    request.data/args/form/files/values/json, get_json(force=True), headers,
            form['name'] / form.get / form.getlist
  L46-242   the example app: dictConfig logging, errorhandler(404) -> jsonify(error=str(e)),
            /get_result with request.args["job_id"] and abort(404, description=...),
            /add/<customer> logging the request, /status, /score, /redirect,
            "/" with make_response + set_cookie, session login, add_url_rule,
            app.route(..., method=[...]) (a typo), app.run(host='0.0.0.0', port='5000')
  L262-266  url_for and converters (to_python / to_url)
  L322-331  flask routes / run / shell; FLASK_APP=flaskr; FLASK_ENV=development;
            flask init-db (a click command with the app context)
Filled in: the snippet's Job/redis lookup is a dict, ``payload`` is the request's JSON, the
missing "home" endpoint exists, ``session['key_value']`` reads the key that was set; only
the console handler of the dictConfig is kept (the SMTP, Slack and file handlers would send
mail, call the network or write to /var/log).
Out of scope: sentry_sdk (L52-59), gunicorn (L246-258), extensions lists, SQLAlchemy shell
session (L332-355), backoff/requests (L386-400).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from seeds_differential import (
    compare,
    invoke_cli,
    load,
    record_server,
    request_both,
    snapshot,
)

# --- L22-38: the request's data ----------------------------------------------------------------------

REQUEST_APP = """
    from flask import Flask, request

    app = Flask(__name__)

    @app.route('/data', methods=['GET', 'POST'])
    def data():
        return {
            'data': request.data.decode(),
            'args': request.args.to_dict(flat=False),
            'form': request.form.to_dict(flat=False),
            'files': sorted(request.files),
            'values': request.values.get('k'),
            'all_values': request.values.getlist('k'),
            'json': request.json if request.is_json else None,
            'forced': request.get_json(force=True, silent=True),
            'device_id': request.headers.get('device_id'),
            'headers_is_dict_like': dict(request.headers).get('Device-Id'),
        }

    @app.route('/name', methods=['POST'])
    def name():
        return '|'.join([
            request.form['name'],
            str(request.form.get('nick')),
            ','.join(request.form.getlist('tag')),
        ])

    @app.route('/json', methods=['POST'])
    def json_only():
        return {'got': request.json}
"""


def _json(pair: object, method: str, url: str, **kwargs: object) -> object:
    responses = request_both(pair, method, url, **kwargs)  # type: ignore[arg-type]
    assert responses.map(lambda r: r.status_code).same() == 200
    return responses.map(lambda r: r.get_json()).same()


def test_request_data_kinds(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": REQUEST_APP})
    # A fresh upload stream for each client: a test client closes the one it sent.
    form = (
        apps.map(
            lambda app: app.test_client().post(
                "/data?k=from-args",
                data={"k": "from-form", "up": (io.BytesIO(b"1"), "a.txt")},
                headers={"device_id": "dev-7"},
            )
        )
        .map(lambda r: (r.status_code, r.get_json()))
        .same()
    )
    assert form[0] == 200
    form = form[1]
    assert form == {
        "data": "",
        "args": {"k": ["from-args"]},
        "form": {"k": ["from-form"]},
        "files": ["up"],
        # values: args first when both have the key
        "values": "from-args",
        "all_values": ["from-args", "from-form"],
        "json": None,
        "forced": None,
        "device_id": "dev-7",
        "headers_is_dict_like": "dev-7",
    }
    as_json = _json(apps, "POST", "/data", json={"k": [1, 2]})
    assert (as_json["json"], as_json["forced"], as_json["data"]) == (
        {"k": [1, 2]},
        {"k": [1, 2]},
        '{"k": [1, 2]}',
    )
    # Not labelled JSON: request.json is not used, get_json(force=True) parses anyway.
    forced = _json(apps, "POST", "/data", data='{"a": 1}', content_type="text/plain")
    assert (forced["json"], forced["forced"], forced["data"]) == (None, {"a": 1}, '{"a": 1}')


def test_form_access_styles(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": REQUEST_APP})
    seen = compare(apps, "POST", "/name", data={"name": "ada", "tag": ["a", "b"]})
    assert seen["body"] == "ada|None|a,b"
    # form['name'] for a key that was not sent: 400 (the page wording is each one's own).
    assert compare(apps, "POST", "/name", data={}, body=False)["status"] == 400


def test_request_json_needs_json_content_type(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": REQUEST_APP})
    assert compare(apps, "POST", "/json", json=[1])["body"] == '{"got":[1]}\n'
    wrong = compare(apps, "POST", "/json", data="[1]", content_type="text/plain", body=False)
    assert wrong["status"] == 415
    broken = compare(
        apps, "POST", "/json", data="{not json", content_type="application/json", body=False
    )
    assert broken["status"] == 400


# --- L46-242: the example app -------------------------------------------------------------------------

EXAMPLE_APP = '''
    import logging
    import os
    import traceback
    from logging.config import dictConfig

    from flask import Flask, make_response, request, abort, jsonify, redirect, url_for, render_template, session

    # logging settings
    debug = eval(os.environ.get('DEBUG', 'False'))

    dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {
                "format": "[%(asctime)s] %(levelname)s in %(module)s: %(message)s",
            },
        },
        "handlers": {
            "console": {
                "level": "INFO",
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "example": {
                "handlers": ["console"],
                "level": "DEBUG" if debug else "INFO",
                "propagate": True,
            },
        },
    })
    logging = logging.getLogger("example")

    app = Flask(__name__)
    app.config['SECRET_KEY'] = 'any random string' #must be set to use sessions

    logging.warning('application started')

    class Job:
        # Stands in for rq's Job.fetch(job_id, connection=redis_conn).
        JOBS = {'done': {'answer': 42}, 'empty': None}

        def __init__(self, id, result):
            self.id, self.result = id, result

        @classmethod
        def fetch(cls, job_id, connection=None):
            return cls(job_id, cls.JOBS[job_id])

    redis_conn = None

    @app.errorhandler(404)
    def resource_not_found(exception):
        """Returns exceptions as part of a json."""
        return jsonify(error=str(exception)), 404

    @app.route("/get_result")
    def get_result():
        """Takes a job_id and returns the job's result."""
        job_id = request.args["job_id"]

        try:
            job = Job.fetch(job_id, connection=redis_conn)
        except Exception as exception:
            abort(404, description=exception)

        if not job.result:
            abort(
                404,
                description=f"No result found for job_id {job.id}. Try checking the job's status.",
            )
        return jsonify(job.result)

    @app.route('/add/<customer>', methods=["POST"])
    def save_data(customer):
        try:
            logging.info(f'request.data: {request.data}')
            logging.info(f'request.args: {request.args}')
            logging.info(f'request.form: {request.form}')
            logging.info(f'request.files: {request.files}')
            logging.info(f'request.values: {request.values}')
            logging.info(f'request.json: {request.json}')
            logging.info(f'request.headers: {request.headers}')
            logging.debug(f'request.__dict__: {request.__dict__}')
            request.method # request type
            request.cookies.get('cookie_name') #cookies
            payload = request.json

            if payload:
                logging.info(f'payload: {payload}')

                return make_response('OK', 200)
            else:
                return make_response('Payload Empty', 400)
        except Exception as e:
            logging.error(traceback.format_exc())

        return make_response('FAIL', 500)

    @app.route('/status', methods=["GET"])
    def health_check():
        return jsonify(success="OK"), 200

    def score():
        cust_id = request.args.get('cust_id')

        if not cust_id:
            return make_response('Pass cust_id', 400)
        return jsonify(cust_id=cust_id, score=0.5)

    @app.route('/home')
    def home():
        return 'home'

    @app.route('/redirect')
    def redirect_example():
        return redirect(url_for('home')) # sends user to /home

    #set cookie
    @app.route('/')
    def index():
        resp = make_response(render_template('index.html', name=session.get('key_name')))
        resp.set_cookie('cookie_name', 'cookie_value')
        return resp

    #set session
    @app.route('/login_success')
    def login_success():
        session['key_name'] = 'key_value' #stores a secure cookie in browser
        return redirect(url_for('index'))

    def user_device_sms():
        return jsonify(sent=request.get_json(force=True))

    app.add_url_rule("/userdevicesms", "userdevicesms", user_device_sms, methods=["POST"])
    app.add_url_rule("/score", "score", score, methods=["GET"])

    def main():
        app.run(host='0.0.0.0', port='5000')
'''
EXAMPLE_FILES = {"app.py": EXAMPLE_APP, "templates/index.html": "<p>session: {{ name }}</p>"}


def test_json_404_handler(tmp_path: Path) -> None:
    apps = load(tmp_path, EXAMPLE_FILES)
    seen = compare(apps, "GET", "/get_result?job_id=nope")
    assert seen["status"] == 404
    assert seen["headers"]["Content-Type"] == "application/json"
    # The description is the KeyError itself; str() of the HTTP error shows it.
    assert seen["body"] == '{"error":"404 Not Found: \'nope\'"}\n'
    empty = compare(apps, "GET", "/get_result?job_id=empty")
    assert empty["body"] == (
        '{"error":"404 Not Found: No result found for job_id empty.'
        " Try checking the job's status.\"}\n"
    )
    assert compare(apps, "GET", "/get_result?job_id=done")["body"] == '{"answer":42}\n'
    # No job_id at all: a 400, which the 404 handler does not take.
    missing = compare(apps, "GET", "/get_result", body=False)
    assert (missing["status"], missing["headers"]["Content-Type"]) == (
        400,
        "text/html; charset=utf-8",
    )


def test_unknown_url_goes_through_the_json_handler(tmp_path: Path) -> None:
    apps = load(tmp_path, EXAMPLE_FILES)
    responses = request_both(apps, "GET", "/no/such/page")
    seen = responses.map(lambda r: snapshot(r, body=False)).same()
    assert (seen["status"], seen["headers"]["Content-Type"]) == (404, "application/json")
    # The default description's wording is each framework's own; the shape is the same.
    for framework, response in responses.items():
        assert response.get_json()["error"].startswith("404 Not Found: "), framework


def test_add_logs_the_request(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    apps = load(tmp_path, EXAMPLE_FILES)
    caplog.set_level(logging.INFO, logger="example")

    def send(app: object, **kwargs: object) -> tuple[int, str, list[str]]:
        caplog.clear()
        client = app.test_client()  # type: ignore[attr-defined]
        response = client.post("/add/acme?src=web", headers={"User-Agent": "notes/1.0"}, **kwargs)
        messages = [r.getMessage() for r in caplog.records if r.name == "example"]
        return response.status_code, response.get_data(as_text=True), messages

    ok = apps.map(lambda app: send(app, json={"amount": 3})).same()
    assert ok[:2] == (200, "OK")
    assert ok[2] == [
        "request.data: b'{\"amount\": 3}'",
        "request.args: ImmutableMultiDict([('src', 'web')])",
        "request.form: ImmutableMultiDict([])",
        "request.files: ImmutableMultiDict([])",
        "request.values: CombinedMultiDict([ImmutableMultiDict([('src', 'web')]),"
        " ImmutableMultiDict([])])",
        "request.json: {'amount': 3}",
        "request.headers: User-Agent: notes/1.0\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n",
        "payload: {'amount': 3}",
    ]
    empty = apps.map(lambda app: send(app, json={})).same()
    assert empty[:2] == (400, "Payload Empty")
    # A form post: request.json refuses it (415), the except branch logs and answers FAIL.
    failed = apps.map(lambda app: send(app, data={"amount": "3"}))
    assert failed.map(lambda seen: seen[:2]).same() == (500, "FAIL")
    logged = failed.map(lambda seen: seen[2][:5]).same()
    assert logged[2] == "request.form: ImmutableMultiDict([('amount', '3')])"
    for framework, (_, _, messages) in failed.items():
        assert "UnsupportedMediaType" in messages[-1], framework


def test_status_score_redirect(tmp_path: Path) -> None:
    apps = load(tmp_path, EXAMPLE_FILES)
    status = compare(apps, "GET", "/status")
    assert (status["status"], status["body"]) == (200, '{"success":"OK"}\n')
    assert compare(apps, "GET", "/score", body=True)["body"] == "Pass cust_id"
    assert compare(apps, "GET", "/score?cust_id=7")["body"] == '{"cust_id":"7","score":0.5}\n'
    moved = compare(apps, "GET", "/redirect")
    assert (moved["status"], moved["headers"]["Location"]) == (302, "/home")
    sms = compare(apps, "POST", "/userdevicesms", data='{"to": "+1"}')
    assert sms["body"] == '{"sent":{"to":"+1"}}\n'


def test_cookie_and_session_login(tmp_path: Path) -> None:
    apps = load(tmp_path, EXAMPLE_FILES)
    clients = apps.map(lambda app: app.test_client())
    first = compare(clients, "GET", "/")
    assert first["body"] == "<p>session: None</p>"
    assert first["cookies"] == [("cookie_name", "cookie_value", (("path", "/"),))]
    login = compare(clients, "GET", "/login_success")
    assert (login["status"], login["headers"]["Location"]) == (302, "/")
    assert [name for name, _, _ in login["cookies"]] == ["session"]
    assert compare(clients, "GET", "/")["body"] == "<p>session: key_value</p>"


def test_route_typo_fails_at_registration(tmp_path: Path) -> None:
    typo = """
        from flask import Flask

        app = Flask(__name__)

        def register():
            try:
                @app.route('/score', method=["GET"])
                def score():
                    return 'x'
            except TypeError as exc:
                return 'TypeError: ' + ('method' in str(exc)) * 'mentions method'
            return 'registered'
    """
    outcome = load(tmp_path, {"app.py": typo}, "app:register()")
    assert outcome.same() == "TypeError: mentions method"


def test_run_with_port_as_string(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_server(monkeypatch)
    # Nothing binds 0.0.0.0: the recorder stands in for the server.
    load(tmp_path, EXAMPLE_FILES, "app:main()")
    seen = calls.map(lambda recorder: recorder.calls).same()
    assert [(c["host"], c["port"]) for c in seen] == [("0.0.0.0", 5000)]


# --- L262-266: converters ------------------------------------------------------------------------------

CONVERTER_APP = """
    from flask import Flask, url_for
    from werkzeug.routing import BaseConverter

    class ListConverter(BaseConverter):
        def to_python(self, value):
            return value.split('+')

        def to_url(self, values):
            return '+'.join(BaseConverter.to_url(self, value) for value in values)

    app = Flask(__name__)
    app.url_map.converters['list'] = ListConverter

    @app.route('/tags/<list:tags>')
    def tags(tags):
        return {'tags': tags, 'again': url_for('tags', tags=tags), 'page': url_for('tags', tags=['a b'], test=25)}
"""


def test_custom_converter(tmp_path: Path) -> None:
    apps = load(tmp_path, {"app.py": CONVERTER_APP})
    seen = compare(apps, "GET", "/tags/python+flask")
    assert seen["body"] == (
        '{"again":"/tags/python+flask","page":"/tags/a%20b?test=25","tags":["python","flask"]}\n'
    )


# --- L322-331: the flask command with a flaskr package --------------------------------------------

FLASKR = {
    "flaskr/__init__.py": """
        import os
        from flask import Flask

        def create_app(test_config=None):
            app = Flask(__name__, instance_relative_config=True)
            app.config.from_mapping(SECRET_KEY='dev', DATABASE='flaskr.sqlite')

            @app.route('/hello')
            def hello():
                return 'Hello, World!'

            from . import db
            db.init_app(app)
            return app
    """,
    "flaskr/db.py": """
        import click
        from flask import current_app, g

        def init_db():
            g.tables = ['user', 'post']
            return g.tables

        @click.command('init-db')
        def init_db_command():
            \"\"\"Clear the existing data and create new tables.\"\"\"
            tables = init_db()
            click.echo(f'Initialized the database {current_app.config["DATABASE"]}: {", ".join(tables)}.')

        def init_app(app):
            app.cli.add_command(init_db_command)
    """,
}


def test_flaskr_init_db_command(tmp_path: Path) -> None:
    env = {"FLASK_APP": "flaskr", "FLASK_ENV": "development"}
    results = invoke_cli(tmp_path, FLASKR, ["init-db"], env=env)
    outputs = results.map(lambda r: (r.exit_code, r.output)).same()
    assert outputs == (0, "Initialized the database flaskr.sqlite: user, post.\n")


def test_flaskr_routes_and_help(tmp_path: Path) -> None:
    env = {"FLASK_APP": "flaskr"}
    routes = invoke_cli(tmp_path / "routes", FLASKR, ["routes"], env=env)
    lines = routes.map(lambda r: [line.rstrip() for line in r.output.splitlines()]).same()
    assert lines[2:] == [
        "hello     GET      /hello",
        "static    GET      /static/<path:filename>",
    ]
    helps = invoke_cli(tmp_path / "help", FLASKR, ["--help"], env=env)
    for framework, result in helps.items():
        assert result.exit_code == 0, (framework, result.output)
        for command in ("init-db", "routes", "run", "shell"):
            assert f"\n  {command} " in result.output, (framework, command)


def test_flaskr_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_server(monkeypatch)
    results = invoke_cli(tmp_path, FLASKR, ["run"], env={"FLASK_APP": "flaskr"})
    assert results.map(lambda r: r.exit_code).same() == 0
    seen = calls.map(lambda recorder: recorder.calls).same()
    assert [(c["app_name"], c["debug"], c["port"]) for c in seen] == [("flaskr", False, 5000)]
