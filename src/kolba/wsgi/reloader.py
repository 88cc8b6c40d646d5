"""Restart the development server when a source file changes.

The process the user started becomes a supervisor: it runs the same command again as a child
with ``KOLBA_RUN_MAIN=true`` and restarts it whenever it exits with code 3. The child serves
requests in a thread while its main thread watches files; on a change it exits with code 3.
The supervisor binds the listening socket once and hands it down through ``KOLBA_SERVER_FD``,
so the port stays open (connections wait in the backlog) while the child restarts.

Two watchers: ``"stat"`` polls file modification times; ``"watchdog"`` uses OS events through
the ``watchdog`` package when it is installed (without it, ``"stat"`` is used instead).
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = [
    "RESTART_CODE",
    "RUN_MAIN_ENV",
    "SERVER_FD_ENV",
    "ReloaderLoop",
    "StatReloaderLoop",
    "WatchdogReloaderLoop",
    "is_running_from_reloader",
    "make_reloader_loop",
    "restart_with_reloader",
    "run_with_reloader",
]

#: Set to "true" in the environment of the child process that serves requests.
RUN_MAIN_ENV = "KOLBA_RUN_MAIN"
#: The file descriptor number of the listening socket handed to the child.
SERVER_FD_ENV = "KOLBA_SERVER_FD"
#: The exit code with which a child asks to be started again.
RESTART_CODE = 3


def is_running_from_reloader() -> bool:
    """Whether this process is the reloader's child (the one that serves requests)."""
    return os.environ.get(RUN_MAIN_ENV) == "true"


def _logger() -> logging.Logger:
    from .serving import _server_logger

    return _server_logger()


def _module_files() -> Iterator[str]:
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if isinstance(name, str):
            yield os.path.abspath(name)


class ReloaderLoop:
    """Watch files and end the process with :data:`RESTART_CODE` when one changes.

    The watched files are those of every imported module plus ``extra_files``, minus any path
    matching one of the ``exclude_patterns`` (:mod:`fnmatch` globs on absolute paths).
    """

    name = ""

    def __init__(
        self,
        extra_files: Iterable[str] | None = None,
        exclude_patterns: Iterable[str] | None = None,
        interval: float = 1,
    ) -> None:
        self.extra_files = {os.path.abspath(path) for path in extra_files or ()}
        self.exclude_patterns = set(exclude_patterns or ())
        self.interval = interval
        self._stop = threading.Event()

    def is_excluded(self, path: str) -> bool:
        """Whether ``path`` matches one of the exclude patterns."""
        return any(fnmatch.fnmatch(path, pattern) for pattern in self.exclude_patterns)

    def watched_files(self) -> set[str]:
        """The absolute paths watched right now (modules imported later join on their own)."""
        files = set(_module_files())
        files.update(self.extra_files)
        if self.exclude_patterns:
            files = {path for path in files if not self.is_excluded(path)}
        return files

    def prepare(self) -> None:
        """Take the first look at the files, so that any later change counts.

        :func:`run_with_reloader` calls it before the server starts, so that an edit made
        while the app is still starting is not mistaken for the initial state.
        """

    def run(self) -> None:
        """Watch until a file changes (then :meth:`trigger_reload`) or :meth:`stop` is called."""
        raise NotImplementedError

    def stop(self) -> None:
        """Make :meth:`run` return at its next check."""
        self._stop.set()

    def trigger_reload(self, filename: str) -> None:
        """Log the change and exit with :data:`RESTART_CODE`."""
        _logger().info(" * Detected change in %r, reloading", filename)
        sys.exit(RESTART_CODE)


class StatReloaderLoop(ReloaderLoop):
    """Poll the modification time of every watched file each ``interval`` seconds."""

    name = "stat"

    def __init__(
        self,
        extra_files: Iterable[str] | None = None,
        exclude_patterns: Iterable[str] | None = None,
        interval: float = 1,
    ) -> None:
        super().__init__(extra_files, exclude_patterns, interval)
        self.mtimes: dict[str, float] = {}
        self._prepared = False

    def run_step(self) -> str | None:
        """Check every watched file once; return the first changed one, or None.

        A file seen for the first time is only recorded. A file that cannot be read right now
        (an editor replacing it) is skipped and compared again on a later step.
        """
        mtimes = self.mtimes
        for path in self.watched_files():
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            previous = mtimes.get(path)
            mtimes[path] = mtime
            # "!=", not ">": a file swapped for an older copy (a VCS checkout) changed too.
            if previous is not None and mtime != previous:
                return path
        return None

    def prepare(self) -> None:
        self.run_step()
        self._prepared = True

    def run(self) -> None:
        if not self._prepared:
            self.prepare()
        while not self._stop.wait(self.interval):
            changed = self.run_step()
            if changed is not None:
                self.trigger_reload(changed)


