"""Attacks on the native core's claim: each fast path answers exactly what the pure-Python
reference answers, or hands back to it, and never refuses (or raises) on its own.

Written as a certificate holder would attack: edit the file's text to get an altered certificate
read as the issued one, make two readers of one file see two different values, or crash the
verifier. Each test runs the native path and the reference (the module's ``NATIVE`` switched off,
as ``tests/verifier/test_native_verdicts.py`` does) and asserts the same value or the same
refusal (type, code and message); the verifier-level ones also assert that no altered file passes
the integrity check. ``tests/test_native.py`` holds the designer's own differential tests; these
are the attacker's.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from verifier import builder

from origincert import _native, fields, issued, safejson
from origincert.devtools.samples import sample_certificate
from origincert.errors import OriginCertError
from origincert.verifier import Verifier

ext = _native.ext
USERS = (fields, issued, safejson)  # the modules that import origincert._native


@contextmanager
def reference_only() -> Iterator[None]:
    """Every fast path off, as with ``ORIGINCERT_NO_NATIVE=1``."""
    saved = [m.NATIVE for m in USERS]
    for m in USERS:
        m.NATIVE = False
    try:
        yield
    finally:
        for m, was in zip(USERS, saved, strict=True):
            m.NATIVE = was


def typed(value: Any) -> Any:
    """``value`` with every type spelled out (``1 == 1.0 == True`` in Python, not here)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(work: Callable[[], Any]) -> Any:
    """The value, the refusal (type, code, message) or whatever else was raised, by type.

    ``BaseException``: a Rust panic surfaces as ``pyo3_runtime.PanicException``, which is not an
    ``Exception``, so an ``except Exception`` in a caller would not stop it."""
    try:
        return ("ok", typed(work()))
    except OriginCertError as exc:
        return ("refused", type(exc).__name__, exc.code, exc.message)
    except BaseException as exc:  # noqa: BLE001 - a panic is what is looked for
        return ("raised", type(exc).__name__, str(exc))


def both(work: Callable[[], Any]) -> tuple[Any, Any]:
    """``work``'s outcome with the native core, then with the reference alone."""
    assert _native.NATIVE and all(m.NATIVE for m in USERS)
    fast = outcome(work)
    with reference_only():
        reference = outcome(work)
    return fast, reference


def test_the_native_core_is_built_and_used() -> None:
    assert ext is not None and _native.NATIVE  # else every test below compares the reference


# ---------------------------------------------------------------------------------------------
# the strict JSON reader: load_json (the native one-pass reader) against _load_json


def assert_same_reading(raw: bytes, max_bytes: int = safejson.DEFAULT_MAX_JSON_BYTES) -> None:
    fast, reference = both(lambda: safejson.load_json(raw, max_bytes=max_bytes))
    assert fast == reference, raw[:120]
    # the other input types the reader takes always run the reference: the same answer
    for other in (bytearray(raw), memoryview(raw)):
        assert outcome(lambda o=other: safejson.load_json(o, max_bytes=max_bytes)) == reference
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    if len(text.encode()) <= max_bytes and reference[0] == "ok":
        assert outcome(lambda: safejson.load_json(text, max_bytes=max_bytes)) == reference


