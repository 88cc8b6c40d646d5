"""Testing tools: the test client, the environ builder and the CLI runner."""

from __future__ import annotations

from .builder import EnvironBuilder as EnvironBuilder
from .client import ClientRedirectError as ClientRedirectError
from .client import Cookie as Cookie
from .client import KolbaClient as KolbaClient
from .client import TestResponse as TestResponse
from .client import run_wsgi_app as run_wsgi_app
from .runner import KolbaCliRunner as KolbaCliRunner
