"""Finding the application the ``kolba`` command works on.

The app is named by ``--app``/``KOLBA_APP`` as ``MODULE[:TARGET]``. MODULE is a dotted
import name or a file or folder path; TARGET is an attribute (``app``) or a factory call
with literal arguments (``create_app('uat', debug=True)``). Without TARGET the module is
searched; without ``--app`` at all, ``wsgi.py`` and then ``app.py`` in the working folder.

Every failure to *find* the app is a :class:`NoAppException` whose message says what was
tried and what to change. Errors raised by the application's own code (a factory that
raises ``TypeError`` from its body, a module that fails while it runs) propagate unchanged
here; the command group turns them into a readable report (see :mod:`kolba.cli.group`).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import os
import sys
import traceback
import typing as t
from pathlib import Path
from types import ModuleType

import click

from ..helpers import get_debug_flag, get_load_dotenv

if t.TYPE_CHECKING:
    from ..app import Kolba

#: Attributes taken as the app when a module is searched, in this order.
APP_ATTRIBUTES = ("app", "application")
#: Factories called without arguments when a module holds no app instance.
FACTORY_NAMES = ("create_app", "make_app")
#: Files (or packages of that name) tried when no app was named.
DEFAULT_MODULES = ("wsgi", "app")

#: Frames from these places are machinery, not the user's code, in reported tracebacks.
_OWN_DIR = str(Path(__file__).resolve().parent.parent)
_IMPORT_MACHINERY = ("<frozen importlib", "importlib/__init__.py", "importlib\\__init__.py")


class NoAppException(click.UsageError):
    """The CLI could not find or create the application.

    The message says where it looked and what to change; click prints it as a usage
    error (exit code 2).
    """


def _is_app(value: object) -> bool:
    from ..app import Kolba

    return isinstance(value, Kolba)


def _describe(value: object) -> str:
    """A short description of a non-app value, for error messages."""
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


def user_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` limited to the user's frames (not kolba's or importlib's).

    A CLI error report shows where the user's code failed; the frames of the loader that
    imported it would only bury that.
    """
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith(_OWN_DIR)
        and not any(marker in frame.filename for marker in _IMPORT_MACHINERY)
    ]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines.extend(traceback.format_list(frames))
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return "".join(lines).rstrip("\n")


# --- the TARGET part: an attribute or a factory call ----------------------------------


@dataclasses.dataclass(frozen=True)
class AppTarget:
    """What to take from the module: ``name``, or ``name(*args, **kwargs)`` when called."""

    name: str
    args: tuple[t.Any, ...] = ()
    kwargs: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    called: bool = False

    def show(self) -> str:
        """The target as Python source (for messages)."""
        if not self.called:
            return self.name
        parts = [repr(arg) for arg in self.args]
        parts.extend(f"{key}={value!r}" for key, value in self.kwargs.items())
        return f"{self.name}({', '.join(parts)})"


