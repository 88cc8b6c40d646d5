"""The seed corpus: the hostile inputs of design/BAD_INPUTS.md, one list per harness.

Sizes are scaled down to each harness's input cap (``run.py``); the fuzzer grows them again
with its repeat mutations. ``tests/fuzz/test_regressions.py`` runs every seed through its
harness, so this table is also a fast regression suite. Add to it; never remove from it.
"""

from __future__ import annotations

_GET = b"\x00"  # routing: the first byte 0 picks GET


def _boundary_body(*parts: bytes, close: bytes = b"--XyZ--\r\n") -> bytes:
    """A multipart seed for the harness's first boundary ("XyZ", selector byte 0)."""
    return b"\x00" + b"".join(parts) + close


def _field(name: bytes, value: bytes, extra: bytes = b"") -> bytes:
    return (
        b"--XyZ\r\nContent-Disposition: form-data; name=\"" + name + b'"' + extra + b"\r\n\r\n"
        + value + b"\r\n"
    )  # fmt: skip


def _upload(disposition: bytes, data: bytes = b"data") -> bytes:
    return (
        b"--XyZ\r\nContent-Disposition: " + disposition
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    )  # fmt: skip


_VALID_MULTIPART = _boundary_body(
    _field(b"title", b"hello"), _upload(b'form-data; name="f"; filename="a.txt"')
)

