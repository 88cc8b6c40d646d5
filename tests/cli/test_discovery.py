"""Finding the app: --app strings, module search, factories, default files, and the messages
given when it cannot be found.
"""

from __future__ import annotations

import os
import pathlib
import sys
from collections.abc import Callable

import pytest
from click.testing import CliRunner

from kolba import Kolba
from kolba.cli import (
    NoAppException,
    ScriptInfo,
    cli,
    find_app_by_string,
    find_best_app,
    locate_app,
    prepare_import,
)
from kolba.cli.discovery import AppTarget, parse_target, split_import_path

Write = Callable[[str, str], pathlib.Path]

FACTORIES = """
    from kolba import Kolba

    def create_app():
        return Kolba("made_by_create_app")

    def create_app2(env, debug=False):
        return Kolba(f"app2_{env}_{debug}")

    def create_app3(*, name, config=None):
        return Kolba(f"app3_{name}_{sorted(config or {})}")

    def no_app():
        return None

    def broken_inside():
        return int.from_bytes(1, 2, 3, 4)  # a TypeError raised inside the factory

    answer = 42
"""


@pytest.fixture
def factories(write: Write) -> str:
    write("factories.py", FACTORIES)
    return "factories"


# --- splitting and parsing --app --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hello", ("hello", None)),
        ("hello:app", ("hello", "app")),
        ("  hello:app , ", ("hello", "app")),
        ("hello:", ("hello", None)),
        ("pkg.mod:create_app('uat', key=1)", ("pkg.mod", "create_app('uat', key=1)")),
        ("hello:create_app('a:b')", ("hello", "create_app('a:b')")),
        ("src/hello.py:app", ("src/hello.py", "app")),
        ("/abs/hello.py", ("/abs/hello.py", None)),
        ("C:\\proj\\hello.py:make", ("C:\\proj\\hello.py", "make")),
        ("C:/proj/hello.py", ("C:/proj/hello.py", None)),
    ],
)
def test_split_import_path(value: str, expected: tuple[str, str | None]) -> None:
    assert split_import_path(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("app", AppTarget("app")),
        (" app ", AppTarget("app")),
        ("create_app()", AppTarget("create_app", called=True)),
        (" create_app () ", AppTarget("create_app", called=True)),
        ("create_app('uat')", AppTarget("create_app", ("uat",), called=True)),
        ('create_app("uat", )', AppTarget("create_app", ("uat",), called=True)),
        ("create_app('uat'),", AppTarget("create_app", ("uat",), called=True)),
        (
            "make(1, [2, 3], key={'a': None}, flag=True)",
            AppTarget("make", (1, [2, 3]), {"key": {"a": None}, "flag": True}, called=True),
        ),
    ],
)
def test_parse_target(text: str, expected: AppTarget) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("create_app(", "not valid Python"),
        ("1 + 2", "Could not read the app name"),
        ("pkg.create_app()", "plain name"),
        ("create_app(config)", "literals"),
        ("create_app(os.environ['X'])", "literals"),
        ("create_app(*args)", "literals"),
        ("create_app(**{'a': 1})", "literals"),
        ("create_app(1 if x else 2)", "literals"),
        ("a\x00b", "not valid Python"),
    ],
)
def test_parse_target_rejects_what_is_not_a_name_or_literal_call(text: str, words: str) -> None:
    with pytest.raises(NoAppException) as info:
        parse_target(text)
    assert words in info.value.format_message()


def test_a_deeply_nested_target_is_an_error_not_a_crash() -> None:
    with pytest.raises(NoAppException):
        parse_target("f(" + "[" * 5000 + "]" * 5000 + ")")


# --- prepare_import ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "folder", "module"),
    [
        ("test", "", "test"),
        ("test.py", "", "test"),
        ("a/test", "a", "test"),
        ("a/test.py", "a", "test"),
        ("test/__init__.py", "", "test"),
        ("test/__init__", "", "test"),
        ("pkg/inner", "", "pkg.inner"),
        ("pkg/inner/__init__.py", "", "pkg.inner"),
        ("pkg/inner/deep.py", "", "pkg.inner.deep"),
        ("test.a.b", "", "test.a.b"),
        ("pkg/message.txt", "", "pkg.message.txt"),
    ],
)
def test_prepare_import(
    write: Write, tmp_path: pathlib.Path, value: str, folder: str, module: str
) -> None:
    write("pkg/__init__.py", "")
    write("pkg/inner/__init__.py", "")
    assert prepare_import(value) == module
    assert sys.path[0] == str((tmp_path / folder).resolve())