def parse_target(text: str) -> AppTarget:
    """Parse ``name`` or ``name(literal, key=literal)``; arguments must be Python literals.

    Whitespace around the target and a trailing comma are tolerated.
    """
    source = text.strip().rstrip(",").strip()
    usage = (
        "Use a name ('app') or a call of a factory with literal arguments"
        " ('create_app(\"uat\", debug=True)')."
    )
    try:
        node = ast.parse(source, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise NoAppException(
            f"Could not read the app name {text!r}: it is not valid Python. {usage}"
        ) from None
    if isinstance(node, ast.Name):
        return AppTarget(node.id)
    if not isinstance(node, ast.Call):
        raise NoAppException(f"Could not read the app name {text!r}. {usage}")
    if not isinstance(node.func, ast.Name):
        raise NoAppException(
            f"In the app name {text!r}, the called object must be a plain name defined in"
            f" the module. {usage}"
        )
    args: list[t.Any] = []
    kwargs: dict[str, t.Any] = {}
    try:
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise ValueError("*arguments")
            args.append(ast.literal_eval(arg))
        for keyword in node.keywords:
            if keyword.arg is None:
                raise ValueError("**arguments")
            kwargs[keyword.arg] = ast.literal_eval(keyword.value)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        raise NoAppException(
            f"The arguments in {text!r} must be Python literals (strings, numbers, True,"
            f" False, None, or lists, tuples and dicts of those); variables and expressions"
            f" are not evaluated. {usage}"
        ) from None
    return AppTarget(node.func.id, tuple(args), kwargs, called=True)


def split_import_path(value: str) -> tuple[str, str | None]:
    """Split ``MODULE[:TARGET]`` into its parts.

    The split is at the first colon that is not part of a Windows drive (``C:\\``), so
    file paths work on every platform.
    """
    value = value.strip().rstrip(",").strip()
    start = 0
    while True:
        colon = value.find(":", start)
        if colon == -1:
            return value, None
        if value[colon + 1 : colon + 2] not in ("\\", "/"):
            target = value[colon + 1 :].strip()
            return value[:colon].strip(), target or None
        start = colon + 1


# --- importing the module -----------------------------------------------------------------


def prepare_import(path: str) -> str:
    """Turn a module path (``hello``, ``src/hello.py``, ``pkg/sub/__init__.py``) into an
    importable module name, putting the folder it is imported from first on ``sys.path``.

    A file inside packages (folders with ``__init__.py``) is named through them:
    ``proj/pkg/views.py`` becomes ``pkg.views`` imported from ``proj``.
    """
    target = Path(os.path.realpath(path))
    if target.suffix == ".py":
        target = target.with_suffix("")
    if target.name == "__init__":
        target = target.parent
    names = [target.name]
    root = target.parent
    # Walk up while the folder is a package: its name belongs to the module name.
    while (root / "__init__.py").is_file() and root.parent != root:
        names.append(root.name)
        root = root.parent
    root_text = str(root)
    if sys.path[0:1] != [root_text]:
        sys.path.insert(0, root_text)
    return ".".join(reversed(names))


def _is_missing_module(exc: ModuleNotFoundError, module_name: str) -> bool:
    """Whether ``exc`` says ``module_name`` itself (or a parent package) does not exist,
    as opposed to a module that exists but imports something missing.
    """
    missing = exc.name
    return missing is not None and (module_name == missing or module_name.startswith(missing + "."))


def import_app_module(module_name: str, raise_if_not_found: bool = True) -> ModuleType | None:
    """Import ``module_name``; None if it does not exist and ``raise_if_not_found`` is false.

    An ImportError raised while the module runs (it imports something that is missing) is
    never taken for a missing module: it becomes a :class:`NoAppException` that carries
    the traceback, since it is a bug to fix in that module.
    """
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if not _is_missing_module(exc, module_name):
            raise NoAppException(
                f"Importing {module_name!r} failed: the module exists but raised an"
                f" ImportError while it ran.\n\n{user_traceback(exc)}"
            ) from None
        if not raise_if_not_found:
            return None
        raise NoAppException(
            f"Could not import the module {module_name!r}: {exc}. Looked on sys.path,"
            f" starting with {sys.path[0]!r}. Check the spelling, run kolba from the folder"
            " that holds the module, or give its file path (--app path/to/module.py)."
        ) from None
    except ImportError as exc:
        raise NoAppException(
            f"Importing {module_name!r} failed: the module raised an ImportError while it"
            f" ran.\n\n{user_traceback(exc)}"
        ) from None


# --- finding the app in a module -----------------------------------------------------------


def _call_factory(module: ModuleType, factory: t.Callable[..., t.Any], target: AppTarget) -> t.Any:
    """Call an app factory, checking the arguments against its signature first.

    Checking before the call keeps a TypeError raised *inside* the factory (a bug there)
    apart from a call with the wrong arguments (a mistake in ``--app``).
    """
    signature = inspect.signature(factory)
    try:
        signature.bind(*target.args, **target.kwargs)
    except TypeError as exc:
        call = target.show() if target.called else f"{target.name}()"
        raise NoAppException(
            f"The factory {target.name}{signature} in module {module.__name__!r} cannot be"
            f" called as {call}: {exc}. Give its arguments in the app name, for example"
            f" --app '{module.__name__}:{target.name}(\"production\")'."
        ) from None
    return factory(*target.args, **target.kwargs)


def find_best_app(module: ModuleType) -> Kolba:
    """Search ``module`` for the app.

    In order: an ``app`` or ``application`` attribute holding an app; the only app
    instance among the module's globals; ``create_app()`` or ``make_app()`` called
    without arguments.
    """
    for name in APP_ATTRIBUTES:
        value = getattr(module, name, None)
        if _is_app(value):
            return t.cast("Kolba", value)
    found = {name: value for name, value in vars(module).items() if _is_app(value)}
    if len(found) == 1:
        return t.cast("Kolba", next(iter(found.values())))
    if found:
        names = ", ".join(sorted(found))
        raise NoAppException(
            f"Module {module.__name__!r} holds several kolba apps ({names}), so kolba"
            f" cannot pick one. Name it: --app '{module.__name__}:{min(found)}'."
        )
    for name in FACTORY_NAMES:
        factory = getattr(module, name, None)
        if not inspect.isfunction(factory):
            continue
        app = _call_factory(module, factory, AppTarget(name))
        if _is_app(app):
            return t.cast("Kolba", app)
        raise NoAppException(
            f"The factory {name}() in module {module.__name__!r} returned {_describe(app)}"
            " instead of a kolba app. Make it end with 'return app'."
        )
    raise NoAppException(
        f"Module {module.__name__!r} has no kolba app: looked for an 'app' or"
        " 'application' attribute, a single Kolba instance, and a 'create_app' or"
        f" 'make_app' factory. Name the app or factory: --app '{module.__name__}:name'."
    )


def find_app_by_string(module: ModuleType, app_name: str) -> Kolba:
    """Take the app named by ``app_name`` from ``module``.

    ``app_name`` is an attribute holding an app, or a function (an app factory) that is
    called, with the literal arguments given in ``app_name`` if any.
    """
    target = parse_target(app_name)
    try:
        value = getattr(module, target.name)
    except AttributeError:
        raise NoAppException(
            f"Module {module.__name__!r} has no attribute {target.name!r} (from the app"
            f" name {app_name.strip()!r}). Check the spelling, or leave the name out to let"
            " kolba search the module."
        ) from None
    if inspect.isfunction(value):
        value = _call_factory(module, value, target)
    elif target.called:
        raise NoAppException(
            f"{target.name!r} in module {module.__name__!r} is {_describe(value)}, not a"
            f" function, so it cannot be called as {target.show()}."
        )
    if _is_app(value):
        return t.cast("Kolba", value)
    raise NoAppException(
        f"'{module.__name__}:{target.show()}' gave {_describe(value)}, not a kolba app."
        " Point --app at a Kolba instance or at a factory that returns one."
    )


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True
) -> Kolba: ...
@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool
) -> Kolba | None: ...
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Kolba | None:
    """Import ``module_name`` and take the app from it (searching when ``app_name`` is None).

    Returns None only when the module does not exist and ``raise_if_not_found`` is false.
    """
    module = import_app_module(module_name, raise_if_not_found)
    if module is None:
        return None
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