SEEDS: dict[str, list[bytes]] = {
    # 6. Cookies
    "cookies": [
        b"a=1; b=2",
        b"==__Host-eq=bad; __Host-eq=good",
        b'"__Secure-c"=d',
        b"a=1; a=2",
        b";;; ;",
        b'a="unterminated; b=2',
        b'a="x\\054y\\"z"; b="\\377"',
        b"session=eyJ1c2VyIjoiYWRhIn0.ZZZZZZ.bad-signature",
        b"session=.eJzzSM3JyVcozy_KSQEAGgQEXQ.ZZZZZZ.ZZZZ; session=second",
        "naïve=café; ☃=1".encode(),
        b"a=\xff\xfe; b=\xc3",
        b"x" * 4000,
        b"; ".join(b"c%d=v" % i for i in range(400)),
        b"a=1,b=2; c=3 4; d=\t5\t",
    ],
    # 5 and 2. Content-Type and Content-Disposition
    "options_header": [
        b"text/html; charset=utf-8",
        b"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
        b"multipart/form-data",
        b"multipart/form-data; boundary=" + b"b" * 300,
        b'text/plain; a="unterminated',
        b"text/plain" + b";a=" * 1300,
        b'form-data; name="f"; filename*=UTF-8\'\'..%2F..%2Fetc%2Fpasswd; filename="a.txt"',
        b"form-data; name*=UTF-8''evil; name=\"good\"",
        b'form-data; name="f"; filename="C:\\\\x\\\\..\\\\boot.ini"',
        b'form-data; name="f"; filename="\\\\\\\\server\\\\share\\\\x.txt"',
        b'attachment; filename="%22quoted%22.txt"',
        b"attachment; filename*=iso-8859-1'en'%A3%20rates",
        b"form-data; name=\"a\"; name=\"b\"; filename=''; filename*=x''",
        'form-data; name="ü"; filename="日本.txt"'.encode(),
    ],
    # 5. Accept with broken qualities (first byte: 0 Accept, 1 MIME, 2 language, 3 charset)
    "accept_header": [
        b"\x01text/html, application/xml;q=0.9, */*;q=0.8",
        b"\x01text/html;q=0.5_1, text/plain;q=.5, image/png;q=+0.5",
        "\x01text/html;q=\u0660.\u0665, */*;q=1e0".encode(),  # Arabic-Indic digits
        b"\x01text/*;level=1;q=0.3, text/html;level=2",
        b"\x02en-US,en;q=0.9,de-CH;q=0.7,*;q=0.1",
        b"\x02zh-Hant-TW, zh_TW;q=0.5",
        b"\x03utf-8, iso-8859-1;q=0.5, *;q=0",
        b"\x00gzip, deflate, br;q=1.0, identity;q=0, *;q=0.001",
        b"\x01" + b"a/b;q=0.1," * 400,
        b'\x01text/html; q="0.5"; x="a,b", text/plain',
    ],
    # 8. Ranges (and Content-Range values)
    "range_header": [
        b"bytes=0-499",
        b"bytes=0-0," * 400,
        b"bytes=0-5,3-8",
        b"bytes=5-1",
        b"bytes=-999999999999",
        b"bytes=a-b",
        "bytes=\u0660-\u0665".encode(),
        b"bytes=0-5,-5",
        b"bytes=-5,0-5",
        b"bytes=" + b"9" * 5000 + b"-",
        b"items=0-1",
        b"bytes 0-499/1234",
        b"bytes */1234",
        b"bytes 5-1/10",
    ],
    # Cache-Control (first byte "r": a response header, anything else: a request header)
    "cache_control": [
        b"qno-cache, max-age=60",
        b"qmax-age=abc, max-stale, min-fresh=-1",
        b'rprivate="set-cookie, x", no-cache="a", max-age=0, s-maxage=1e3',
        b"rpublic, immutable, stale-while-revalidate=86400, must-understand",
        b'qmax-age="60", No-Cache, MAX-AGE=5',
        b"q" + b"x," * 1500,
        b'r a = "unterminated',
    ],
    # 8. ETags and If-Range
    "etags": [
        b'"a", W/"b", "c"',
        b"*",
        b'W/"unterminated',
        b'"a" , w/"b" ,"c\\"d"',
        b'W/"x"',
        b"Wed, 21 Oct 2015 07:28:00 GMT",
        b'"' + b"e" * 3000 + b'"',
        b'"a",' * 500,
    ],
    # 3. Query strings and urlencoded bodies
    "url_decode": [
        b"a=1&" * 1000,
        b"a=" + b"v" * 4000,
        b"a=1;b=2",
        b"a=%ff%fe&b=%C3%A9",
        b"a=%&b=%z&c=%4",
        b"plus=a+b&escaped=a%2Bb",
        b"&&&=&a&=b",
        "raw=é&snow=☃".encode(),
    ],
    # 1 and 2. Multipart bodies (boundary "XyZ", read in one-byte pieces)
    "multipart": [
        _VALID_MULTIPART,
        _boundary_body(*(_field(b"p%d" % i, b"x") for i in range(70))),
        _boundary_body(_field(b"big", b"v" * 5000)),
        b"\x00--XyZ\r\n" + b"a" * 30000,
        b"\x00\r" + b"a" * 30000,
        b"\x00" + b"preamble " * 3000 + _VALID_MULTIPART[1:],
        _VALID_MULTIPART + b"epilogue " * 3000,
        _boundary_body(
            b'--XyZ\r\nContent-Disposition: form-data; name="h"\r\n'
            + b"X-Header: y\r\n" * 2000
            + b"\r\nv\r\n"
        ),
        _boundary_body(
            b'--XyZ\r\nContent-Disposition: form-data; name="' + b"n" * 20000 + b'"\r\n\r\nv\r\n'
        ),
        b'\x00--XyZ\r\nContent-Disposition: form-data; name="a"\r\nno blank line follows',
        _VALID_MULTIPART[:-1],
        _VALID_MULTIPART[:-3],
        _VALID_MULTIPART[:-5],
        _boundary_body(_field(b"a", b"1"), close=b"--XyZ__\r\n"),
        _VALID_MULTIPART.replace(b"\r\n", b"\n"),
        _VALID_MULTIPART.replace(b"\r\n", b"\r"),
        _boundary_body(
            _upload(
                b'form-data; name="f"; filename*=UTF-8\'\'..%2F..%2Fetc%2Fpasswd; filename="a.txt"'
            )
        ),
        _boundary_body(_field(b"good", b"1", extra=b"; name*=UTF-8''evil")),
        _boundary_body(_upload(b'form-data; name="f"; filename="C:\\x\\..\\boot.ini"')),
        _boundary_body(_upload(b'form-data; name="f"; filename="\\\\server\\share\\x"')),
        b"\x01" + bytes(range(256)) * 40,
        b"\x03" + _VALID_MULTIPART[1:].replace(b"XyZ", b"-"),
    ],
    # 7. Paths (already percent-decoded, as request.path is) and URL building
    "routing": [
        _GET + b"/",
        _GET + b"/../etc/passwd",
        _GET + b"/static/%2e%2e/x",
        _GET + b"/static/..%2f..%2fetc",
        _GET + b"/static/%252e%252e%252f",
        _GET + b"/static/.\\056/etc/passwd",
        _GET + b"//evil.example/x",
        _GET + b"/@evil",
        _GET + b"/http://evil/x",
        _GET + b"/static/c:\\windows\\win.ini",
        _GET + b"/static/a%00b",
        _GET + b"/static/a\x00b",
        _GET + b"/static/CON",
        _GET + b"/static/NUL.txt",
        _GET + b"/static/b/COM1",
        "\x00/static/LPT¹".encode(),
        _GET + b"/static/x. ",
        _GET + b"/t/" + b"s" * 300,
        _GET + b"/t/\x01\x1f\x7f",
        _GET + b"///docs//a///b",
        _GET + b"/docs/a",
        _GET + b"/\xff\xfe",
        _GET + b"/users/0",
        b"\x02/users/ada/edit",
        _GET + b"/old/7",
        _GET + b"/page/1",
        _GET + b"/v1.02",
        _GET + b"/pick/c d",
        _GET + b"/f/-1.5",
        _GET + b"/id/12345678-1234-5678-1234-567812345678",
        _GET + b"/" + b"a/" * 1500,
        b"\x80\x00\x00../../etc",
        b"\x80\x01\x00//evil.example/x",
        b"\x80\x02\x00a/b/../c",
        b"\x80\x03\x00#frag?q=1",
    ],
}
