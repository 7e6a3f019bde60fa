"""Field hashing per docs/FORMAT.md: fixed vectors, and the fast paths proven against their references."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from pathlib import Path

import pytest
import rfc8785
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from origincert.devtools.samples import sample_certificate
from origincert.errors import DocumentError
from origincert.fields import (
    canonical_pair,
    commit,
    derive_salt,
    derive_salts,
    field_hash,
    flatten,
    is_path,
    new_seed,
    recompute,
    shape_of,
    target_hash,
)

VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "fields-2.json").read_text(encoding="utf-8")
)


def unhex(value: str) -> bytes:
    assert value.startswith("0x")
    return bytes.fromhex(value[2:])


def reference_shape(node: object, path: str = "") -> dict[str, int]:
    """Every list's length by path, walked independently of ``origincert.fields``."""
    out: dict[str, int] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out |= reference_shape(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        out[path] = len(node)
        for i, item in enumerate(node):
            out |= reference_shape(item, f"{path}[{i}]")
    return out


def reference_target(hashes: dict[str, bytes], shape: dict[str, int]) -> bytes:
    """FORMAT.md v2's target hash read literally, with struct-free byte packing."""
    out = b"origincert:target:2" + len(hashes).to_bytes(4, "big")
    for path in sorted(hashes):
        out += len(path).to_bytes(2, "big") + path.encode() + hashes[path]
    out += len(shape).to_bytes(4, "big")
    for path in sorted(shape):
        out += len(path).to_bytes(2, "big") + path.encode() + shape[path].to_bytes(4, "big")
    return hashlib.sha256(out).digest()


def reference_commit(doc: dict, seed: bytes) -> tuple[dict[str, bytes], bytes]:
    """FORMAT.md read literally, with the standard library and rfc8785 only."""
    hashes = {}
    for path, value in flatten(doc).items():
        salt = hmac.digest(seed, path.encode("utf-8"), "sha256")[:16]
        hashes[path] = hashlib.sha256(salt + rfc8785.dumps([path, value])).digest()
    return hashes, reference_target(hashes, reference_shape(doc))


# --- vectors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_vectors_salts_field_hashes_and_target(case: dict) -> None:
    seed = unhex(case["seed"])
    doc = case["document"]
    assert list(flatten(doc)) == list(case["field_hashes"])
    for path, salt in case["salts"].items():
        assert derive_salt(seed, path) == unhex(salt), path
    result = commit(doc, seed)
    assert {p: "0x" + h.hex() for p, h in result.field_hashes.items()} == case["field_hashes"]
    assert dict(result.shape) == case["shape"] == reference_shape(doc)
    assert "0x" + result.target_hash.hex() == case["target_hash"]
    hashes = {p: unhex(h) for p, h in case["field_hashes"].items()}
    assert target_hash(hashes, case["shape"]) == unhex(case["target_hash"])
    assert reference_target(hashes, case["shape"]) == unhex(case["target_hash"])


def test_vector_edge_case_covers_escapes_and_placeholders() -> None:
    case = next(c for c in VECTORS["cases"] if c["name"] == "edge_values")
    paths = set(case["field_hashes"])
    assert {"text.quote", "text.control", "text.unicode", "numbers.max_safe", "flags.no"} <= paths
    assert "goods[1]" not in paths and "goods[2].deep[0][0].x" in paths and "absent" not in paths


# --- flatten ---------------------------------------------------------------------------------------


def test_flatten_paths_and_nulls() -> None:
    doc = {"a": {"b": "x", "c": None}, "goods": [{"n": 1}, None, {"m": [True, {"k": "v"}]}], "z": 0}
    assert flatten(doc) == {
        "a.b": "x",
        "goods[0].n": 1,
        "goods[2].m[0]": True,
        "goods[2].m[1].k": "v",
        "z": 0,
    }


@pytest.mark.parametrize("bad_key", ["a.b", "A", "", "goods[0]", "1st", "naïve", 3])
def test_flatten_refuses_keys_that_could_make_paths_ambiguous(bad_key: object) -> None:
    with pytest.raises(DocumentError) as err:
        flatten({"outer": {bad_key: "x"}})
    assert err.value.code == "document_bad_key"
    assert "under outer" in err.value.message


@pytest.mark.parametrize("value", [1.5, 2.0, b"bytes", ("tuple",), {1, 2}])
def test_flatten_refuses_non_json_scalars(value: object) -> None:
    with pytest.raises(DocumentError, match=r"^x\.y holds a") as err:
        flatten({"x": {"y": value}})
    assert err.value.code == "document_bad_value"


def test_flatten_refuses_non_object() -> None:
    with pytest.raises(DocumentError) as err:
        flatten(["not", "a", "dict"])  # type: ignore[arg-type]
    assert err.value.code == "document_not_object"


@pytest.mark.parametrize(
    ("path", "ok"),
    [("number", True), ("goods[12].hs_code", True), ("a[0][1].b", True), ("goods[01]", False),
     ("goods.[0]", False), ("a..b", False), ("Exporter", False), ("", False), ("a.", False), ("goods[-1]", False)],
)  # fmt: skip
def test_is_path(path: str, ok: bool) -> None:
    assert is_path(path) is ok


# --- salts, canonical pairs, hashes --------------------------------------------------------------


@settings(max_examples=300)
@given(
    seed=st.binary(min_size=32, max_size=32),
    path=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80),
)
def test_salt_equals_hmac_reference(seed: bytes, path: str) -> None:
    expected = hmac.digest(seed, path.encode("utf-8"), "sha256")[:16]
    assert derive_salt(seed, path) == expected
    assert derive_salts(seed, [path]) == {path: expected}


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_seed_must_be_32_bytes(size: int) -> None:
    with pytest.raises(DocumentError) as err:
        derive_salt(b"\1" * size, "number")
    assert err.value.code == "proof_bad_seed"


