"""Password hashing, salts and safe path joining (the ``werkzeug.security`` role).

Hash strings have the shape ``method$salt$hexdigest`` that Werkzeug writes, so a database
of hashes made by a Flask app keeps verifying after the port, and hashes made here verify
under Werkzeug.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import posixpath
import secrets
import string

SALT_CHARS = string.ascii_letters + string.digits

# Werkzeug's defaults, so that ``generate_password_hash(pw)`` produces the same kind of
# string under kolba as under Flask.
DEFAULT_SCRYPT_PARAMS = (2**15, 8, 1)
DEFAULT_PBKDF2_HASH = "sha256"
DEFAULT_PBKDF2_ITERATIONS = 1_000_000
_SCRYPT_DKLEN = 64

# Generous headroom above what OpenSSL needs (128 * r * (n + p + 2) bytes) for the scrypt
# working set; hashlib's default limit (32 MiB) is exactly what n=2**15, r=8 needs, so it
# would refuse the default parameters without this.
_SCRYPT_MAXMEM_SLACK = 1024 * 1024

_SUPPORTED = (
    "'scrypt', 'scrypt:N:r:p', 'pbkdf2', 'pbkdf2:HASH' or 'pbkdf2:HASH:ITERATIONS' "
    "(for example 'pbkdf2:sha256:600000')"
)

# Names Windows maps to devices whatever the directory or extension. The superscript
# digits count too: Windows treats COM\u00b9 like COM1.
_WINDOWS_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{prefix}{digit}" for prefix in ("COM", "LPT") for digit in "0123456789\u00b9\u00b2\u00b3"}
)

# Characters Windows never allows in a file name. ':' is the important one: it also covers
# drive letters ("c:x") and NTFS alternate data streams ("app.py::$DATA").
_WINDOWS_FORBIDDEN_CHARS = frozenset('<>:"|?*') | {chr(code) for code in range(32)}


def gen_salt(length: int) -> str:
    """Return a random string of ``length`` ASCII letters and digits from a secure source."""
    if length <= 0:
        raise ValueError(f"salt length must be at least 1, got {length}")
    return "".join(secrets.choice(SALT_CHARS) for _ in range(length))


def _parse_count(text: str) -> int:
    # int() would also take "+5", " 5", "1_000" and non-ASCII digits; a hash string never
    # legitimately holds those, so they mark it as malformed.
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"expected a decimal number, got {text!r}")
    return int(text)


def _scrypt_params(args: list[str]) -> tuple[int, int, int]:
    if not args:
        return DEFAULT_SCRYPT_PARAMS
    if len(args) != 3:
        raise ValueError(
            f"'scrypt' takes either no parameters or exactly three (N:r:p), got {args}"
        )
    n, r, p = (_parse_count(arg) for arg in args)
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise ValueError(f"scrypt needs N a power of two above 1 and r, p >= 1, got {n}:{r}:{p}")
    return n, r, p


def _pbkdf2_params(args: list[str]) -> tuple[str, int]:
    if len(args) > 2:
        raise ValueError(f"'pbkdf2' takes at most two parameters (HASH:ITERATIONS), got {args}")
    hash_name = args[0] if args else DEFAULT_PBKDF2_HASH
    iterations = _parse_count(args[1]) if len(args) == 2 else DEFAULT_PBKDF2_ITERATIONS
    if iterations < 1:
        raise ValueError(f"pbkdf2 needs at least 1 iteration, got {iterations}")
    return hash_name, iterations


def _hash(method: str, salt: str, password: str) -> tuple[str, str]:
    """Return ``(canonical method string, hex digest)``; ValueError for a bad method."""
    kind, *args = method.split(":")
    secret = password.encode()
    salt_bytes = salt.encode()

    if kind == "scrypt":
        try:
            n, r, p = _scrypt_params(args)
        except ValueError as exc:
            raise ValueError(f"bad password hash method {method!r}: {exc}") from None
        maxmem = 128 * r * (n + p + 2) + _SCRYPT_MAXMEM_SLACK
        digest = hashlib.scrypt(
            secret, salt=salt_bytes, n=n, r=r, p=p, maxmem=maxmem, dklen=_SCRYPT_DKLEN
        )
        return f"scrypt:{n}:{r}:{p}", digest.hex()

    if kind == "pbkdf2":
        try:
            hash_name, iterations = _pbkdf2_params(args)
        except ValueError as exc:
            raise ValueError(f"bad password hash method {method!r}: {exc}") from None
        try:
            digest = hashlib.pbkdf2_hmac(hash_name, secret, salt_bytes, iterations)
        except ValueError:
            raise ValueError(
                f"pbkdf2 cannot use the hash {hash_name!r}; pick one from"
                f" hashlib.algorithms_available such as 'sha256' or 'sha512'"
            ) from None
        return f"pbkdf2:{hash_name}:{iterations}", digest.hex()

    raise ValueError(f"unknown password hash method {method!r}; use {_SUPPORTED}")


def generate_password_hash(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
    """Hash ``password`` with a fresh random salt for storage.

    The result reads ``method$salt$hexdigest``, for example ``scrypt:32768:8:1$...$...``
    or ``pbkdf2:sha256:1000000$...$...``; pass it to :func:`check_password_hash` later.
    ``method`` is ``"scrypt"`` (the default), ``"scrypt:N:r:p"``, ``"pbkdf2"``,
    ``"pbkdf2:HASH"`` or ``"pbkdf2:HASH:ITERATIONS"``; anything else raises ValueError.
    """
    salt = gen_salt(salt_length)
    canonical, hexdigest = _hash(method, salt, password)
    return f"{canonical}${salt}${hexdigest}"


def check_password_hash(pwhash: str, password: str) -> bool:
    """Tell whether ``password`` matches a hash made by :func:`generate_password_hash`.

    Hashes from older Werkzeug releases (for example ``pbkdf2:sha256:50000$...``) verify
    too. A hash that cannot be parsed gives False rather than an exception, and the digest
    comparison takes the same time wherever the first difference is.
    """
    parts = pwhash.split("$", 2) if isinstance(pwhash, str) else []
    if len(parts) != 3:
        return False
    method, salt, expected = parts
    try:
        _, actual = _hash(method, salt, password)
    except (ValueError, TypeError, OverflowError, MemoryError, UnicodeError):
        # A corrupt or hostile stored value (unknown method, absurd scrypt parameters,
        # lone surrogates) is a failed login, not a server error.
        return False
    # Comparing bytes: compare_digest refuses str arguments with non-ASCII characters.
    return hmac.compare_digest(actual.encode(), expected.encode("utf-8", "surrogatepass"))


def _unsafe_on_windows(segment: str) -> bool:
    """Whether Windows would read ``segment`` as something other than a plain file name."""
    if segment[-1] in ". ":
        # Windows drops trailing dots and spaces, so "app.py." opens "app.py" and slips
        # past any check on the name the app saw.
        return True
    if not _WINDOWS_FORBIDDEN_CHARS.isdisjoint(segment):
        return True
    # Windows ignores everything from the first dot and surrounding spaces when it looks
    # for a device, so "NUL.txt" and "CON . txt" are devices as well.
    stem = segment.split(".", 1)[0].strip(" ")
    return stem.upper() in _WINDOWS_DEVICE_NAMES


def safe_join(directory: str, *pathnames: str) -> str | None:
    """Join untrusted, ``/``-separated path segments below a trusted ``directory``.

    Returns the joined path, or None when any segment could leave ``directory`` or
    name something other than an ordinary file: ``..`` after normalising, an absolute
    path, a backslash (or any platform separator other than ``/``), or a NUL byte. When
    ``os.name == "nt"`` it also refuses drive letters, UNC paths, reserved device names
    such as ``CON`` or ``NUL.txt``, names ending in a dot or space, and characters
    Windows forbids in file names. Callers must treat None as "not found".
    """
    if not directory:
        directory = "."
    on_windows = os.name == "nt"
    # "/" is how URLs separate segments; any other separator the platform accepts would
    # let a single segment smuggle in a second one.
    sep = os.sep if os.sep != "/" else "\\"
    altsep = os.altsep if os.altsep and os.altsep != "/" else "\\"
    parts: list[str] = []
    for pathname in pathnames:
        # PERF: three substring tests instead of a set of separators built per call.
        if "\0" in pathname or "\\" in pathname or sep in pathname or altsep in pathname:
            return None
        if pathname.startswith("/"):
            return None  # absolute, which also covers "//host/share" UNC paths
        normal = posixpath.normpath(pathname)
        if normal == ".." or normal.startswith("../"):
            return None
        if normal == ".":
            continue
        if on_windows and any(_unsafe_on_windows(seg) for seg in normal.split("/")):
            return None
        parts.append(normal)
    if len(parts) == 1 and type(directory) is str and directory[-1] != "/":
        # PERF: the one-segment join (a static file) that posixpath.join would make, without
        # its general handling: ``normal`` is relative, so it is appended after a "/".
        return f"{directory}/{parts[0]}"
    return posixpath.join(directory, *parts)


__all__ = [
    "check_password_hash",
    "gen_salt",
    "generate_password_hash",
    "safe_join",
]
