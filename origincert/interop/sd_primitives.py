"""Selective-disclosure primitives of W3C Data Integrity ECDSA 1.0, section 3.4.

Skolemize a compact JSON-LD document, canonicalize it with blank-node labels replaced through a
label map, select parts of it by JSON pointers, and group the canonical statements by which
selection they belong to. The names follow the specification's algorithm names.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac as _hmac
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from origincert.interop.errors import ProofError
from origincert.interop.loader import OfflineLoader
from origincert.interop.rdf import canonicalize_nquads, compact, expand, to_nquads

__all__ = [
    "Group",
    "canonicalize_and_group",
    "hmac_label_map_factory",
    "label_map_factory",
    "label_replacement_canonicalize_nquads",
    "relabel_blank_nodes",
    "select_json_ld",
    "to_deskolemized_nquads",
]

URN_SCHEME = "custom-scheme:"
_BNODE = re.compile(r"(_:([^\s]+))")
_SKOLEM = re.compile(r"(<urn:custom-scheme:([^>]+)>)")

LabelMap = dict[str, str]
LabelMapFactory = Callable[[Mapping[str, str]], LabelMap]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hmac_label_map_factory(hmac_key: bytes) -> LabelMapFactory:
    """createHmacIdLabelMapFunction: each canonical label becomes ``u`` + base64url(HMAC)."""

    def factory(canonical_id_map: Mapping[str, str]) -> LabelMap:
        return {
            old: "u" + b64url(_hmac.new(hmac_key, c14n.encode(), hashlib.sha256).digest())
            for old, c14n in canonical_id_map.items()
        }

    return factory


def label_map_factory(label_map: Mapping[str, str]) -> LabelMapFactory:
    """createLabelMapFunction: canonical labels are looked up in a given map (verifier side)."""

    def factory(canonical_id_map: Mapping[str, str]) -> LabelMap:
        out = {}
        for old, c14n in canonical_id_map.items():
            if c14n not in label_map:
                raise ProofError(
                    "the derived proof's label map misses a blank node", code="proof_malformed"
                )
            out[old] = label_map[c14n]
        return out

    return factory


def label_replacement_canonicalize_nquads(
    nquads: Sequence[str], factory: LabelMapFactory
) -> tuple[list[str], LabelMap]:
    """Canonical N-Quads with blank nodes relabelled by ``factory``; sorted again after."""
    canonical, id_map = canonicalize_nquads(list(nquads))
    label_map = factory(id_map)
    c14n_to_new = {id_map[old]: new for old, new in label_map.items()}
    out = [_BNODE.sub(lambda m: "_:" + c14n_to_new[m.group(2)], nq) for nq in canonical]
    out.sort()
    return out, label_map


def skolemize_expanded(expanded: list[Any], random: str, count: list[int]) -> list[Any]:
    """skolemizeExpandedJsonLd: every node object gets a ``urn:custom-scheme:`` id."""
    out: list[Any] = []
    for element in expanded:
        if not isinstance(element, dict) or "@value" in element:
            out.append(copy.deepcopy(element))
            continue
        node: dict[str, Any] = {}
        for prop, value in element.items():
            if isinstance(value, list):
                node[prop] = skolemize_expanded(value, random, count)
            else:
                node[prop] = skolemize_expanded([value], random, count)[0]
        node_id = node.get("@id")
        if node_id is None:
            node["@id"] = f"urn:{URN_SCHEME}_{random}_{count[0]}"
            count[0] += 1
        elif isinstance(node_id, str) and node_id.startswith("_:"):
            node["@id"] = f"urn:{URN_SCHEME}{node_id[2:]}"
        out.append(node)
    return out


def deskolemize_nquads(nquads: Sequence[str]) -> list[str]:
    return [_SKOLEM.sub(lambda m: "_:" + m.group(2), nq) for nq in nquads]


def to_deskolemized_nquads(doc: Any, loader: OfflineLoader) -> list[str]:
    return deskolemize_nquads(to_nquads(doc, loader))


def relabel_blank_nodes(nquads: Sequence[str], label_map: Mapping[str, str]) -> list[str]:
    def sub(m: re.Match[str]) -> str:
        label = label_map.get(m.group(2))
        if label is None:
            raise ProofError("a selected blank node has no label", code="proof_malformed")
        return "_:" + label

    return [_BNODE.sub(sub, nq) for nq in nquads]


class _Sparse(dict):  # type: ignore[type-arg]
    """A selected array under construction: index -> value, made dense at the end."""


def _initial_selection(source: Any) -> dict[str, Any]:
    selection: dict[str, Any] = {}
    if isinstance(source, dict):
        sid = source.get("id")
        if sid is not None and not (isinstance(sid, str) and sid.startswith("_:")):
            selection["id"] = sid
        if "type" in source:
            selection["type"] = copy.deepcopy(source["type"])
    return selection


def _pointer_paths(pointer: str) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise ProofError(f"{pointer!r} is not a JSON pointer", code="pointer_invalid")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _child(container: Any, key: str) -> Any:
    if isinstance(container, list):
        if not key.isdigit() or int(key) >= len(container):
            return _MISSING
        return container[int(key)]
    if isinstance(container, dict):
        return container.get(key, _MISSING)
    return _MISSING


_MISSING = object()


def _select_paths(paths: list[str], document: Any, selection: dict[str, Any]) -> None:
    value: Any = document
    selected_parent: Any = selection
    selected_value: Any = selection
    key: Any = None
    if not paths:
        raise ProofError("the empty pointer selects the whole document", code="pointer_invalid")
    for path in paths:
        selected_parent = selected_value
        parent_value = value
        value = _child(parent_value, path)
        if value is _MISSING:
            raise ProofError(
                f"the JSON pointer /{'/'.join(paths)} does not match the document",
                code="pointer_unmatched",
            )
        key = int(path) if isinstance(parent_value, list) else path
        if not isinstance(selected_parent, dict):
            raise ProofError(
                "a pointer reaches inside a value already selected whole", code="pointer_invalid"
            )
        selected_value = selected_parent.get(key, _MISSING)
        if selected_value is _MISSING:
            selected_value = _Sparse() if isinstance(value, list) else _initial_selection(value)
            selected_parent[key] = selected_value
    if isinstance(value, list):
        selected_value = copy.deepcopy(value)
    elif isinstance(value, dict):
        selected_value = {**selected_value, **copy.deepcopy(value)}
    else:
        selected_value = value
    selected_parent[key] = selected_value


def _densify(value: Any) -> Any:
    if isinstance(value, _Sparse):
        return [_densify(value[k]) for k in sorted(value)]
    if isinstance(value, dict):
        return {k: _densify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_densify(v) for v in value]
    return value


def select_json_ld(pointers: Sequence[str], document: dict[str, Any]) -> dict[str, Any] | None:
    """selectJsonLd: the part of a compact document the pointers name, with ids and types on the way."""
    if not pointers:
        return None
    selection = _initial_selection(document)
    selection["@context"] = copy.deepcopy(document["@context"])
    for pointer in pointers:
        _select_paths(_pointer_paths(pointer), document, selection)
    return _densify(selection)


@dataclass(frozen=True)
class Group:
    """Canonical statements of one selection: index in the full list -> N-Quad."""

    matching: dict[int, str]
    non_matching: dict[int, str]
    deskolemized_nquads: list[str]


@dataclass(frozen=True)
class Grouped:
    groups: dict[str, Group]
    label_map: LabelMap
    nquads: list[str]


def canonicalize_and_group(
    document: dict[str, Any],
    factory: LabelMapFactory,
    group_definitions: Mapping[str, Sequence[str]],
    loader: OfflineLoader,
    *,
    random: str | None = None,
) -> Grouped:
    """canonicalizeAndGroup: canonical relabelled N-Quads, split by each group's pointers."""
    expanded = expand(document, loader)
    skolemized_expanded = skolemize_expanded(expanded, random or str(uuid.uuid4()), [0])
    skolemized_compact = compact(skolemized_expanded, {"@context": document["@context"]}, loader)
    deskolemized = deskolemize_nquads(to_nquads(skolemized_expanded, loader))
    nquads, label_map = label_replacement_canonicalize_nquads(deskolemized, factory)
    groups: dict[str, Group] = {}
    for name, pointers in group_definitions.items():
        selection = select_json_ld(pointers, skolemized_compact)
        selected_deskolemized = (
            to_deskolemized_nquads(selection, loader) if selection is not None else []
        )
        selected = set(relabel_blank_nodes(selected_deskolemized, label_map))
        matching = {i: nq for i, nq in enumerate(nquads) if nq in selected}
        non_matching = {i: nq for i, nq in enumerate(nquads) if nq not in selected}
        groups[name] = Group(matching, non_matching, selected_deskolemized)
    return Grouped(groups, label_map, nquads)