def _looks_like_a_path(module: str) -> bool:
    return module.endswith(".py") or "/" in module or os.sep in module


class ScriptInfo:
    """What the CLI knows about the app to load, shared by every command as ``ctx.obj``.

    The app comes from ``create_app`` (a callable, as given to
    :class:`~kolba.cli.KolbaGroup`) or from ``app_import_path`` (``--app``); with neither,
    ``wsgi.py`` or ``app.py`` in the working folder. :meth:`load_app` loads it once.
    ``data`` is free for commands and extensions to share values in.
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
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self._loaded_app: Kolba | None = None

    def load_app(self) -> Kolba:
        """Load the app (only the first call does the work) and return it.

        With ``set_debug_flag``, ``app.debug`` follows ``KOLBA_DEBUG`` (which ``--debug``
        sets).
        """
        if self._loaded_app is not None:
            return self._loaded_app
        if self.create_app is not None:
            app: object = self.create_app()
            if not _is_app(app):
                raise NoAppException(
                    f"The create_app function given to the CLI returned {_describe(app)}"
                    " instead of a kolba app. Make it end with 'return app'."
                )
        elif self.app_import_path:
            app = self._load_from_import_path(self.app_import_path)
        else:
            app = self._load_from_default_files()
        loaded = t.cast("Kolba", app)
        if self.set_debug_flag:
            # Through the property, so that what depends on debug (template reloading)
            # follows too.
            loaded.debug = get_debug_flag()
        self._loaded_app = loaded
        return loaded

    def _load_from_import_path(self, import_path: str) -> Kolba:
        module, target = split_import_path(import_path)
        if not module:
            raise NoAppException(
                f"The app import path {import_path!r} names no module. Use 'module' or"
                " 'module:name', for example --app 'hello:app'."
            )
        if _looks_like_a_path(module) and not os.path.exists(module):
            raise NoAppException(
                f"The app file {module!r} (from the app import path {import_path!r}) does"
                f" not exist; paths are relative to {os.getcwd()!r}."
            )
        return locate_app(prepare_import(module), target)

    def _load_from_default_files(self) -> Kolba:
        here = Path.cwd()
        for name in DEFAULT_MODULES:
            if (here / f"{name}.py").is_file() or (here / name / "__init__.py").is_file():
                app = locate_app(prepare_import(name), None, raise_if_not_found=False)
                if app is not None:
                    return app
        raise NoAppException(
            "No app was named and none was found: there is no 'wsgi.py' or 'app.py' (nor"
            f" a 'wsgi' or 'app' package) in {str(here)!r}. Name the app with"
            " 'kolba --app module:name', set the KOLBA_APP environment variable, or run"
            " kolba from the folder that holds wsgi.py or app.py."
        )


__all__ = [
    "AppTarget",
    "NoAppException",
    "ScriptInfo",
    "find_app_by_string",
    "find_best_app",
    "import_app_module",
    "locate_app",
    "parse_target",
    "prepare_import",
    "split_import_path",
    "user_traceback",
]