PATHS = st.from_regex(
    r"[a-z_][a-z0-9_]{0,8}(\[[0-9]{1,2}\])?(\.[a-z_][a-z0-9_]{0,8}){0,2}", fullmatch=True
)
SCALARS = st.one_of(
    st.text(),
    st.booleans(),
    st.integers(min_value=-(2**53) - 10, max_value=2**53 + 10),
    st.integers(),
)


@settings(max_examples=600)
@given(path=st.one_of(PATHS, st.text(max_size=20)), value=SCALARS)
def test_canonical_pair_is_byte_identical_to_rfc8785(path: str, value: object) -> None:
    try:
        expected = rfc8785.dumps([path, value])
    except rfc8785.CanonicalizationError:
        with pytest.raises(DocumentError) as err:
            canonical_pair(path, value)  # type: ignore[arg-type]
        assert err.value.code == "document_bad_value"
        return
    assert canonical_pair(path, value) == expected  # type: ignore[arg-type]


def test_canonical_pair_edge_strings() -> None:
    for s in ["\x00\x1f\x7f", '"\\/', "\u2028\u2029", "😀", "é", "\b\f\n\r\t"]:
        assert canonical_pair("p", s) == rfc8785.dumps(["p", s])


def test_field_hash_definition() -> None:
    salt = bytes(range(16))
    assert (
        field_hash(salt, "number", "SG-1") == hashlib.sha256(salt + b'["number","SG-1"]').digest()
    )


VALID_SCALARS = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",))),
    st.booleans(),
    st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1),
    st.none(),
)
DOCS = st.recursive(
    VALID_SCALARS,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=4),
        st.dictionaries(
            st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), children, min_size=1, max_size=4
        ),
    ),
    max_leaves=30,
)


@settings(max_examples=100, deadline=None)
@given(doc=st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), DOCS, min_size=1, max_size=6),
       seed=st.binary(min_size=32, max_size=32))  # fmt: skip
def test_commit_equals_the_literal_reading_of_the_format(doc: dict, seed: bytes) -> None:
    hashes, target = reference_commit(doc, seed)
    result = commit(doc, seed)
    assert dict(result.field_hashes) == hashes
    assert result.target_hash == target


def test_commit_of_lone_surrogate_is_a_clear_error() -> None:
    with pytest.raises(DocumentError) as err:
        commit({"name": "bad \ud800"}, bytes(32))
    assert err.value.code == "document_bad_value" and "name" in err.value.message


def test_commit_of_unsafe_integer_is_a_clear_error() -> None:
    with pytest.raises(DocumentError) as err:
        commit({"count": 2**53}, bytes(32))
    assert err.value.code == "document_bad_value"


# --- target hash -------------------------------------------------------------------------------


_hashes = st.dictionaries(
    st.from_regex(r"[a-z]{1,6}(\[[0-9]\])?(\.[a-z]{1,4})?", fullmatch=True),
    st.binary(min_size=32, max_size=32),
    min_size=2,
    max_size=20,
)


