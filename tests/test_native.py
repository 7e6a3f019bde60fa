"""The native core (``native/``) against the pure-Python reference it stands in for.

Each native function answers exactly what its reference answers, or None (then the reference
runs): the same objects from the strict JSON reader, the same field hashes, shape and target
hash byte for byte, the same decoded proof maps, and the same refusal (code and message)
whenever the reference refuses. Checked on hand-picked hostile inputs and on inputs hypothesis
makes and mutates; the verifier's verdicts on the adversarial corpus, native against reference,
are compared in ``tests/verifier/test_native_verdicts.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from origincert import _native, fields, issued, safejson
from origincert.errors import OriginCertError

PACKAGE = Path(__file__).resolve().parents[1] / "origincert"
ext = _native.ext


def test_the_native_core_is_built_and_used() -> None:
    # scripts/setup builds it; without it every fast path below would silently be the reference
    assert ext is not None and _native.NATIVE


def test_the_reference_alone_on_request() -> None:
    import os
    import subprocess
    import sys

    code = "from origincert import _native, safejson; print(_native.NATIVE, safejson.NATIVE)"
    env = {**os.environ, "ORIGINCERT_NO_NATIVE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_every_user_of_the_native_core_is_known_to_the_verdict_test() -> None:
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if re.search(r"^from origincert\._native import", p.read_text(), re.MULTILINE)
    )
    assert users == ["fields.py", "issued.py", "safejson.py"]  # patched off in the verdict test


def typed(value: Any) -> Any:
    """``value`` with every type spelled out (``1 == 1.0 == True`` in Python, not here)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(work: Callable[[], Any]) -> Any:
    try:
        return ("ok", typed(work()))
    except OriginCertError as exc:
        return ("refused", type(exc).__name__, exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - the reference's own (OverflowError...) count too
        return ("raised", type(exc).__name__, str(exc))


# ---------------------------------------------------------------------------------------------
# the strict JSON reader


def same_reading(raw: bytes, max_bytes: int = safejson.DEFAULT_MAX_JSON_BYTES) -> None:
    fast = outcome(lambda: safejson.load_json(raw, max_bytes=max_bytes))
    reference = outcome(lambda: safejson._load_json(raw, max_bytes=max_bytes))
    assert fast == reference, raw[:200]
    built = ext.json_load(raw)
    assert (built is not None) == ext.json_clean(raw), raw[:200]  # one grammar, two functions
    if built is not None and len(raw) <= max_bytes:  # the fast path: the reference takes it
        assert ("ok", typed(built)) == reference, raw[:200]


HOSTILE = [
    b'{"a": 1, "a": 2}',
    b'{"a": 1, "\\u0061": 2}',  # the same key, spelled differently
    b'{"\\u0061": 1, "b": {"c": 1, "c": 1}}',
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b'{"a": -Infinity}',
    b'{"a": 1e400}',
    b'{"a": 123456789012345678901234567890}',
    b'{"a": 1234567890123456}',
    b'{"a": 123456789012345}',
    b'{"a": -0}',
    b'{"a": -0.0}',
    b'{"a": 01}',
    b'{"a": 1.5e3}',
    b'{"a": "\\ud800"}',
    b'{"a": "\\udfff x"}',
    b'{"a": "\\ud83d\\ude00"}',  # a pair: text
    b'{"\\ud800": 1}',
    '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"),  # CESU: not UTF-8
    b'{"a": "\xff"}',
    b'{"a": "\xc0\xaf"}',  # overlong
    b'\xef\xbb\xbf{"a": 1}',
    b"",
    b"   ",
    b"[]",
    b'"a"',
    b"1",
    b"null",
    b'{"a": 1} x',
    b'{"a": 1}{}',
    b'{"a": 1,}',
    b'{"a" 1}',
    b'{"a": "line\nbreak"}',
    b'{"a": "tab\there"}',
    b'{"a": "\\x41"}',
    b'{"a": "\\u00e9\\"\\\\\\/\\b\\f\\n\\r\\t"}',
    b'{"a": tru}',
    b'{"a": [1, 2,]}',
    b'{"a":\x0c1}',  # form feed is not JSON whitespace
    b' \t\r\n{"a":[true,false,null,{}]} \n',
    b'{"a": "unterminated}',
    b'{"a": "\\',
    b'{"a": "\\u12"}',
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_json_is_read_or_refused_as_the_reference_does(raw: bytes) -> None:
    same_reading(raw)


@pytest.mark.parametrize("depth", [1, 98, 99, 100, 101, 102, 500, 2000])
@pytest.mark.parametrize("bracket", ["[]", "{}"])
def test_nesting_at_and_past_the_bound(depth: int, bracket: str) -> None:
    opening, closing = ('{"k":', "}") if bracket == "{}" else ("[", "]")
    inner = opening * (depth - 1) + "1" + closing * (depth - 1)
    same_reading(('{"x":' + inner + "}").encode())


def test_the_size_bound_is_the_reference_s() -> None:
    raw = b'{"a": "' + b"x" * 100 + b'"}'
    for limit in (len(raw) - 1, len(raw), len(raw) + 1):
        same_reading(raw, limit)


def test_text_input_keeps_the_reference_path() -> None:
    assert safejson.load_json('{"a": 1}') == {"a": 1}
    with pytest.raises(OriginCertError, match="repeats the key"):
        safejson.load_json('{"a": 1, "a": 1}')


_odd_text = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["\ud800", "a\udfff", "\ud83d\ude00", '"', "\\", "\x00", "\x1f", "\x7f", "é"]),
)
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats()
    | _odd_text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "é", "\ud800", "x y"]), inner, max_size=4)
    ),
    max_leaves=12,
)


