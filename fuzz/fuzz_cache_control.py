"""Fuzz ``parse_cache_control_header`` for requests and responses.

Checks: parsing never raises; reading every directive attribute never raises (a malformed
``max-age`` reads as None, not an exception in a view); the rendered header parses back to
the same directives.
"""

from __future__ import annotations

import re
import time

import fuzzkit

with fuzzkit.instrumented("kolba.sansio.http", "kolba.sansio.header_types"):
    from kolba.sansio.header_types import RequestCacheControl, ResponseCacheControl
    from kolba.sansio.http import parse_cache_control_header

# A token without "*" ("name*" is an RFC 2231 parameter): names that read back unchanged.
_TOKEN = re.compile(r"[!#$%&'+.^_`|~0-9a-z-]+")
_ATTRIBUTES = {
    cls: [name for name in dir(cls) if not name.startswith("_") and name.replace("_", "-")]
    for cls in (RequestCacheControl, ResponseCacheControl)
}
_DIRECTIVES = {
    cls: [name for name in names if type(getattr(cls, name, None)).__name__.endswith("Directive")]
    for cls, names in _ATTRIBUTES.items()
}


def TestOneInput(data: bytes) -> None:
    cls = ResponseCacheControl if data[:1] == b"r" else RequestCacheControl
    header = fuzzkit.header_text(data[1:])
    start = time.perf_counter()
    cc = parse_cache_control_header(header, cls=cls)
    for name in _DIRECTIVES[cls]:
        getattr(cc, name)
    fuzzkit.check_time(start, "parse_cache_control_header")
    assert isinstance(cc, cls)
    for key, value in cc.items():
        assert isinstance(key, str), (header, key)
        assert key == key.lower(), (header, key)
        assert value is None or isinstance(value, str), (header, value)
    if not all(_TOKEN.fullmatch(key) for key in cc) or any(
        c in (value or "") for value in cc.values() for c in '"\\,'
    ):
        return  # garbage names or stray quotes: Werkzeug cannot round-trip these either
    again = parse_cache_control_header(cc.to_header(), cls=cls)
    assert dict(again) == dict(cc), (header, cc.to_header(), dict(again))


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