JSON_ATTACKS: dict[str, bytes] = {
    # duplicate keys, also spelled with escapes, at depth and in lists of objects
    "dup-plain": b'{"a": 1, "a": 1}',
    "dup-escaped-first": b'{"\\u0061": 1, "a": 2}',
    "dup-escaped-upper-hex": b'{"a": 1, "\\u0041": 2, "\\u0061": 3}',
    "dup-solidus-escape": b'{"a/b": 1, "a\\/b": 2}',
    "dup-deep": b'{"x": {"y": {"z": {"k": 1, "\\u006b": 2}}}}',
    "dup-in-list-of-objects": b'{"goods": [{"hs": "1"}, {"hs": "2", "h\\u0073": "3"}]}',
    "dup-second-object-only": b'{"goods": [{"a": 1, "b": 2}, {"a": 1, "a": 2}]}',
    "dup-non-ascii": '{"é": 1, "é": 2}'.encode(),
    "nfc-vs-nfd-keys": '{"é": 1, "e\u0301": 2}'.encode(),  # two keys: no normalisation
    "dup-after-many-keys": (
        "{" + ",".join(f'"k{i}": {i}' for i in range(40)) + ', "k7": 0}'
    ).encode(),
    "distinct-many-keys": ("{" + ",".join(f'"k{i}": {i}' for i in range(40)) + "}").encode(),
    # numbers
    "nan": b'{"a": NaN}',
    "minus-nan": b'{"a": -NaN}',
    "infinity": b'{"a": Infinity}',
    "minus-infinity": b'{"a": -Infinity}',
    "int-2**53": b'{"a": 9007199254740992}',
    "int-2**53+1": b'{"a": 9007199254740993}',
    "int-2**64": b'{"a": 18446744073709551616}',
    "int-15-digits": b'{"a": 999999999999999, "b": -999999999999999}',
    "int-16-digits": b'{"a": 1000000000000000}',
    "int-4301-digits": b'{"a": ' + b"9" * 4301 + b"}",
    "1e400": b'{"a": 1e400}',
    "-1e400": b'{"a": -1e400}',
    "minus-zero": b'{"a": -0, "b": [-0]}',
    "minus-zero-float": b'{"a": -0.0}',
    "one-point-zero": b'{"a": 1.0}',
    "exponents": b'{"a": 1e0, "b": 1E+2, "c": 1e-2}',
    "leading-zero": b'{"a": 00}',
    "minus-leading-zero": b'{"a": -01}',
    "plus-sign": b'{"a": +1}',
    "bare-fraction": b'{"a": .5}',
    "hex-number": b'{"a": 0x10}',
    "minus-alone": b'{"a": -}',
    # surrogate escapes, escaped and raw
    "lone-high": b'{"a": "\\ud800"}',
    "lone-low": b'{"a": "\\udc00"}',
    "reversed-pair": b'{"a": "\\udc00\\ud800"}',
    "pair": b'{"a": "\\ud83d\\ude00"}',
    "pair-upper-hex": b'{"a": "\\uD83D\\uDE00"}',
    "high-then-text": b'{"a": "\\ud800x"}',
    "pair-in-key": b'{"\\ud83d\\ude00": 1}',
    "raw-surrogate-cesu": '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"),
    "raw-pair-cesu": '{"a": "\ud83d\ude00"}'.encode("utf-8", "surrogatepass"),
    # invalid UTF-8
    "overlong-slash": b'{"a": "\xc0\xaf"}',
    "overlong-nul": b'{"a": "\xc0\x80"}',
    "overlong-3-byte": b'{"a": "\xe0\x80\xaf"}',
    "five-byte": b'{"a": "\xf8\x88\x80\x80\x80"}',
    "above-10ffff": b'{"a": "\xf4\x90\x80\x80"}',
    "lone-continuation": b'{"a": "\x80"}',
    "truncated-sequence": b'{"a": "\xe2\x82"}',
    "latin1-key": b'{"\xe9": 1}',
    # a raw UTF-8 sequence cut by an escape (the native reader decodes escapes itself)
    "lead-byte-then-escape": b'{"a": "\xc3\\u00a9"}',
    "escape-then-continuation": b'{"a": "\\u00c3\xa9"}',
    "escape-then-two-continuations": b'{"a": "\\u00e2\x82\xac"}',
    "three-byte-lead-escape-between": b'{"a": "\xe2\\u0041\x82\xac"}',
    "every-short-escape": b'{"a": "\\b\\f\\n\\r\\t\\/\\\\\\""}',
    "escape-edges": b'{"a": "\\u0000\\u007f\\u0080\\u07ff\\u0800\\ufffe\\uFFFF\\ud7ff\\ue000"}',
    "invalid-utf8-between-tokens": b'{"a": 1\xff}',
    "invalid-utf8-before-key": b'{\xff"a": 1}',
    # byte order marks and odd characters
    "bom": b'\xef\xbb\xbf{"a": 1}',
    "bom-after-space": b' \xef\xbb\xbf{"a": 1}',
    "bom-in-value": b'{"a": "\xef\xbb\xbfx"}',
    "utf16-bom": '{"a": 1}'.encode("utf-16"),
    "nul-raw-in-string": b'{"a": "x\x00y"}',
    "nul-escaped": b'{"a": "x\\u0000y"}',
    "control-raw": b'{"a": "\x1f"}',
    "del-raw": b'{"a": "\x7f"}',
    "line-separators": '{"a": "\u2028\u2029", "b": "\\u2028"}'.encode(),
    "c1-control": '{"a": "\u0085"}'.encode(),
    "nul-after-object": b'{"a": 1}\x00',
    # whitespace that is not JSON's
    "nbsp": '{"a":\u00a01}'.encode(),
    "vertical-tab": b'{"a":\x0b1}',
    "form-feed": b'{"a":\x0c1}',
    "ideographic-space": '{"a":\u30001}'.encode(),
    "json-whitespace-everywhere": b' \t\r\n{ \t\r\n"a" \t\r\n: \t\r\n[ 1 , 2 ] \t\r\n} \t\r\n',
    # syntax
    "trailing-garbage": b'{"a": 1} x',
    "two-objects": b'{"a": 1}{"a": 2}',
    "trailing-comma-object": b'{"a": 1,}',
    "trailing-comma-list": b'{"a": [1,]}',
    "line-comment": b'{"a": 1} // c',
    "block-comment": b'{"a": /* c */ 1}',
    "single-quotes": b"{'a': 1}",
    "unquoted-key": b"{a: 1}",
    "bad-escape": b'{"a": "\\x41"}',
    "short-unicode-escape": b'{"a": "\\u00e"}',
    "plus-in-unicode-escape": b'{"a": "\\u+0e9"}',
    "capital-u-escape": b'{"a": "\\U00e9"}',
    "escaped-newline": b'{"a": "x\\\ny"}',
    "literal-prefix": b'{"a": tru}',
    "literal-suffix": b'{"a": truex}',
    "null-capital": b'{"a": Null}',
    "empty": b"",
    "only-whitespace": b" \n",
    "top-level-list": b"[1]",
    "top-level-string": b'"{}"',
    "unterminated-string": b'{"a": "x',
    "unterminated-escape": b'{"a": "\\',
    "unterminated-object": b'{"a": 1',
}


