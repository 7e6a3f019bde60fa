"""The one place that knows both the certificate model and the credential: field names and proof.

Everything format-specific lives here, so a new issued-file format (v2: ``issuing_body.ledger_id``,
``proof.issuer_id``/``epoch``/``deadline``) is a change to this module only:

- the document's keys become JSON-LD terms of the origincert context (``TERMS``; edi3 CoO names
  where edi3 has one, camelCase of the model key otherwise); values are unchanged, so import is
  an exact inverse and gives back the same document, hence the same target hash;
- the ledger proof becomes ``evidence``: the anchor (everything but seed and salts) as one JSON
  literal, and one ``{fieldPath, salt}`` entry per shown field, so hiding a field in a derived
  credential hides its salt too. The seed never leaves the issuer's file.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from origincert.document import Certificate
from origincert.fields import flatten
from origincert.interop.errors import InteropError
from origincert.redact import ISSUED_FORMAT, UNHIDEABLE, reveal_commitment

__all__ = [
    "ANCHOR_TYPE",
    "MANDATORY_FIELDS",
    "SUBJECT_TYPE",
    "TERMS",
    "document_to_subject",
    "evidence_of",
    "issued_from",
    "model_path_of_pointer",
    "model_paths",
    "pointer_of",
    "subject_to_document",
    "term_path",
]

SUBJECT_TYPE = "CertificateOfOrigin"
ANCHOR_TYPE = "OriginCertLedgerAnchor"
MANDATORY_FIELDS = UNHIDEABLE  # a derived credential always shows these (format's never-withheld)

# generic model path ("goods[].hs_code": list items as []) -> term. Absent: camelCase of the key.
TERMS: dict[str, str] = {
    "schema": "certificateSchema",
    "number": "certificateNumber",
    "kind": "certificateKind",
    "form": "formCode",
    "agreement": "freeTradeAgreement",
    "issue_date": "issueDate",
    "issue_place": "issueLocation",
    "valid_until": "certificateValidUntil",
    "issuing_body": "issuingBody",
    "exporter": "consignor",
    "producer": "manufacturer",
    "importing_country": "importCountry",
    "transport": "mainCarriageTransportMovement",
    "goods": "includedConsignmentItems",
    "goods[].item_number": "sequenceNumber",
    "goods[].hs_code": "harmonisedTariffCode",
    "goods[].invoice": "invoiceReference",
    "goods[].origin_criterion": "originCriterion",
    "goods[].country_of_origin": "originCountry",
    "goods[].packages": "transportPackages",
    "declaration": "firstSignatoryAuthentication",
}


def _models(annotation: Any) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out.append(annotation)
    for arg in typing.get_args(annotation):
        out.extend(_models(arg))
    return out


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(a) for a in typing.get_args(annotation))


def model_paths(model: type[BaseModel] = Certificate, prefix: str = "") -> list[str]:
    """Every generic field path of the model (``goods[].hs_code``), parents before children."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}.{info.alias or name}" if prefix else (info.alias or name)
        out.append(path)
        for sub in _models(info.annotation):
            out.extend(model_paths(sub, path + ("[]" if _is_list(info.annotation) else "")))
    return out


@functools.cache
def _known_paths() -> frozenset[str]:
    return frozenset(model_paths())


_SNAKE = re.compile(r"_([a-z0-9])")
_RESERVED = frozenset({"id", "type", "@context"})


def _camel(key: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), key)


def term_path(generic: str) -> str:
    """The term for the last key of a generic model path."""
    return TERMS.get(generic) or _camel(generic.rsplit(".", 1)[-1].removesuffix("[]"))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _to_subject(value: Any, generic: str) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            child = _join(generic, key)
            out[term_path(child)] = _to_subject(item, child)
        return out
    if isinstance(value, list):
        return [_to_subject(item, generic + "[]") for item in value]
    return value


def _children(generic: str) -> dict[str, str]:
    """Overridden terms of the keys directly under ``generic``: term -> model key."""
    prefix = generic + "." if generic else ""
    return {
        term: path[len(prefix) :]
        for path, term in TERMS.items()
        if path.startswith(prefix) and "." not in path[len(prefix) :]
    }


_CAMEL_BACK = re.compile(r"([A-Z0-9])")


def _model_key(generic: str, term: str) -> str:
    """The model key under ``generic`` whose term is ``term`` (the exact inverse of term_path)."""
    children = _children(generic)
    key = children.get(term) or _CAMEL_BACK.sub(lambda m: "_" + m.group(1).lower(), term)
    if _join(generic, key) not in _known_paths() or term_path(_join(generic, key)) != term:
        raise InteropError(
            f"the credential has a term {term!r} that the certificate model does not know",
            code="vc_unmapped_term",
        )
    return key


def _to_document(value: Any, generic: str) -> Any:
    if isinstance(value, dict):
        out = {}
        for term, item in value.items():
            if term in _RESERVED:
                continue
            if not isinstance(term, str) or not re.fullmatch(r"[a-z][A-Za-z0-9]*", term):
                raise InteropError(f"{term!r} is not an origincert term", code="vc_unmapped_term")
            key = _model_key(generic, term)
            child = _join(generic, key)
            out[key] = _to_document(item, child)
        return out
    if isinstance(value, list):
        return [_to_document(item, generic + "[]") for item in value]
    return value


