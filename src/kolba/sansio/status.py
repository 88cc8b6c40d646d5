"""HTTP status codes, their reason phrases, and the status lines built from them."""

from __future__ import annotations

from http import HTTPStatus

#: Reason phrase for every registered status code (and a few widely used extras).
HTTP_STATUS_CODES: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}
# Where Flask's status lines differ from the standard library's phrases, Flask's win: apps
# and their tests compare ``response.status`` strings ("207 MULTI STATUS").
HTTP_STATUS_CODES.update(
    {
        203: "Non Authoritative Information",
        207: "Multi Status",
        306: "Switch Proxy",
        413: "Request Entity Too Large",
        414: "Request URI Too Long",
        416: "Requested Range Not Satisfiable",
        418: "I'm a teapot",
        422: "Unprocessable Entity",
        449: "Retry With",
        507: "Insufficient Storage",
        511: "Network Authentication Failed",
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
        line = f"{int(code)} UNKNOWN"
    return line


def _check_status_text(status: str) -> None:
    # The status line goes out verbatim before the headers: a CR or LF in it would let
    # whoever controls the text add headers or a body of their own.
    if "\r" in status or "\n" in status or "\0" in status:
        raise ValueError(
            f"The status {status!r} contains a CR, LF or NUL character. Give a code and a"
            " one-line reason phrase such as '200 OK'."
        )
    if not status.isascii():
        try:
            status.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(
                f"The status {status!r} has characters outside latin-1, which an HTTP"
                " status line cannot carry. Use an ASCII reason phrase."
            ) from None


def parse_status(status: str | int) -> tuple[int, str]:
    """Split a status given as an int or a string into ``(code, status line)``.

    ``"404"`` gives ``(404, "404 NOT FOUND")``; ``"299 Custom"`` keeps its own phrase as
    written. Text without a leading number is kept as the phrase of status 0. Empty text,
    or text with CR, LF, NUL or non-latin-1 characters, raises ValueError.
    """
    if type(status) is int:
        return status, status_line(status)
    if isinstance(status, int):
        # int() turns an IntEnum such as HTTPStatus.CREATED into a plain 201.
        code = int(status)
        return code, status_line(code)
    status = status.strip()
    if not status:
        raise ValueError("Empty status argument: give an int such as 200 or a string '200 OK'.")
    _check_status_text(status)
    code_part, sep, _ = status.partition(" ")
    try:
        code = int(code_part)
    except ValueError:
        # A reason without a code: the status line is kept, with 0 as the code.
        return 0, f"0 {status}"
    if sep:
        return code, status
    return code, status_line(code)


__all__ = ["HTTP_STATUS_CODES", "parse_status", "status_line"]
