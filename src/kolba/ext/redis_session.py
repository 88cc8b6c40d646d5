"""Server-side sessions kept in Redis.

The cookie holds only a random session id, signed with the app's SECRET_KEY (and
verified with SECRET_KEY_FALLBACKS too); the data lives in Redis under
``<key_prefix><id>`` with a time to live of PERMANENT_SESSION_LIFETIME. Use it when
sessions outgrow a cookie (about 4 KB) or must be revocable: deleting the key (or calling
:meth:`RedisSessionInterface.revoke`) logs that visitor out at their next request.

    from redis import Redis
    from kolba.ext.redis_session import RedisSessionInterface

    app.session_interface = RedisSessionInterface(Redis(), key_prefix="myapp:session:")

Everything else behaves like the cookie session: ``permanent``, ``modified``,
``accessed`` (``Vary: Cookie``), ``new``, the SESSION_COOKIE_* settings and
SESSION_REFRESH_EACH_REQUEST. The data is stored as tagged JSON, never as a pickle, so a
compromised Redis cannot run code in the app. Needs redis-py (``pip install kolba[redis]``)
or any client with the same ``get``/``set``/``expire``/``delete`` methods.
"""

from __future__ import annotations

import hashlib
import secrets
import typing as t

from itsdangerous import BadSignature, Signer

from ..sessions import (
    LAZY_SESSION_INTERFACES,
    SecureCookieSession,
    SessionInterface,
    session_json_serializer,
    signing_keys,
    vary_on_cookie,
)

if t.TYPE_CHECKING:
    from ..app import Kolba
    from ..json.tag import TaggedJSONSerializer
    from ..sessions import SessionMixin
    from ..wrappers import Request, Response


class RedisClient(t.Protocol):
    """The part of a redis-py client this module uses."""

    def get(self, name: str) -> t.Any:
        """The value at ``name`` (bytes or str), or None."""

    def set(
        self,
        name: str,
        value: str,
        ex: int | None = None,
        nx: bool = False,
        xx: bool = False,
    ) -> t.Any:
        """Store ``value``; with ``nx``/``xx`` only when the key is absent/present."""

    def expire(self, name: str, time: int) -> t.Any:
        """Reset the time to live of ``name``; false when it does not exist."""

    def delete(self, *names: str) -> t.Any:
        """Remove keys."""


class RedisSession(SecureCookieSession):
    """A session whose data lives in Redis under its ``sid``."""

    def __init__(
        self,
        initial: t.Mapping[str, t.Any] | None = None,
        sid: str = "",
        new: bool = False,
        sid_factory: t.Callable[[], str] | None = None,
    ) -> None:
        super().__init__(initial)
        self._sid_factory = sid_factory or _default_sid
        #: The session id (the Redis key without the prefix).
        self.sid = sid or self._sid_factory()
        self.new = new
        #: Ids whose data must be deleted when the session is saved.
        self._retired: list[str] = []

    def regenerate(self) -> None:
        """Give the session a fresh id now; the data moves to it when the session is saved
        and the old id stops working.

        Call it when the visitor logs in (or their privileges change): an id that an
        attacker planted or saw before then is useless (session fixation).
        """
        if not self.new:
            self._retired.append(self.sid)
        self.sid = self._sid_factory()
        self.new = True
        self.modified = True


def _default_sid() -> str:
    return secrets.token_urlsafe(32)


def _sha256(string: bytes = b"") -> t.Any:
    return hashlib.sha256(string)


