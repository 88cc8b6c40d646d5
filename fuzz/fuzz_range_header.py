"""Fuzz ``parse_range_header`` and ``parse_content_range_header`` (206 responses).

Checks: parsing never raises; a parsed ``Range`` holds at most ``MAX_RANGES`` ranges in
increasing, non-overlapping order (each one a valid span or a suffix); its rendered header
parses back to the same ranges; ``range_for_length`` gives a span inside the resource or
None, and the ``Content-Range`` written for it parses back to that span.
"""

from __future__ import annotations

import time

import fuzzkit

with fuzzkit.instrumented("kolba.sansio.http", "kolba.sansio.header_types"):
    from kolba.sansio.http import MAX_RANGES, parse_content_range_header, parse_range_header

_LENGTHS = (0, 1, 10, 500, 10**12)


def TestOneInput(data: bytes) -> None:
    header = fuzzkit.header_text(data)
    start = time.perf_counter()
    parsed = parse_range_header(header)
    content_range = parse_content_range_header(header)
    fuzzkit.check_time(start, "parse_range_header")
    if content_range is not None:
        again = parse_content_range_header(content_range.to_header())
        assert again is not None, (header, content_range.to_header())
        assert (again.start, again.stop, again.length) == (
            content_range.start,
            content_range.stop,
            content_range.length,
        ), header
    if parsed is None:
        return
    assert len(parsed.ranges) <= MAX_RANGES, header
    last_end = 0
    for begin, end in parsed.ranges:
        if end is None and begin < 0:
            last_end = -1
            continue
        assert last_end >= 0, (header, parsed.ranges)
        assert begin >= 0, (header, parsed.ranges)
        assert begin >= last_end, (header, parsed.ranges)
        assert end is None or end > begin, (header, parsed.ranges)
        last_end = -1 if end is None else end
    again_range = parse_range_header(parsed.to_header())
    assert again_range is not None, header
    assert again_range.ranges == parsed.ranges, header
    for length in _LENGTHS:
        span = parsed.range_for_length(length)
        if span is None:
            continue
        first, stop = span
        assert 0 <= first < stop <= length, (header, length, span)
        written = parsed.to_content_range_header(length)
        assert written is not None, (header, length)
        back = parse_content_range_header(written)
        assert back is not None
        assert (back.start, back.stop, back.length) == (first, stop, length)


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