@pytest.mark.parametrize("raw", JSON_ATTACKS.values(), ids=JSON_ATTACKS.keys())
def test_hostile_json_is_read_or_refused_as_the_reference_does(raw: bytes) -> None:
    assert_same_reading(raw)


def test_every_byte_at_every_offset_of_an_8_byte_block() -> None:
    # json_clean skips 8 string bytes at a time unless a word trick sees a quote, a backslash or
    # a control byte among them: a miss would let a control character or an end quote through
    for byte in range(256):
        for offset in range(16):
            body = b"x" * offset + bytes([byte]) + b"y" * (15 - offset)
            assert_same_reading(b'{"a": "' + body + b'"}')
    for high in (0x80, 0xC3, 0xE2, 0xFF):  # a borrow out of a high byte into a control byte
        for low in (0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x5C):
            for offset in range(8):
                body = b"x" * offset + bytes([high, low]) + b"y" * 8
                assert_same_reading(b'{"a": "' + body + b'"}')


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(max_size=6), st.text(max_size=12) | st.integers(-(10**16), 10**16)),
    st.booleans(),
)
def test_any_text_keys_and_values_read_as_the_reference_reads_them(
    members: dict[str, Any], ascii_only: bool
) -> None:
    assert_same_reading(json.dumps(members, ensure_ascii=ascii_only).encode())
    assert_same_reading(json.dumps({"a": [members, members]}, ensure_ascii=ascii_only).encode())


def _nested(depth: int, make: str, inner: str = "1") -> bytes:
    """An object whose member nests ``depth`` levels in all (the top object counts as one)."""
    opening, closing = {"list": ("[", "]"), "object": ('{"k":', "}")}[make]
    return ('{"x":' + opening * (depth - 1) + inner + closing * (depth - 1) + "}").encode()


@pytest.mark.parametrize("depth", [99, 100, 101, 200])
@pytest.mark.parametrize("make", ["list", "object"])
def test_nesting_around_the_bound(depth: int, make: str) -> None:
    assert_same_reading(_nested(depth, make))
    assert_same_reading(_nested(depth, make, '{"d": 1, "d": 2}'))  # a duplicate at the bottom
    assert_same_reading(_nested(depth, make, '"\\ud800"'))


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    deep_text = '"' + "[{" * 150 + '\\"\\\\' + "]}" * 150 + '"'
    assert_same_reading(('{"a": ' + deep_text + "}").encode())


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_inputs_at_the_size_limit(delta: int) -> None:
    limit = safejson.DEFAULT_MAX_JSON_BYTES
    filler = limit + delta - len(b'{"a": ""}')
    assert_same_reading(b'{"a": "' + b"x" * filler + b'"}')
    assert_same_reading(b'{"a": "' + b"x" * (filler - 2) + b'\\n"}')


