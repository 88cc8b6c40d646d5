"""secure_filename, import_string, find_modules and get_content_type (kolba.utils)."""

from __future__ import annotations

import collections
import os
import os.path
import sys
import textwrap
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import werkzeug.utils
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kolba.utils import (
    ImportStringError,
    find_modules,
    get_content_type,
    import_string,
    secure_filename,
)

# -- secure_filename --------------------------------------------------------------------


def secure_filename_as(os_name: str, filename: str) -> str:
    """secure_filename with ``os.name`` patched for the call only (pytest's failure
    report cannot run while the platform is faked)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "name", os_name)
        return secure_filename(filename)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("My cool movie.mov", "My_cool_movie.mov"),
        ("../../etc/pa ss wd.txt", "etc_pa_ss_wd.txt"),
        ("i contain cool \xfcml\xe4uts.txt", "i_contain_cool_umlauts.txt"),
        ("r\u00e9sum\u00e9.pdf", "resume.pdf"),
        ("../../../etc/passwd", "etc_passwd"),
        ("C:\\x\\..\\boot.ini", "C_x_.._boot.ini"),
        ("\\\\server\\share\\f.txt", "server_share_f.txt"),
        ("a\tb\n c", "a_b_c"),
        (".htaccess", "htaccess"),
        ("__init__.py", "init__.py"),
        ("file.tar.gz", "file.tar.gz"),
        ("a;b&c|d$(e).txt", "abcde.txt"),
        ("\ufb01le.txt", "file.txt"),  # the "fi" ligature folds to two letters
        ("\u65e5\u672c\u8a9e.txt", "txt"),
        ("x" * 300 + ".txt", "x" * 300 + ".txt"),
    ],
)
def test_secure_filename_examples(filename: str, expected: str) -> None:
    assert secure_filename(filename) == expected


@pytest.mark.parametrize(
    "filename", ["", "..", "../..", "/", "\\", "...", "___", "\U0001f642", " "]
)
def test_secure_filename_all_unsafe_gives_empty(filename: str) -> None:
    assert secure_filename(filename) == ""


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("NUL.tar.gz", "_NUL.tar.gz"),
        ("lpt1", "_lpt1"),
        ("LPT\u00b9.txt", "_LPT1.txt"),
        ("COM0.log", "_COM0.log"),
        ("aux", "_aux"),
        ("CONIN$", "CONIN"),  # '$' is dropped, and CONIN alone is no device
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("COM10", "COM10"),
        ("CON . txt", "CON_._txt"),
        ("my cool.txt", "my_cool.txt"),
    ],
)
def test_secure_filename_prefixes_device_names_on_windows(filename: str, expected: str) -> None:
    assert secure_filename_as("nt", filename) == expected


def test_secure_filename_leaves_device_names_alone_on_posix() -> None:
    assert secure_filename_as("posix", "CON.txt") == "CON.txt"


@settings(max_examples=200, deadline=None)
@given(filename=st.text(max_size=40))
def test_secure_filename_result_is_a_plain_name(filename: str) -> None:
    result = secure_filename(filename)
    assert "/" not in result
    assert "\\" not in result
    assert not result.startswith((".", "_"))
    assert not result.endswith((".", "_"))
    assert all(c.isascii() and (c.isalnum() or c in "_.-") for c in result)
    assert secure_filename(result) == result


@settings(max_examples=200, deadline=None)
@given(filename=st.text(max_size=40))
def test_secure_filename_matches_werkzeug_without_backslashes(filename: str) -> None:
    # The one deliberate difference: a backslash separates words here on every platform,
    # where Werkzeug on POSIX drops it.
    assume("\\" not in unicodedata.normalize("NFKD", filename))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "name", "posix")
        ours = secure_filename(filename)
        theirs = werkzeug.utils.secure_filename(filename)
    assert ours == theirs


# -- import_string ----------------------------------------------------------------------


def test_import_string_module() -> None:
    assert import_string("os.path") is os.path
    assert import_string("collections") is collections


@pytest.mark.parametrize("name", ["os.path.join", "os.path:join", " os.path:join "])
def test_import_string_attribute(name: str) -> None:
    assert import_string(name) is os.path.join


def test_import_string_walks_nested_attributes() -> None:
    assert import_string("collections:OrderedDict.fromkeys") == collections.OrderedDict.fromkeys
    assert import_string("collections.OrderedDict.fromkeys") == collections.OrderedDict.fromkeys


def test_import_string_colon_with_nothing_after_gives_module() -> None:
    assert import_string("os.path:") is os.path


@pytest.mark.parametrize(
    ("name", "tried"),
    [
        ("kolba_no_such_module_xyz", ["module 'kolba_no_such_module_xyz': not found"]),
        ("os.nope", ["module 'os.nope': not found", "module 'os': imported"]),
        ("os.path:nope", ["module 'os.path': imported", "attribute 'nope'"]),
        ("os.path.join.nope", ["module 'os.path': imported", "attribute 'nope'"]),
        ("kolba_no_such_module_xyz:x", ["module 'kolba_no_such_module_xyz': not found"]),
    ],
)
def test_import_string_failure_lists_what_was_tried(name: str, tried: list[str]) -> None:
    with pytest.raises(ImportStringError) as info:
        import_string(name)
    error = info.value
    assert isinstance(error, ImportError)
    assert error.import_name == name
    assert isinstance(error.exception, ImportError)
    message = str(error)
    assert repr(name) in message
    for step in tried:
        assert step in message
    assert "sys.path" in message


@pytest.mark.parametrize("name", ["", "   ", ".relative", "..x"])
def test_import_string_refuses_empty_and_relative_names(name: str) -> None:
    with pytest.raises(ImportStringError):
        import_string(name)
    assert import_string(name, silent=True) is None


@pytest.mark.parametrize(
    "name", ["kolba_no_such_module_xyz", "os.nope", "os.path:nope", "kolba_no_such:x.y"]
)
def test_import_string_silent_returns_none(name: str) -> None:
    assert import_string(name, silent=True) is None


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throwaway package on sys.path, removed from sys.modules afterwards."""
    name = "kolba_utils_testpkg"
    files = {
        "__init__.py": "VALUE = 1\n",
        "a.py": "class Thing:\n    attr = 'a'\n",
        "b.py": "",
        "broken_dep.py": "import kolba_surely_missing_dependency_xyz\n",
        "raises_import_error.py": "raise ImportError('custom failure inside the module')\n",
        "bad_syntax.py": "def (\n",
        "sub/__init__.py": "",
        "sub/c.py": "",
        "sub/deep/__init__.py": "",
        "sub/deep/d.py": "",
    }
    for relative, source in files.items():
        path = tmp_path / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]