def _key_text(key: str, escape: bool) -> str:
    return '"' + "".join(f"\\u{ord(c):04x}" for c in key) + '"' if escape else json.dumps(key)


@st.composite
def json_texts(draw: st.DrawFn) -> bytes:
    """Objects whose members may repeat a key (written plainly or escaped), values of every JSON
    kind (NaN, huge numbers, surrogates included), in several layouts, sometimes mutated."""
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(["a", "b", "ab", "é"]), st.booleans(), _json_values),
            max_size=5,
        )
    )
    ascii_only = draw(st.booleans())
    sep = draw(st.sampled_from([",", ", ", ",\n  "]))
    members = [
        _key_text(k, esc) + ":" + json.dumps(v, ensure_ascii=ascii_only) for k, esc, v in pairs
    ]
    text = "{" + sep.join(members) + "}"
    raw = text.encode("utf-8", "surrogatepass")
    for at, byte in draw(
        st.lists(
            st.tuples(st.integers(min_value=0), st.sampled_from(b'{}[]":,\\ 0-.eE\x00\xff\xef')),
            max_size=2,
        )
    ):
        i = at % (len(raw) + 1)
        raw = raw[:i] + bytes([byte]) + raw[i + draw(st.integers(min_value=0, max_value=1)) :]
    return raw


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_texts())
def test_any_json_text_is_read_or_refused_as_the_reference_does(raw: bytes) -> None:
    same_reading(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40))
def test_any_bytes_are_read_or_refused_as_the_reference_does(raw: bytes) -> None:
    same_reading(raw)
    same_reading(b'{"a": "' + raw + b'"}')


# ---------------------------------------------------------------------------------------------
# field hashes and the target hash


def reference_commit(
    doc: Any, seed: bytes, committed: dict[str, int] | None
) -> tuple[dict[str, bytes], dict[str, int], bytes]:
    leaves, shape = fields.flatten_with_shape(doc)
    hashes = fields.seeded_hashes(leaves, seed)
    return hashes, shape, fields._target_hash(hashes, shape if committed is None else committed)


def same_hashes(doc: Any, seed: bytes, committed: dict[str, int] | None = None) -> None:
    fast = outcome(lambda: fields.hash_seeded(doc, seed, committed))
    assert fast == outcome(lambda: reference_commit(doc, seed, committed))


