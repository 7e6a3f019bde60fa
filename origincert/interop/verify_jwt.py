"""Verify a UNTP credential (vc+jwt): the JOSE layer, then the same ledger layers as a VC.

Layers, each a named check: ``vc_format`` (a compact JWS or its envelope; ES256 only),
``vc_issuer`` (the ``kid`` is a key of the credential's issuer), ``vc_key`` (a trusted assertion
key whose DID document names the anchor's ledger account), ``vc_proof`` (the signature),
``vc_content`` (the DCC is exactly what origincert builds from the issued file it carries: no
UNTP field can say what the anchored certificate does not), then ``vc_key_registered``,
``vc_status`` and the usual checks (:func:`origincert.interop.verify.ledger_layers`).
Pure: the trust list, lists, registry and inner verifier are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from origincert.errors import OriginCertError
from origincert.interop.credential import StatusEntry
from origincert.interop.did import TrustList, did_of, ledger_accounts
from origincert.interop.errors import InteropError
from origincert.interop.inputs import envelope_token
from origincert.interop.loader import OfflineLoader
from origincert.interop.mapping import issued_from
from origincert.interop.registration import VcKeyRegistry, unsupported_registry
from origincert.interop.statuscheck import StatusLists, status_check
from origincert.interop.untp import build_dcc, verify_vc_jwt
from origincert.interop.verify import ledger_layers
from origincert.verdict import Check, CheckStatus, Verdict, VerificationResult

__all__ = ["verify_jwt_credential"]

# verify_vc_jwt's reason codes, by the layer they belong to (in report order)
_LAYERS = ("vc_format", "vc_issuer", "vc_key", "vc_proof")
_LAYER_OF = {
    "jwt_malformed": "vc_format",
    "jwt_alg_refused": "vc_format",
    "jwt_too_large": "vc_format",
    "issuer_mismatch": "vc_issuer",
    "key_unknown": "vc_key",
    "jwt_signature_invalid": "vc_proof",
}
_PASSED = {
    "vc_format": "The credential is a compact vc+jwt signed with ES256.",
    "vc_issuer": "The signing key belongs to the issuer.",
    "vc_key": "The key is the trusted issuer's, bound to its ledger account.",
    "vc_proof": "The credential's JOSE signature verifies.",
}


def _refused(
    checks: list[Check], layer: str, code: str, message: str, verdict: Verdict = Verdict.INVALID
) -> VerificationResult:
    passed = (
        _LAYERS[: _LAYERS.index(layer)]
        if layer in _LAYERS
        else ("vc_format", "vc_issuer", "vc_proof")
    )
    for name in passed:  # the evidence is read before the key's ledger binding can be checked
        checks.append(Check(name, CheckStatus.OK, "ok", _PASSED[name]))
    checks.append(Check(layer, CheckStatus.FAILED, code, message))
    return VerificationResult(verdict, tuple(checks), summary=message)


def _status_entry(status: Any) -> StatusEntry | None:
    """The entry to rebuild the DCC with (a malformed one simply will not rebuild equal)."""
    if not isinstance(status, dict):
        return None
    index = status.get("statusListIndex")
    url = status.get("statusListCredential")
    if not (
        isinstance(url, str) and isinstance(index, str) and index.isdigit() and len(index) < 10
    ):
        return None
    return StatusEntry(url, int(index))


def verify_jwt_credential(
    payload: Any,
    *,
    trust: TrustList,
    loader: OfflineLoader,
    verify_issued: Callable[[dict[str, Any]], VerificationResult],
    registry: VcKeyRegistry = unsupported_registry,
    status_lists: StatusLists | None = None,
    now: datetime | None = None,
) -> VerificationResult:
    """The verdict on a UNTP credential: ``payload`` is the compact JWT or its envelope."""
    checks: list[Check] = []
    try:
        token = envelope_token(payload)
        vc = verify_vc_jwt(token, trust)
    except InteropError as exc:
        layer = _LAYER_OF.get(exc.code, "vc_format")
        verdict = Verdict.MALFORMED if exc.code == "jwt_malformed" else Verdict.INVALID
        return _refused(checks, layer, exc.code, f"{str(exc)[:1].upper()}{str(exc)[1:]}.", verdict)
    kid = _kid(token)
    subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
    coo = subject.get("certificateOfOrigin") if isinstance(subject, dict) else None
    try:
        if not isinstance(coo, dict) or not isinstance(coo.get("certificate"), dict):
            raise InteropError(
                "the UNTP credential does not carry the certificate (an older export, or not "
                "origincert's): it cannot be checked against the ledger",
                code="vc_no_certificate",
            )
        issued = issued_from(coo["certificate"], vc.get("evidence"))
    except OriginCertError as exc:
        return _refused(checks, "vc_evidence", exc.code, str(exc))
    signer = str(issued["proof"].get("signer", "")).lower()
    chain_id = issued["proof"].get("chain_id")
    if (chain_id, signer) not in ledger_accounts(trust.documents[did_of(kid)]):
        return _refused(
            checks,
            "vc_key",
            "key_not_bound",
            "The issuer's DID document does not name the ledger account that signed the anchor.",
        )
    for name in _LAYERS:
        checks.append(Check(name, CheckStatus.OK, "ok", _PASSED[name]))
    try:
        rebuilt = build_dcc(issued, did_of(kid), _status_entry(vc.get("credentialStatus")))
    except OriginCertError as exc:  # the carried certificate does not match its anchor
        checks.append(Check("vc_evidence", CheckStatus.FAILED, exc.code, str(exc)))
        return VerificationResult(Verdict.INVALID, tuple(checks), summary=str(exc))
    if rebuilt != vc:
        message = "The UNTP credential says something the certificate it carries does not."
        checks.append(Check("vc_content", CheckStatus.FAILED, "dcc_mismatch", message))
        return VerificationResult(Verdict.INVALID, tuple(checks), summary=message)
    checks.append(
        Check(
            "vc_content",
            CheckStatus.OK,
            "ok",
            "Every field of the UNTP credential is the anchored certificate's.",
        )
    )
    key = trust.assertion_key(kid)
    return ledger_layers(
        checks,
        issued=issued,
        signer=signer,
        key_multibase=key["publicKeyMultibase"],
        registry=registry,
        status=lambda: status_check(
            vc.get("credentialStatus"),
            issuer_did=did_of(kid),
            lists=status_lists,
            trust=trust,
            loader=loader,
            now=now or datetime.now(UTC),
        ),
        verify_issued=verify_issued,
    )


def _kid(token: str) -> str:
    import base64
    import json

    head = token.split(".", 1)[0]
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    return str(header["kid"])
