"""The one bounded reader of untrusted JSON: every parser in origincert goes through ``load_json``.

Untrusted JSON reaches us as issued files, QR payloads, API bodies, archives and journals. The
standard library parser has no size or depth cap and accepts text that another reader would see
differently (duplicate keys, NaN, lone surrogates), so each of those is refused here, before or
while parsing, with a stable reason code.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from origincert._native import NATIVE, ext
from origincert.errors import DocumentError

__all__ = ["DEFAULT_MAX_JSON_BYTES", "MAX_JSON_DEPTH", "load_json"]

DEFAULT_MAX_JSON_BYTES = 1_000_000
MAX_JSON_DEPTH = 100  # a certificate nests 5 deep, an issued file 6


def load_json(raw: bytes | str, *, max_bytes: int = DEFAULT_MAX_JSON_BYTES) -> dict[str, Any]:
    """Parse untrusted JSON text into a dict, refusing anything ambiguous or unbounded.

    Refused: empty input, more than ``max_bytes``, invalid UTF-8 or a byte order mark, syntax
    errors (with line and column), NaN/Infinity, lone surrogates, duplicate keys (two readers could see two
    different values), nesting too deep, and a top level that is not an object.

    Fast path (bytes only, with the native core): when the text is plain (UTF-8, no BOM, an
    object at most 100 deep, no duplicate or escaped key, no surrogate escape, integers of at
    most 15 digits and no other number: ``origincert_native.json_clean``),
    ``origincert_native.json_load`` builds its objects in the same pass; anything else, refusals
    included, goes through the reference below, so every refusal and its code come from one
    place. Keys are compared by their bytes and again by the dict they go into; key names are
    interned (Python's own table, which compares whole strings), nothing else outlives a call.

    Not ``orjson``: it files the keys it has read in a process-wide cache under their unseeded
    xxh3_64 hash and never compares the keys themselves, so two different keys with one hash
    (found in minutes: ``tests/test_native_attacks.py``) are read as one; a holder could hide a
    second value of a field from the duplicate-key check, or make one upload rename a field in
    every later file the process reads. Measured by ``scripts/bench/native.py`` (13.5 kB issued
    files, load 0.6): 56 µs instead of 105 µs per file (the pre-check followed by the standard
    library's C parser: 75 µs at load 10).
    """
    if NATIVE and raw.__class__ is bytes and len(raw) <= max_bytes:
        value = ext.json_load(raw)  # type: ignore[arg-type]
        if value is not None:
            return value
    return _load_json(raw, max_bytes=max_bytes)


def _load_json(raw: bytes | str, *, max_bytes: int = DEFAULT_MAX_JSON_BYTES) -> dict[str, Any]:
    """The reference reader: :func:`load_json` without its fast path (the specification)."""
    if isinstance(raw, str):
        text = raw
        size = len(raw.encode("utf-8", "surrogatepass"))
    elif isinstance(raw, (bytes, bytearray, memoryview)):
        size = len(raw)
        text = ""
    else:
        raise DocumentError(f"expected JSON text, got {type(raw).__name__}", code="json_malformed")
    if isinstance(raw, str) and _LONE_SURROGATE.search(raw):
        raise DocumentError("the text holds a lone UTF-16 surrogate", code="json_not_utf8")
    if size > max_bytes:
        raise DocumentError(
            f"the file is too large ({size} bytes; the limit is {max_bytes})", code="json_too_large"
        )
    if not isinstance(raw, str):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"the file is not UTF-8 text (bad byte at offset {exc.start})", code="json_not_utf8"
            ) from None
    if text.startswith("\ufeff"):
        raise DocumentError(
            "the file starts with a byte order mark; save it as UTF-8 without BOM",
            code="json_malformed",
        )
    if not text.strip():
        raise DocumentError("the file is empty", code="json_empty")
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        # checked before parsing: the C parser can exhaust the stack and crash on deep input
        raise DocumentError(
            f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep", code="json_too_deep"
        )
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            code="json_malformed",
        ) from None
    except _DuplicateKey as exc:
        raise DocumentError(
            f"the JSON repeats the key {json.dumps(exc.key)} in one object",
            code="json_duplicate_key",
        ) from None
    except ValueError as exc:  # NaN/Infinity, integers too long to convert
        raise DocumentError(f"not valid JSON: {exc}", code="json_malformed") from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise DocumentError(
            "the JSON holds a lone UTF-16 surrogate (an escape such as \\ud800 with no pair),"
            " which is not text",
            code="json_not_utf8",
        )
    if not isinstance(value, dict):
        raise DocumentError(
            f"the JSON must be an object, not {_json_type(value)}", code="json_not_object"
        )
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    """True when any key or string in ``value`` cannot be encoded as UTF-8 (a lone surrogate)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_BRACKET = re.compile(r"[\[\]{}]")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _nesting_depth(text: str) -> int:
    """How deep brackets nest outside strings, exact up to the first syntax error (the parser stops there).

    Escaped backslashes, then escaped quotes, are dropped so every quote left delimits a string;
    every other piece between quotes is outside strings. Counting is skipped when there are too
    few brackets to nest too deep, which is every ordinary certificate.
    """
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0
    outside = "".join(text.replace("\\\\", "").replace('\\"', "").split('"')[::2])
    return max(accumulate(map(_BRACKET_STEP.__getitem__, _BRACKET.findall(outside))), default=0)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"
