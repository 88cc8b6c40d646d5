"""JSON providers: how an app turns values into JSON and back (``app.json``)."""

from __future__ import annotations

import dataclasses
import decimal
import json
import json.encoder as json_encoder
import typing as t
import uuid
import weakref
from datetime import date

from ..sansio.datastructures import Headers
from ..sansio.http import http_date
from ..sansio.response import mimetype_with_charset

if t.TYPE_CHECKING:
    from ..app import Kolba
    from ..wrappers import Response


class JSONProvider:
    """The interface for ``app.json``: ``dumps``, ``loads`` and ``response``.

    Subclass it (or :class:`DefaultJSONProvider`) and set ``app.json = MyProvider(app)`` or
    ``Kolba.json_provider_class`` to use another JSON library.
    """

    def __init__(self, app: Kolba) -> None:
        # A proxy, so the provider does not keep its app alive.
        self._app: Kolba = t.cast("Kolba", weakref.proxy(app))

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialize ``obj`` to a text file."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Parse a JSON string or bytes."""
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Parse JSON from a file."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
        if args and kwargs:
            raise TypeError(
                "jsonify() got both positional and keyword arguments. Pass either args or"
                " kwargs, not both: jsonify({'a': 1}) or jsonify(a=1)."
            )
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return args or kwargs

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A response whose body is the JSON of the arguments (``application/json``)."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _default(o: t.Any) -> t.Any:
    if isinstance(o, date):
        return http_date(o)
    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(
        f"Object of type {type(o).__name__} is not JSON serializable. Convert it to a dict,"
        " list, str, number, bool or None first, or give app.json a 'default' function"
        " that does."
    )


# The standard library's C encoder constructor (None without the C accelerator).
_c_make_encoder: t.Any = getattr(json_encoder, "c_make_encoder", None)


def _make_encoder(
    default: t.Callable[[t.Any], t.Any], ensure_ascii: bool, sort_keys: bool, indent: bool
) -> t.Callable[[t.Any], str]:
    """A function encoding one document with these settings, as json.dumps would."""
    standard = json.JSONEncoder(
        default=default,
        ensure_ascii=ensure_ascii,
        sort_keys=sort_keys,
        indent=2 if indent else None,
        separators=None if indent else (",", ":"),
    )
    make_c_encoder = _c_make_encoder
    if indent or make_c_encoder is None:
        return standard.encode
    # PERF: JSONEncoder.encode builds a new C encoder for every document; one built here
    # and reused halves the cost of a small response. Without a markers dict it keeps no
    # state between calls (safe across threads); the price is that a reference cycle
    # shows up as RecursionError, so that case is handed to the standard encoder, which
    # reports it the usual way. The private constructor is probed against the standard
    # encoder once, so a Python whose C encoder differs falls back to it.
    try:
        c_encoder = make_c_encoder(
            None,
            default,
            json_encoder.encode_basestring_ascii
            if ensure_ascii
            else json_encoder.encode_basestring,
            None,
            ":",
            ",",
            sort_keys,
            False,
            True,
        )
        probe = {"é": [1.5, None, True, "\u2603"], "a": {"z": 0, "y": -1e300}}
        if "".join(c_encoder(probe, 0)) != standard.encode(probe):
            return standard.encode
    except Exception:
        return standard.encode

    def encode(obj: t.Any) -> str:
        try:
            return "".join(c_encoder(obj, 0))
        except RecursionError:
            return standard.encode(obj)

    return encode


class DefaultJSONProvider(JSONProvider):
    """JSON through the standard library.

    Output is compact and sorted (``{"a":1,"b":2}``), ASCII-only, indented by 2 in debug
    mode. Dates become HTTP dates, Decimal and UUID strings, dataclasses dicts, and objects
    with ``__html__`` their HTML. Set the attributes on ``app.json`` to change that.
    """

    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)
    ensure_ascii = True
    sort_keys = True
    #: None: compact unless the app is in debug mode. True/False force it.
    compact: bool | None = None
    mimetype = "application/json"

    #: Whether ``dumps`` is this class's own; a subclass overriding it gets every JSON
    #: response through its ``dumps`` (set per class by ``__init_subclass__``).
    _stock_dumps = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._stock_dumps = cls.dumps is DefaultJSONProvider.dumps

    def __init__(self, app: Kolba) -> None:
        super().__init__(app)
        self._encoder_key: tuple[t.Any, ...] | None = None
        self._encode: t.Callable[[t.Any], str] | None = None
        self._content_type_for: str | None = None
        self._content_type = ""

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize with this provider's settings; keyword arguments go to json.dumps."""
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Parse JSON with the standard library."""
        return json.loads(s, **kwargs)

    def _response_encoder(self) -> t.Callable[[t.Any], str]:
        # PERF: one encoder reused for every response, rebuilt only when a setting changes
        # (json.dumps with keyword arguments builds a new encoder per call).
        indent = self.compact is False or (self.compact is None and self._app.debug)
        key = (self.default, self.ensure_ascii, self.sort_keys, indent)
        encode = self._encode
        if encode is None or key != self._encoder_key:
            encode = _make_encoder(self.default, self.ensure_ascii, self.sort_keys, indent)
            self._encode, self._encoder_key = encode, key
        return encode

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response (with a trailing newline) of the arguments.

        One argument is serialized as is, several as a list, keyword arguments as a dict.
        """
        obj = self._prepare_response_obj(args, kwargs)
        if self._stock_dumps:
            body = self._response_encoder()(obj) + "\n"
        # A custom dumps must see every response, as it would in Flask.
        elif self.compact is False or (self.compact is None and self._app.debug):
            body = self.dumps(obj, indent=2) + "\n"
        else:
            body = self.dumps(obj, separators=(",", ":")) + "\n"
        return self._app._json_response(body, self._response_content_type())

    def _response_content_type(self) -> str:
        # PERF: the Content-Type is worked out (charset added for text types, value checked
        # for CR/LF since responses built from it skip header validation) once per value
        # of ``mimetype``, not per response.
        mimetype = self.mimetype
        if mimetype is not self._content_type_for:
            content_type = mimetype_with_charset(mimetype)
            Headers([("Content-Type", content_type)])  # raises ValueError for a bad value
            self._content_type, self._content_type_for = content_type, mimetype
        return self._content_type


__all__ = ["DefaultJSONProvider", "JSONProvider"]
