"""Password hashes, salts and safe_join (kolba.security)."""

from __future__ import annotations

import hmac
import os
import posixpath
import re
import string
import time
from collections.abc import Callable

import pytest
import werkzeug.security
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.security import check_password_hash, gen_salt, generate_password_hash, safe_join

FLASKR_HASH = (
    "pbkdf2:sha256:50000$TCI4GzcX$0de171a4f4dac32e3364c7ddc7c14f3e2fa61f2d17574483f7ffbb431b4acb2f"
)
FAST = "pbkdf2:sha256:1000"


# -- gen_salt ---------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 8, 16, 100])
def test_gen_salt_length_and_alphabet(length: int) -> None:
    salt = gen_salt(length)
    assert len(salt) == length
    assert set(salt) <= set(string.ascii_letters + string.digits)


def test_gen_salt_is_random() -> None:
    assert len({gen_salt(16) for _ in range(20)}) == 20


@pytest.mark.parametrize("length", [0, -1])
def test_gen_salt_refuses_non_positive_length(length: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        gen_salt(length)


# -- generate_password_hash -------------------------------------------------------------


def test_default_method_is_scrypt_with_werkzeug_parameters() -> None:
    pwhash = generate_password_hash("secret")
    assert re.fullmatch(r"scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}", pwhash)
    assert check_password_hash(pwhash, "secret")
    assert not check_password_hash(pwhash, "Secret")


def test_pbkdf2_defaults_to_sha256_and_a_million_iterations() -> None:
    pwhash = generate_password_hash("secret", method="pbkdf2")
    assert re.fullmatch(r"pbkdf2:sha256:1000000\$[A-Za-z0-9]{16}\$[0-9a-f]{64}", pwhash)
    assert check_password_hash(pwhash, "secret")


@pytest.mark.parametrize(
    ("method", "pattern"),
    [
        ("pbkdf2:sha256:600000", r"pbkdf2:sha256:600000\$\w{16}\$[0-9a-f]{64}"),
        ("pbkdf2:sha512:1000", r"pbkdf2:sha512:1000\$\w{16}\$[0-9a-f]{128}"),
        ("pbkdf2:sha1:1000", r"pbkdf2:sha1:1000\$\w{16}\$[0-9a-f]{40}"),
        ("scrypt:16384:8:1", r"scrypt:16384:8:1\$\w{16}\$[0-9a-f]{128}"),
        ("scrypt:1024:4:2", r"scrypt:1024:4:2\$\w{16}\$[0-9a-f]{128}"),
    ],
)
def test_explicit_methods(method: str, pattern: str) -> None:
    pwhash = generate_password_hash("pw", method=method)
    assert re.fullmatch(pattern, pwhash)
    assert check_password_hash(pwhash, "pw")
    assert not check_password_hash(pwhash, "pw ")


def test_pbkdf2_with_hash_name_only_uses_default_iterations() -> None:
    pwhash = generate_password_hash("pw", method="pbkdf2:sha512")
    assert pwhash.startswith("pbkdf2:sha512:1000000$")
    assert len(pwhash.rsplit("$", 1)[1]) == 128


@pytest.mark.parametrize("salt_length", [1, 8, 32])
def test_salt_length(salt_length: int) -> None:
    salt = generate_password_hash("pw", FAST, salt_length=salt_length).split("$")[1]
    assert len(salt) == salt_length


def test_same_password_gets_different_hashes() -> None:
    assert generate_password_hash("pw", FAST) != generate_password_hash("pw", FAST)


@pytest.mark.parametrize(
    "method",
    [
        "md5",
        "sha256",
        "plain",
        "",
        "scrypt:16384",
        "scrypt:3:8:1",
        "scrypt:16384:0:1",
        "pbkdf2:sha256:1000:5",
        "pbkdf2:sha256:0",
        "pbkdf2:sha256:abc",
        "pbkdf2:sha256:+1000",
        "pbkdf2:nosuchhash:1000",
    ],
)
def test_unknown_or_bad_methods_raise_value_error(method: str) -> None:
    with pytest.raises(ValueError, match=r"scrypt|pbkdf2") as info:
        generate_password_hash("pw", method=method)
    assert str(info.value)


def test_unknown_method_error_names_the_supported_ones() -> None:
    with pytest.raises(ValueError, match="md5") as info:
        generate_password_hash("pw", method="md5")
    message = str(info.value)
    assert "'scrypt'" in message
    assert "'pbkdf2'" in message
    assert "pbkdf2:sha256:600000" in message


# -- check_password_hash ----------------------------------------------------------------


def test_flaskr_test_data_hash_verifies() -> None:
    assert check_password_hash(FLASKR_HASH, "test")
    assert not check_password_hash(FLASKR_HASH, "other")
    assert not check_password_hash(FLASKR_HASH, "")


@pytest.mark.parametrize(
    "pwhash",
    [
        "",
        "plain",
        "$$",
        "pbkdf2:sha256:50000$TCI4GzcX",
        "pbkdf2:sha256:50000$$",
        "md5$salt$abcdef",
        "sha256$salt$abcdef",
        "pbkdf2:sha256:0$s$abcd",
        "pbkdf2:sha256:-5$s$abcd",
        "pbkdf2:sha256:x$s$abcd",
        "pbkdf2:sha256:1_000$s$abcd",
        "pbkdf2:sha256:\u0661\u0660\u0660\u0660$s$abcd",
        "pbkdf2:sha256:1000:9$s$abcd",
        "pbkdf2:nosuchhash:1000$s$abcd",
        "pbkdf2:sha256:99999999999999999999999999$s$abcd",
        "scrypt:16384$s$abcd",
        "scrypt:3:8:1$s$abcd",
        "scrypt:0:8:1$s$abcd",
        "scrypt:16384:0:1$s$abcd",
        # Parameters needing terabytes of memory: refused before anything is allocated.
        "scrypt:1099511627776:8:1$s$abcd",
        "scrypt:1073741824:1024:1024$s$abcd",
        "pbkdf2:sha256:1000$s$\u00e9\u00e9",
        "pbkdf2:sha256:1000$\udcff$abcd",
        "pbkdf2:sha256:1000$s$\udcff",
        FLASKR_HASH.upper(),
        FLASKR_HASH[:-1],
        FLASKR_HASH + "0",
    ],
)
def test_malformed_hashes_are_false_not_errors(pwhash: str) -> None:
    start = time.perf_counter()
    assert check_password_hash(pwhash, "test") is False
    assert time.perf_counter() - start < 5


def test_unencodable_password_is_false() -> None:
    assert check_password_hash(FLASKR_HASH, "\udcff") is False


def test_digests_are_compared_with_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real: Callable[[bytes, bytes], bool] = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    # kolba.security looks the function up on the hmac module at call time.
    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert check_password_hash(FLASKR_HASH, "test")
    assert not check_password_hash(FLASKR_HASH, "nope")
    assert len(calls) == 2


@pytest.mark.parametrize("method", ["scrypt:1024:8:1", FAST, "pbkdf2:sha512:1000"])
def test_interoperates_with_werkzeug(method: str) -> None:
    ours = generate_password_hash("p\u00e4ss w\u00f6rd", method=method)
    assert werkzeug.security.check_password_hash(ours, "p\u00e4ss w\u00f6rd")
    theirs = werkzeug.security.generate_password_hash("p\u00e4ss w\u00f6rd", method=method)
    assert check_password_hash(theirs, "p\u00e4ss w\u00f6rd")
    assert not check_password_hash(theirs, "pass word")


def test_werkzeug_default_hashes_verify() -> None:
    pwhash = werkzeug.security.generate_password_hash("hunter2")
    assert check_password_hash(pwhash, "hunter2")
    assert not check_password_hash(pwhash, "hunter3")


@settings(max_examples=50, deadline=None)
@given(password=st.text(max_size=40), other=st.text(max_size=40))
def test_generate_then_check_round_trips(password: str, other: str) -> None:
    pwhash = generate_password_hash(password, method=FAST, salt_length=8)
    assert check_password_hash(pwhash, password)
    assert check_password_hash(pwhash, other) is (other == password)


@settings(max_examples=200, deadline=None)
@given(pwhash=st.text(alphabet="pbkdf2scrypt:sha256$0123456789abcdef\u00e9\x00-", max_size=60))
def test_check_never_raises_on_arbitrary_hash_strings(pwhash: str) -> None:
    assert check_password_hash(pwhash, "pw") in {True, False}


# -- safe_join: POSIX -------------------------------------------------------------------


def join_as(os_name: str, directory: str, *parts: str) -> str | None:
    """safe_join with ``os.name`` patched for the call only.

    Patching for the whole test would break pytest's own failure report, which builds
    pathlib paths and cannot make a WindowsPath on POSIX.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "name", os_name)
        return safe_join(directory, *parts)


SAFE_ON_POSIX = [
    (("css/app.css",), "static/css/app.css"),
    (("css", "app.css"), "static/css/app.css"),
    # Percent escapes are not decoded by safe_join: they name literal files.
    (("%2e%2e/x",), "static/%2e%2e/x"),
    (("..%2f",), "static/..%2f"),
    (("%252e%252e%252f",), "static/%252e%252e%252f"),
    (("%00",), "static/%00"),
    (("a/../b",), "static/b"),
    (("./a",), "static/a"),
    (("a//b",), "static/a/b"),
    (("a/./b/",), "static/a/b"),
    (("a/..",), "static"),
    (("",), "static"),
    ((), "static"),
    (("...",), "static/..."),
    (("..a",), "static/..a"),
    (("a..",), "static/a.."),
    (("@evil",), "static/@evil"),
    (("x" * 300,), "static/" + "x" * 300),
]

UNSAFE_EVERYWHERE = [
    ("..",),
    ("../",),
    ("../x",),
    ("../../etc/passwd",),
    ("a/../../x",),
    ("a/b/../../../x",),
    ("a", "../x"),
    ("a", ".."),
    ("/etc/passwd",),
    ("//evil.example/x",),
    ("///x",),
    ("/@evil",),
    ("/http://evil/x",),
    ("a", "/x"),
    ("c:\\windows\\win.ini",),
    (".\\056/etc/passwd",),
    ("..\\x",),
    ("a\\b",),
    ("\\\\server\\share\\x",),
    ("a\x00b",),
    ("\x00",),
    ("ok", "bad\x00"),
]


@pytest.mark.parametrize(("parts", "expected"), SAFE_ON_POSIX)
def test_safe_join_posix_accepts(parts: tuple[str, ...], expected: str) -> None:
    assert join_as("posix", "static", *parts) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("http:/evil",), "static/http:/evil"),
        (("c:x",), "static/c:x"),
        (("CON",), "static/CON"),
        (("NUL.txt",), "static/NUL.txt"),
        (("b/COM1",), "static/b/COM1"),
        (("LPT\u00b9",), "static/LPT\u00b9"),
        (("a.",), "static/a."),
        (("a ",), "static/a "),
        (("a\x01b",), "static/a\x01b"),
    ],
)
def test_safe_join_posix_allows_names_only_windows_refuses(
    parts: tuple[str, ...], expected: str
) -> None:
    assert join_as("posix", "static", *parts) == expected


@pytest.mark.parametrize("parts", UNSAFE_EVERYWHERE)
def test_safe_join_posix_refuses(parts: tuple[str, ...]) -> None:
    assert join_as("posix", "static", *parts) is None


def test_safe_join_empty_directory_means_current() -> None:
    assert safe_join("", "a") == "./a"


def test_safe_join_keeps_trusted_directory_as_given() -> None:
    assert safe_join("/srv/app/", "x") == "/srv/app/x"
    assert safe_join("/srv/../srv/app", "x") == "/srv/../srv/app/x"


def test_safe_join_hostile_length_is_fast() -> None:
    start = time.perf_counter()
    assert safe_join("static", "a/" * 100_000 + "../" * 100_001) is None
    assert safe_join("static", "x" * 1_000_000) == "static/" + "x" * 1_000_000
    assert time.perf_counter() - start < 5


# -- safe_join: Windows -----------------------------------------------------------------


@pytest.mark.parametrize("parts", UNSAFE_EVERYWHERE)
def test_safe_join_windows_refuses_everything_posix_refuses(parts: tuple[str, ...]) -> None:
    assert join_as("nt", "static", *parts) is None


@pytest.mark.parametrize(
    "name",
    [
        "CON",
        "con",
        "Con",
        "PRN",
        "AUX",
        "NUL",
        "NUL.txt",
        "nul.tar.gz",
        "CON . txt",
        "CON .txt",
        "CON.",
        "CON...",
        "CON ",
        "b/COM1",
        "COM1/b",
        "a/b/LPT9.log",
        "COM0",
        "LPT0",
        "LPT\u00b9",
        "lpt\u00b2.txt",
        "COM\u00b3",
        "CONIN$",
        "conout$",
        "CONOUT$.log",
    ],
)
def test_safe_join_windows_refuses_device_names(name: str) -> None:
    assert join_as("nt", "static", name) is None
    assert join_as("nt", "static", "sub", name) is None


@pytest.mark.parametrize(
    "name",
    [
        "a.",
        "a ",
        "a./b",
        "a /b",
        "b/a.",
        "c:x",
        "c:/windows/win.ini",
        "C:",
        "app.py::$DATA",
        "a?b",
        "a*b",
        "a<b",
        "a|b",
        'a"b',
        "a\x01b",
        "a\x1fb",
    ],
)
def test_safe_join_windows_refuses_names_windows_reinterprets(name: str) -> None:
    assert join_as("nt", "static", name) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CONSOLE", "static/CONSOLE"),
        ("COM10", "static/COM10"),
        ("LPT", "static/LPT"),
        ("xCON", "static/xCON"),
        ("con_x.txt", "static/con_x.txt"),
        ("my.CON", "static/my.CON"),
        ("css/app.css", "static/css/app.css"),
        ("a/./b", "static/a/b"),
        ("x" * 300, "static/" + "x" * 300),
    ],
)
def test_safe_join_windows_accepts_ordinary_names(name: str, expected: str) -> None:
    assert join_as("nt", "static", name) == expected


def test_safe_join_checks_platform_at_call_time() -> None:
    assert join_as("posix", "static", "CON") == "static/CON"
    assert join_as("nt", "static", "CON") is None
    assert join_as("posix", "static", "CON") == "static/CON"


# -- safe_join: the result stays inside the directory -----------------------------------

_SEGMENTS = st.one_of(
    st.sampled_from(
        ["..", ".", "", "CON", "nul.txt", "LPT\u00b9", "a.", "c:", "%2e%2e", "..\\", "\\\\", "/"]
    ),
    st.text(alphabet="./\\:\x00 aC%N\u00b9$", max_size=12),
    st.text(max_size=8),
)
_PATHNAMES = st.lists(
    st.lists(_SEGMENTS, max_size=6).map("/".join) | st.text(max_size=20), max_size=4
)


def _assert_inside(base: str, result: str | None, windows: bool) -> None:
    if result is None:
        return
    normal = posixpath.normpath(result)
    assert normal == base or normal.startswith(base + "/")
    assert "\x00" not in result
    assert "\\" not in result
    if windows:
        for segment in normal[len(base) :].split("/"):
            if segment:
                assert not segment.endswith((".", " "))
                assert ":" not in segment
                stem = segment.split(".", 1)[0].strip(" ").upper()
                assert stem not in {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                assert not re.fullmatch(r"(COM|LPT)[0-9\u00b9\u00b2\u00b3]", stem)


@settings(max_examples=200, deadline=None)
@given(pathnames=_PATHNAMES)
def test_safe_join_result_stays_inside_directory(pathnames: list[str]) -> None:
    base = "/srv/app/static"
    posix_result = join_as("posix", base, *pathnames)
    windows_result = join_as("nt", base, *pathnames)
    _assert_inside(base, posix_result, windows=False)
    _assert_inside(base, windows_result, windows=True)
    # Windows rules only ever refuse more.
    if posix_result is None:
        assert windows_result is None
