"""Sessions: data kept for a user across requests, by default in a signed cookie.

The cookie format is Flask's (itsdangerous, salt ``cookie-session``, HMAC-SHA1 key
derivation, tagged JSON), so a session written by a Flask app with the same SECRET_KEY is
read by kolba and the reverse. Set ``app.session_interface`` to keep sessions elsewhere
(``kolba.ext.redis_session`` keeps them in Redis).

The session is opened lazily: a request whose code never touches ``session`` never pays
for verifying the cookie (see ``RequestContext.session``).
"""

from __future__ import annotations

import hashlib
import typing as t
from collections.abc import MutableMapping
from datetime import datetime, timezone

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from .json.tag import TaggedJSONSerializer
from .sansio.datastructures import CallbackDict

if t.TYPE_CHECKING:
    from .app import Kolba
    from .wrappers import Request, Response

_MISSING: t.Any = object()


class SessionMixin(MutableMapping[str, t.Any]):
    """What every session offers besides the dict interface."""

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser (for PERMANENT_SESSION_LIFETIME).

        Stored in the session itself under ``_permanent``, so it survives the round trip.
        """
        return self.get("_permanent", False)  # type: ignore[no-any-return]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: Whether this request started the session (no valid session came in). Backends that
    #: cannot tell leave it False.
    new = False
    #: Whether the session changed. Changes inside a nested value (a list or dict stored in
    #: the session) are invisible: set ``session.modified = True`` after making them.
    modified = True
    #: Whether the session was read or written at all; the response then gets
    #: ``Vary: Cookie`` so shared caches keep one copy per visitor.
    accessed = True


def _mark_changed(session: SecureCookieSession) -> None:
    # A module-level function rather than a closure per session.
    # PERF: saves allocating a function object every time a session is opened.
    session.modified = True
    session.accessed = True


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """A dict that records reads (``accessed``) and writes (``modified``).

    Every way of reading counts, including ``get``, ``in``, ``len``, iteration, ``copy``
    and comparison, because each of them lets the response depend on the cookie. A ``pop``
    of a missing key or a ``setdefault`` of a present one reads but does not modify.
    """

    modified = False
    accessed = False

    def __init__(
        self,
        initial: t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]] | None = None,
    ) -> None:
        super().__init__(initial, _mark_changed)

    # -- reads -------------------------------------------------------------------------------

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def __iter__(self) -> t.Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def __reversed__(self) -> t.Iterator[str]:
        self.accessed = True
        return super().__reversed__()

    def keys(self) -> t.KeysView[str]:  # type: ignore[override]
        self.accessed = True
        return super().keys()

    def values(self) -> t.ValuesView[t.Any]:  # type: ignore[override]
        self.accessed = True
        return super().values()

    def items(self) -> t.ItemsView[str, t.Any]:  # type: ignore[override]
        self.accessed = True
        return super().items()

    def copy(self) -> dict[str, t.Any]:
        """A plain dict with the session's items."""
        self.accessed = True
        return dict(super().items())

    def __eq__(self, other: object) -> bool:
        self.accessed = True
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        self.accessed = True
        return super().__ne__(other)

    __hash__ = None  # type: ignore[assignment]

    def __or__(self, other: t.Any) -> dict[str, t.Any]:  # type: ignore[override]
        self.accessed = True
        return dict(super().items()) | other  # type: ignore[no-any-return]

    def __ror__(self, other: t.Any) -> dict[str, t.Any]:  # type: ignore[override]
        self.accessed = True
        return other | dict(super().items())  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        self.accessed = True
        return f"<{type(self).__name__} {dict.__repr__(self)}>"

    # -- writes that may not write -----------------------------------------------------------

    def pop(self, key: str, default: t.Any = _MISSING) -> t.Any:
        """Remove ``key`` and return its value (or ``default``). Popping a missing key
        reads the session but leaves it unmodified, so no cookie is sent for it.
        """
        self.accessed = True
        if not dict.__contains__(self, key):
            if default is _MISSING:
                raise KeyError(key)
            return default
        return super().pop(key)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        """``session[key]``, first setting it to ``default`` when missing (only then is
        the session modified).
        """
        self.accessed = True
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        self[key] = default
        return default


class NullSession(SecureCookieSession):
    """The session of an app without a secret key: it reads as empty and any write raises
    RuntimeError saying how to set the key.
    """

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set, so it cannot be"
            " signed. Set app.secret_key (or the SECRET_KEY setting) to a long random"
            " value kept out of source control, e.g. secrets.token_hex()."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail
    __ior__ = _fail


