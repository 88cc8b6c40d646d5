"""Fuzz ``parse_accept_header`` (``Accept``, ``Accept-Language``, ``Accept-Charset``,
``Accept-Encoding``) with each Accept class, and content negotiation on the result.

Checks: parsing never raises; every quality is a number from 0 to 1; ``best_match`` and
``quality`` never raise and ``best_match`` only picks an offered value; a header of
well-formed items renders to a header that parses back to the same items (garbage such as
an empty item or a stray quote is not kept exactly, by Werkzeug either).
"""

from __future__ import annotations

import re
import time

import fuzzkit

with fuzzkit.instrumented("kolba.sansio.http", "kolba.sansio.header_types"):
    from kolba.sansio.header_types import Accept, CharsetAccept, LanguageAccept, MIMEAccept
    from kolba.sansio.http import parse_accept_header

# A value with token parameters: what a client sends and a round trip must keep.
_PLAIN_ITEM = re.compile(
    r"[!#$%&'*+.^_`|~0-9A-Za-z/-]+(?:; [!#$%&'+.^_`|~0-9a-z-]+=[!#$%&'*+.^_`|~0-9A-Za-z/-]+)*"
)
_CLASSES = (Accept, MIMEAccept, LanguageAccept, CharsetAccept)
_OFFERS = {
    Accept: ["gzip", "br", "identity", "*"],
    MIMEAccept: ["text/html", "application/json", "image/png", "text/*"],
    LanguageAccept: ["en", "en-US", "de-CH", "zh-Hant-TW"],
    CharsetAccept: ["utf-8", "latin-1", "iso-8859-1"],
}


def TestOneInput(data: bytes) -> None:
    cls = _CLASSES[data[0] % len(_CLASSES)] if data else Accept
    header = fuzzkit.header_text(data[1:])
    start = time.perf_counter()
    accept = parse_accept_header(header, cls)
    offers = _OFFERS[cls]
    best = accept.best_match(offers)
    qualities = [accept.quality(offer) for offer in offers]
    fuzzkit.check_time(start, f"parse_accept_header({cls.__name__})")
    assert isinstance(accept, cls)
    for value, quality in accept:
        assert isinstance(value, str), (header, value)
        assert 0 <= quality <= 1, (header, value, quality)
    assert best is None or best in offers, (header, best)
    assert all(0 <= q <= 1 for q in qualities), (header, qualities)
    if not all(_PLAIN_ITEM.fullmatch(value) for value, _ in accept):
        return  # empty items, stray quotes, odd parameters: Werkzeug cannot round-trip those
    again = parse_accept_header(accept.to_header(), cls)
    assert list(again) == list(accept), (header, accept.to_header(), again)


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
