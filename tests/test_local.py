"""LocalProxy: a stand-in that forwards every operation to the current object."""

from __future__ import annotations

import copy
import threading
from contextvars import ContextVar
from typing import Any

import pytest
from markupsafe import Markup

from kolba.local import LocalProxy


@pytest.fixture
def var() -> ContextVar[Any]:
    return ContextVar("kolba_test_local")


def bound(var: ContextVar[Any], value: Any) -> Any:
    var.set(value)
    return LocalProxy(var, unbound_message="nothing bound here")


def test_unbound_proxy(var: ContextVar[Any]) -> None:
    proxy: Any = LocalProxy(var, unbound_message="nothing bound here")
    assert not proxy
    assert repr(proxy) == "<LocalProxy unbound>"
    assert str(proxy) == "<LocalProxy unbound>"
    assert dir(proxy) == []
    assert proxy.__class__ is LocalProxy
    for use in (
        lambda: proxy.attr,
        lambda: proxy[0],
        proxy,
        lambda: len(proxy),
        lambda: proxy == 1,
        lambda: iter(proxy),
    ):
        with pytest.raises(RuntimeError, match="nothing bound here"):
            use()


def test_default_unbound_message(var: ContextVar[Any]) -> None:
    proxy: Any = LocalProxy(var)
    with pytest.raises(RuntimeError, match="not bound"):
        _ = proxy.x


def test_attribute_access(var: ContextVar[Any]) -> None:
    class Thing:
        value = 1

    thing = Thing()
    proxy = bound(var, thing)
    assert proxy.value == 1
    proxy.value = 2
    assert thing.value == 2
    proxy.extra = "x"
    assert thing.extra == "x"  # type: ignore[attr-defined]
    del proxy.extra
    assert not hasattr(thing, "extra")
    assert "value" in dir(proxy)


def test_proxy_follows_the_current_value(var: ContextVar[Any]) -> None:
    proxy = bound(var, "first")
    assert proxy == "first"
    var.set("second")
    assert proxy == "second"
    assert proxy._get_current_object() == "second"


def test_proxy_of_an_attribute_of_the_value(var: ContextVar[Any]) -> None:
    class Holder:
        def __init__(self, name: str) -> None:
            self.name = name

    var.set(Holder("ann"))
    proxy: Any = LocalProxy(var, "name")
    assert proxy == "ann"
    assert proxy.upper() == "ANN"
    var.set(Holder("bob"))
    assert proxy == "bob"


def test_proxy_of_a_function() -> None:
    current = {"user": "ann"}
    proxy: Any = LocalProxy(lambda: current["user"])
    assert proxy == "ann"
    current["user"] = "bob"
    assert proxy.upper() == "BOB"
    attr_proxy: Any = LocalProxy(lambda: current, "get")
    assert attr_proxy("user") == "bob"


def test_proxy_of_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        LocalProxy(42)  # type: ignore[arg-type]


def test_operators(var: ContextVar[Any]) -> None:
    proxy = bound(var, 10)
    assert proxy + 1 == 11
    assert 1 + proxy == 11
    assert proxy - 4 == 6
    assert proxy * 2 == 20
    assert proxy % 3 == 1
    assert proxy | 1 == 11
    assert proxy & 2 == 2
    assert proxy < 11
    assert proxy <= 10
    assert proxy > 9
    assert proxy >= 10
    assert proxy != 9
    assert int(proxy) == 10
    assert float(proxy) == 10.0
    assert [0] * (proxy + 1) == [0] * 11
    assert list(range(20))[proxy] == 10
    assert hash(proxy) == hash(10)


def test_container_protocol(var: ContextVar[Any]) -> None:
    data: dict[str, int] = {"a": 1}
    proxy = bound(var, data)
    assert len(proxy) == 1
    assert proxy["a"] == 1
    proxy["b"] = 2
    assert data["b"] == 2
    del proxy["a"]
    assert "a" not in proxy
    assert "b" in proxy
    assert list(proxy) == ["b"]
    assert bool(proxy)
    var.set({})
    assert not proxy


def test_call_and_context_manager(var: ContextVar[Any]) -> None:
    events: list[str] = []

    class Resource:
        def __call__(self, x: int) -> int:
            return x + 1

        def __enter__(self) -> str:
            events.append("enter")
            return "inside"

        def __exit__(self, *args: Any) -> None:
            events.append("exit")

    proxy = bound(var, Resource())
    assert proxy(1) == 2
    with proxy as value:
        assert value == "inside"
    assert events == ["enter", "exit"]


def test_await(var: ContextVar[Any]) -> None:
    import asyncio

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        future.set_result("done")
        var.set(future)
        proxy: Any = LocalProxy(var)
        return await proxy

    assert asyncio.run(main()) == "done"


def test_isinstance_and_class(var: ContextVar[Any]) -> None:
    proxy = bound(var, {"a": 1})
    assert isinstance(proxy, dict)
    assert proxy.__class__ is dict
    assert type(proxy) is LocalProxy


def test_repr_str_html_doc(var: ContextVar[Any]) -> None:
    proxy = bound(var, Markup("<b>x</b>"))
    assert repr(proxy) == repr(Markup("<b>x</b>"))
    assert str(proxy) == "<b>x</b>"
    assert proxy.__html__() == "<b>x</b>"
    assert proxy.__doc__ == Markup.__doc__
    unbound: Any = LocalProxy(ContextVar("kolba_test_local_doc"))
    assert unbound.__doc__ == LocalProxy._class_doc
    assert "Forward every operation" in unbound.__doc__


def test_copy(var: ContextVar[Any]) -> None:
    inner = [1]
    data = {"k": inner}
    proxy = bound(var, data)
    shallow = copy.copy(proxy)
    deep = copy.deepcopy(proxy)
    assert shallow == data
    assert shallow is not data
    assert shallow["k"] is inner
    assert deep["k"] is not inner
    assert type(shallow) is dict


def test_wrapped(var: ContextVar[Any]) -> None:
    proxy: Any = LocalProxy(var)
    assert proxy.__wrapped__ is var


def test_each_thread_sees_its_own_value(var: ContextVar[Any]) -> None:
    proxy = bound(var, "main")
    seen: list[str] = []

    def worker() -> None:
        var.set("worker")
        seen.append(str(proxy))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == ["worker"]
    assert proxy == "main"
