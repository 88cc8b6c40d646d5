"""Data every benchmark app shares, so each framework does exactly the same work.

Kept apart from the app modules because kolba_app.py must stay flask_app.py with renamed
imports; both import this module unchanged. Nothing here depends on a web framework.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer

APPS_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = APPS_DIR / "templates"
STATIC_DIR = APPS_DIR / "static"

#: The one static file the static scenario serves (about 10 KB).
STATIC_NAME = "bench.txt"

#: Signs the session cookie in every app (benchmark only, never a real secret).
SECRET_KEY = "kolba-benchmark-secret"

#: The 20 rows the template scenario renders; two of them need HTML escaping.
ROWS: list[dict[str, object]] = [
    {
        "id": i,
        "name": f"item {i}",
        "price": f"{i * 1.25:.2f}",
        "note": "<b>&</b>" if i % 10 == 3 else "",
    }
    for i in range(1, 21)
]

#: The nested blueprint scenario: four levels of url prefixes, then a route with an int.
NESTED_PREFIXES = ("/api", "/v1", "/admin", "/reports")

#: The fields and file the multipart scenario sends.
MULTIPART_FIELDS = (("title", "Quarterly"), ("author", "Ada"), ("tags", "q3 finance"))
MULTIPART_FILE = (
    "upload",
    "report.csv",
    b"id,value\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(80)),
)


def session_serializer(secret_key: str = SECRET_KEY) -> URLSafeTimedSerializer:
    """The signer Flask's default session uses (salt, HMAC key derivation, SHA-1).

    Falcon, Bottle and the raw app sign their session cookie with it directly, so every
    framework verifies and re-signs the same cookie format: the same work, each its own way.
    The plain JSON serialiser suffices here because the session holds only a str and an int.
    """
    return URLSafeTimedSerializer(
        secret_key,
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
