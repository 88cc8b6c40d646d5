"""The debug-mode traceback page (the ``werkzeug.debug`` role, without the console).

:class:`DebuggedApplication` wraps a WSGI app; when the app raises, the browser gets a 500 page
with the exception and the full traceback, source lines included, and the traceback is written
to ``wsgi.errors``. The page is self-contained (inline CSS, no script, no external assets).

There is deliberately no interactive console and so no PIN: a console that runs code typed into
a browser is remote code execution for anyone who can reach the port. ``evalex``,
``pin_security`` and ``pin_logging`` are accepted so that code written for Werkzeug runs, and
have no effect.
"""

from __future__ import annotations

import ipaddress
import linecache
import sys
import sysconfig
import traceback
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from markupsafe import escape

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["DebuggedApplication", "render_debug_page"]

_CONTEXT_BEFORE = 3
_CONTEXT_AFTER = 3
_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


def _library_prefixes() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    found = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    return tuple(found)


_LIBRARY_PREFIXES = _library_prefixes()
_THIS_FILE = __file__

_STYLE = """
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;
background:#f6f8fa}
main{max-width:72rem;margin:0 auto;padding:1.5rem 2rem 3rem}
h1{margin:0 0 .3rem;font-size:1.6rem;color:#a40e26}
h2{margin:2rem 0 .6rem;font-size:1.1rem}
.errormsg{margin:.2rem 0 1rem;padding:.6rem .9rem;background:#fff;border-left:4px solid #a40e26;
font:14px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;
word-break:break-word}
.chain{margin:1.6rem 0 .6rem;font-style:italic;color:#57606a}
ol.frames{list-style:none;margin:0;padding:0}
.frame{margin:0 0 .8rem;background:#fff;border:1px solid #d0d7de;border-radius:6px;overflow:hidden}
.frame header{padding:.35rem .8rem;background:#eaeef2;font-size:13px}
.frame.library header{color:#6e7781}
.frame code.fn{font-weight:600}
.frame pre{margin:0;padding:.4rem 0;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,
monospace;overflow-x:auto}
.frame pre span.line{display:block;padding:0 .8rem;white-space:pre}
.frame pre span.current{background:#fff5b1}
.frame pre span.ln{display:inline-block;min-width:3.5em;color:#8c959f;user-select:none}
.frame pre mark{background:#ffd33d;color:inherit}
.frame.library pre{color:#57606a}
.plain{margin:0;padding:.8rem;background:#fff;border:1px solid #d0d7de;border-radius:6px;
font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;
word-break:break-word}
footer{margin-top:2rem;color:#57606a;font-size:13px}
"""


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    module = cls.__module__
    if module in ("builtins", "__main__"):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


