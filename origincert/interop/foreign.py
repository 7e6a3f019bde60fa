"""A credential from outside origincert (a TrustVC certificate of origin) as a draft document.

A chamber issuing a back-to-back certificate, or an officer reading a foreign certificate, can
take its data over: the credential's proof is checked against a DID document in the local trust
list, then its fields are mapped onto the certificate model where a field fits, and everything
else is kept as ``unmapped`` (JSON pointer -> value) for a person to look at. The result is a
draft: nothing anchors it, so it can never be VALID; issuing it makes a new certificate.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from origincert.interop.did import TrustList, did_of
from origincert.interop.ecdsa_sd import is_base_proof, verify_sd_base, verify_sd_derived
from origincert.interop.errors import InteropError
from origincert.interop.loader import CREDENTIALS_V2, OfflineLoader

__all__ = ["TRUSTVC_COO_CONTEXT", "Draft", "draft_from_trustvc_coo", "import_foreign"]

TRUSTVC_COO_CONTEXT = "https://trustvc.io/context/coo.json"


@dataclass(frozen=True)
class Draft:
    """A draft certificate from a foreign credential (not validated, never anchored)."""

    document: dict[str, Any]
    unmapped: dict[str, Any]
    issuer: str
    source: str


# TrustVC CoO term -> model path, for the subject's top level
_TOP = {
    "cooId": "number",
    "exporterName": "exporter.name",
    "exporterCountryCode": "exporter.country",
    "importerName": "consignee.name",
    "importerCountryCode": "consignee.country",
    "importCountryCode": "importing_country",
    "loadingBaseportLocationName": "transport.port_of_loading",
    "unloadingBaseportLocationName": "transport.port_of_discharge",
    "usedTransportMeansName": "transport.vessel_or_flight",
}
_ADDRESS = ("Line1", "Line2", "CityName", "Postcode", "CountrySubDivisionName")
_LINE = {
    "sequenceNumber": "item_number",
    "tradeProductDescription": "description",
    "harmonisedTariffclassCode": "hs_code",
    "originCountryCode": "country_of_origin",
    "invoiceReferenceId": "invoice.number",
}


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def _leaves(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{pointer}/{i}")
    else:
        yield pointer, value


def _address(subject: Mapping[str, Any], prefix: str, used: set[str]) -> str | None:
    parts = []
    for suffix in _ADDRESS:
        key = prefix + suffix
        if isinstance(subject.get(key), str) and subject[key].strip():
            parts.append(subject[key].strip())
            used.add(f"/credentialSubject/{key}")
    return "\n".join(parts) or None


def draft_from_trustvc_coo(vc: Mapping[str, Any]) -> Draft:
    """Map a TrustVC ``Coo`` credential onto the certificate model (no proof check here)."""
    subject = vc.get("credentialSubject")
    if not isinstance(subject, dict):
        raise InteropError("the credential has no credentialSubject object", code="vc_malformed")
    doc: dict[str, Any] = {}
    used: set[str] = {"/credentialSubject/type", "/credentialSubject/id"}
    for term, path in _TOP.items():
        if term in subject and not isinstance(subject[term], (dict, list)):
            _set(doc, path, subject[term])
            used.add(f"/credentialSubject/{term}")
    if isinstance(subject.get("issueDateTime"), str):
        doc["issue_date"] = subject["issueDateTime"][:10]
        used.add("/credentialSubject/issueDateTime")
    if isinstance(subject.get("departureDateTime"), str):
        _set(doc, "transport.departure_date", subject["departureDateTime"][:10])
        used.add("/credentialSubject/departureDateTime")
    for prefix, party in (("exporter", "exporter"), ("importer", "consignee")):
        address = _address(subject, prefix, used)
        if address:
            _set(doc, f"{party}.address", address)
    goods: list[dict[str, Any]] = []
    for i, consignment in enumerate(subject.get("includedConsignmentItems") or []):
        if not isinstance(consignment, dict):
            continue
        base = f"/credentialSubject/includedConsignmentItems/{i}"
        for j, line in enumerate(consignment.get("tradeLineItems") or []):
            if not isinstance(line, dict):
                continue
            item: dict[str, Any] = {}
            for term, path in _LINE.items():
                if term in line and not isinstance(line[term], (dict, list)):
                    _set(item, path, line[term])
                    used.add(f"{base}/tradeLineItems/{j}/{term}")
            if isinstance(line.get("formattedIssueDateTime"), str):
                _set(item, "invoice.date", line["formattedIssueDateTime"][:10])
                used.add(f"{base}/tradeLineItems/{j}/formattedIssueDateTime")
            if isinstance(consignment.get("originCriteriaText"), str):
                item["origin_criterion_text"] = consignment[
                    "originCriteriaText"
                ]  # a person maps it
            goods.append(item)
        if isinstance(consignment.get("originCriteriaText"), str) and consignment.get(
            "tradeLineItems"
        ):
            used.add(f"{base}/originCriteriaText")
    if goods:
        doc["goods"] = goods
    unmapped = {
        p: v
        for p, v in _leaves(subject, "/credentialSubject")
        if p not in used and not p.startswith("/credentialSubject/type/")
    }
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return Draft(doc, unmapped, str(issuer_id), "trustvc-coo")


def import_foreign(vc: Any, trust: TrustList, loader: OfflineLoader) -> Draft:
    """Check a foreign credential's proof against the trust list, then map it to a draft.

    Refused (InteropError): not a TrustVC CoO credential (``vc_type``), a proof set or another
    suite (``proof_set``, ``proof_type_unsupported``), a key of another DID (``issuer_mismatch``),
    an untrusted key (``key_unknown``), a proof that does not verify (``proof_invalid``).
    """
    if not isinstance(vc, dict):
        raise InteropError("the credential is not a JSON object", code="vc_malformed")
    contexts = vc.get("@context")
    if (
        not isinstance(contexts, list)
        or contexts[:1] != [CREDENTIALS_V2]
        or TRUSTVC_COO_CONTEXT not in contexts
    ):
        raise InteropError("not a TrustVC certificate of origin credential", code="vc_type")
    proof = vc.get("proof")
    if isinstance(proof, list):
        raise InteropError("the credential carries a set of proofs", code="proof_set")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != "ecdsa-sd-2023":
        raise InteropError("the proof is not ecdsa-sd-2023", code="proof_type_unsupported")
    method = proof.get("verificationMethod")
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(method, str) or did_of(method) != issuer_id:
        raise InteropError("the proof was made with a key of another DID", code="issuer_mismatch")
    key = trust.assertion_key(method)
    check = verify_sd_base if is_base_proof(proof.get("proofValue")) else verify_sd_derived
    if not check(vc, key["publicKeyMultibase"], loader):
        raise InteropError("the credential's signature does not verify", code="proof_invalid")
    return draft_from_trustvc_coo(vc)
