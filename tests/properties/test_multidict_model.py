"""MultiDict invariants, beyond tests/sansio/test_datastructures.py: Werkzeug's MultiDict as
the model for every method (apps port code that relies on its exact results), copies that
do not share state, pickling, and immutability.
"""

from __future__ import annotations

import copy
import pickle
import typing as t

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug import datastructures as wz

from kolba.sansio.datastructures import (
    CombinedMultiDict,
    ImmutableMultiDict,
    MultiDict,
)

KEYS = st.sampled_from(["a", "b", "c", "Ä", ""])
VALUES = st.one_of(st.integers(-3, 3), st.text(max_size=3), st.lists(st.integers(), max_size=2))
PAIRS = st.lists(st.tuples(KEYS, VALUES), max_size=12)

# One step: (method name, arguments). Each is applied to a kolba and a Werkzeug MultiDict.
STEPS = st.one_of(
    st.tuples(st.just("add"), st.tuples(KEYS, VALUES)),
    st.tuples(st.just("__setitem__"), st.tuples(KEYS, VALUES)),
    st.tuples(st.just("__delitem__"), st.tuples(KEYS)),
    # Werkzeug's MultiDict breaks on an empty value list (items() raises IndexError); kolba
    # keeps such a key without a first value (see test_datastructures), so leave it out.
    st.tuples(st.just("setlist"), st.tuples(KEYS, st.lists(VALUES, min_size=1, max_size=3))),
    st.tuples(st.just("setdefault"), st.tuples(KEYS, VALUES)),
    st.tuples(st.just("setlistdefault"), st.tuples(KEYS, st.lists(VALUES, min_size=1, max_size=3))),
    st.tuples(st.just("pop"), st.tuples(KEYS)),
    st.tuples(st.just("pop"), st.tuples(KEYS, st.just("default"))),
    st.tuples(st.just("poplist"), st.tuples(KEYS)),
    st.tuples(st.just("popitem"), st.just(())),
    st.tuples(st.just("popitemlist"), st.just(())),
    st.tuples(st.just("update"), st.tuples(PAIRS)),
    st.tuples(st.just("update"), st.tuples(st.dictionaries(KEYS, VALUES, max_size=3))),
    st.tuples(st.just("update_multi"), st.tuples(PAIRS)),
    st.tuples(st.just("get"), st.tuples(KEYS)),
    st.tuples(st.just("get_int"), st.tuples(KEYS)),
    st.tuples(st.just("getlist_int"), st.tuples(KEYS)),
    st.tuples(st.just("__getitem__"), st.tuples(KEYS)),
    st.tuples(st.just("__contains__"), st.tuples(KEYS)),
    st.tuples(st.just("clear"), st.just(())),
)


def _apply(d: t.Any, cls: t.Any, method: str, args: tuple[t.Any, ...]) -> t.Any:
    if method == "update_multi":
        return d.update(cls(args[0]))
    if method == "get_int":
        return d.get(args[0], type=int)
    if method == "getlist_int":
        return d.getlist(args[0], type=int)
    return getattr(d, method)(*args)


def _outcome(func: t.Callable[[], t.Any]) -> tuple[str, t.Any]:
    try:
        return "ok", func()
    except KeyError:
        return "KeyError", None


def _state(d: t.Any) -> tuple[t.Any, ...]:
    return (
        list(d.items(multi=True)),
        list(d.items()),
        list(d.lists()),
        list(d.keys()),
        list(d.listvalues()),
        d.to_dict(),
        d.to_dict(flat=False),
        len(d),
        bool(d),
    )


@settings(max_examples=120, deadline=None)
@given(initial=PAIRS, steps=st.lists(STEPS, max_size=12))
def test_every_method_agrees_with_werkzeug(
    initial: list[tuple[str, t.Any]], steps: list[tuple[str, tuple[t.Any, ...]]]
) -> None:
    ours, theirs = MultiDict(initial), wz.MultiDict(initial)
    assert _state(ours) == _state(theirs)
    for method, args in steps:
        got = _outcome(lambda m=method, a=args: _apply(ours, MultiDict, m, a))
        want = _outcome(lambda m=method, a=args: _apply(theirs, wz.MultiDict, m, a))
        assert got[0] == want[0], (method, args)
        if method in ("setdefault", "setlistdefault"):
            # Werkzeug returns the stored object itself; compare what is stored.
            assert got[1] == want[1], (method, args)
        elif got[0] == "ok" and method not in ("update", "update_multi", "clear"):
            assert got[1] == want[1], (method, args)
        assert _state(ours) == _state(theirs), (method, args)


