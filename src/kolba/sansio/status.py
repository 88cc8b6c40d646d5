"""HTTP status codes, their reason phrases, and the status lines built from them."""

from __future__ import annotations

from http import HTTPStatus

#: Reason phrase for every registered status code (and a few widely used extras).
HTTP_STATUS_CODES: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}
HTTP_STATUS_CODES.update(
    {
        418: "I'm a teapot",
        422: "Unprocessable Entity",
        413: "Request Entity Too Large",
        414: "Request URI Too Long",
        416: "Requested Range Not Satisfiable",
        449: "Retry With",
        507: "Insufficient Storage",
    }
)

# PERF: "200 OK" and friends are built once, not formatted on every response.
_STATUS_LINES: dict[int, str] = {
    code: f"{code} {phrase.upper()}" for code, phrase in HTTP_STATUS_CODES.items()
}


def status_line(code: int) -> str:
    """Return the WSGI status line for ``code`` (``"404 NOT FOUND"``, ``"599 UNKNOWN"``)."""
    line = _STATUS_LINES.get(code)
    if line is None:
        line = f"{code} UNKNOWN"
    return line


def parse_status(status: str | int) -> tuple[int, str]:
    """Split a status given as an int or a string into ``(code, status line)``.

    ``"404"`` gives ``(404, "404 NOT FOUND")``; ``"299 Custom"`` keeps its own phrase. A value
    that is not a number raises ValueError saying what was given.
    """
    if isinstance(status, int):
        return status, status_line(status)
    status = status.strip()
    if not status:
        raise ValueError("Empty status argument: give an int such as 200 or a string '200 OK'.")
    code_part, _, phrase = status.partition(" ")
    try:
        code = int(code_part)
    except ValueError:
        # A bare reason without a code: Werkzeug calls this a 0 status.
        return 0, f"0 {status.upper()}"
    if phrase:
        return code, f"{code} {phrase.upper()}"
    return code, status_line(code)
