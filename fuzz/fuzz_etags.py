"""Fuzz ``parse_etags`` (``If-Match``, ``If-None-Match``), ``parse_if_range_header`` and
``unquote_etag``.

Checks: parsing never raises; lookups on the result never raise; the rendered header parses
back to the same strong and weak tags; a tag read by ``unquote_etag`` and quoted again by
``quote_etag`` reads back the same.
"""

from __future__ import annotations

import time

import fuzzkit

with fuzzkit.instrumented("kolba.sansio.http", "kolba.sansio.header_types"):
    from kolba.sansio.http import parse_etags, parse_if_range_header, quote_etag, unquote_etag


def TestOneInput(data: bytes) -> None:
    header = fuzzkit.header_text(data)
    start = time.perf_counter()
    etags = parse_etags(header)
    if_range = parse_if_range_header(header)
    tag, weak = unquote_etag(header)
    fuzzkit.check_time(start, "parse_etags")
    etags.contains("x")
    etags.contains_weak("x")
    etags.contains_raw(header)
    assert if_range.etag is None or if_range.date is None, header
    again = parse_etags(etags.to_header())
    assert again.star_tag == etags.star_tag, header
    assert again.as_set(include_weak=True) == etags.as_set(include_weak=True), header
    assert again.as_set() == etags.as_set(), header
    if tag is not None and '"' not in tag:
        assert unquote_etag(quote_etag(tag, bool(weak))) == (tag, weak), header


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
