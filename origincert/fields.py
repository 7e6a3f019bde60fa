"""Salted field hashes and the target hash (docs/FORMAT.md v2, "Field hashing").

Each scalar leaf of a certificate is hashed on its own with its own salt, so one field can be
withheld (its hash shown instead of its value) without breaking the target hash that is anchored.
The target hash commits every ``(path, field hash)`` pair and the length of every list (the
document's *shape*), so a withheld hash cannot be relabelled and list items cannot be added,
dropped or reordered without changing it.

Speed: the issuer commits thousands of certificates a second, so two steps have exact fast paths,
each tested byte for byte against the reference it replaces: HMAC-SHA256 with the key's pad
states computed once per seed (RFC 2104, checked against :func:`hmac.digest`), and RFC 8785 for
``[path, value]`` pairs of strings, booleans and safe integers via the C JSON string encoder
(whose escapes are exactly RFC 8785's; checked against :func:`rfc8785.dumps`). With the native
core installed (``origincert._native``), :func:`hash_seeded` and :func:`target_hash` run in Rust
and answer exactly what the Python functions here answer, or hand the input back to them
(``tests/test_native.py``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # C-accelerated
from typing import Any, cast

import rfc8785

from origincert._native import NATIVE, ext
from origincert.errors import DocumentError

__all__ = [
    "TARGET_TAG",
    "Commitment",
    "Scalar",
    "canonical_pair",
    "commit",
    "derive_salt",
    "derive_salts",
    "field_hash",
    "flatten",
    "flatten_with_shape",
    "hash_seeded",
    "is_path",
    "new_seed",
    "recompute",
    "seeded_hashes",
    "shape_of",
    "target_hash",
]

Scalar = str | int | bool
TARGET_TAG = b"origincert:target:2"
SEED_BYTES = 32
SALT_BYTES = 16
_SAFE_INT = 2**53 - 1  # RFC 8785 numbers are IEEE doubles
_KEY = re.compile(r"[a-z_][a-z0-9_]*\Z")
_PATH = re.compile(
    r"[a-z_][a-z0-9_]*(?:\[(?:0|[1-9][0-9]*)\])*(?:\.[a-z_][a-z0-9_]*(?:\[(?:0|[1-9][0-9]*)\])*)*\Z"
)
_sha256 = hashlib.sha256
_IPAD = bytes(b ^ 0x36 for b in range(256))  # translate tables: key XOR ipad / opad, byte-wise
_OPAD = bytes(b ^ 0x5C for b in range(256))


@dataclass(frozen=True, slots=True)
class Commitment:
    """Every field's hash (by path), every list's length (by path) and the target hash over both."""

    field_hashes: Mapping[str, bytes]
    shape: Mapping[str, int]
    target_hash: bytes


def is_path(path: str) -> bool:
    """True for a well-formed field path such as ``goods[2].hs_code``."""
    return isinstance(path, str) and _PATH.match(path) is not None


def flatten(doc: Mapping[str, Any]) -> dict[str, Scalar]:
    """Every scalar leaf with its path; ``None`` is no leaf.

    Keys must be snake_case identifiers and values str, int or bool: anything else could make
    two different documents flatten to the same leaves (``{"a": {"b": 1}}`` vs ``{"a.b": 1}``),
    or hash differently on another platform (floats), so it is refused.
    """
    if not isinstance(doc, Mapping):
        raise DocumentError(
            "a certificate document must be a JSON object", code="document_not_object"
        )
    out: dict[str, Scalar] = {}
    _walk_object(doc, "", out, {})
    return out


def shape_of(doc: Mapping[str, Any]) -> dict[str, int]:
    """The length of every list in ``doc`` by path (``{"goods": 3}``); a null item counts."""
    if not isinstance(doc, Mapping):
        raise DocumentError(
            "a certificate document must be a JSON object", code="document_not_object"
        )
    shape: dict[str, int] = {}
    _walk_object(doc, "", {}, shape)
    return shape


def flatten_with_shape(doc: Mapping[str, Any]) -> tuple[dict[str, Scalar], dict[str, int]]:
    """:func:`flatten` and :func:`shape_of` in one walk (a verifier needs both of every file)."""
    if not isinstance(doc, Mapping):
        raise DocumentError(
            "a certificate document must be a JSON object", code="document_not_object"
        )
    out: dict[str, Scalar] = {}
    shape: dict[str, int] = {}
    _walk_object(doc, "", out, shape)
    return out, shape


_known_keys: set[str] = set()  # keys already checked against _KEY (the vocabulary is small)


def _check_key(key: Any, prefix: str) -> None:
    if type(key) is not str or _KEY.match(key) is None:
        where = prefix.rstrip(".") or "the document"
        raise DocumentError(
            f"field name {key!r} under {where} is not a snake_case identifier",
            code="document_bad_key",
        )
    if len(_known_keys) < 4096:
        _known_keys.add(key)


def _walk_object(
    node: Mapping[str, Any], prefix: str, out: dict[str, Scalar], shape: dict[str, int]
) -> None:
    for key, value in node.items():
        if key not in _known_keys:
            _check_key(key, prefix)
        _walk(value, prefix + key, out, shape)


def _walk(value: Any, path: str, out: dict[str, Scalar], shape: dict[str, int]) -> None:
    kind = type(value)
    if kind is str or kind is bool or kind is int:
        out[path] = value
    elif kind is dict:
        _walk_object(value, path + ".", out, shape)
    elif kind is list:
        shape[path] = len(value)
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", out, shape)
    elif value is None:
        return
    elif isinstance(value, Mapping):
        _walk_object(value, path + ".", out, shape)
    else:
        raise DocumentError(
            f"{path} holds a {kind.__name__}; fields hold strings, integers or booleans (decimals as strings)",
            code="document_bad_value",
        )


def new_seed() -> bytes:
    """32 random bytes from the OS: the secret from which every salt of one certificate derives."""
    return secrets.token_bytes(SEED_BYTES)


def _salter(seed: bytes) -> Callable[[str], bytes]:
    """``path -> HMAC-SHA256(seed, utf8(path))[:16]`` with the pad states hashed once per seed."""
    if not isinstance(seed, (bytes, bytearray)) or len(seed) != SEED_BYTES:
        raise DocumentError(f"the seed must be {SEED_BYTES} bytes", code="proof_bad_seed")
    key = bytes(seed).ljust(64, b"\0")  # 32 bytes < SHA-256 block: padded, never pre-hashed
    inner = _sha256(key.translate(_IPAD))
    outer = _sha256(key.translate(_OPAD))

    def salt(path: str) -> bytes:
        i = inner.copy()
        i.update(path.encode())
        o = outer.copy()
        o.update(i.digest())
        return o.digest()[:SALT_BYTES]

    return salt


def derive_salt(seed: bytes, path: str) -> bytes:
    """``HMAC-SHA256(key=seed, msg=utf8(path))[:16]``."""
    return _salter(seed)(path)


def derive_salts(seed: bytes, paths: Iterable[str]) -> dict[str, bytes]:
    """:func:`derive_salt` for many paths of one certificate."""
    salt = _salter(seed)
    return {path: salt(path) for path in paths}


def canonical_pair(path: str, value: Scalar) -> bytes:
    """RFC 8785 bytes of ``[path, value]``."""
    kind = type(value)
    try:
        if kind is str:
            return f"[{encode_basestring(path)},{encode_basestring(cast(str, value))}]".encode()
        if kind is bool:
            return f"[{encode_basestring(path)},{'true' if value else 'false'}]".encode()
        if kind is int and -_SAFE_INT <= value <= _SAFE_INT:  # type: ignore[operator]
            return f"[{encode_basestring(path)},{value}]".encode()
        return rfc8785.dumps([path, value])
    except (UnicodeEncodeError, rfc8785.CanonicalizationError) as exc:
        raise DocumentError(
            f"{path} cannot be canonicalised: {exc}", code="document_bad_value"
        ) from None


def field_hash(salt: bytes, path: str, value: Scalar) -> bytes:
    """``SHA-256(salt || RFC8785([path, value]))``."""
    return _sha256(salt + canonical_pair(path, value)).digest()


# path -> u16(len(utf8 path)) || utf8 path: the vocabulary of real paths is small; a bounded
# number of short paths is kept, so hostile files cannot grow it
_prefixed: dict[str, bytes] = {}
_PREFIX_KEPT, _PREFIX_KEPT_LEN = 16_384, 96


def _prefix(path: str) -> bytes:
    raw = path.encode()
    if len(raw) > 0xFFFF:
        raise DocumentError("a field path is longer than 65,535 bytes", code="proof_bad_path")
    encoded = len(raw).to_bytes(2, "big") + raw
    if len(raw) <= _PREFIX_KEPT_LEN and len(_prefixed) < _PREFIX_KEPT:
        _prefixed[path] = encoded
    return encoded


def target_hash(field_hashes: Mapping[str, bytes], shape: Mapping[str, int]) -> bytes:
    """The v2 target hash (:func:`_target_hash`, the reference), by the native core when it
    is installed and both maps are plain dicts: 13.7 µs instead of 21.1 µs for 82 field hashes
    (``scripts/bench/native.py``, load 3.8)."""
    if NATIVE and field_hashes.__class__ is dict and shape.__class__ is dict:
        digest = ext.target_hash(field_hashes, shape)
        if digest is not None:
            return digest
    return _target_hash(field_hashes, shape)


def _target_hash(field_hashes: Mapping[str, bytes], shape: Mapping[str, int]) -> bytes:
    """The v2 target hash: every ``(path, field hash)`` and every ``(list path, length)``.

    ``SHA-256("origincert:target:2" || u32(n) || n x (u16(len(path)) || path || hash)
    || u32(m) || m x (u16(len(path)) || path || u32(length)))``, each part sorted by path.
    Length-prefixed, so no two inputs share an encoding; binding the path makes a withheld
    hash's label part of what was anchored. Each path's length-prefixed bytes are a pure function
    of the path, so they are kept (it halves the cost: 13 µs instead of 27 µs for 83 fields).
    """
    prefixed = _prefixed
    parts = [TARGET_TAG, len(field_hashes).to_bytes(4, "big")]
    for path in sorted(field_hashes):
        digest = field_hashes[path]
        if len(digest) != 32:
            raise DocumentError(f"the hash of {path} is not 32 bytes", code="proof_bad_hash")
        parts.append(prefixed.get(path) or _prefix(path))
        parts.append(digest)
    parts.append(len(shape).to_bytes(4, "big"))
    for path in sorted(shape):
        parts.append(prefixed.get(path) or _prefix(path))
        parts.append(shape[path].to_bytes(4, "big"))
    return _sha256(b"".join(parts)).digest()


def seeded_hashes(leaves: Mapping[str, Scalar], seed: bytes) -> dict[str, bytes]:
    """``field_hash(derive_salt(seed, p), p, v)`` for every leaf of :func:`flatten`, unrolled:
    this runs for every certificate issued and verified. Paths from :func:`flatten` need no JSON
    escaping."""
    salt = _salter(seed)
    hashes: dict[str, bytes] = {}
    for path, value in leaves.items():
        kind = type(value)
        if kind is str:
            try:
                pair = f'["{path}",{encode_basestring(cast(str, value))}]'.encode()
            except UnicodeEncodeError:
                pair = canonical_pair(path, value)  # raises the DocumentError
        elif kind is bool:
            pair = f'["{path}",{"true" if value else "false"}]'.encode()
        else:
            pair = canonical_pair(path, value)
        hashes[path] = _sha256(salt(path) + pair).digest()
    return hashes


def hash_seeded(
    doc: Mapping[str, Any],
    seed: bytes,
    committed: Mapping[str, int] | None = None,
    stated: Mapping[str, bytes] | None = None,
) -> tuple[dict[str, bytes], dict[str, int], bytes]:
    """Every field's hash, the document's shape and the target hash over ``committed`` (the
    document's own shape when None): :func:`flatten_with_shape`, :func:`seeded_hashes` and
    :func:`target_hash` in one step.

    Fast path: the native core's ``recompute_seeded`` walks the dicts, derives the salts and
    hashes in one call, and answers None for anything but plain str/int/bool/None/dict/list
    leaves with snake_case keys (then the reference runs and raises what it raises). A verifier
    passes the file's ``stated`` hashes: when they are exactly the recomputed ones, key order
    included, that dict is returned rather than an equal copy.
    Measured by ``scripts/bench/native.py`` (82 fields, SHA-256 by the CPU's SHA extensions,
    load 6): 36 µs instead of 172 µs per certificate.
    """
    if (
        NATIVE
        and doc.__class__ is dict
        and seed.__class__ is bytes  # the native core takes bytes only; others: the reference
        and (committed is None or committed.__class__ is dict)
    ):
        fast = ext.recompute_seeded(
            doc, seed, committed, stated if stated.__class__ is dict else None
        )
        if fast is not None:
            return fast
    leaves, shape = flatten_with_shape(doc)
    hashes = seeded_hashes(leaves, seed)
    return hashes, shape, target_hash(hashes, shape if committed is None else committed)


def commit(doc: Mapping[str, Any], seed: bytes) -> Commitment:
    """Salt and hash every field of a (canonical) certificate dict, and the target hash."""
    hashes, shape, target = hash_seeded(doc, seed)
    return Commitment(hashes, shape, target)


def recompute(
    shown: Mapping[str, Scalar],
    salts: Mapping[str, bytes],
    withheld: Mapping[str, bytes],
    shape: Mapping[str, int],
) -> Commitment:
    """The commitment of a redacted copy: shown fields hashed with their salts, withheld ones as
    given, and the committed ``shape`` (which the redacted document alone may not show).

    Refuses a shown field without a salt, a salt for no shown field and a path both shown and
    withheld, naming them: the target hash would be wrong anyway, and this says why.
    """
    missing = sorted(set(shown) - set(salts))
    if missing:
        raise DocumentError(
            f"no salt for shown field(s) {', '.join(missing)}", code="proof_salt_missing"
        )
    unused = sorted(set(salts) - set(shown))
    if unused:
        raise DocumentError(
            f"salt for field(s) not in the document: {', '.join(unused)}", code="proof_salt_unused"
        )
    both = sorted(set(shown) & set(withheld))
    if both:
        raise DocumentError(
            f"field(s) both shown and withheld: {', '.join(both)}", code="proof_withheld_shown"
        )
    for path, salt in salts.items():
        if len(salt) != SALT_BYTES:
            raise DocumentError(
                f"the salt of {path} is not {SALT_BYTES} bytes", code="proof_bad_salt"
            )
    for path, digest in withheld.items():
        if not is_path(path) or len(digest) != 32:
            raise DocumentError(
                f"withheld entry {path!r} is not a path with a 32-byte hash",
                code="proof_bad_withheld",
            )
    hashes = {path: field_hash(salts[path], path, value) for path, value in shown.items()}
    hashes.update(withheld)
    return Commitment(hashes, dict(shape), target_hash(hashes, shape))