_keys = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True),
    st.sampled_from(["A", "a.b", "", "a[0]", "é", "0a", "a-b"]),
)
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**53 - 1, 2**53, -(2**53) + 1, -(2**53), 10**30, 0, -1]),
    st.text(),
    _odd_text,
    st.floats(),
)
_documents = st.dictionaries(
    _keys,
    st.recursive(
        _leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
        max_leaves=16,
    ),
    max_size=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _documents,
    st.one_of(st.binary(min_size=32, max_size=32), st.binary(max_size=40)),
    st.one_of(
        st.none(),
        st.dictionaries(
            st.from_regex(r"[a-z]{1,3}", fullmatch=True), st.integers(0, 2**32 - 1), max_size=3
        ),
        st.dictionaries(st.just("a"), st.sampled_from([-1, 2**32])),
    ),
)
def test_field_hashes_shape_and_target_are_the_reference_s(
    doc: dict[Any, Any], seed: bytes, committed: dict[str, int] | None
) -> None:
    same_hashes(doc, seed, committed)


def test_hashes_of_the_sample_certificates_are_the_reference_s() -> None:
    import random

    from origincert.devtools.samples import sample_certificate

    rng = random.Random(5)
    for _ in range(40):
        doc = sample_certificate(rng)
        seed = rng.randbytes(32)
        same_hashes(doc, seed)
        fast = fields.hash_seeded(doc, seed)
        assert fast == reference_commit(doc, seed, None)
        assert list(fast[0]) == list(reference_commit(doc, seed, None)[0])  # same order


def test_unusual_documents_fall_back_to_the_reference() -> None:
    seed = bytes(32)
    for doc in (
        {"a": 1.5},
        {"A": 1},
        {"a": 2**53},
        {"a": "\ud800"},
        {"a": {"b": [1, {"c": 1.0}]}},
        {1: "x"},
        {"a": (1, 2)},
    ):
        assert ext.recompute_seeded(doc, seed, {}) is None
        same_hashes(doc, seed)
    same_hashes({"a": True, "b": [None, [], {}], "c": -(2**53) + 1}, seed)
    same_hashes({"a": 1}, bytes(31))  # proof_bad_seed from the reference


_hashes = st.dictionaries(
    st.one_of(
        st.from_regex(r"[a-z_.\[\]0-9]{1,8}", fullmatch=True), st.sampled_from(["é", "\ud800"])
    ),
    st.one_of(st.binary(min_size=32, max_size=32), st.binary(max_size=33)),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_hashes, st.dictionaries(st.text(max_size=4), st.integers(0, 2**32 - 1), max_size=4))
def test_target_hash_is_the_reference_s(hashes: dict[str, bytes], shape: dict[str, int]) -> None:
    fast = outcome(lambda: fields.target_hash(hashes, shape))
    assert fast == outcome(lambda: fields._target_hash(hashes, shape))


def test_a_path_too_long_for_its_prefix_is_refused_by_the_reference() -> None:
    long = "a" * 70_000
    assert ext.target_hash({long: bytes(32)}, {}) is None
    with pytest.raises(OriginCertError, match="65,535"):
        fields.target_hash({long: bytes(32)}, {})


# ---------------------------------------------------------------------------------------------
# the proof's hex maps

_hex_values = st.one_of(
    st.binary(min_size=16, max_size=16).map(lambda b: "0x" + b.hex()),
    st.binary(min_size=16, max_size=16).map(lambda b: "0x" + b.hex().upper()),
    st.binary(min_size=16, max_size=16).map(lambda b: "0X" + b.hex()),
    st.binary(min_size=15, max_size=17).map(lambda b: "0x" + b.hex()),
    st.sampled_from(["0x" + " 1" * 16, "0x" + "g" * 32, "0x" + "٣" * 32, "0x" + "\ud800" * 32]),
    st.sampled_from([None, 7, b"0x00"]),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=4), _hex_values, max_size=5))