def test_bytes_subclasses_take_the_same_path() -> None:
    class Raw(bytes):
        pass

    for raw in (b'{"a": 1}', b'{"a": 1, "a": 2}', b'{"a": NaN}'):
        fast, reference = both(lambda r=raw: safejson.load_json(Raw(r)))
        assert fast == reference


# ---------------------------------------------------------------------------------------------
# orjson's key cache: two different keys read as one


# orjson (3.10 up) files every key of at most 64 bytes it reads in a process-wide cache under the
# key's unseeded xxh3_64 and hands back the cached str on a hash match, without comparing the
# keys. xxh3 of 17..32 bytes is avalanche(32 * P1 + mix(first 16 bytes) + mix(last 16 bytes)),
# avalanche a bijection and mix a 64-bit multiply-fold, so a collision of mix over 16 letters
# (Brent's cycle finding, ~2**33 steps, a few minutes of one core) gives two keys of one hash
# for any common last 16 bytes; the same search solved for a given key gives a second key
# colliding with a real field name.
TWINS = ("mhflbmfdpdbaepke" + "country_of_origi", "olhlklohkniijphb" + "country_of_origi")
FIELD_TWIN = "dpbajehgjcpnkbnpglhnnlcpodjddobp"  # xxh3_64 0x76101e00b2c23c6e, as country_of_origin


def test_two_keys_of_one_orjson_hash_are_two_keys() -> None:
    first, second = TWINS
    assert_same_reading(json.dumps({first: "CH", second: "XX"}).encode())
    assert_same_reading(json.dumps({"a": [{first: 1}, {second: 2}]}).encode())


def test_a_key_colliding_with_a_field_name_is_another_key() -> None:
    assert_same_reading(json.dumps({"country_of_origin": "XX", FIELD_TWIN: "CH"}).encode())
    assert_same_reading(json.dumps({FIELD_TWIN: "CH", "country_of_origin": "XX"}).encode())


def test_a_key_read_once_never_renames_a_later_key() -> None:
    first, second = TWINS
    safejson.load_json(json.dumps({first: 1}).encode())  # an earlier upload, same process
    assert list(safejson.load_json(json.dumps({second: 1}).encode())) == [second]
    safejson.load_json(json.dumps({second: 1}).encode())
    assert list(safejson.load_json(json.dumps({first: 1}).encode())) == [first]


# ---------------------------------------------------------------------------------------------
# field hashes, shape and target hash: hash_seeded against flatten + seeded_hashes + _target_hash

SEED = bytes(range(32))


def assert_same_hashes(
    doc: Any,
    seed: Any = SEED,
    committed: dict[str, int] | None = None,
    stated: dict[str, bytes] | None = None,
) -> None:
    fast, reference = both(lambda: fields.hash_seeded(doc, seed, committed, stated))
    assert fast == reference


HASH_ATTACKS: dict[str, dict[str, Any]] = {
    "non-ascii-values": {"a": "Genève", "b": "東京", "c": "\U0001f600"},
    "nfc": {"a": "\u00e9"},
    "nfd": {"a": "e\u0301"},
    "rfc8785-escapes": {"a": "\u2028\u2029", "b": "\x7f", "c": "\x1f\x00\x08\x0c", "d": "a/b"},
    "quotes-and-backslashes": {"a": '"', "b": "\\", "c": '\\"', "d": "\n\r\t"},
    "empty-string": {"a": ""},
    "true-vs-one": {"a": True, "b": 1, "c": False, "d": 0},
    "safe-int-bounds": {"a": 2**53 - 1, "b": -(2**53 - 1), "c": 2**53, "d": -(2**53)},
    "big-ints": {"a": 2**63 - 1, "b": 2**63, "c": 2**64, "d": -(2**63) - 1, "e": 10**30},
    "minus-zero-int": {"a": -0},
    "float": {"a": 1.0},
    "negative-zero-float": {"a": -0.0},
    "nan-float": {"a": float("nan")},
    "lists-of-lists": {"a": [[1, 2], [], [[3]], [None]]},
    "empty-containers": {"a": [], "b": {}, "c": [{}], "d": [[]]},
    "none-values": {"a": None, "b": [None, None], "c": {"d": None}},
    "not-snake-case": {"Number": "x"},
    "dotted-key": {"a.b": "x"},
    "bracket-key": {"a[0]": "x"},
    "digit-first-key": {"0a": "x"},
    "dash-key": {"a-b": "x"},
    "empty-key": {"": "x"},
    "non-ascii-key": {"é": "x"},
    "unicode-digit-key": {"a\u0663": "x"},
    "fullwidth-key": {"ａ": "x"},
    "trailing-newline-key": {"a\n": "x"},
    "lone-surrogate-value": {"a": "\ud800"},
    "lone-surrogate-key": {"\ud800": "x"},
    "int-key": {1: "x"},
    "tuple-value": {"a": (1, 2)},
    "bytes-value": {"a": b"x"},
    "deep-key-refused-late": {"a": {"b": [{"c": 1}, {"D": 2}]}},
}


