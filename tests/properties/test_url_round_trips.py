"""url_for then a request to that URL gives every value back: several converters in one rule,
extra values as the query string (lists and odd characters included), the anchor, an app
mounted under a prefix, and external URLs.

tests/routing/test_converters.py round-trips each converter alone; this is the whole trip a
link makes in an app.
"""

from __future__ import annotations

import typing as t
import uuid
from urllib.parse import unquote, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

import kolba

_SEGMENT = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="/"), min_size=1, max_size=8
)
_PATH = st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join)
_QUERY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
_QUERY = st.dictionaries(
    _QUERY_TEXT.filter(lambda k: k not in ("name", "n", "x", "u", "rest", "_anchor")),
    st.one_of(_QUERY_TEXT, st.lists(_QUERY_TEXT, min_size=1, max_size=3), st.integers()),
    max_size=4,
).filter(lambda q: not any(k.startswith("_") for k in q))


def _make_app() -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config["SERVER_NAME"] = "shop.example"

    @app.route("/a/<name>/<int(signed=True):n>/<float(signed=True):x>/<uuid:u>/<path:rest>")
    def target(name: str, n: int, x: float, u: uuid.UUID, rest: str) -> t.Any:
        r = kolba.request
        return {
            "view_args": {"name": name, "n": n, "x": x, "u": str(u), "rest": rest},
            "args": r.args.to_dict(flat=False),
            "script_root": r.script_root,
        }

    return app


_APP = _make_app()
_CLIENT = _APP.test_client()


def _wsgi(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _request(path: str, query: str, root: str = "") -> t.Any:
    """GET as a server would deliver it: the path decoded (so "?" and "#" in it are just
    characters), the query string raw. The test client would read "?" in a path as a query.
    """
    return _CLIENT.get(
        "/",
        environ_overrides={
            "PATH_INFO": _wsgi(path),
            "SCRIPT_NAME": _wsgi(root),
            "QUERY_STRING": query,
        },
    )


@settings(max_examples=100, deadline=None)
@given(
    name=_SEGMENT,
    n=st.integers(-(10**12), 10**12),
    x=st.floats(allow_nan=False, allow_infinity=False),
    u=st.uuids(),
    rest=_PATH,
    query=_QUERY,
    anchor=st.none() | _QUERY_TEXT,
    root=st.sampled_from(["", "/shop", "/a b/ü"]),
    external=st.booleans(),
)
def test_url_for_then_request_gives_every_value_back(
    name: str,
    n: int,
    x: float,
    u: uuid.UUID,
    rest: str,
    query: dict[str, t.Any],
    anchor: str | None,
    root: str,
    external: bool,
) -> None:
    if x == 0:
        x = 0.0  # "-0.0" and "0.0" build the same URL
    quoted_root = kolba.sansio.urls.quote(root)
    extra: dict[str, t.Any] = {"_anchor": anchor} if anchor is not None else {}
    with _APP.test_request_context(base_url=f"http://shop.example{quoted_root}/"):
        url = kolba.url_for(
            "target", name=name, n=n, x=x, u=u, rest=rest, _external=external, **query, **extra
        )
    parts = urlsplit(url)
    if external:
        assert (parts.scheme, parts.netloc) == ("http", "shop.example")
    else:
        assert not parts.scheme
        assert not parts.netloc
    if anchor is not None:
        assert unquote(parts.fragment) == anchor
    else:
        assert "#" not in url
    path = unquote(parts.path)
    assert path.startswith(root + "/a/")
    rv = _request(path[len(root) :], parts.query, root)
    assert rv.status_code == 200, url
    got = rv.json
    assert got["view_args"] == {"name": name, "n": n, "x": x, "u": str(u), "rest": rest}
    assert got["script_root"] == root
    expected_args = {
        key: [str(v) for v in (value if isinstance(value, list) else [value])]
        for key, value in query.items()
    }
    assert got["args"] == expected_args


@settings(max_examples=100, deadline=None)
@given(query=_QUERY)
def test_query_values_survive_url_encode_and_the_request(query: dict[str, t.Any]) -> None:
    """The same trip for the query string alone, outside a request (SERVER_NAME)."""
    with _APP.app_context():
        url = kolba.url_for("target", name="n", n=1, x=1.5, u=uuid.UUID(int=1), rest="r", **query)
    parts = urlsplit(url)
    rv = _request(unquote(parts.path), parts.query)
    assert rv.json["args"] == {
        key: [str(v) for v in (value if isinstance(value, list) else [value])]
        for key, value in query.items()
    }
