"""Running ``async def`` views and hooks from WSGI: one event loop per worker thread.

Flask (through asgiref) starts a fresh event loop for every call. kolba keeps one loop per
thread for the thread's lifetime, so connection pools and clients created in an async view
survive between requests handled by that thread.
"""

from __future__ import annotations

import asyncio
import threading
import typing as t

T = t.TypeVar("T")

_local = threading.local()


class _ThreadLoop:
    """Owns one thread's loop and closes it when the thread ends.

    A thread's locals are dropped when it exits; without this, every finished worker
    thread (the threaded dev server starts one per request) would leave an open loop
    behind, holding a selector and a self-pipe until garbage collection.
    """

    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        loop = self.loop
        if not loop.is_closed() and not loop.is_running():
            loop.close()


def thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop, created on first use and reused afterwards."""
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _ThreadLoop()
    return holder.loop


def run_coroutine(coro: t.Coroutine[t.Any, t.Any, T]) -> T:
    """Run ``coro`` to completion on this thread's loop and return its result.

    The coroutine sees the caller's context variables (the request context included).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise RuntimeError(
            "An async view or hook was called from code already running an event loop in"
            " this thread. Await it directly instead, or run the app under a WSGI server."
        )
    return thread_loop().run_until_complete(coro)


__all__ = ["run_coroutine", "thread_loop"]