@pytest.mark.parametrize("doc", HASH_ATTACKS.values(), ids=HASH_ATTACKS.keys())
def test_hostile_documents_hash_or_are_refused_as_the_reference_does(doc: dict[str, Any]) -> None:
    assert_same_hashes(doc)
    assert_same_hashes(doc, committed={"a": 4, "zz": 1})


def test_values_that_look_alike_hash_differently() -> None:
    # whatever each path answers, it must tell these apart (else one could stand for the other)
    for a, b in [
        ("\u00e9", "e\u0301"),
        (True, 1),
        (False, 0),
        ("1", 1),
        ("true", True),
        ("", None),
    ]:
        ha = fields.hash_seeded({"a": a}, SEED)
        hb = fields.hash_seeded({"a": b}, SEED)
        assert ha[2] != hb[2], (a, b)


def test_str_and_int_subclasses_go_to_the_reference() -> None:
    class Text(str):
        pass

    class Number(int):
        pass

    class Doc(dict):  # type: ignore[type-arg]
        pass

    for doc in ({"a": Text("x")}, {"a": Number(1)}, {Text("a"): 1}, {"a": Doc(b=1)}, Doc(a=1)):
        assert_same_hashes(doc)


@pytest.mark.parametrize(
    "seed",
    [bytes(31), bytes(33), b"", bytearray(32), memoryview(bytes(32)), "0" * 32, None, 0],
    ids=["31", "33", "empty", "bytearray", "memoryview", "str", "none", "int"],
)
def test_seeds_of_the_wrong_length_or_type(seed: Any) -> None:
    assert_same_hashes({"a": "x"}, seed)


@pytest.mark.parametrize(
    "committed",
    [{}, {"a": 1}, {"a": 2}, {"b": 1}, {"a": 0}, {"a": -1}, {"a": 2**32}, {"a": True}, {"é": 1}],
    ids=["none", "same", "longer", "other", "zero", "negative", "too-big", "bool", "non-ascii"],
)
def test_committed_shapes_that_do_not_match(committed: dict[str, Any]) -> None:
    assert_same_hashes({"a": ["x"]}, committed=committed)


def test_stated_hashes_that_differ_are_never_kept() -> None:
    doc = sample_certificate(random.Random(7))
    hashes, shape, _ = fields.hash_seeded(doc, SEED)
    first, *_ = hashes
    for stated in (
        {**hashes, first: hashes[first][:31]},  # a short hash
        {**hashes, first: bytearray(hashes[first])},  # equal bytes, other type
        {**{k: v for k, v in hashes.items() if k != first}, first: hashes[first]},  # moved
        {k.upper(): v for k, v in hashes.items()},
    ):
        assert_same_hashes(doc, SEED, shape, stated)
        assert fields.hash_seeded(doc, SEED, shape, stated)[0] is not stated


@pytest.mark.parametrize(
    "hashes",
    [
        {"a": bytes(31)},
        {"a": bytearray(32)},
        {"a": memoryview(bytes(32))},
        {"é": bytes(32), "z": bytes(32), "\U0001f600": bytes(32), "\uffff": bytes(32)},
        {1: bytes(32)},
        {"a" * 65_535: bytes(32)},
        {"a" * 65_536: bytes(32)},
    ],
    ids=["short", "bytearray", "memoryview", "code-point-order", "int-key", "64k", "64k+1"],
)
def test_target_hash_of_odd_maps(hashes: dict[Any, Any]) -> None:
    for shape in ({}, {"é": 1, "\U0001f600": 2, "a": 3}, {"a": True}, {"b": -1}):
        fast, reference = both(lambda s=shape: fields.target_hash(hashes, s))
        assert fast == reference


