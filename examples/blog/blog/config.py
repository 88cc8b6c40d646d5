"""Settings per environment, as classes chosen by name: ``create_app("production")``.

Every class shares :class:`Config`; ``init_app`` runs once the app exists, for checks that
need it. A ``config.py`` file in the instance folder (not in version control) may override
any of these values.
"""

from __future__ import annotations

import os
import typing as t

if t.TYPE_CHECKING:
    from kolba import Kolba


class Config:
    """What every environment shares."""

    #: Signs the session cookie. Only for development: production takes its own.
    SECRET_KEY: str | None = "dev"
    #: The SQLite file; None means ``blog.sqlite`` in the instance folder.
    DATABASE: str | None = None
    #: Longest accepted title and username, so the pages stay readable.
    TITLE_MAX_LENGTH = 200
    USERNAME_MAX_LENGTH = 40
    PASSWORD_MIN_LENGTH = 8

    @staticmethod
    def init_app(app: Kolba) -> None:
        """Adjust or check the app once it is configured."""


class DevelopmentConfig(Config):
    """Working on the blog on your machine."""

    TEMPLATES_AUTO_RELOAD = True


class TestingConfig(Config):
    """The test suite: errors propagate to the test, and a short password is fine."""

    TESTING = True
    SECRET_KEY = "testing"
    PASSWORD_MIN_LENGTH = 1


class ProductionConfig(Config):
    """Serving real users, behind HTTPS."""

    SECRET_KEY = None
    # The session cookie only travels over HTTPS and is not readable from JavaScript.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    @staticmethod
    def init_app(app: Kolba) -> None:
        """Take SECRET_KEY from the environment; refuse to start without one."""
        secret = os.environ.get("SECRET_KEY") or app.config.get("SECRET_KEY")
        if not secret:
            raise RuntimeError(
                "The production configuration needs a secret key to sign sessions, and none"
                " was set. Set the SECRET_KEY environment variable to a long random string,"
                " for example the output of: python -c 'import secrets;"
                " print(secrets.token_hex())'"
            )
        app.config["SECRET_KEY"] = secret


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str) -> type[Config]:
    """The settings class called ``name``."""
    try:
        return CONFIGS[name]
    except KeyError:
        known = ", ".join(sorted(CONFIGS))
        raise ValueError(f"Unknown configuration {name!r}; choose one of: {known}.") from None
