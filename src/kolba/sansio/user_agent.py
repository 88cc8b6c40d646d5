"""The User-Agent header, kept as a string (parsing it is left to a subclass)."""

from __future__ import annotations


class UserAgent:
    """Holds the User-Agent string. ``platform``, ``browser``, ``version`` and ``language``
    are None here; set ``Request.user_agent_class`` to a subclass that parses them if needed.
    """

    platform: str | None = None
    browser: str | None = None
    version: str | None = None
    language: str | None = None

    def __init__(self, string: str) -> None:
        self.string = string

    def to_header(self) -> str:
        """Return the header value."""
        return self.string

    def __str__(self) -> str:
        return self.string

    def __bool__(self) -> bool:
        return bool(self.browser)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.browser}/{self.version}>"