def test_prepare_import_does_not_repeat_the_folder_on_sys_path(tmp_path: pathlib.Path) -> None:
    before = len(sys.path)
    prepare_import("one")
    prepare_import("two.py")
    assert sys.path[0] == str(tmp_path.resolve())
    assert len(sys.path) == before + 1


# --- locate_app: what works --------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "app_name", "expected"),
    [
        ("from kolba import Kolba\napp = Kolba('by_app')\n", None, "by_app"),
        (
            "from kolba import Kolba\napplication = Kolba('by_application')\n",
            None,
            "by_application",
        ),
        ("from kolba import Kolba\nmy_site = Kolba('single')\n", None, "single"),
        (
            "from kolba import Kolba\napp = Kolba('first')\nother = Kolba('other')\n",
            None,
            "first",
        ),
        ("from kolba import Kolba\ndef make_app():\n    return Kolba('made')\n", None, "made"),
        ("from kolba import Kolba\nsite = Kolba('named')\n", "site", "named"),
        ("from kolba import Kolba\nsite = Kolba('named')\n", " site ", "named"),
    ],
)
def test_locate_app_finds(write: Write, source: str, app_name: str | None, expected: str) -> None:
    write("mod.py", source)
    prepare_import("mod.py")
    assert locate_app("mod", app_name).name == expected


@pytest.mark.parametrize(
    ("app_name", "expected"),
    [
        (None, "made_by_create_app"),
        ("create_app", "made_by_create_app"),
        ("create_app()", "made_by_create_app"),
        (" create_app () ", "made_by_create_app"),
        ("create_app2('uat')", "app2_uat_False"),
        ('create_app2("prod", True)', "app2_prod_True"),
        ('create_app2("foo", debug=1, )', "app2_foo_1"),
        ("create_app3(name='x', config={'b': 1, 'a': 2})", "app3_x_['a', 'b']"),
    ],
)
def test_factories(factories: str, app_name: str | None, expected: str) -> None:
    prepare_import(factories)
    assert locate_app(factories, app_name).name == expected


def test_a_dotted_package_path(write: Write) -> None:
    write("proj/__init__.py", "")
    write("proj/web/__init__.py", "from kolba import Kolba\napp = Kolba('in_package')\n")
    info = ScriptInfo(app_import_path="proj.web")
    assert info.load_app().name == "in_package"


def test_a_file_path_inside_packages(write: Write, tmp_path: pathlib.Path) -> None:
    write("src/proj/__init__.py", "")
    write("src/proj/site.py", "from kolba import Kolba\nsite = Kolba('from_file')\n")
    info = ScriptInfo(app_import_path="src/proj/site.py:site")
    assert info.load_app().name == "from_file"
    assert "proj.site" in sys.modules
    assert sys.path[0] == str((tmp_path / "src").resolve())


def test_a_file_path_with_a_factory_call(write: Write) -> None:
    write("apps/factories.py", FACTORIES)
    info = ScriptInfo(app_import_path="apps/factories.py:create_app2('x')")
    assert info.load_app().name == "app2_x_False"


# --- locate_app: what fails, and what the message says -------------------------------------


def _message(excinfo: pytest.ExceptionInfo[NoAppException]) -> str:
    return excinfo.value.format_message()


def test_several_apps_need_a_name(write: Write) -> None:
    write("two.py", "from kolba import Kolba\nblue = Kolba('blue')\ngreen = Kolba('green')\n")
    prepare_import("two")
    with pytest.raises(NoAppException) as info:
        locate_app("two", None)
    assert "blue, green" in _message(info)
    assert "--app 'two:blue'" in _message(info)


def test_a_factory_that_needs_arguments(write: Write) -> None:
    write("needs.py", "def create_app(config_name):\n    raise AssertionError('not called')\n")
    prepare_import("needs")
    with pytest.raises(NoAppException) as info:
        locate_app("needs", None)
    message = _message(info)
    assert "create_app(config_name)" in message
    assert "config_name" in message
    assert "--app 'needs:create_app(" in message


