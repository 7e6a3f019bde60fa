"""Verify a certificate credential: the VC layer first, then the usual checks through ``evidence``.

VC layer, in order, each a named check with a reason code: ``vc_format`` (only the two known
contexts, no inline context or ``@vocab``, one proof), ``vc_terms`` (no property the contexts do
not define: JSON-LD would drop it silently from what is signed), ``vc_issuer`` (the proof's key
belongs to the credential's issuer), ``vc_key`` (that key is an assertion method of a DID in the
local trust list, whose ledger account is the anchor's signer), ``vc_proof`` (ecdsa-sd-2023,
base or derived), ``vc_dates`` (validFrom/validUntil are the certificate's dates),
``vc_key_registered`` (the ledger registered that key for the anchor's issuing body in the
anchor's own epoch; skipped when no ledger is consulted), ``vc_status`` (its bit in the issuer's
published status list, when this verifier holds it). Then the issued file inside is verified by
the caller's verifier, and the verdict is the worst of both. Pure: the trust list, the registry
answer and the inner verifier are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from origincert.errors import OriginCertError
from origincert.interop.credential import CONTEXT, import_credential
from origincert.interop.did import TrustList, did_of, ledger_accounts
from origincert.interop.ecdsa_sd import is_base_proof, verify_sd_base, verify_sd_derived
from origincert.interop.errors import InteropError, ProofError, StatusListUnavailable
from origincert.interop.loader import OfflineLoader
from origincert.interop.proofs import unsecured
from origincert.interop.rdf import compact, expand
from origincert.interop.registration import VcKeyRegistry, unsupported_registry
from origincert.interop.statuscheck import StatusLists, status_check
from origincert.interop.vocab import CREDENTIAL_TYPE
from origincert.verdict import Check, CheckStatus, Verdict, VerificationResult, worst

__all__ = ["ledger_layers", "verify_credential"]

MAX_DEPTH = 32


class _Refused(Exception):
    def __init__(self, check: str, code: str, message: str, verdict: Verdict) -> None:
        super().__init__(message)
        self.check, self.code, self.message, self.verdict = check, code, message, verdict


def _walk_contexts(node: Any, depth: int = 0, top: bool = True) -> None:
    if depth > MAX_DEPTH:
        raise _Refused(
            "vc_format", "jsonld_too_deep", "The credential nests too deep.", Verdict.MALFORMED
        )
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@vocab":
                raise _Refused(
                    "vc_format", "context_vocab", "The credential uses @vocab.", Verdict.INVALID
                )
            if key in ("id", "@id") and isinstance(value, str) and value.startswith("_:"):
                raise _Refused(
                    "vc_format", "jsonld_blank_node_id",
                    "The credential names a blank node (only trees of nodes are accepted).",
                    Verdict.INVALID,
                )  # fmt: skip
            if key == "@context" and not top:
                raise _Refused(
                    "vc_format",
                    "context_inline",
                    "The credential has an embedded @context.",
                    Verdict.INVALID,
                )
            _walk_contexts(value, depth + 1, False)
    elif isinstance(node, list):
        for item in node:
            _walk_contexts(item, depth + 1, False)


def _format(vc: Any) -> dict[str, Any]:
    if not isinstance(vc, dict):
        raise _Refused(
            "vc_format", "vc_malformed", "The credential is not a JSON object.", Verdict.MALFORMED
        )
    if vc.get("@context") != CONTEXT:
        raise _Refused(
            "vc_format",
            "context_unknown",
            "The credential's @context is not the VC 2.0 context followed by origincert's.",
            Verdict.INVALID,
        )
    _walk_contexts({k: v for k, v in vc.items() if k != "@context"})
    types = vc.get("type")
    if (
        not isinstance(types, list)
        or "VerifiableCredential" not in types
        or CREDENTIAL_TYPE not in types
    ):
        raise _Refused(
            "vc_format",
            "vc_type",
            "The credential is not an origincert certificate credential.",
            Verdict.INVALID,
        )
    proof = vc.get("proof")
    if isinstance(proof, list):
        raise _Refused(
            "vc_format", "proof_set", "The credential carries a set of proofs.", Verdict.INVALID
        )
    if not isinstance(proof, dict) or not isinstance(proof.get("verificationMethod"), str):
        raise _Refused(
            "vc_format", "proof_missing", "The credential has no proof.", Verdict.INVALID
        )
    if (
        proof.get("cryptosuite") != "ecdsa-sd-2023"
        or proof.get("proofPurpose") != "assertionMethod"
    ):
        raise _Refused(
            "vc_format",
            "proof_type_unsupported",
            "The proof is not an ecdsa-sd-2023 assertion.",
            Verdict.INVALID,
        )
    return proof


def _terms(vc: dict[str, Any], loader: OfflineLoader) -> None:
    doc = unsecured(vc)
    again = compact(expand(doc, loader), {"@context": doc["@context"]}, loader)
    if again != doc:
        raise _Refused(
            "vc_terms",
            "vc_undefined_term",
            "The credential has a property its contexts do not define (it would not be signed).",
            Verdict.INVALID,
        )


def _envelope_matches(vc: dict[str, Any], document: dict[str, Any]) -> None:
    """validFrom/validUntil are what outsiders read: they must be the certificate's own dates
    (the evidence checks judge validity from the document, so a mismatch would mislead only
    outsiders, and only a holder of the VC key could have made it)."""
    want_from = f"{document.get('issue_date')}T00:00:00Z"
    until = document.get("valid_until")
    want_until = f"{until}T23:59:59Z" if isinstance(until, str) else None
    if vc.get("validFrom") != want_from or vc.get("validUntil") != want_until:
        raise _Refused(
            "vc_dates",
            "vc_dates_mismatch",
            "The credential's validity dates are not the certificate's.",
            Verdict.INVALID,
        )


def _issuer_id(vc: dict[str, Any]) -> Any:
    issuer = vc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _ok(name: str, code: str, message: str) -> Check:
    return Check(name, CheckStatus.OK, code, message)


def verify_credential(
    vc: Any,
    *,
    trust: TrustList,
    loader: OfflineLoader,
    verify_issued: Callable[[dict[str, Any]], VerificationResult],
    registry: VcKeyRegistry = unsupported_registry,
    status_lists: StatusLists | None = None,
    now: datetime | None = None,
) -> VerificationResult:
    """The verdict on a certificate credential; the report says which layer failed.

    ``status_lists``: the published lists this verifier holds (None: the check is skipped and
    revocation is read from the ledger only); ``now``: the clock for their freshness.
    """
    checks: list[Check] = []
    try:
        proof = _format(vc)
        checks.append(_ok("vc_format", "ok", "The credential has the expected shape and contexts."))
        try:
            _terms(vc, loader)
        except InteropError as exc:  # JSON-LD the processor refuses (protected term, bad IRI)
            raise _Refused("vc_terms", exc.code, str(exc), Verdict.INVALID) from exc
        checks.append(_ok("vc_terms", "ok", "Every property is defined by the known contexts."))
        method = proof["verificationMethod"]
        if did_of(method) != _issuer_id(vc):
            raise _Refused(
                "vc_issuer",
                "issuer_mismatch",
                "The proof was made with a key of another DID than the issuer.",
                Verdict.INVALID,
            )
        checks.append(_ok("vc_issuer", "ok", "The proof's key belongs to the issuer."))
        try:
            key = trust.assertion_key(method)
        except InteropError as exc:
            raise _Refused("vc_key", exc.code, str(exc), Verdict.INVALID) from exc
        issued = import_credential(vc)
        signer = str(issued["proof"].get("signer", "")).lower()
        chain_id = issued["proof"].get("chain_id")
        if (chain_id, signer) not in ledger_accounts(trust.documents[did_of(method)]):
            raise _Refused(
                "vc_key",
                "key_not_bound",
                "The issuer's DID document does not name the ledger account that signed the anchor.",
                Verdict.INVALID,
            )
        checks.append(
            _ok("vc_key", "ok", "The key is the trusted issuer's, bound to its ledger account.")
        )
        verify = verify_sd_base if is_base_proof(proof.get("proofValue")) else verify_sd_derived
        if not verify(vc, key["publicKeyMultibase"], loader):
            raise _Refused(
                "vc_proof",
                "proof_invalid",
                "The credential's signature does not verify.",
                Verdict.INVALID,
            )
        checks.append(_ok("vc_proof", "ok", "The credential's ecdsa-sd-2023 proof verifies."))
        _envelope_matches(vc, issued["document"])
        checks.append(
            _ok("vc_dates", "ok", "The credential's validity dates are the certificate's.")
        )
    except _Refused as refused:
        checks.append(Check(refused.check, CheckStatus.FAILED, refused.code, refused.message))
        return VerificationResult(refused.verdict, tuple(checks), summary=refused.message)
    except OriginCertError as exc:  # a malformed proof, pointer or evidence
        layer = "vc_proof" if isinstance(exc, ProofError) else "vc_evidence"
        checks.append(Check(layer, CheckStatus.FAILED, exc.code, str(exc)))
        return VerificationResult(Verdict.INVALID, tuple(checks), summary=str(exc))
    return ledger_layers(
        checks,
        issued=issued,
        signer=signer,
        key_multibase=key["publicKeyMultibase"],
        registry=registry,
        status=lambda: status_check(
            vc.get("credentialStatus"),
            issuer_did=did_of(method),
            lists=status_lists,
            trust=trust,
            loader=loader,
            now=now or datetime.now(UTC),
        ),
        verify_issued=verify_issued,
    )


def ledger_layers(
    checks: list[Check],
    *,
    issued: dict[str, Any],
    signer: str,
    key_multibase: str,
    registry: VcKeyRegistry,
    status: Callable[[], Check],
    verify_issued: Callable[[dict[str, Any]], VerificationResult],
) -> VerificationResult:
    """The layers after the credential's own proof, the same for every form: the VC key on the
    ledger, the status list, then the usual checks on the issued file inside. A status list
    that cannot be relied on raises ``StatusListUnavailable`` (never a verdict)."""
    registered = registry(issued, key_multibase)
    if registered is None:
        checks.append(
            Check(
                "vc_key_registered",
                CheckStatus.SKIPPED,
                "vc_key_registry_not_consulted",
                "The ledger was not asked about the VC key; the trust list vouches for it.",
            )
        )
    elif registered.skipped:  # no anchor to judge the key by: the evidence layer says why
        checks.append(
            Check("vc_key_registered", CheckStatus.SKIPPED, registered.code, registered.message)
        )
    elif not registered.ok:
        checks.append(
            Check("vc_key_registered", CheckStatus.FAILED, registered.code, registered.message)
        )
        return VerificationResult(Verdict.INVALID, tuple(checks), summary=registered.message)
    else:
        checks.append(_ok("vc_key_registered", "ok", registered.message))
    try:
        listed = status()
    except StatusListUnavailable:
        raise
    except InteropError as exc:  # a signed status entry that is not one
        checks.append(Check("vc_status", CheckStatus.FAILED, exc.code, str(exc)))
        return VerificationResult(Verdict.INVALID, tuple(checks), summary=str(exc))
    checks.append(listed)
    inner = verify_issued(issued)
    verdicts = [inner.verdict]
    if listed.status is CheckStatus.FAILED:
        verdicts.append(Verdict.REVOKED)
    verdict = worst(verdicts)
    return VerificationResult(
        verdict,
        tuple(checks) + inner.checks,
        evidence=inner.evidence,
        document=inner.document,
        withheld=inner.withheld,
        summary=listed.message if verdict is not inner.verdict else inner.summary,
    )


def trust_list_of(documents: Mapping[str, Mapping[str, Any]]) -> TrustList:
    return TrustList(dict(documents))