# ---------------------------------------------------------------------------------------------
# the proof's hex maps

GOOD = "0x" + "0123456789abcdef" * 2
HEX_ATTACKS: dict[str, Any] = {
    "upper": "0x" + "0123456789ABCDEF" * 2,
    "mixed-case": "0x" + "0123456789aBcDeF" * 2,
    "upper-prefix": "0X" + "0123456789abcdef" * 2,
    "no-prefix": "0123456789abcdef" * 2 + "00",
    "odd-length": GOOD[:-1],
    "one-short": GOOD[:-2],
    "one-long": GOOD + "00",
    "non-hex": "0x" + "g" * 32,
    "arabic-indic-digits": "0x" + "\u0663" * 32,
    "fullwidth-digits": "0x" + "\uff11" * 32,
    "fullwidth-x": "0\uff58" + "00" * 16,
    "superscript-digits": "0x" + "\u00b9" * 32,
    "space-inside": "0x" + "00 " * 10 + "00",
    "space-padded": " " + GOOD[:-1],
    "tab-inside": "0x" + "0\t" * 16,
    "newline-end": GOOD[:-1] + "\n",
    "nul": "0x" + "\x00" * 32,
    "multibyte-same-byte-length": "0x" + "é" * 16,
    "lone-surrogate": "0x" + "\ud800" * 32,
    "bytes-value": GOOD.encode(),
    "int-value": 7,
    "none-value": None,
    "list-value": [GOOD],
}


@pytest.mark.parametrize("bad", HEX_ATTACKS.values(), ids=HEX_ATTACKS.keys())
@pytest.mark.parametrize("check_paths", [False, True], ids=["hashes", "withheld"])
def test_hostile_hex_maps_decode_or_are_refused_as_the_reference_does(
    bad: Any, check_paths: bool
) -> None:
    for value in ({"a": bad}, {"a": GOOD, "b": bad}, {"a": bad, "b": GOOD}):
        fast, reference = both(
            lambda v=value: issued._hex_map({"salts": v}, "salts", 16, check_paths=check_paths)
        )
        assert fast == reference


def test_every_character_in_every_digit_position() -> None:
    for code in [*range(256), 0x0663, 0x06F3, 0xFF11, 0xFF21, 0x1D7CE, 0xD800]:
        for position in (2, 3, 33):
            value = GOOD[:position] + chr(code) + GOOD[position + 1 :]
            fast, reference = both(lambda v=value: issued._hex_map({"m": {"a": v}}, "m", 16))
            assert fast == reference, hex(code)


@pytest.mark.parametrize("size", [2**40, 2**62, 2**63, 2**64 - 1])
def test_an_absurd_size_is_no_crash(size: int) -> None:
    # in a child: allocating size bytes up front aborted the whole process (SIGABRT, no exception)
    code = f"from origincert._native import ext; print(ext.hex_map({{}}, {size}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (out.returncode, out.stdout) == (0, "None\n"), out.stderr[-300:]


def test_a_key_that_runs_code_cannot_panic_the_hex_map() -> None:
    # only from Python code (JSON keys are plain str), but a panic is a BaseException that an
    # embedding caller's ``except Exception`` does not stop: the reference's RuntimeError instead
    armed = [False]

    class Key(str):
        def __hash__(self) -> int:
            if armed[0]:
                value.pop("b", None)
            return str.__hash__(self)

    value: dict[Any, str] = {Key("a"): GOOD, "b": GOOD}
    armed[0] = True
    fast = outcome(lambda: issued._hex_map({"salts": value}, "salts", 16))
    value = {Key("a"): GOOD, "b": GOOD}
    with reference_only():
        reference = outcome(lambda: issued._hex_map({"salts": value}, "salts", 16))
    assert fast == reference


# ---------------------------------------------------------------------------------------------
# the whole offline verifier on issued files edited as text


@pytest.fixture(scope="module")
def issued_files() -> list[dict[str, Any]]:
    """Two full copies of one batch and a redacted copy (built from FORMAT.md by the tests'
    builder, independent of the verifier), not anchored: offline, UNCONFIRMED at best."""
    signer = Account.from_key(keccak(text="origincert-native-attacks"))
    docs = [sample_certificate(random.Random(seed)) for seed in (11, 12)]
    docs[0]["exporter"]["name"] = "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale d'Exportation"  # NFC
    files, _, _ = builder.build(docs, signer, chain_id=31337, registry="0x" + "11" * 20)
    return [*files, builder.redact(files[1], ["exporter.address", "goods[0].invoice.number"])]