def test_a_factory_called_with_the_wrong_arguments(factories: str) -> None:
    prepare_import(factories)
    with pytest.raises(NoAppException) as info:
        locate_app(factories, "create_app2()")
    assert "create_app2(env, debug=False)" in _message(info)
    with pytest.raises(NoAppException):
        locate_app(factories, "create_app('extra')")
    with pytest.raises(NoAppException):
        locate_app(factories, "create_app3('positional')")


def test_a_factory_returning_none(factories: str, write: Write) -> None:
    prepare_import(factories)
    with pytest.raises(NoAppException) as info:
        locate_app(factories, "no_app")
    assert "gave None, not a kolba app" in _message(info)
    write("forgetful.py", "def create_app():\n    app = object()\n")
    prepare_import("forgetful")
    with pytest.raises(NoAppException) as info:
        locate_app("forgetful", None)
    assert "returned None instead of a kolba app" in _message(info)
    assert "return app" in _message(info)


def test_a_type_error_inside_a_factory_propagates(factories: str, write: Write) -> None:
    prepare_import(factories)
    with pytest.raises(TypeError):
        locate_app(factories, "broken_inside")
    with pytest.raises(TypeError):
        locate_app(factories, "broken_inside()")
    write("bad_factory.py", "def create_app():\n    raise TypeError('bad bad factory')\n")
    prepare_import("bad_factory")
    with pytest.raises(TypeError, match="bad bad factory"):
        locate_app("bad_factory", None)


def test_a_missing_attribute(factories: str) -> None:
    prepare_import(factories)
    with pytest.raises(NoAppException) as info:
        locate_app(factories, "nothing_here")
    assert "has no attribute 'nothing_here'" in _message(info)


def test_an_attribute_that_is_not_an_app(factories: str) -> None:
    prepare_import(factories)
    with pytest.raises(NoAppException) as info:
        locate_app(factories, "answer")
    assert "int 42" in _message(info)
    with pytest.raises(NoAppException) as info:
        locate_app(factories, "answer()")
    assert "not a function" in _message(info)


def test_a_module_without_an_app(write: Write) -> None:
    write("plain.py", "x = 1\n")
    prepare_import("plain")
    with pytest.raises(NoAppException) as info:
        locate_app("plain", None)
    message = _message(info)
    for tried in ("'app'", "'application'", "single Kolba instance", "'create_app'", "'make_app'"):
        assert tried in message


def test_a_missing_module() -> None:
    prepare_import("not_there_at_all")
    with pytest.raises(NoAppException) as info:
        locate_app("not_there_at_all", None)
    assert "Could not import the module 'not_there_at_all'" in _message(info)
    assert locate_app("not_there_at_all", None, raise_if_not_found=False) is None


def test_a_missing_submodule_of_an_existing_package(write: Write) -> None:
    write("pkg/__init__.py", "")
    write("pkg/message.txt", "not python")
    prepare_import("pkg/message.txt")
    assert locate_app("pkg.message.txt", None, raise_if_not_found=False) is None


def test_an_import_error_inside_the_module_is_reported_with_its_traceback(write: Write) -> None:
    write("needs_dep.py", "import math\nimport a_dependency_that_is_missing\n")
    prepare_import("needs_dep")
    for raise_if_not_found in (True, False):
        with pytest.raises(NoAppException) as info:
            locate_app("needs_dep", None, raise_if_not_found)
        message = _message(info)
        assert "Traceback (most recent call last)" in message
        assert 'needs_dep.py", line 2' in message
        assert "No module named 'a_dependency_that_is_missing'" in message


def test_a_plain_import_error_inside_the_module(write: Write) -> None:
    write("bad_name.py", "from os import no_such_name\n")
    prepare_import("bad_name")
    with pytest.raises(NoAppException) as info:
        locate_app("bad_name", None, raise_if_not_found=False)
    assert "cannot import name 'no_such_name'" in _message(info)


def test_find_best_app_and_find_app_by_string_take_module_objects() -> None:
    class Module:
        __name__ = "fake_module"
        app = Kolba("in_object")

    assert find_best_app(Module) is Module.app  # type: ignore[arg-type]
    assert find_app_by_string(Module, "app") is Module.app  # type: ignore[arg-type]


# --- ScriptInfo ----------------------------------------------------------------------------


def test_default_files_prefer_wsgi_py(write: Write) -> None:
    write("wsgi.py", "from kolba import Kolba\napp = Kolba('from_wsgi')\n")
    write("app.py", "from kolba import Kolba\napp = Kolba('from_app')\n")
    assert ScriptInfo().load_app().name == "from_wsgi"