def document_to_subject(document: Mapping[str, Any]) -> dict[str, Any]:
    """The certificate as a ``credentialSubject`` (typed ``CertificateOfOrigin``)."""
    return {"type": SUBJECT_TYPE, **_to_subject(dict(document), "")}


def subject_to_document(subject: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`document_to_subject` (``id`` and ``type`` dropped)."""
    if not isinstance(subject, Mapping):
        raise InteropError("credentialSubject must be an object", code="vc_malformed")
    return _to_document(dict(subject), "")


_ITEM = re.compile(r"\[(\d+)\]")


def pointer_of(model_path: str) -> str:
    """JSON pointer into the credential of a model field path, e.g. ``goods[0].hs_code`` ->
    ``/credentialSubject/includedConsignmentItems/0/harmonisedTariffCode``."""
    parts: list[str] = []
    generic = ""
    for segment in model_path.split("."):
        key, *indexes = _ITEM.split(segment)
        generic = _join(generic, key)
        parts.append(term_path(generic))
        for index in indexes[::2]:
            parts.append(index)
            generic += "[]"
    return "/credentialSubject/" + "/".join(parts)


def model_path_of_pointer(pointer: str) -> str:
    """The inverse of :func:`pointer_of`."""
    if not pointer.startswith("/credentialSubject/"):
        raise InteropError(
            f"{pointer!r} is not inside the credentialSubject", code="pointer_invalid"
        )
    out = ""
    generic = ""
    for part in pointer.split("/")[2:]:
        if part.isdigit():
            out += f"[{part}]"
            generic += "[]"
            continue
        key = _model_key(generic, part)
        generic = _join(generic, key)
        out = _join(out, key)
    return out


def evidence_of(issued: Mapping[str, Any]) -> dict[str, Any]:
    """The ledger proof of an issued file as a VC ``evidence`` entry (never the seed).

    Refuses a file whose shown fields do not match its target hash: exporting a tampered file
    would dress it up as a signed credential.
    """
    disclosure = reveal_commitment(issued)
    proof = issued["proof"]
    if "0x" + disclosure.commitment.target_hash.hex() != proof.get("target_hash"):
        raise InteropError(
            "the file's fields do not match its target hash; refusing to export it",
            code="issued_tampered",
        )
    anchor = {k: v for k, v in proof.items() if k not in ("seed", "salts")}
    salts = [
        {"fieldPath": path, "salt": "0x" + disclosure.salts[path].hex()}
        for path in disclosure.shown
    ]
    return {"type": ANCHOR_TYPE, "ledgerAnchor": anchor, "fieldSalts": salts}


def issued_from(subject: Mapping[str, Any], evidence: Any) -> dict[str, Any]:
    """An issued file (redacted-copy shape: salts, withheld) from a credential's parts.

    A field whose value and salt were hidden in a derived credential becomes ``withheld`` with
    the field hash the anchor claims for it, so the target hash is the one anchored.
    """
    entry = _anchor_entry(evidence)
    anchor = entry["ledgerAnchor"]
    if not isinstance(anchor, dict):
        raise InteropError("the evidence anchor must be an object", code="vc_malformed")
    document = subject_to_document(subject)
    salts: dict[str, str] = {}
    for item in entry.get("fieldSalts", []) if isinstance(entry.get("fieldSalts"), list) else []:
        if not isinstance(item, dict) or not {"fieldPath", "salt"} <= set(item):
            raise InteropError("a field salt entry is malformed", code="vc_malformed")
        salts[item["fieldPath"]] = item["salt"]
    shown = flatten(document)
    claimed = anchor.get("field_hashes")
    earlier = anchor.get("withheld") or {}
    if not isinstance(claimed, dict) or not isinstance(earlier, dict):
        raise InteropError("the anchor has no field hashes", code="vc_malformed")
    every = {**earlier, **claimed}
    proof = {k: v for k, v in anchor.items() if k not in ("field_hashes", "withheld")}
    proof["salts"] = {p: s for p, s in salts.items() if p in shown}
    proof["field_hashes"] = {p: h for p, h in every.items() if p in shown}
    withheld = {p: h for p, h in every.items() if p not in shown}
    if withheld:
        proof["withheld"] = withheld
    return {"format": ISSUED_FORMAT, "document": document, "proof": proof}


def _anchor_entry(evidence: Any) -> dict[str, Any]:
    entries = evidence if isinstance(evidence, list) else [evidence]
    found = [
        e
        for e in entries
        if isinstance(e, dict)
        and (e.get("type") == ANCHOR_TYPE or ANCHOR_TYPE in (e.get("type") or []))
    ]
    if len(found) != 1:
        raise InteropError(
            "the credential must carry exactly one origincert ledger anchor as evidence",
            code="vc_no_anchor",
        )
    return found[0]