@settings(max_examples=100, deadline=None)
@given(initial=PAIRS, key=KEYS, value=VALUES)
def test_copies_do_not_share_lists(
    initial: list[tuple[str, t.Any]], key: str, value: t.Any
) -> None:
    original = MultiDict(initial)
    before = list(original.items(multi=True))
    for duplicate in (
        original.copy(),
        copy.copy(original),
        original.deepcopy(),
        copy.deepcopy(original),
    ):
        assert duplicate == original
        assert type(duplicate) is MultiDict
        duplicate.add(key, value)
        duplicate.setlist("b", ["changed"])
        assert list(original.items(multi=True)) == before


@settings(max_examples=100, deadline=None)
@given(initial=PAIRS)
def test_deepcopy_copies_mutable_values(initial: list[tuple[str, t.Any]]) -> None:
    original = MultiDict([(k, [v]) for k, v in initial])
    deep = original.deepcopy()
    for _, values in deep.lists():
        for value in values:
            value.append("changed")
    assert all(len(v) == 1 for _, v in original.items(multi=True))


@settings(max_examples=100, deadline=None)
@given(initial=PAIRS, protocol=st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_pickle_round_trip(initial: list[tuple[str, t.Any]], protocol: int) -> None:
    for cls in (MultiDict, ImmutableMultiDict):
        original = cls(initial)
        loaded = pickle.loads(pickle.dumps(original, protocol))
        assert type(loaded) is cls
        assert list(loaded.items(multi=True)) == list(original.items(multi=True))


_MUTATORS: list[tuple[str, tuple[t.Any, ...]]] = [
    ("add", ("a", 1)),
    ("__setitem__", ("a", 1)),
    ("__delitem__", ("a",)),
    ("setlist", ("a", [1])),
    ("setdefault", ("z", 1)),
    ("setlistdefault", ("z", [1])),
    ("pop", ("a",)),
    ("poplist", ("a",)),
    ("popitem", ()),
    ("popitemlist", ()),
    ("update", ({"a": 2},)),
    ("clear", ()),
]


@pytest.mark.parametrize(("method", "args"), _MUTATORS, ids=[m for m, _ in _MUTATORS])
def test_immutable_multidict_refuses_every_change(method: str, args: tuple[t.Any, ...]) -> None:
    d = ImmutableMultiDict([("a", 1), ("a", 2), ("b", 3)])
    with pytest.raises(TypeError):
        getattr(d, method)(*args)
    assert list(d.items(multi=True)) == [("a", 1), ("a", 2), ("b", 3)]
    with pytest.raises(TypeError):
        getattr(wz.ImmutableMultiDict([("a", 1)]), method)(*args)


@settings(max_examples=100, deadline=None)
@given(initial=PAIRS.map(lambda p: [(k, str(v)) for k, v in p]))
def test_equal_immutable_multidicts_hash_equal(initial: list[tuple[str, str]]) -> None:
    one, two = ImmutableMultiDict(initial), ImmutableMultiDict(list(initial))
    assert one == two
    assert hash(one) == hash(two)
    assert {one: "x"}[two] == "x"


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(PAIRS, min_size=1, max_size=3), key=KEYS)
def test_combined_multidict_reads_like_werkzeug(
    parts: list[list[tuple[str, t.Any]]], key: str
) -> None:
    ours = CombinedMultiDict([MultiDict(p) for p in parts])
    theirs = wz.CombinedMultiDict([wz.MultiDict(p) for p in parts])
    assert ours.getlist(key) == theirs.getlist(key)
    assert _outcome(lambda: ours[key]) == _outcome(lambda: theirs[key])
    assert (key in ours) == (key in theirs)
    assert sorted(map(repr, ours.items(multi=True))) == sorted(map(repr, theirs.items(multi=True)))
    assert ours.to_dict(flat=False) == theirs.to_dict(flat=False)
    assert len(ours) == len(theirs)
    with pytest.raises(TypeError):
        ours.add("a", 1)