class WatchdogReloaderLoop(ReloaderLoop):
    """Watch the folders of the watched files with OS events (the ``watchdog`` package).

    Folders under the interpreter's prefixes (standard library, installed packages) are not
    watched: they would cost thousands of OS watches and rarely change during development.
    Besides the watched files, a new ``.py`` file in a watched folder triggers a reload.
    """

    name = "watchdog"
    _EVENT_TYPES = frozenset({"modified", "created", "moved", "deleted", "closed"})

    def __init__(
        self,
        extra_files: Iterable[str] | None = None,
        exclude_patterns: Iterable[str] | None = None,
        interval: float = 1,
    ) -> None:
        super().__init__(extra_files, exclude_patterns, interval)
        self._observers = importlib.import_module("watchdog.observers")
        self._changed: str | None = None
        self._files: set[str] = set()
        self._observer: Any = None
        self._scheduled: set[str] = set()
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        self._skip_prefixes = tuple(os.path.join(os.path.abspath(p), "") for p in prefixes)

    def _is_relevant(self, path: str) -> bool:
        if self.is_excluded(path):
            return False
        if path in self._files:
            return True
        base = os.path.basename(path)
        return base.endswith(".py") and not base.startswith(".")

    def dispatch(self, event: Any) -> None:
        """Receive a watchdog event (watchdog calls this on the handler it was given)."""
        if getattr(event, "is_directory", False) or event.event_type not in self._EVENT_TYPES:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = os.path.abspath(os.fsdecode(raw))
                if self._is_relevant(path):
                    self._changed = path

    def _folders(self) -> set[str]:
        self._files = self.watched_files()
        folders = set()
        for path in self._files:
            folder = path if path in self.extra_files and os.path.isdir(path) else None
            folder = folder or os.path.dirname(path)
            if not folder.startswith(self._skip_prefixes) and os.path.isdir(folder):
                folders.add(folder)
        return folders

    def _schedule_new_folders(self) -> None:
        for folder in self._folders() - self._scheduled:
            try:
                self._observer.schedule(self, folder, recursive=False)
            except OSError:
                continue  # vanished, or the OS ran out of watches
            self._scheduled.add(folder)

    def prepare(self) -> None:
        if self._observer is None:
            self._observer = self._observers.Observer()
            self._observer.start()
            self._schedule_new_folders()

    def run(self) -> None:
        self.prepare()
        try:
            while True:
                if self._changed is not None:
                    self.trigger_reload(self._changed)
                if self._stop.wait(self.interval):
                    return
                self._schedule_new_folders()  # folders of modules imported meanwhile
        finally:
            self._observer.stop()
            self._observer.join(timeout=5)


def make_reloader_loop(
    reloader_type: str = "auto",
    extra_files: Iterable[str] | None = None,
    exclude_patterns: Iterable[str] | None = None,
    interval: float = 1,
) -> ReloaderLoop:
    """The watcher for ``reloader_type``: "stat", "watchdog" or "auto" (watchdog if installed).

    "watchdog" without the package installed falls back to "stat".
    """
    if reloader_type not in ("auto", "stat", "watchdog"):
        raise ValueError(
            f"Unknown reloader_type {reloader_type!r}; use 'auto', 'stat' or 'watchdog'."
        )
    if reloader_type != "stat":
        try:
            return WatchdogReloaderLoop(extra_files, exclude_patterns, interval)
        except ImportError:
            pass
    return StatReloaderLoop(extra_files, exclude_patterns, interval)


def _interpreter_options() -> list[str]:
    """The interpreter flags of this process that the child should get too."""
    options = [f"-W{option}" for option in sys.warnoptions]
    for key, value in sys._xoptions.items():
        options.append(f"-X{key}" if value is True else f"-X{key}={value}")
    if sys.flags.optimize:
        options.append("-" + "O" * sys.flags.optimize)
    return options