def test_hex_maps_decode_as_the_reference_does(value: dict[str, Any]) -> None:
    fast = ext.hex_map(value, 16)
    reference = outcome(lambda: issued._hex_decode(value, "salts", 16))
    if fast is None:
        assert reference[0] == "refused"
    else:
        assert ("ok", typed(fast)) == reference
    for check_paths in (False, True):
        assert _hex_map(value, check_paths, True) == _hex_map(value, check_paths, False)


def _hex_map(value: dict[str, Any], check_paths: bool, native: bool) -> Any:
    saved, issued.NATIVE = issued.NATIVE, native
    try:
        return outcome(
            lambda: issued._hex_map({"salts": value}, "salts", 16, check_paths=check_paths)
        )
    finally:
        issued.NATIVE = saved


def test_the_file_s_own_hashes_are_kept_only_when_they_are_the_recomputed_ones() -> None:
    import random

    from origincert.devtools.samples import sample_certificate

    doc, seed = sample_certificate(random.Random(3)), bytes(range(32))
    hashes, shape, target = reference_commit(doc, seed, None)
    kept = dict(hashes)
    assert fields.hash_seeded(doc, seed, shape, kept)[0] is kept
    first = next(iter(hashes))
    altered = {**hashes, first: bytes(32)}
    reordered = dict(reversed(hashes.items()))
    fewer = dict(list(hashes.items())[1:])
    for stated in (altered, reordered, fewer, {**hashes, "extra": bytes(32)}):
        got = fields.hash_seeded(doc, seed, shape, stated)
        assert got[0] is not stated
        assert list(got[0].items()) == list(hashes.items()) and got[1:] == (shape, target)


def test_nesting_deeper_than_any_json_goes_to_the_reference_not_onto_the_stack() -> None:
    def nested(depth: int, make: Callable[[Any], Any]) -> dict[str, Any]:
        node: Any = 1
        for _ in range(depth):
            node = make(node)
        return {"a": node}

    for make in (lambda n: {"b": n}, lambda n: [n]):
        assert ext.recompute_seeded(nested(100_000, make), bytes(32), {}) is None  # no crash
        assert ext.recompute_seeded(nested(150, make), bytes(32), {}) is not None
        same_hashes(nested(300, make), bytes(32))  # past the walk's bound: the reference's answer


@pytest.mark.parametrize("offset", range(17))
def test_the_scan_of_a_string_eight_bytes_at_a_time_misses_nothing(offset: int) -> None:
    # quote, backslash, control characters and multi-byte text at every position of a word
    pad = "x" * offset
    for special in ('\\"', "\\\\", "\\n", "\\u0041", "\x01", "\x1f", "\x7f", "é", "\u2028", '"'):
        same_reading(f'{{"k": "{pad}{special}{pad}y"}}'.encode())
        same_reading(f'{{"{pad}{special}": 1, "{pad}{special}": 2}}'.encode())
    long_key = "k" * offset + "long_enough_for_a_word"
    same_reading(f'{{"{long_key}": 1, "{long_key}": 2}}'.encode())  # repeated
    same_reading(f'{{"{long_key}": 1, "{long_key}x": 2}}'.encode())  # differs after a word


@pytest.mark.parametrize("keys", [2, 7, 8, 9, 16, 83])
def test_a_repeated_key_is_found_in_small_and_large_objects(keys: int) -> None:
    names = [f"goods[{i}].field_{i % 7}" for i in range(keys)]
    for repeat in (0, keys // 2, keys - 1):
        members = [f'"{n}": "0x{i:02x}"' for i, n in enumerate(names)]
        members.append(f'"{names[repeat]}": "again"')
        same_reading(("{" + ", ".join(members) + "}").encode())
        nested = '{"proof": {"field_hashes": {' + ", ".join(members) + "}}}"
        same_reading(nested.encode())
    distinct = "{" + ", ".join(f'"{n}": {i}' for i, n in enumerate(names)) + "}"
    assert ext.json_clean(distinct.encode())  # no false alarm either