def test_default_files_fall_back_to_app_py(write: Write) -> None:
    write("app.py", "from kolba import Kolba\napplication = Kolba('from_app')\n")
    assert ScriptInfo().load_app().name == "from_app"


def test_default_files_include_an_app_package(write: Write) -> None:
    write(
        "app/__init__.py", "from kolba import Kolba\n\ndef create_app():\n    return Kolba('pkg')\n"
    )
    assert ScriptInfo().load_app().name == "pkg"


def test_without_any_app_the_message_says_what_was_tried(tmp_path: pathlib.Path) -> None:
    with pytest.raises(NoAppException) as info:
        ScriptInfo().load_app()
    message = _message(info)
    for words in ("wsgi.py", "app.py", "KOLBA_APP", "--app", str(tmp_path)):
        assert words in message


def test_load_app_is_cached(write: Write) -> None:
    write(
        "counted.py",
        "from kolba import Kolba\ncalls = []\n\ndef create_app():\n    calls.append(1)\n    return Kolba('counted')\n",
    )
    info = ScriptInfo(app_import_path="counted")
    first = info.load_app()
    assert info.load_app() is first
    assert sys.modules["counted"].calls == [1]


def test_create_app_callable() -> None:
    app = Kolba("given")
    info = ScriptInfo(create_app=lambda: app)
    assert info.load_app() is app


def test_create_app_returning_none() -> None:
    with pytest.raises(NoAppException) as info:
        ScriptInfo(create_app=lambda: None).load_app()  # type: ignore[arg-type,return-value]
    assert "returned None" in _message(info)


@pytest.mark.parametrize(
    ("value", "debug"), [("1", True), ("0", False), ("no", False), ("", False), ("yes", True)]
)
def test_debug_flag_from_the_environment(value: str, debug: bool) -> None:
    os.environ["KOLBA_DEBUG"] = value
    app = Kolba("dbg")
    app.debug = not debug
    assert ScriptInfo(create_app=lambda: app).load_app().debug is debug


def test_set_debug_flag_false_leaves_the_app_alone() -> None:
    os.environ["KOLBA_DEBUG"] = "1"
    app = Kolba("dbg")
    app.debug = False
    ScriptInfo(create_app=lambda: app, set_debug_flag=False).load_app()
    assert app.debug is False


def test_a_missing_file_path_is_named() -> None:
    with pytest.raises(NoAppException) as info:
        ScriptInfo(app_import_path="sub/missing.py:app").load_app()
    assert "The app file 'sub/missing.py'" in _message(info)
    assert "does not exist" in _message(info)


def test_an_import_path_without_a_module() -> None:
    with pytest.raises(NoAppException) as info:
        ScriptInfo(app_import_path=":app").load_app()
    assert "names no module" in _message(info)


# --- through the kolba command -------------------------------------------------------------


def test_wrong_app_name_is_a_message_not_a_traceback(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--app", "nowhere_to_be_found", "routes"])
    assert result.exit_code == 2
    assert "Could not import the module 'nowhere_to_be_found'" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_broken_app_reports_the_error_in_its_own_code(runner: CliRunner, write: Write) -> None:
    write("crashing.py", "import os\n\nraise RuntimeError('the config is wrong')\n")
    result = runner.invoke(cli, ["--app", "crashing", "routes"])
    assert result.exit_code == 2
    stderr = result.stderr
    assert "Loading the app from the app import path 'crashing'" in stderr
    assert "RuntimeError: the config is wrong" in stderr
    assert 'crashing.py", line 3' in stderr
    # Only the app's frames: kolba's loader and importlib are noise to the user.
    assert "discovery.py" not in stderr
    assert "importlib" not in stderr


def test_a_factory_type_error_is_reported_by_the_command(runner: CliRunner, factories: str) -> None:
    result = runner.invoke(cli, ["--app", f"{factories}:broken_inside", "routes"])
    assert result.exit_code == 2
    assert "TypeError" in result.stderr
    assert "factories.py" in result.stderr


def test_a_factory_call_through_the_command(runner: CliRunner, factories: str) -> None:
    result = runner.invoke(cli, ["--app", f"{factories}:create_app2('uat', debug=True)", "routes"])
    assert result.exit_code == 0, result.output
    assert "No routes were registered." not in result.output  # the static route is there
    assert "static" in result.output