def _message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "<the exception's __str__ raised an error>"
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, (list, tuple)):
        text += "".join(f"\n{note}" for note in notes if isinstance(note, str))
    return text


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """The exception and its causes, oldest first, each with the sentence that follows it."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    # Oldest first, as Python prints it: each sentence then sits between its exception and
    # the newer one it led to.
    chain.reverse()
    return chain


def _highlight(line: str, frame: traceback.FrameSummary) -> str:
    """The escaped source line, with the failing expression marked when Python knows it."""
    start = getattr(frame, "colno", None)
    end = getattr(frame, "end_colno", None)
    same_line = getattr(frame, "end_lineno", frame.lineno) == frame.lineno
    if start is None or end is None or not same_line:
        return str(escape(line))
    # Python reports columns as UTF-8 byte offsets.
    encoded = line.encode("utf-8")
    if not 0 <= start < end <= len(encoded):
        return str(escape(line))
    before = encoded[:start].decode("utf-8", "replace")
    middle = encoded[start:end].decode("utf-8", "replace")
    after = encoded[end:].decode("utf-8", "replace")
    if middle.strip() == line.strip():
        return str(escape(line))  # the whole line: marking it adds nothing
    return f"{escape(before)}<mark>{escape(middle)}</mark>{escape(after)}"


def _render_frame(frame: traceback.FrameSummary) -> str:
    filename = frame.filename
    lineno = frame.lineno or 0
    library = filename.startswith(_LIBRARY_PREFIXES)
    lines = linecache.getlines(filename)
    parts = [
        f'<li class="frame{" library" if library else ""}"><header>File'
        f" <code>{escape(filename)}</code>, line {lineno}, in"
        f' <code class="fn">{escape(frame.name)}</code></header>'
    ]
    if lines and 0 < lineno <= len(lines):
        last = getattr(frame, "end_lineno", None) or lineno
        first_shown = max(lineno - _CONTEXT_BEFORE, 1)
        last_shown = min(max(last, lineno) + _CONTEXT_AFTER, len(lines))
        parts.append("<pre>")
        for number in range(first_shown, last_shown + 1):
            text = lines[number - 1].rstrip("\r\n")
            current = lineno <= number <= last
            body = _highlight(text, frame) if number == lineno else str(escape(text))
            css = "line current" if current else "line"
            parts.append(f'<span class="{css}"><span class="ln">{number}</span>{body}</span>')
        parts.append("</pre>")
    elif frame.line:
        parts.append(f'<pre><span class="line current">{escape(frame.line)}</span></pre>')
    parts.append("</li>")
    return "".join(parts)


def render_debug_page(exc: BaseException) -> str:
    """The HTML traceback page for ``exc`` (every source line and message escaped)."""
    title = f"{_type_name(exc)}: {_message(exc)}".splitlines()[0]
    sections = []
    for item, link in _chain(exc):
        frames = "".join(
            _render_frame(frame)
            for frame in traceback.extract_tb(item.__traceback__)
            if frame.filename != _THIS_FILE  # the middleware's own frame is noise here
        )
        sections.append(
            f'<ol class="frames">{frames}</ol>'
            f'<p class="errormsg">{escape(_type_name(item))}: {escape(_message(item))}</p>'
        )
        if link:
            sections.append(f'<p class="chain">{escape(link)}</p>')
    plain = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return (
        "<!doctype html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        f"<title>{escape(title)} // kolba debugger</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(_type_name(exc))}</h1>\n"
        f'<p class="errormsg">{escape(_message(exc))}</p>\n'
        "<h2>Traceback <small>(most recent call last)</small></h2>\n"
        + "\n".join(sections)
        + "\n<h2>Plain traceback</h2>\n"
        f'<pre class="plain">{escape(plain)}</pre>\n'
        "<footer>This page is shown because the application runs with the debugger on"
        " (debug mode). It shows tracebacks only; kolba has no in-browser console. Never"
        " run debug mode where others can reach the server: this page reveals source"
        " code.</footer>\n</main>\n</body>\n</html>\n"
    )


_REMOTE_PAGE = (
    b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    b"<h1>Internal Server Error</h1>\n<p>The server hit an error. Its traceback is in the"
    b" server's log; the debug page is only shown to clients on this machine.</p>\n"
)


def _is_loopback(address: str | None) -> bool:
    """Whether ``address`` is a loopback address (127.0.0.0/8, ::1)."""
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class DebuggedApplication:
    """WSGI middleware that answers an unhandled exception with a traceback page.

    When ``app`` raises, or its response iterable raises before any body byte was sent, the
    client gets a ``500`` HTML page with the exception type, message and full traceback with
    source lines; a request sent with ``X-Requested-With: XMLHttpRequest`` gets the plain
    traceback as text. The traceback is also written to ``environ["wsgi.errors"]``. When part
    of the body was already sent, the error is logged and re-raised, so that the server closes
    the connection and the client sees an incomplete response.

    Only clients on the loopback interface see the traceback: any other client gets a plain
    500 page (the traceback is still logged), so a debug server bound to ``0.0.0.0`` does not
    show source code to the network. ``allow_remote=True`` shows it to everyone (for a
    container whose port is published to the developer only).

    The interactive console of Werkzeug's debugger is not offered: ``evalex`` (always
    ``False`` here), ``pin_security`` and ``pin_logging`` are accepted for compatibility and
    ignored. The ``kolba.debug.preserve_context`` environ key is neither set nor changed.
    """

    def __init__(
        self,
        app: WSGIApplication,
        evalex: bool = False,
        pin_security: bool = True,
        pin_logging: bool = True,
        allow_remote: bool = False,
    ) -> None:
        self.app = app
        self.allow_remote = allow_remote
        #: Always False: there is no interactive console to enable.
        self.evalex = False
        self.pin_security = pin_security
        self.pin_logging = pin_logging

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._respond(environ, start_response)

    def _respond(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        app_iter: Iterable[bytes] | None = None
        sent_body = False
        try:
            app_iter = self.app(environ, start_response)
            for data in app_iter:
                if data:
                    sent_body = True
                yield data
        except Exception as exc:
            plain = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            errors = environ.get("wsgi.errors") or sys.stderr
            if sent_body:
                self._write(
                    errors,
                    "The debugger caught an exception after part of the response was sent;"
                    " the response is cut short.\n" + plain,
                )
                raise
            self._write(errors, plain)
            xhr = environ.get("HTTP_X_REQUESTED_WITH", "").lower() == "xmlhttprequest"
            if not (self.allow_remote or _is_loopback(environ.get("REMOTE_ADDR"))):
                body = _REMOTE_PAGE
                content_type = "text/html"
            elif xhr:
                body, content_type = plain.encode("utf-8", "replace"), "text/plain"
            else:
                page = render_debug_page(exc)
                body, content_type = page.encode("utf-8", "replace"), "text/html"
            headers = [
                ("Content-Type", f"{content_type}; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ]
            # With exc_info the server replaces headers not yet sent, or re-raises when some
            # body went out through write(): then there is nothing left to repair.
            start_response("500 INTERNAL SERVER ERROR", headers, sys.exc_info())
            yield body
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()

    @staticmethod
    def _write(stream: object, text: str) -> None:
        write = getattr(stream, "write", None)
        if write is None:
            return
        try:
            write(text)
        except (OSError, ValueError):
            pass
