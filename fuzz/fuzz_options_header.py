"""Fuzz ``parse_options_header`` (``Content-Type``, ``Content-Disposition``) and
``dump_options_header``.

Checks: parsing never raises and gives a value without spaces or tabs at either end and
text parameters with lower-case names; parsing what ``dump_options_header`` writes for that
result gives the same result back (so a value cannot change meaning on a second pass, as it
would through a proxy that re-serialises the header).
"""

from __future__ import annotations

import re
import time

import fuzzkit

with fuzzkit.instrumented("kolba.sansio.http"):
    from kolba.sansio.http import dump_options_header, parse_options_header

# A token without "*": the parameter names that mean the same when written back.
_PLAIN_NAME = re.compile(r"[!#$%&'+.^_`|~0-9a-z-]+")


def TestOneInput(data: bytes) -> None:
    header = fuzzkit.header_text(data)
    start = time.perf_counter()
    value, options = parse_options_header(header)
    fuzzkit.check_time(start, "parse_options_header")
    assert isinstance(value, str)
    assert value == value.strip(" \t"), (header, value)
    for name, param in options.items():
        assert isinstance(name, str), (header, name)
        assert isinstance(param, str), (header, param)
        assert name == name.lower(), (header, name)
    if any(c in value for c in ';,"') or not all(map(_PLAIN_NAME.fullmatch, options)):
        return  # no options header can carry these names unchanged (empty, "n*" is RFC 2231)
    if any("%22" in param for param in options.values()):
        return  # '%22' reads back as '"' (the convention of HTML forms), by design
    written = dump_options_header(value or None, options)
    again = parse_options_header(written)
    assert again == (value, options), (header, written, again)


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)
