"""``app.config``: loaders, namespaces, attribute shortcuts and the defaults."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomllib

from kolba import Kolba
from kolba.config import Config, ConfigAttribute

TEST_KEY = "foo"
SECRET_KEY = "config"


def check(config: Config) -> None:
    assert config["TEST_KEY"] == "foo"
    assert config["SECRET_KEY"] == "config"
    assert "lowercase" not in config
    assert "TEST_KEY" in config


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "settings.py").write_text(
        "import os\nTEST_KEY = 'foo'\nSECRET_KEY = 'config'\nlowercase = 1\n_PRIVATE = 2\n"
    )
    (tmp_path / "settings.json").write_text(
        json.dumps({"TEST_KEY": "foo", "SECRET_KEY": "config", "lowercase": 1})
    )
    (tmp_path / "settings.toml").write_text(
        'TEST_KEY = "foo"\nSECRET_KEY = "config"\nlowercase = 1\n[DATABASE]\nhost = "db"\n'
    )
    return tmp_path


# -- loaders ------------------------------------------------------------------------------------


def test_from_object_with_module_class_and_import_string() -> None:
    config = Config(".")
    config.from_object(__name__)
    check(config)

    class Settings:
        TEST_KEY = "foo"
        SECRET_KEY = "config"
        lowercase = True

    config = Config(".")
    config.from_object(Settings)
    check(config)
    config = Config(".")
    config.from_object(Settings())
    check(config)


def test_from_object_picks_config_classes_by_name() -> None:
    """``create_app('uat')`` selects a config class by name."""

    class BaseConfig:
        DEBUG = False
        DATABASE = "sqlite://"

    class UatConfig(BaseConfig):
        DATABASE = "postgresql://uat"

    configs = {"default": BaseConfig, "uat": UatConfig}

    def create_app(name: str = "default") -> Kolba:
        app = Kolba("kolba_test_config_factory")
        app.config.from_object(configs[name])
        return app

    assert create_app("uat").config["DATABASE"] == "postgresql://uat"
    assert create_app("uat").config["DEBUG"] is False
    assert create_app().config["DATABASE"] == "sqlite://"


def test_from_object_bad_import_string() -> None:
    with pytest.raises(ImportError):
        Config(".").from_object("kolba_no_such_module_xyz.Settings")


def test_from_pyfile(files: Path) -> None:
    config = Config(files)
    assert config.from_pyfile("settings.py") is True
    check(config)
    assert "_PRIVATE" in config  # uppercase after the underscore: kept, as in Flask
    assert "os" not in config


def test_from_pyfile_absolute_path(files: Path) -> None:
    config = Config("/nonexistent-root")
    assert config.from_pyfile(str(files / "settings.py"))
    check(config)


def test_from_pyfile_honours_coding_declaration(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(
        "# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1")
    )
    config = Config(tmp_path)
    config.from_pyfile("latin.py")
    assert config["NAME"] == "café"


def test_from_pyfile_sets_file(tmp_path: Path) -> None:
    (tmp_path / "where.py").write_text("import os\nHERE = os.path.dirname(__file__)\n")
    config = Config(tmp_path)
    config.from_pyfile("where.py")
    assert config["HERE"] == str(tmp_path)


def test_missing_file_error_wording(tmp_path: Path) -> None:
    config = Config(tmp_path)
    missing = str(tmp_path / "missing.cfg")
    with pytest.raises(OSError) as info:
        config.from_pyfile("missing.cfg")
    assert str(info.value) == (
        f"[Errno 2] Unable to load configuration file (No such file or directory): {missing!r}"
    )
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(OSError) as info2:
        config.from_file("missing.json", load=json.load)
    assert str(info2.value).startswith(
        "[Errno 2] Unable to load configuration file (No such file or directory): "
    )


def test_missing_file_wording_matches_flask(tmp_path: Path) -> None:
    flask = pytest.importorskip("flask")
    messages = []
    for config_class in (flask.Config, Config):
        with pytest.raises(OSError) as info:
            config_class(tmp_path).from_pyfile("missing.cfg")
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_silent_returns_false(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config(tmp_path)
    assert config.from_pyfile("missing.py", silent=True) is False
    assert config.from_file("missing.json", load=json.load, silent=True) is False
    monkeypatch.delenv("KOLBA_TEST_SETTINGS", raising=False)
    assert config.from_envvar("KOLBA_TEST_SETTINGS", silent=True) is False
    (tmp_path / "a_dir").mkdir()
    assert config.from_pyfile("a_dir", silent=True) is False
    assert dict(config) == {}


def test_syntax_errors_are_not_silenced(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("THIS IS NOT PYTHON\n")
    with pytest.raises(SyntaxError):
        Config(tmp_path).from_pyfile("broken.py", silent=True)


def test_from_envvar(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLBA_TEST_SETTINGS", str(files / "settings.py"))
    config = Config(".")
    assert config.from_envvar("KOLBA_TEST_SETTINGS") is True
    check(config)


def test_from_envvar_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLBA_TEST_SETTINGS", raising=False)
    with pytest.raises(RuntimeError, match="'KOLBA_TEST_SETTINGS' is not set"):
        Config(".").from_envvar("KOLBA_TEST_SETTINGS")


def test_from_envvar_pointing_to_missing_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOLBA_TEST_SETTINGS", "/nonexistent/settings.py")
    with pytest.raises(OSError, match="Unable to load configuration file"):
        Config(".").from_envvar("KOLBA_TEST_SETTINGS")
    assert Config(".").from_envvar("KOLBA_TEST_SETTINGS", silent=True) is False


def test_from_file_json(files: Path) -> None:
    config = Config(files)
    assert config.from_file("settings.json", load=json.load) is True
    check(config)


def test_from_file_toml(files: Path) -> None:
    config = Config(files)
    assert config.from_file("settings.toml", load=tomllib.load, text=False) is True
    check(config)
    assert config["DATABASE"] == {"host": "db"}


def test_from_mapping() -> None:
    config = Config(".")
    assert config.from_mapping({"TEST_KEY": "foo", "lowercase": 1}, SECRET_KEY="config") is True
    check(config)
    config = Config(".")
    config.from_mapping([("TEST_KEY", "foo"), ("SECRET_KEY", "config")])  # type: ignore[arg-type]
    check(config)
    config = Config(".")
    config.from_mapping(TEST_KEY="foo", SECRET_KEY="config", lowercase=1)
    check(config)
    with pytest.raises(TypeError):
        config.from_mapping({}, {})  # type: ignore[call-arg]


def test_from_prefixed_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("KOLBA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KOLBA_STRING", "value")
    monkeypatch.setenv("KOLBA_BOOL", "true")
    monkeypatch.setenv("KOLBA_INT", "1")
    monkeypatch.setenv("KOLBA_FLOAT", "1.2")
    monkeypatch.setenv("KOLBA_LIST", "[1, 2]")
    monkeypatch.setenv("KOLBA_DICT", '{"k": "v"}')
    monkeypatch.setenv("KOLBA_NOT_JSON", "{not json")
    monkeypatch.setenv("NOT_KOLBA_OTHER", "ignored")
    config = Config(".")
    assert config.from_prefixed_env() is True
    assert config == {
        "STRING": "value",
        "BOOL": True,
        "INT": 1,
        "FLOAT": 1.2,
        "LIST": [1, 2],
        "DICT": {"k": "v"},
        "NOT_JSON": "{not json",
    }


def test_from_prefixed_env_custom_prefix_and_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYAPP_ANSWER", "42")
    monkeypatch.setenv("MYAPP_NAME", "x")
    config = Config(".")
    config.from_prefixed_env("MYAPP", loads=lambda v: f"<{v}>")
    assert config["ANSWER"] == "<42>"
    assert config["NAME"] == "<x>"


def test_from_prefixed_env_nested(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("KOLBA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KOLBA_EXIST__ok", "other")
    monkeypatch.setenv("KOLBA_EXIST__inner__ik", "2")
    monkeypatch.setenv("KOLBA_EXIST__new__more", '{"k": false}')
    monkeypatch.setenv("KOLBA_NEW__K", "v")
    config = Config(".")
    config["EXIST"] = {"ok": "value", "flag": True, "inner": {"ik": 1}}
    config.from_prefixed_env()
    assert config["EXIST"] == {
        "ok": "other",
        "flag": True,
        "inner": {"ik": 2},
        "new": {"more": {"k": False}},
    }
    assert config["NEW"] == {"K": "v"}


def test_from_prefixed_env_matches_flask(monkeypatch: pytest.MonkeyPatch) -> None:
    flask = pytest.importorskip("flask")
    values = {"A": "1", "B__C": "[1]", "B__D__E": "x", "F": "null", "G": "true"}
    for key, value in values.items():
        monkeypatch.setenv(f"FLASK_{key}", value)
        monkeypatch.setenv(f"KOLBA_{key}", value)
    theirs = flask.Config(".")
    theirs.from_prefixed_env()
    ours = Config(".")
    ours.from_prefixed_env()
    ours_only = {k: v for k, v in ours.items() if f"KOLBA_{k}" in os.environ or k == "B"}
    theirs_only = {k: v for k, v in theirs.items() if f"FLASK_{k}" in os.environ or k == "B"}
    assert ours_only == theirs_only


def test_get_namespace() -> None:
    config = Config(".")
    config.update(
        {
            "IMAGE_STORE_TYPE": "fs",
            "IMAGE_STORE_PATH": "/var/app/images",
            "IMAGE_STORE_BASE_URL": "http://img.website.com",
            "OTHER": 1,
        }
    )
    assert config.get_namespace("IMAGE_STORE_") == {
        "type": "fs",
        "path": "/var/app/images",
        "base_url": "http://img.website.com",
    }
    assert config.get_namespace("IMAGE_STORE_", lowercase=False) == {
        "TYPE": "fs",
        "PATH": "/var/app/images",
        "BASE_URL": "http://img.website.com",
    }
    assert config.get_namespace("IMAGE_STORE_", trim_namespace=False) == {
        "image_store_type": "fs",
        "image_store_path": "/var/app/images",
        "image_store_base_url": "http://img.website.com",
    }
    assert config.get_namespace("NOPE_") == {}


def test_config_is_a_dict_with_repr() -> None:
    config = Config("/root", {"A": 1})
    assert isinstance(config, dict)
    assert config.root_path == "/root"
    assert repr(config) == "<Config {'A': 1}>"
    assert Config(Path("/root")).root_path == "/root"


# -- relative paths ---------------------------------------------------------------------------


def test_config_files_relative_to_root_path(files: Path) -> None:
    app = Kolba("kolba_test_config_root", root_path=str(files))
    app.config.from_pyfile("settings.py")
    check(app.config)


def test_instance_relative_config_factory_pattern(tmp_path: Path) -> None:
    """The flaskr pattern: instance-relative config, an optional config.py, makedirs."""
    instance = tmp_path / "instance"

    def create_app(test_config: dict[str, Any] | None = None) -> Kolba:
        app = Kolba(
            "kolba_test_config_flaskr",
            instance_relative_config=True,
            instance_path=str(instance),
            root_path=str(tmp_path),
        )
        app.config.from_mapping(SECRET_KEY="dev", DATABASE=os.path.join(app.instance_path, "db"))
        if test_config is None:
            app.config.from_pyfile("config.py", silent=True)
        else:
            app.config.from_mapping(test_config)
        os.makedirs(app.instance_path, exist_ok=True)
        return app

    app = create_app()
    assert app.config["SECRET_KEY"] == "dev"
    assert instance.is_dir()
    (instance / "config.py").write_text("SECRET_KEY = 'from instance'\n")
    assert create_app().config["SECRET_KEY"] == "from instance"
    assert create_app({"SECRET_KEY": "test"}).config["SECRET_KEY"] == "test"


# -- attribute shortcuts ---------------------------------------------------------------------


def test_attribute_shortcuts() -> None:
    app = Kolba("kolba_test_config_attrs")
    app.debug = True
    app.testing = True
    app.secret_key = "s3cret"
    assert app.config["DEBUG"] is True
    assert app.config["TESTING"] is True
    assert app.config["SECRET_KEY"] == "s3cret"
    app.config.update(DEBUG=False, TESTING=False, SECRET_KEY=b"bytes")
    assert (app.debug, app.testing, app.secret_key) == (False, False, b"bytes")


def test_permanent_session_lifetime_int_means_seconds() -> None:
    app = Kolba("kolba_test_config_lifetime")
    assert app.permanent_session_lifetime == timedelta(days=31)
    app.permanent_session_lifetime = 3600  # type: ignore[assignment]
    assert app.permanent_session_lifetime == timedelta(hours=1)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == 3600
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=5)
    assert app.permanent_session_lifetime == timedelta(minutes=5)


def test_config_attribute_descriptor() -> None:
    class Holder:
        answer = ConfigAttribute[int]("ANSWER", get_converter=int)

        def __init__(self) -> None:
            self.config = {"ANSWER": "42"}

    holder = Holder()
    assert holder.answer == 42
    holder.answer = 7
    assert holder.config["ANSWER"] == 7
    assert isinstance(Holder.answer, ConfigAttribute)


# -- defaults ---------------------------------------------------------------------------------

DEFAULTS: dict[str, Any] = {
    "DEBUG": False,  # None in the table; set from KOLBA_DEBUG when the app is created
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "USE_X_SENDFILE": False,
    "TRUSTED_HOSTS": None,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_SAMESITE": None,
    "SESSION_REFRESH_EACH_REQUEST": True,
    "MAX_CONTENT_LENGTH": None,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1000,
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    "TRAP_BAD_REQUEST_ERRORS": None,
    "TRAP_HTTP_EXCEPTIONS": False,
    "EXPLAIN_TEMPLATE_LOADING": False,
    "PREFERRED_URL_SCHEME": "http",
    "TEMPLATES_AUTO_RELOAD": None,
    "MAX_COOKIE_SIZE": 4093,
    "PROVIDE_AUTOMATIC_OPTIONS": True,
}


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLBA_DEBUG", raising=False)
    app = Kolba("kolba_test_config_defaults")
    assert dict(app.config) == DEFAULTS
    assert Kolba.default_config["DEBUG"] is None


def test_defaults_match_flask(monkeypatch: pytest.MonkeyPatch) -> None:
    flask = pytest.importorskip("flask")
    monkeypatch.delenv("KOLBA_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert dict(Kolba("a").config) == dict(flask.Flask("a").config)
    assert dict(Kolba.default_config) == dict(flask.Flask.default_config)


def test_default_config_is_not_shared() -> None:
    first = Kolba("kolba_test_config_first")
    first.config["SECRET_KEY"] = "first"
    assert Kolba("kolba_test_config_second").config["SECRET_KEY"] is None
    with pytest.raises(TypeError):
        Kolba.default_config["SECRET_KEY"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("True", True),
        ("yes", True),
        ("on", True),
        ("", False),
        ("0", False),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("No", False),
    ],
)
def test_kolba_debug_env(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("KOLBA_DEBUG", value)
    app = Kolba("kolba_test_config_env_debug")
    assert app.debug is expected
    assert app.config["DEBUG"] is expected


def test_kolba_debug_is_read_when_the_app_is_created(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLBA_DEBUG", raising=False)
    app = Kolba("kolba_test_config_env_debug_late")
    monkeypatch.setenv("KOLBA_DEBUG", "1")
    assert app.debug is False
    assert Kolba("kolba_test_config_env_debug_later").debug is True
