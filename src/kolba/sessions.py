"""Sessions: data kept for a user across requests, by default in a signed cookie.

The cookie format is Flask's (itsdangerous, salt ``cookie-session``, HMAC-SHA1 key
derivation, tagged JSON), so a session written by a Flask app with the same SECRET_KEY is
read by kolba and the reverse.
"""

from __future__ import annotations

import hashlib
import typing as t
from collections.abc import MutableMapping
from datetime import datetime, timezone

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .json.tag import TaggedJSONSerializer
from .sansio.datastructures import CallbackDict

if t.TYPE_CHECKING:
    from .app import Kolba
    from .wrappers import Request, Response


class SessionMixin(MutableMapping[str, t.Any]):
    """What every session offers besides the dict interface."""

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (PERMANENT_SESSION_LIFETIME)."""
        return self.get("_permanent", False)  # type: ignore[no-any-return]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: Whether the session was created by this request (no valid cookie came in).
    new = False
    #: Whether the session changed; nested changes need ``session.modified = True``.
    modified = True
    #: Whether the session was read or written (adds ``Vary: Cookie``).
    accessed = True


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """The default session: a dict that tracks reads (``accessed``) and writes
    (``modified``). Every read, including ``get``, ``in`` and ``len``, counts.
    """

    modified = False
    accessed = False

    def __init__(
        self,
        initial: t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]] | None = None,
    ) -> None:
        def on_update(self: SecureCookieSession) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().setdefault(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def __iter__(self) -> t.Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def keys(self) -> t.KeysView[str]:  # type: ignore[override]
        self.accessed = True
        return super().keys()

    def values(self) -> t.ValuesView[t.Any]:  # type: ignore[override]
        self.accessed = True
        return super().values()

    def items(self) -> t.ItemsView[str, t.Any]:  # type: ignore[override]
        self.accessed = True
        return super().items()


class NullSession(SecureCookieSession):
    """The session when no secret key is set: it reads as empty and refuses writes."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the secret_key"
            " on the application (app.secret_key or the SECRET_KEY setting) to something"
            " unique and secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # type: ignore[assignment]


class SessionInterface:
    """How sessions are loaded and saved; set ``app.session_interface`` to replace it.

    Implement ``open_session`` (return a session, or None when it cannot be opened) and
    ``save_session``. The ``get_cookie_*`` methods read the SESSION_COOKIE_* settings.
    """

    null_session_class: type[NullSession] = NullSession
    pickle_based = False

    def make_null_session(self, app: Kolba) -> NullSession:
        """The session used when ``open_session`` returned None."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is the null session (it is not saved)."""
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Kolba) -> str:
        """SESSION_COOKIE_NAME."""
        return app.config["SESSION_COOKIE_NAME"]  # type: ignore[no-any-return]

    def get_cookie_domain(self, app: Kolba) -> str | None:
        """SESSION_COOKIE_DOMAIN (None: the cookie belongs to the exact host)."""
        return app.config["SESSION_COOKIE_DOMAIN"]  # type: ignore[no-any-return]

    def get_cookie_path(self, app: Kolba) -> str:
        """SESSION_COOKIE_PATH, else APPLICATION_ROOT."""
        return app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]  # type: ignore[no-any-return]

    def get_cookie_httponly(self, app: Kolba) -> bool:
        """SESSION_COOKIE_HTTPONLY."""
        return app.config["SESSION_COOKIE_HTTPONLY"]  # type: ignore[no-any-return]

    def get_cookie_secure(self, app: Kolba) -> bool:
        """SESSION_COOKIE_SECURE."""
        return app.config["SESSION_COOKIE_SECURE"]  # type: ignore[no-any-return]

    def get_cookie_samesite(self, app: Kolba) -> str | None:
        """SESSION_COOKIE_SAMESITE: None, "Lax", "Strict" or "None"."""
        return app.config["SESSION_COOKIE_SAMESITE"]  # type: ignore[no-any-return]

    def get_cookie_partitioned(self, app: Kolba) -> bool:
        """SESSION_COOKIE_PARTITIONED."""
        return app.config["SESSION_COOKIE_PARTITIONED"]  # type: ignore[no-any-return]

    def get_expiration_time(self, app: Kolba, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires (None for a browser session)."""
        if session.permanent:
            return datetime.now(timezone.utc) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: Kolba, session: SessionMixin) -> bool:
        """Whether to send Set-Cookie: the session changed, or it is permanent and
        SESSION_REFRESH_EACH_REQUEST is on.
        """
        return session.modified or (
            session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        )

    def open_session(self, app: Kolba, request: Request) -> SessionMixin | None:
        """Load the session for ``request`` (None means "use the null session")."""
        raise NotImplementedError

    def save_session(self, app: Kolba, session: SessionMixin, response: Response) -> None:
        """Store the session at the end of the request (set or delete the cookie)."""
        raise NotImplementedError


session_json_serializer = TaggedJSONSerializer()


def _lazy_sha1(string: bytes = b"") -> t.Any:
    # A function rather than hashlib.sha1 itself keeps the signer working where sha1 is
    # only reachable through hashlib.new (FIPS builds); the digest is identical.
    return hashlib.sha1(string)


class SecureCookieSessionInterface(SessionInterface):
    """Sessions in a signed (not encrypted) cookie. Needs SECRET_KEY; SECRET_KEY_FALLBACKS
    lists old keys that still verify while the current key signs.
    """

    salt = "cookie-session"
    digest_method = staticmethod(_lazy_sha1)
    key_derivation = "hmac"
    serializer = session_json_serializer
    session_class = SecureCookieSession

    def get_signing_serializer(self, app: Kolba) -> URLSafeTimedSerializer | None:
        """The itsdangerous serializer for the app's keys, or None without a secret key."""
        if not app.secret_key:
            return None
        keys: list[str | bytes] = []
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        if fallbacks:
            keys.extend(fallbacks)
        # itsdangerous signs with the last key and verifies with all of them.
        keys.append(app.secret_key)
        return URLSafeTimedSerializer(
            keys,  # type: ignore[arg-type]
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def open_session(self, app: Kolba, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            session = self.session_class()
            session.new = True
            return session
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except (BadSignature, ValueError, TypeError, RecursionError):
            # Tampered, truncated, expired or garbled: start an empty session, never fail.
            session = self.session_class()
            session.new = True
            return session
        if not isinstance(data, dict):
            session = self.session_class()
            session.new = True
            return session
        return self.session_class(data)

    def save_session(self, app: Kolba, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        partitioned = self.get_cookie_partitioned(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)

        if session.accessed:
            response.vary.add("Cookie")

        if not session:
            if session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=secure,
                    partitioned=partitioned,
                    samesite=samesite,
                    httponly=httponly,
                )
                response.vary.add("Cookie")
            return

        if not self.should_set_cookie(app, session):
            return

        serializer = self.get_signing_serializer(app)
        assert serializer is not None
        value = serializer.dumps(dict(session))
        response.set_cookie(
            name,
            value,  # type: ignore[arg-type]
            expires=self.get_expiration_time(app, session),
            httponly=httponly,
            domain=domain,
            path=path,
            secure=secure,
            partitioned=partitioned,
            samesite=samesite,
        )
        response.vary.add("Cookie")


__all__ = [
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
]