def vary_on_cookie(response: Response) -> None:
    """Add ``Cookie`` to the response's ``Vary`` header, once."""
    if "Vary" in response.headers:
        response.vary.add("Cookie")
    else:
        # PERF: with no Vary yet (the usual case) there is nothing to parse or merge; this
        # skips building a HeaderSet and writing it back (a session save does it twice).
        response.headers["Vary"] = "Cookie"


class SessionInterface:
    """How sessions are loaded and saved; set ``app.session_interface`` to replace it.

    A subclass implements ``open_session`` (return a session, or None when sessions
    cannot work, which gives the null session) and ``save_session``. The ``get_cookie_*``
    methods read the SESSION_COOKIE_* settings; override them to decide per app.
    """

    #: The class of the session used when ``open_session`` returns None.
    null_session_class: type[NullSession] = NullSession
    #: Whether the backend stores pickles (kept for extensions that check it).
    pickle_based = False

    def make_null_session(self, app: Kolba) -> NullSession:
        """The session used when ``open_session`` returned None."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is the null session (which is never saved)."""
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Kolba) -> str:
        """SESSION_COOKIE_NAME ("session")."""
        return app.config["SESSION_COOKIE_NAME"]  # type: ignore[no-any-return]

    def get_cookie_domain(self, app: Kolba) -> str | None:
        """SESSION_COOKIE_DOMAIN; None keeps the cookie to the exact host that set it."""
        return app.config["SESSION_COOKIE_DOMAIN"]  # type: ignore[no-any-return]

    def get_cookie_path(self, app: Kolba) -> str:
        """SESSION_COOKIE_PATH, or APPLICATION_ROOT when that is not set."""
        return app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]  # type: ignore[no-any-return]

    def get_cookie_httponly(self, app: Kolba) -> bool:
        """SESSION_COOKIE_HTTPONLY (True: scripts in the page cannot read the cookie)."""
        return app.config["SESSION_COOKIE_HTTPONLY"]  # type: ignore[no-any-return]

    def get_cookie_secure(self, app: Kolba) -> bool:
        """SESSION_COOKIE_SECURE (True: sent over HTTPS only)."""
        return app.config["SESSION_COOKIE_SECURE"]  # type: ignore[no-any-return]

    def get_cookie_samesite(self, app: Kolba) -> str | None:
        """SESSION_COOKIE_SAMESITE: None, "Lax", "Strict" or "None"."""
        return app.config["SESSION_COOKIE_SAMESITE"]  # type: ignore[no-any-return]

    def get_cookie_partitioned(self, app: Kolba) -> bool:
        """SESSION_COOKIE_PARTITIONED (CHIPS; implies Secure)."""
        return app.config["SESSION_COOKIE_PARTITIONED"]  # type: ignore[no-any-return]

    def get_expiration_time(self, app: Kolba, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires; None (a browser-session cookie)
        for a session that is not permanent.
        """
        if not session.permanent:
            return None
        return datetime.now(timezone.utc) + app.permanent_session_lifetime

    def should_set_cookie(self, app: Kolba, session: SessionMixin) -> bool:
        """Whether the response carries the cookie: when the session changed, or when it
        is permanent and SESSION_REFRESH_EACH_REQUEST pushes its expiry forward.
        """
        if session.modified:
            return True
        return bool(session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"])

    def open_session(self, app: Kolba, request: Request) -> SessionMixin | None:
        """Load the session for ``request``; None means "use the null session"."""
        raise NotImplementedError

    def save_session(self, app: Kolba, session: SessionMixin, response: Response) -> None:
        """Store the session at the end of the request (set or delete the cookie)."""
        raise NotImplementedError

    # -- helpers for cookie-based subclasses -------------------------------------------------

    def _cookie_options(self, app: Kolba) -> dict[str, t.Any]:
        """The Set-Cookie attributes shared by setting and deleting the cookie."""
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
            "partitioned": self.get_cookie_partitioned(app),
        }


#: The serializer of session data: JSON with tags for tuples, bytes, Markup, UUID and
#: datetime, as Flask writes it.
session_json_serializer = TaggedJSONSerializer()


def _sha1(string: bytes = b"") -> t.Any:
    # A plain function instead of hashlib.sha1 itself: the HMAC key derivation needs a
    # constructor it can call, and some FIPS builds only expose sha1 this way.
    return hashlib.sha1(string)


def signing_keys(app: Kolba) -> list[str | bytes] | None:
    """The keys that verify, oldest first: SECRET_KEY_FALLBACKS then SECRET_KEY, which is
    last so it is the one that signs. None when no SECRET_KEY is set.
    """
    secret_key = app.secret_key
    if not secret_key:
        return None
    fallbacks = app.config["SECRET_KEY_FALLBACKS"]
    return [*fallbacks, secret_key] if fallbacks else [secret_key]


class _SessionSigner(TimestampSigner):
    """A TimestampSigner that derives each key once.

    PERF: key derivation is an HMAC per key per sign or verify; its result depends only on
    the key and the signer settings, so it is kept (a verify and a sign per request save
    two HMACs, about a fifth of a session round trip).
    """

    _derived: t.ClassVar[dict[tuple[t.Any, ...], bytes]] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        if secret_key is None:
            secret_key = self.secret_keys[-1]
        cache_key = (secret_key, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(cache_key)
        if derived is None:
            derived = super().derive_key(secret_key)
            if len(self._derived) >= 256:  # keys rotate rarely; bound it all the same
                self._derived.clear()
            self._derived[cache_key] = derived
        return derived


class _SessionSerializer(URLSafeTimedSerializer):
    """Keeps one signer per salt: signers hold only settings, so one serves every request
    (PERF: saves building two per request)."""

    def make_signer(self, salt: str | bytes | None = None) -> t.Any:
        signers: dict[t.Any, t.Any] = self.__dict__.setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer


class SecureCookieSessionInterface(SessionInterface):
    """Sessions kept in a signed (readable, not encrypted) cookie.

    Needs SECRET_KEY. SECRET_KEY_FALLBACKS lists retired keys that still verify while the
    current key signs, so keys can be rotated without logging everyone out. A cookie that
    is tampered with, truncated, signed with an unknown key or older than
    PERMANENT_SESSION_LIFETIME gives an empty session, never an error.
    """

    #: itsdangerous salt; Flask's value, so the cookies are interchangeable.
    salt = "cookie-session"
    digest_method = staticmethod(_sha1)
    key_derivation = "hmac"
    serializer = session_json_serializer
    session_class = SecureCookieSession

    _cache: tuple[tuple[t.Any, ...], URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Kolba) -> URLSafeTimedSerializer | None:
        """The itsdangerous serializer for the app's keys, or None without a secret key."""
        keys = signing_keys(app)
        if keys is None:
            return None
        cache_key = (
            tuple(keys),
            self.salt,
            self.key_derivation,
            self.digest_method,
            self.serializer,
        )
        # PERF: building the serializer costs about a third of verifying a cookie; reuse
        # it while the keys and settings stay the same (one entry: one app per interface
        # is the common case, and a change of key just rebuilds it).
        cached = self._cache
        if cached is not None and cached[0] == cache_key:
            return cached[1]
        digest_method = self.digest_method
        if digest_method is _sha1:
            # PERF: hashlib's own constructor lets hmac use OpenSSL's HMAC in C; the
            # digest is the same. Looked up here, not at import (see _sha1).
            digest_method = hashlib.sha1
        serializer = _SessionSerializer(
            keys,  # type: ignore[arg-type]
            salt=self.salt,
            serializer=self.serializer,
            signer=_SessionSigner,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": digest_method,
            },
        )
        self._cache = (cache_key, serializer)
        return serializer

    def open_session(self, app: Kolba, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        data = self._load(app, serializer, request.cookies.get(self.get_cookie_name(app)))
        if data is None:
            session = self.session_class()
            session.new = True
            return session
        return self.session_class(data)

    def _load(
        self, app: Kolba, serializer: URLSafeTimedSerializer, value: str | None
    ) -> dict[str, t.Any] | None:
        """The cookie's data, or None when there is no usable cookie."""
        if not value:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except (BadSignature, ValueError, TypeError, RecursionError):
            # Tampered, truncated, expired, signed with a retired key, or garbled: the
            # visitor just starts over. BadSignature covers bad payloads and expiry.
            return None
        return data if isinstance(data, dict) else None

    def save_session(self, app: Kolba, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        options = self._cookie_options(app)
        # Read the flag before the checks below, which read the session themselves.
        if session.accessed:
            vary_on_cookie(response)
        if not session:
            if session.modified:
                # The view emptied the session: drop the cookie rather than send an empty
                # signed one.
                response.delete_cookie(name, **options)
                vary_on_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # the key was removed while the request ran
            return
        response.set_cookie(
            name,
            serializer.dumps(dict(session)),
            expires=self.get_expiration_time(app, session),
            **options,
        )
        vary_on_cookie(response)


#: Session interface classes whose ``open_session`` and ``save_session`` do nothing a
#: request could notice unless the view uses the session or the client sent its cookie. kolba
#: opens their sessions on first use; any other interface (a subclass included) is opened on
#: every request, as Flask does, since its methods may count, log or set headers.
LAZY_SESSION_INTERFACES: set[type[SessionInterface]] = {SecureCookieSessionInterface}


__all__ = [
    "LAZY_SESSION_INTERFACES",
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "session_json_serializer",
    "signing_keys",
]
