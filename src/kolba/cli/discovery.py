"""Finding the app to run: ``--app``/KOLBA_APP, then ``wsgi.py`` or ``app.py``."""

from __future__ import annotations

import ast
import inspect
import os
import re
import sys
import traceback
import typing as t
from types import ModuleType

import click

from ..helpers import get_debug_flag

if t.TYPE_CHECKING:
    from ..app import Kolba


class NoAppException(click.UsageError):
    """The app could not be found or created; the message says what was tried."""


def _is_app(value: object) -> bool:
    from ..app import Kolba

    return isinstance(value, Kolba)


def _called_with_wrong_args(f: t.Callable[..., t.Any]) -> bool:
    """Whether the TypeError being handled came from calling ``f`` (not from inside it)."""
    tb = sys.exc_info()[2]
    try:
        while tb is not None:
            if tb.tb_frame.f_code is f.__code__:
                return False
            tb = tb.tb_next
        return True
    finally:
        del tb


def find_best_app(module: ModuleType) -> Kolba:
    """The app in ``module``: ``app`` or ``application``, the only Kolba instance, or the
    result of ``create_app()``/``make_app()`` called without arguments.
    """
    for attr_name in ("app", "application"):
        app = getattr(module, attr_name, None)
        if _is_app(app):
            return t.cast("Kolba", app)
    matches = [v for v in module.__dict__.values() if _is_app(v)]
    if len(matches) == 1:
        return t.cast("Kolba", matches[0])
    if len(matches) > 1:
        raise NoAppException(
            f"Detected multiple kolba applications in module '{module.__name__}'. Use"
            f" '{module.__name__}:name' to specify the correct one."
        )
    for attr_name in ("create_app", "make_app"):
        app_factory = getattr(module, attr_name, None)
        if inspect.isfunction(app_factory):
            try:
                app = app_factory()
            except TypeError as e:
                if not _called_with_wrong_args(app_factory):
                    raise
                raise NoAppException(
                    f"Detected factory '{attr_name}' in module '{module.__name__}', but"
                    " could not call it without arguments. Use"
                    f" '{module.__name__}:{attr_name}(args)' to specify arguments."
                ) from e
            if _is_app(app):
                return t.cast("Kolba", app)
            raise NoAppException(
                f"The factory '{attr_name}' in module '{module.__name__}' returned"
                f" {app!r}, not a kolba application. Make it return the app."
            )
    raise NoAppException(
        f"Failed to find a kolba application or factory in module '{module.__name__}'."
        f" Use '{module.__name__}:name' to specify one."
    )


def find_app_by_string(module: ModuleType, app_name: str) -> Kolba:
    """The app named by ``app_name``: an attribute (``app``) or a factory call with literal
    arguments (``create_app('uat', debug=True)``).
    """
    try:
        expr = ast.parse(app_name.strip().rstrip(","), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            f"Failed to parse {app_name!r} as an attribute name or function call."
        ) from None
    args: list[t.Any]
    kwargs: dict[str, t.Any]
    if isinstance(expr, ast.Name):
        name = expr.id
        args, kwargs = [], {}
    elif isinstance(expr, ast.Call):
        if not isinstance(expr.func, ast.Name):
            raise NoAppException(f"Function reference must be a simple name: {app_name!r}.")
        name = expr.func.id
        try:
            args = [ast.literal_eval(arg) for arg in expr.args]
            kwargs = {
                kw.arg: ast.literal_eval(kw.value) for kw in expr.keywords if kw.arg is not None
            }
        except ValueError:
            raise NoAppException(
                f"Failed to parse arguments as literal values: {app_name!r}."
            ) from None
    else:
        raise NoAppException(
            f"Failed to parse {app_name!r} as an attribute name or function call."
        )
    try:
        attr = getattr(module, name)
    except AttributeError as e:
        raise NoAppException(f"Failed to find attribute {name!r} in {module.__name__!r}.") from e
    if inspect.isfunction(attr):
        try:
            app = attr(*args, **kwargs)
        except TypeError as e:
            if not _called_with_wrong_args(attr):
                raise
            raise NoAppException(
                f"The factory {app_name!r} in module {module.__name__!r} could not be called"
                " with the specified arguments."
            ) from e
    else:
        app = attr
    if _is_app(app):
        return t.cast("Kolba", app)
    raise NoAppException(
        f"A valid kolba application was not obtained from '{module.__name__}:{app_name}'"
        f" (got {app!r})."
    )


def prepare_import(path: str) -> str:
    """Turn a file or package path into a module name, putting its folder on sys.path."""
    path = os.path.realpath(path)
    fname, ext = os.path.splitext(path)
    if ext == ".py":
        path = fname
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    module_name = []
    while True:
        path, name = os.path.split(path)
        module_name.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(module_name[::-1])


@t.overload
def locate_app(module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True) -> Kolba: ...
@t.overload
def locate_app(module_name: str, app_name: str | None, raise_if_not_found: t.Literal[False] = ...) -> Kolba | None: ...


def locate_app(module_name: str, app_name: str | None, raise_if_not_found: bool = True) -> Kolba | None:
    """Import ``module_name`` and find the app in it.

    An ImportError raised inside the module is reported with its traceback, not taken
    for a missing module.
    """
    try:
        __import__(module_name)
    except ImportError:
        if sys.exc_info()[2].tb_next:  # type: ignore[union-attr]
            raise NoAppException(
                f"While importing {module_name!r}, an ImportError was"
                f" raised:\n\n{traceback.format_exc()}"
            ) from None
        if raise_if_not_found:
            raise NoAppException(f"Could not import {module_name!r}.") from None
        return None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


class ScriptInfo:
    """How the CLI finds the app: an import path (``--app``) or a factory function.

    ``load_app`` loads it once and caches it.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., Kolba] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.data: dict[t.Any, t.Any] = {}
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = load_dotenv_defaults
        self._loaded_app: Kolba | None = None

    def load_app(self) -> Kolba:
        """Load (once) and return the app."""
        if self._loaded_app is not None:
            return self._loaded_app
        app: Kolba | None = None
        if self.create_app is not None:
            app = self.create_app()
        elif self.app_import_path:
            path, name = (re.split(r":(?![\\/])", self.app_import_path, maxsplit=1) + [None])[:2]
            import_name = prepare_import(t.cast(str, path))
            app = locate_app(import_name, name)
        else:
            for path in ("wsgi.py", "app.py"):
                import_name = prepare_import(path)
                app = locate_app(import_name, None, raise_if_not_found=False)
                if app is not None:
                    break
        if app is None:
            raise NoAppException(
                "Could not locate a kolba application. Use the 'kolba --app' option, the"
                " 'KOLBA_APP' environment variable, or a 'wsgi.py' or 'app.py' file in the"
                " current directory."
            )
        if self.set_debug_flag:
            app.debug = get_debug_flag()
        self._loaded_app = app
        return app


__all__ = [
    "NoAppException",
    "ScriptInfo",
    "find_app_by_string",
    "find_best_app",
    "locate_app",
    "prepare_import",
]
