"""Fuzz ``parse_cookie`` (the ``Cookie`` request header) and its round trip with
``dump_cookie``.

Checks: parsing never raises and gives text names and values; a name never carries a
separator, a quote or a blank (``==__Host-x=evil`` must not become a ``__Host-x`` cookie);
and every cookie parsed, written back with ``dump_cookie``, parses to the same pair.
"""

from __future__ import annotations

import re
import time

import fuzzkit

with fuzzkit.instrumented("kolba.sansio.http"):
    from kolba.sansio.http import dump_cookie, parse_cookie

_BAD_NAME_CHARS = re.compile(r'[;=" \t]')


def TestOneInput(data: bytes) -> None:
    header = fuzzkit.header_text(data)
    start = time.perf_counter()
    cookies = parse_cookie(header)
    fuzzkit.check_time(start, "parse_cookie")
    for key, value in cookies.items(multi=True):
        assert isinstance(key, str), (header, key)
        assert key, header
        assert isinstance(value, str), (header, value)
        assert not _BAD_NAME_CHARS.search(key), f"cookie name {key!r} from {header!r}"
        if any(c in key + value for c in "\r\n\0"):
            continue  # dump_cookie refuses these by design (header injection)
        written = dump_cookie(key, value, path=None, max_size=0).split("; ")[0]
        # The Set-Cookie line goes out as latin-1 bytes and the browser sends the same bytes
        # back, which kolba's WSGI layer decodes as it decoded the original header.
        again = parse_cookie(fuzzkit.header_text(written.encode("latin-1")))
        assert list(again.items(multi=True)) == [(key, value)], (header, written, again)


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
