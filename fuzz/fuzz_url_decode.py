"""Fuzz ``url_decode`` (the query string behind ``request.args`` and urlencoded forms).

Checks: decoding bytes or the WSGI text form never raises, both give the same result, and
every key and value is text; encoding the result with ``url_encode`` and decoding it again
gives the same pairs in the same order.
"""

from __future__ import annotations

import time

import fuzzkit

with fuzzkit.instrumented("kolba.sansio.urls", "kolba.sansio.datastructures"):
    from kolba.sansio.urls import url_decode, url_encode


def TestOneInput(data: bytes) -> None:
    start = time.perf_counter()
    from_bytes = url_decode(data)
    from_text = url_decode(data.decode("latin-1"))
    fuzzkit.check_time(start, "url_decode")
    pairs = list(from_bytes.items(multi=True))
    assert pairs == list(from_text.items(multi=True)), data
    for key, value in pairs:
        assert isinstance(key, str), (data, key)
        assert isinstance(value, str), (data, value)
    again = url_decode(url_encode(pairs))
    assert list(again.items(multi=True)) == pairs, (data, url_encode(pairs))


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