class RedisSessionInterface(SessionInterface):
    """Sessions stored in Redis; the cookie carries a signed random id.

    ``client`` is a ``redis.Redis`` (or compatible) instance; without one, a client for
    ``url`` is created. ``key_prefix`` namespaces the keys, so several apps can share a
    database. ``sid_bytes`` is the randomness of an id (32 bytes by default).
    A Redis that cannot be reached is an error (500), never a silent logout.
    """

    session_class = RedisSession
    #: The itsdangerous salt for the signed id; distinct from the cookie session's, so
    #: one kind of cookie can never be mistaken for the other.
    salt = "kolba.redis-session"
    serializer: TaggedJSONSerializer = session_json_serializer

    def __init__(
        self,
        client: RedisClient | None = None,
        *,
        key_prefix: str = "session:",
        url: str = "redis://127.0.0.1:6379/0",
        sid_bytes: int = 32,
    ) -> None:
        if client is None:
            try:
                import redis
            except ImportError as e:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "RedisSessionInterface needs redis-py when no client is passed. Install"
                    " it with 'pip install kolba[redis]', or pass a client object."
                ) from e
            client = t.cast(RedisClient, redis.Redis.from_url(url))
        if sid_bytes < 16:
            raise ValueError(f"sid_bytes={sid_bytes} makes session ids guessable; use at least 16.")
        self.client = client
        self.key_prefix = key_prefix
        self.sid_bytes = sid_bytes
        self._signer_cache: tuple[tuple[str | bytes, ...], Signer] | None = None

    # -- ids and keys ----------------------------------------------------------------------

    def key_for(self, sid: str) -> str:
        """The Redis key of the session ``sid``."""
        return f"{self.key_prefix}{sid}"

    def generate_sid(self) -> str:
        """A new random session id (URL-safe, so it needs no cookie quoting)."""
        return secrets.token_urlsafe(self.sid_bytes)

    def revoke(self, sid: str) -> bool:
        """Delete the session ``sid`` (log that visitor out). True when it existed."""
        return bool(self.client.delete(self.key_for(sid)))

    def get_ttl(self, app: Kolba) -> int:
        """How long Redis keeps an idle session: PERMANENT_SESSION_LIFETIME in seconds.

        It applies to browser sessions too, since the server cannot see a browser close.
        """
        return max(1, int(app.permanent_session_lifetime.total_seconds()))

    def get_signer(self, app: Kolba) -> Signer | None:
        """The signer of session ids for the app's keys, or None without a secret key."""
        keys = signing_keys(app)
        if keys is None:
            return None
        cache_key = tuple(keys)
        cached = self._signer_cache
        # PERF: the signer is rebuilt only when the keys change.
        if cached is not None and cached[0] == cache_key:
            return cached[1]
        signer = Signer(
            keys,  # type: ignore[arg-type]
            salt=self.salt,
            key_derivation="hmac",
            digest_method=_sha256,
        )
        self._signer_cache = (cache_key, signer)
        return signer

    # -- the interface -----------------------------------------------------------------------

    def open_session(self, app: Kolba, request: Request) -> RedisSession | None:
        signer = self.get_signer(app)
        if signer is None:
            return None
        sid = self._sid_from_cookie(signer, request.cookies.get(self.get_cookie_name(app)))
        if sid is not None:
            data = self._load(self.client.get(self.key_for(sid)))
            if data is not None:
                return self.session_class(data, sid=sid, sid_factory=self.generate_sid)
        # No cookie, a bad one, or a session that expired or was revoked: a fresh id, so
        # an id the client made up is never adopted.
        return self.session_class(sid=self.generate_sid(), new=True, sid_factory=self.generate_sid)

    def _sid_from_cookie(self, signer: Signer, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return signer.unsign(value).decode("ascii")
        except (BadSignature, UnicodeError):
            return None

    def _load(self, raw: t.Any) -> dict[str, t.Any] | None:
        if raw is None:
            return None
        try:
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8")
            data = self.serializer.loads(raw)
        except (ValueError, TypeError, RecursionError, UnicodeError):
            return None  # unreadable data (another program's key?): start over
        return data if isinstance(data, dict) else None

    def save_session(self, app: Kolba, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, RedisSession):
            raise TypeError(
                f"RedisSessionInterface cannot save a {type(session).__name__}; the session"
                " was replaced by an object its open_session did not create."
            )
        name = self.get_cookie_name(app)
        options = self._cookie_options(app)
        if session.accessed:
            vary_on_cookie(response)
        if session._retired:
            self.client.delete(*[self.key_for(sid) for sid in session._retired])
            session._retired.clear()
        if not session:
            if session.modified:
                # Emptied (a logout): remove the data as well as the cookie.
                if not session.new:
                    self.client.delete(self.key_for(session.sid))
                response.delete_cookie(name, **options)
                vary_on_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        signer = self.get_signer(app)
        if signer is None:  # the key was removed while the request ran
            return
        if not self._store(app, session):
            # The session was revoked (or expired) while this request ran: the
            # revocation wins, and the visitor's cookie goes too.
            response.delete_cookie(name, **options)
            vary_on_cookie(response)
            return
        response.set_cookie(
            name,
            signer.sign(session.sid).decode("ascii"),
            expires=self.get_expiration_time(app, session),
            **options,
        )
        vary_on_cookie(response)

    def _store(self, app: Kolba, session: RedisSession) -> bool:
        """Write (or, when unchanged, just extend) the session; False if it is gone."""
        key = self.key_for(session.sid)
        ttl = self.get_ttl(app)
        if session.new:
            payload = self.serializer.dumps(dict(session))
            # NX: never overwrite another visitor's session, however unlikely the clash.
            if self.client.set(key, payload, ex=ttl, nx=True):
                session.new = False
                return True
            session.sid = self.generate_sid()
            key = self.key_for(session.sid)
            return bool(self.client.set(key, payload, ex=ttl, nx=True))
        if session.modified:
            # XX: only while the key exists, so a revocation is not undone by a request
            # that was already running.
            return bool(self.client.set(key, self.serializer.dumps(dict(session)), ex=ttl, xx=True))
        return bool(self.client.expire(key, ttl))


# Its sessions open on first use: a request that never uses one makes no Redis round trip.
LAZY_SESSION_INTERFACES.add(RedisSessionInterface)

__all__ = ["RedisClient", "RedisSession", "RedisSessionInterface"]