def verdicts(raws: list[bytes]) -> tuple[list[Any], list[Any]]:
    """Each upload's result (as JSON) from the offline verifier, native and reference."""

    def run() -> list[Any]:
        v = Verifier.offline(clock=lambda: datetime.now(UTC).date(), workers=1)
        return [r.to_json() for r in v.verify_many_bytes(raws)]

    fast = run()
    with reference_only():
        reference = run()
    return fast, reference


def text(f: dict[str, Any]) -> str:
    return json.dumps(f, indent=2, ensure_ascii=False)


def _edits(f: dict[str, Any]) -> dict[str, str]:
    """Ways a holder might edit a full copy's text; each changes what the document says."""
    t = text(f)
    goods0 = f["document"]["goods"][0]
    origin = json.dumps(goods0["country_of_origin"])
    hs = json.dumps(goods0["hs_code"])
    item = f'"item_number": {goods0["item_number"]}'
    return {
        "value": t.replace(f'"country_of_origin": {origin}', '"country_of_origin": "XX"', 1),
        "dup-key": t.replace(
            f'"country_of_origin": {origin}',
            f'"country_of_origin": "XX", "country_of_origin": {origin}',
            1,
        ),
        "dup-escaped-key": t.replace(
            f'"country_of_origin": {origin}',
            f'"country_of_origin": {origin}, "country_of_\\u006frigin": "XX"',
            1,
        ),
        "hs-as-number": t.replace(f'"hs_code": {hs}', f'"hs_code": {hs.strip(chr(34))}', 1),
        "int-as-float": t.replace(item, item + ".0", 1),
        "int-as-exponent": t.replace(item, item + "e0", 1),
        "int-as-bool": t.replace(item, '"item_number": true', 1),
        "int-as-string": t.replace(item, f'"item_number": "{goods0["item_number"]}"', 1),
        "int-as-big": t.replace(item, f'"item_number": {goods0["item_number"] + 2**64}', 1),
        "nfd": t.replace("\u00e9", "e\u0301"),
        "surrogate-in-value": t.replace(f'"hs_code": {hs}', '"hs_code": "\\ud800"', 1),
        "nul-in-value": t.replace(f'"hs_code": {hs}', f'"hs_code": "{hs[1:-1]}\\u0000"', 1),
        "extra-null-field": t.replace(item, item + ', "extra": null', 1),
        "extra-empty-list": t.replace(item, item + ', "extra": []', 1),
    }


def _neutral(f: dict[str, Any]) -> dict[str, str]:
    """Edits that change the text but not the values: every reader sees the issued file."""
    t = text(f)
    proof = f["proof"]
    upper = {
        **proof,
        "field_hashes": {k: "0x" + v[2:].upper() for k, v in proof["field_hashes"].items()},
    }
    reordered = {**f, "document": dict(reversed(list(f["document"].items())))}
    rehashed = {**proof, "field_hashes": dict(reversed(list(proof["field_hashes"].items())))}
    return {
        "compact": json.dumps(f, separators=(",", ":")),
        "ascii-escaped": json.dumps(f, ensure_ascii=True),
        "escaped-solidus": t.replace("/", "\\/"),
        "upper-hex": text({**f, "proof": upper}),
        "document-keys-reordered": text(reordered),
        "hash-keys-reordered": text({**f, "proof": rehashed}),
    }


def test_edited_full_copies_fail_alike(issued_files: list[dict[str, Any]]) -> None:
    good = issued_files[0]
    edits = _edits(good)
    assert all(e != text(good) for e in edits.values())
    raws = [text(good).encode()] + [e.encode("utf-8", "surrogatepass") for e in edits.values()]
    fast, reference = verdicts(raws)
    assert fast == reference
    assert fast[0]["verdict"] == "UNCONFIRMED"  # the issued file passes every offline check
    for name, result in zip(edits, fast[1:], strict=True):
        assert result["verdict"] != "UNCONFIRMED", name


def test_neutral_rewrites_pass_alike(issued_files: list[dict[str, Any]]) -> None:
    rewrites = _neutral(issued_files[0])
    fast, reference = verdicts([r.encode() for r in rewrites.values()])
    assert fast == reference
    assert {r["verdict"] for r in fast} == {"UNCONFIRMED"}