def _restart_args() -> list[str]:
    """The command that starts this program again, as it was started."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    argv = sys.argv
    if spec is not None and spec.name != "__main__":
        # "python -m pkg" runs pkg.__main__; "python -m pkg" is also how to run it again.
        name = spec.name
        if name.endswith(".__main__"):
            name = name[: -len(".__main__")]
        return [sys.executable, *_interpreter_options(), "-m", name, *argv[1:]]
    script = argv[0] if argv else ""
    if script in ("", "-c"):
        # "python -c ..." or an embedded interpreter: only the original command line helps.
        original = getattr(sys, "orig_argv", [])
        if len(original) > 1:
            return [sys.executable, *original[1:]]
        raise RuntimeError(
            "The reloader cannot restart this program: it was not started from a script or"
            " with 'python -m'. Run it from a file, or turn the reloader off."
        )
    if sys.platform == "win32":
        # A console-script launcher is an .exe that finds Python itself, and sys.argv[0]
        # may lack its extension.
        if not os.path.exists(script) and os.path.exists(script + ".exe"):
            script += ".exe"
        if script.lower().endswith(".exe"):
            return [script, *argv[1:]]
    # A console-script entry point on Unix is a Python file too, so this covers it.
    return [sys.executable, *_interpreter_options(), script, *argv[1:]]


class _SpawnGuard:
    """Holds SIGTERM back while a child is being started.

    Exiting between the fork and the moment the supervisor holds the child's handle would
    leave that child running, orphaned, on the port.
    """

    active = False
    pending = False


def _exit_on_sigterm(signum: int, frame: object) -> None:
    if _SpawnGuard.active:
        _SpawnGuard.pending = True
        return
    # SystemExit, so that "finally" blocks run and the supervisor kills its child.
    sys.exit(0)


def _run_child(args: list[str], env: dict[str, str], fds: tuple[int, ...]) -> int:
    _SpawnGuard.active = True
    try:
        if fds:
            child = subprocess.Popen(args, env=env, pass_fds=fds)
        else:
            child = subprocess.Popen(args, env=env)
    except BaseException:
        _SpawnGuard.active = False
        raise
    try:
        _SpawnGuard.active = False
        if _SpawnGuard.pending:
            sys.exit(0)
        return child.wait()
    except BaseException:
        child.kill()
        child.wait()
        raise


def restart_with_reloader(loop_name: str = "stat") -> int:
    """Run this program as a child again and again while it exits with :data:`RESTART_CODE`.

    Returns the child's last exit code.
    """
    while True:
        _logger().info(" * Restarting with %s", loop_name)
        env = os.environ.copy()
        env[RUN_MAIN_ENV] = "true"
        fd = env.get(SERVER_FD_ENV)
        fds = (int(fd),) if fd and sys.platform != "win32" else ()
        code = _run_child(_restart_args(), env, fds)
        if code != RESTART_CODE:
            return code


def _ensure_echo_on() -> None:
    """Turn terminal echo back on: a child killed mid-prompt (pdb, input) can leave it off."""
    stdin = sys.stdin
    try:
        if stdin is None or not stdin.isatty():
            return
        import termios
    except (ImportError, ValueError, OSError):
        return
    try:
        attributes = termios.tcgetattr(stdin)
        if not attributes[3] & termios.ECHO:
            attributes[3] |= termios.ECHO
            termios.tcsetattr(stdin, termios.TCSANOW, attributes)
    except termios.error:
        pass


def run_with_reloader(
    main_func: Callable[[], object],
    extra_files: Iterable[str] | None = None,
    exclude_patterns: Iterable[str] | None = None,
    interval: float = 1,
    reloader_type: str = "auto",
    *,
    stop_func: Callable[[], object] | None = None,
) -> None:
    """Run ``main_func`` (the server loop) in a child process that restarts on file changes.

    Called in the process the user started, it supervises children and exits with the last
    child's exit code. Called in the child (:func:`is_running_from_reloader`), it runs
    ``main_func`` in a daemon thread and watches files in the calling thread; before the
    child exits, ``stop_func`` (if given) runs, to let requests in flight finish.
    """
    loop = make_reloader_loop(reloader_type, extra_files, exclude_patterns, interval)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if is_running_from_reloader():
            _ensure_echo_on()
            loop.prepare()
            thread = threading.Thread(target=main_func, name="kolba-server", daemon=True)
            thread.start()
            try:
                loop.run()
            finally:
                if stop_func is not None:
                    stop_func()
        else:
            sys.exit(restart_with_reloader(loop.name))
    except KeyboardInterrupt:
        pass
