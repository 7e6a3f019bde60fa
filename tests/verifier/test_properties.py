"""Properties: any change to an issued file that alters its content is rejected, against the ledger."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from origincert.errors import DocumentError
from origincert.fields import flatten
from origincert.verdict import CheckStatus, Verdict
from origincert.verifier import Verifier
from verifier.conftest import Scene

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["a", "name", "value"]), st.text(max_size=5), max_size=2),
)


def _content(doc: Any) -> dict[str, Any] | None:
    """The document's fields as hashed, or None when it holds something that cannot be hashed."""
    try:
        return flatten(doc)
    except DocumentError:
        return None


def _locate(doc: dict[str, Any], path: str) -> tuple[Any, Any]:
    node: Any = doc
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    return node, int(last[1:-1]) if last.startswith("[") else last


@st.composite
def mutated(draw: st.DrawFn, files: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    original = draw(st.sampled_from(files))
    f = copy.deepcopy(original)
    doc = f["document"]
    paths = sorted(flatten(doc))
    kind = draw(st.sampled_from(["replace", "delete", "add", "replace_parent"]))
    path = draw(st.sampled_from(paths))
    node, k = _locate(doc, path)
    if kind == "replace":
        node[k] = draw(scalars)
    elif kind == "delete":
        if isinstance(k, int):
            node.pop(k)
        else:
            del node[k]
    elif kind == "add":
        parent_path = path.rsplit(".", 1)[0] if "." in path else ""
        target = _locate(doc, parent_path)[0][_locate(doc, parent_path)[1]] if parent_path else doc
        if isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=12))] = draw(scalars)
        else:
            doc[draw(st.text(min_size=1, max_size=12))] = draw(scalars)
    else:  # the whole object or list holding the field
        parent_path = path.rsplit(".", 1)[0] if "." in path else path
        holder, key = _locate(doc, parent_path)
        holder[key] = draw(scalars)
    return original, f


def _changed(original: dict[str, Any], f: dict[str, Any]) -> bool:
    return _content(f["document"]) != _content(original["document"])


@SETTINGS
@given(data=st.data())
def test_any_content_change_is_rejected_full_and_redacted(
    data: st.DataObject, scene: Scene, verifier: Verifier
) -> None:
    files = scene.files["batch"] + scene.files["single"] + scene.files["redacted"]
    original, f = data.draw(mutated(files))
    if not _changed(original, f):
        return
    r = verifier.verify(f)
    assert r.verdict is not Verdict.VALID
    # the one issued-file reader refuses some edits outright (a missing or mistyped ledger id)
    assert CheckStatus.FAILED in (r.check("integrity").status, r.check("format").status)


@SETTINGS
@given(data=st.data())
def test_any_byte_change_to_the_document_text_that_alters_content_is_rejected(
    data: st.DataObject, scene: Scene, verifier: Verifier
) -> None:
    original = data.draw(st.sampled_from(scene.files["batch"] + scene.files["redacted"]))
    text = json.dumps(original, ensure_ascii=False).encode()
    start = text.index(b'"document"')
    end = text.index(b'"proof"')
    at = data.draw(st.integers(min_value=start, max_value=end - 1))
    new = data.draw(st.integers(min_value=0, max_value=255))
    raw = text[:at] + bytes([new]) + text[at + 1 :]
    r = verifier.verify_bytes(raw)
    try:
        parsed = json.loads(raw)
    except ValueError:
        assert r.verdict is Verdict.MALFORMED
        return
    if r.verdict is Verdict.VALID:
        assert _content(parsed.get("document")) == _content(original["document"])


@SETTINGS
@given(data=st.data())
def test_any_change_to_a_proof_hash_is_rejected(
    data: st.DataObject, scene: Scene, verifier: Verifier
) -> None:
    original = data.draw(st.sampled_from(scene.files["batch"] + scene.files["redacted"]))
    f = copy.deepcopy(original)
    p = f["proof"]
    keys = ["target_hash", "leaf", "root", "signature", "seed" if "seed" in p else "salts"]
    key = data.draw(
        st.sampled_from([k for k in keys if k in p] + ["merkle_proof"] * bool(p["merkle_proof"]))
    )
    if key == "salts":
        path = data.draw(st.sampled_from(sorted(p["salts"])))
        p["salts"][path] = _flip(data, p["salts"][path])
    elif key == "merkle_proof":
        i = data.draw(st.integers(0, len(p["merkle_proof"]) - 1))
        p["merkle_proof"][i] = _flip(data, p["merkle_proof"][i])
    else:
        p[key] = _flip(data, p[key])
    assert verifier.verify(f).verdict is not Verdict.VALID


def _flip(data: st.DataObject, hexstr: str) -> str:
    body = bytearray(bytes.fromhex(hexstr[2:]))
    i = data.draw(st.integers(0, len(body) - 1))
    body[i] ^= data.draw(st.integers(1, 255))
    return "0x" + body.hex()