def test_import_string_from_a_package(package: str) -> None:
    assert import_string(f"{package}.a.Thing.attr") == "a"
    assert import_string(f"{package}.a:Thing").attr == "a"
    assert import_string(package).VALUE == 1
    assert import_string(f"{package}.sub.deep.d").__name__ == f"{package}.sub.deep.d"


def test_import_string_reports_a_missing_dependency_not_a_missing_attribute(
    package: str,
) -> None:
    with pytest.raises(ImportStringError) as info:
        import_string(f"{package}.broken_dep")
    assert isinstance(info.value.exception, ModuleNotFoundError)
    assert f"module '{package}.broken_dep': found, but importing it failed" in str(info.value)
    assert "kolba_surely_missing_dependency_xyz" in str(info.value)
    assert import_string(f"{package}.broken_dep", silent=True) is None
    # The same holds when the name goes on to an attribute of the broken module.
    with pytest.raises(ImportStringError, match="found, but importing it failed"):
        import_string(f"{package}.broken_dep.thing")
    with pytest.raises(ImportStringError, match="found, but importing it failed"):
        import_string(f"{package}.broken_dep:thing")


def test_import_string_wraps_import_error_raised_by_the_module(package: str) -> None:
    with pytest.raises(ImportStringError, match="custom failure inside the module"):
        import_string(f"{package}.raises_import_error")


def test_import_string_lets_other_errors_propagate(package: str) -> None:
    with pytest.raises(SyntaxError):
        import_string(f"{package}.bad_syntax")
    with pytest.raises(SyntaxError):
        import_string(f"{package}.bad_syntax", silent=True)


# -- find_modules -----------------------------------------------------------------------

_MODULES = {"a", "b", "broken_dep", "raises_import_error", "bad_syntax"}


@pytest.mark.parametrize(
    ("include_packages", "recursive", "expected"),
    [
        (False, False, _MODULES),
        (True, False, _MODULES | {"sub"}),
        (False, True, _MODULES | {"sub.c", "sub.deep.d"}),
        (True, True, _MODULES | {"sub", "sub.c", "sub.deep", "sub.deep.d"}),
    ],
)
def test_find_modules(
    package: str, include_packages: bool, recursive: bool, expected: set[str]
) -> None:
    found = list(find_modules(package, include_packages=include_packages, recursive=recursive))
    assert len(found) == len(set(found))
    assert set(found) == {f"{package}.{name}" for name in expected}


def test_find_modules_does_not_import_plain_modules(package: str) -> None:
    list(find_modules(package, recursive=True))
    assert f"{package}.broken_dep" not in sys.modules
    assert f"{package}.a" not in sys.modules


def test_find_modules_refuses_a_plain_module(package: str) -> None:
    with pytest.raises(ValueError, match="not a package"):
        list(find_modules(f"{package}.a"))


def test_find_modules_unknown_package() -> None:
    with pytest.raises(ImportStringError):
        list(find_modules("kolba_no_such_package_xyz"))


# -- get_content_type -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mimetype", "expected"),
    [
        ("text/html", "text/html; charset=utf-8"),
        ("text/plain", "text/plain; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("application/xml", "application/xml; charset=utf-8"),
        ("application/xml-dtd", "application/xml-dtd; charset=utf-8"),
        ("application/javascript", "application/javascript; charset=utf-8"),
        ("application/ecmascript", "application/ecmascript; charset=utf-8"),
        ("application/sql", "application/sql; charset=utf-8"),
        ("image/svg+xml", "image/svg+xml; charset=utf-8"),
        ("application/atom+xml", "application/atom+xml; charset=utf-8"),
        ("Text/HTML", "Text/HTML; charset=utf-8"),
        ("application/json", "application/json"),
        ("application/octet-stream", "application/octet-stream"),
        ("image/png", "image/png"),
        ("multipart/form-data", "multipart/form-data"),
        ("text/html; charset=latin-1", "text/html; charset=latin-1"),
        ("text/plain; format=flowed", "text/plain; format=flowed; charset=utf-8"),
    ],
)
def test_get_content_type(mimetype: str, expected: str) -> None:
    assert get_content_type(mimetype, "utf-8") == expected


def test_get_content_type_uses_given_charset() -> None:
    assert get_content_type("text/html", "latin-1") == "text/html; charset=latin-1"
