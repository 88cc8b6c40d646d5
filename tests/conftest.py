"""Shared fixtures: every test runs with no context left behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_leaked_context() -> Iterator[None]:
    """Fail any test that leaves an application or request context pushed."""
    yield
    try:
        from kolba.globals import _cv_app, _cv_request
    except ImportError:  # the core is not importable yet
        return
    leaked = []
    app_ctx = _cv_app.get(None)
    req_ctx = _cv_request.get(None)
    if req_ctx is not None:
        leaked.append(f"request context {req_ctx!r}")
    if app_ctx is not None:
        leaked.append(f"application context {app_ctx!r}")
    if leaked:
        # Pop them so one leak does not cascade into every later test.
        while _cv_request.get(None) is not None:
            _cv_request.get().pop()  # type: ignore[union-attr]
        while _cv_app.get(None) is not None:
            _cv_app.get().pop()  # type: ignore[union-attr]
        pytest.fail("test left a context pushed: " + ", ".join(leaked))