@given(_hashes, st.randoms())
def test_target_hash_ignores_the_order_of_entries(
    hashes: dict[str, bytes], rnd: random.Random
) -> None:
    items = list(hashes.items())
    rnd.shuffle(items)
    assert target_hash(dict(items), {"goods": 2}) == target_hash(hashes, {"goods": 2})
    assert target_hash(hashes, {}) == reference_target(hashes, {})


@given(_hashes)
def test_relabelling_a_hash_changes_the_target(hashes: dict[str, bytes]) -> None:
    """The v1 flaw (issue 9): a withheld hash filed under another path left the target as it was."""
    (a, ha), (b, hb) = list(hashes.items())[:2]
    assume(ha != hb)
    swapped = {**hashes, a: hb, b: ha}
    renamed = {("zz" + p if p == a else p): h for p, h in hashes.items()}
    assert target_hash(swapped, {}) != target_hash(hashes, {})
    assert target_hash(renamed, {}) != target_hash(hashes, {})


def test_the_shape_is_committed() -> None:
    hashes = {"goods[0].x": bytes(32), "goods[1].x": bytes([1]) * 32}
    base = target_hash(hashes, {"goods": 2})
    assert target_hash(hashes, {"goods": 3}) != base  # an appended (null) item
    assert target_hash(hashes, {"goods": 2, "other": 0}) != base
    assert target_hash(hashes, {}) != base


def test_shape_of_counts_null_items_and_nested_lists() -> None:
    doc = {"goods": [{"m": [1, 2, 3]}, None], "a": {"b": []}}
    assert shape_of(doc) == {"goods": 2, "goods[0].m": 3, "a.b": 0} == reference_shape(doc)


def test_every_field_change_changes_the_target() -> None:
    doc = sample_certificate(random.Random(11), items=2)
    seed = new_seed()
    base = commit(doc, seed).target_hash
    for path in flatten(doc):
        changed = json.loads(json.dumps(doc))
        node: object = changed
        *parents, last = path.replace("[", ".[").split(".")
        for part in parents:
            node = node[int(part[1:-1])] if part.startswith("[") else node[part]  # type: ignore[index]
        key: object = int(last[1:-1]) if last.startswith("[") else last
        old = node[key]  # type: ignore[index]
        node[key] = (
            (not old) if isinstance(old, bool) else (old + 1 if isinstance(old, int) else old + "x")
        )  # type: ignore[index]
        assert commit(changed, seed).target_hash != base, path
    assert commit(doc, new_seed()).target_hash != base  # fresh salts, fresh target


def test_new_seed_is_32_fresh_bytes() -> None:
    a, b = new_seed(), new_seed()
    assert len(a) == 32 and a != b


# --- recompute (redacted copies) -------------------------------------------------------------------


def test_recompute_with_some_fields_withheld_gives_the_same_target() -> None:
    doc = sample_certificate(random.Random(5), items=3)
    seed = new_seed()
    full = commit(doc, seed)
    leaves = flatten(doc)
    hidden = [p for p in leaves if p.startswith(("exporter.", "goods[1]"))]
    shown = {p: v for p, v in leaves.items() if p not in hidden}
    withheld = {p: full.field_hashes[p] for p in hidden}
    again = recompute(shown, derive_salts(seed, shown), withheld, full.shape)
    assert again.target_hash == full.target_hash
    assert dict(again.field_hashes) == dict(full.field_hashes)


@pytest.mark.parametrize(
    ("shown", "salts", "withheld", "code"),
    [
        ({"a": "x", "b": "y"}, {"a": b"\0" * 16}, {}, "proof_salt_missing"),
        ({"a": "x"}, {"a": b"\0" * 16, "c": b"\0" * 16}, {}, "proof_salt_unused"),
        ({"a": "x"}, {"a": b"\0" * 16}, {"a": b"\0" * 32}, "proof_withheld_shown"),
        ({"a": "x"}, {"a": b"\0" * 15}, {}, "proof_bad_salt"),
        ({"a": "x"}, {"a": b"\0" * 16}, {"b": b"\0" * 31}, "proof_bad_withheld"),
        ({"a": "x"}, {"a": b"\0" * 16}, {"not a path": b"\0" * 32}, "proof_bad_withheld"),
    ],
)
def test_recompute_names_inconsistent_proofs(
    shown: dict, salts: dict, withheld: dict, code: str
) -> None:
    with pytest.raises(DocumentError) as err:
        recompute(shown, salts, withheld, {})
    assert err.value.code == code