def test_edited_redacted_copies_fail_alike(issued_files: list[dict[str, Any]]) -> None:
    red = issued_files[2]
    proof = red["proof"]
    withheld = dict(proof["withheld"])
    path, digest = next(iter(withheld.items()))
    salted = next(iter(proof["salts"]))
    variants = {
        "as-issued": red,
        "withheld-relabelled": {**red, "proof": {**proof, "withheld": {path + "x": digest}}},
        "withheld-also-shown": {
            **red,
            "proof": {**proof, "field_hashes": {**proof["field_hashes"], path: digest}},
        },
        "salt-short": {
            **red,
            "proof": {**proof, "salts": {**proof["salts"], salted: proof["salts"][salted][:-2]}},
        },
        "shown-without-salt": {
            **red,
            "proof": {**proof, "salts": {k: v for k, v in proof["salts"].items() if k != salted}},
        },
        "seed-and-salts": {**red, "proof": {**proof, "seed": "0x" + "00" * 32}},
    }
    upper = {k: "0x" + v[2:].upper() for k, v in proof["salts"].items()}
    neutral = {**red, "proof": {**proof, "salts": upper}}  # the same salts, spelled otherwise
    fast, reference = verdicts([text(v).encode() for v in [neutral, *variants.values()]])
    assert fast == reference
    assert fast[0]["verdict"] == fast[1]["verdict"] == "UNCONFIRMED"
    for name, result in zip(list(variants)[1:], fast[2:], strict=True):
        assert result["verdict"] != "UNCONFIRMED", name


def test_a_seed_of_the_wrong_shape_is_refused_alike(issued_files: list[dict[str, Any]]) -> None:
    f = issued_files[0]
    seeds = ["0x" + "00" * 31, "0x" + "00" * 33, "0X" + "00" * 32, None, 0, ""]
    raws = [text({**f, "proof": {**f["proof"], "seed": s}}).encode() for s in seeds]
    fast, reference = verdicts(raws)
    assert fast == reference
    assert "UNCONFIRMED" not in {r["verdict"] for r in fast}


def test_a_second_value_under_a_colliding_key_is_a_second_field(
    issued_files: list[dict[str, Any]],
) -> None:
    # every JSON reader but orjson sees goods[0] coming from "XX" (and a stray field); orjson read
    # the twin's value as country_of_origin's, the issued one: UNCONFIRMED offline, VALID online
    f = issued_files[0]
    origin = json.dumps(f["document"]["goods"][0]["country_of_origin"])
    forged = text(f).replace(
        f'"country_of_origin": {origin}', f'"country_of_origin": "XX", "{FIELD_TWIN}": {origin}', 1
    )
    assert json.loads(forged)["document"]["goods"][0]["country_of_origin"] == "XX"
    fast, reference = verdicts([forged.encode()])
    assert fast == reference
    assert fast[0]["verdict"] != "UNCONFIRMED"


def test_an_upload_cannot_rename_a_field_of_later_uploads(
    issued_files: list[dict[str, Any]],
) -> None:
    # one upload of many keys empties orjson's cache slot, the next caches the twin under
    # country_of_origin's hash: every certificate read afterwards lost its country of origin
    evict = json.dumps({f"k{i}": 1 for i in range(20_000)}).encode()
    poison = json.dumps({FIELD_TWIN: "CH"}).encode()
    fast, reference = verdicts([evict, poison, text(issued_files[0]).encode()])
    assert fast == reference
    assert fast[2]["verdict"] == "UNCONFIRMED"


def test_worker_processes_read_and_hash_as_this_process(issued_files: list[dict[str, Any]]) -> None:
    # the native core in forked workers (results pickled back) against the reference in-process
    good = issued_files[0]
    raws = [text(good).encode(), text(issued_files[2]).encode()]
    raws += [e.encode("utf-8", "surrogatepass") for e in _edits(good).values()]
    raws += [r.encode() for r in _neutral(good).values()]
    raws += list(JSON_ATTACKS.values())
    today = datetime.now(UTC).date()
    pooled = Verifier.offline(clock=lambda: today, workers=2, parallel_from=1)
    assert pooled._parallel(len(raws))  # the batch goes to the worker processes
    fast = [r.to_json() for r in pooled.verify_many_bytes(raws)]
    with reference_only():
        alone = Verifier.offline(clock=lambda: today, workers=1)
        reference = [r.to_json() for r in alone.verify_many_bytes(raws)]
    assert fast == reference
