"""Reading a published Bitstring Status List as a verifier or an auditor may rely on it.

A status list is only evidence when it is the issuer's own, signed by a VC key of the issuer's
trusted DID, and fresh. Anything less is an infrastructure failure (``StatusListUnavailable``):
it says nothing about a certificate, so it never becomes INVALID, and never silently "active"
either. Pure: the lists, the trust list, the loader and the clock are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from origincert.interop.did import TrustList, did_of
from origincert.interop.ecdsa_sd import is_base_proof, verify_sd_base, verify_sd_derived
from origincert.interop.errors import InteropError, StatusListUnavailable
from origincert.interop.loader import CREDENTIALS_V2, OfflineLoader
from origincert.interop.status import decode_list, is_set
from origincert.verdict import Check, CheckStatus

__all__ = [
    "DEFAULT_MAX_AGE",
    "StatusLists",
    "VerifiedList",
    "parse_time",
    "status_check",
    "verified_list",
]

DEFAULT_MAX_AGE = timedelta(days=1)  # a chamber republishes at least daily; older is stale


@dataclass(frozen=True)
class StatusLists:
    """The published status list credentials a verifier holds, by their ``id`` (the URL the
    credentials name), and the files that could not be read (``broken``), so a credential whose
    list may be among them gets an infrastructure error rather than a silent skip."""

    lists: Mapping[str, Mapping[str, Any]]
    broken: tuple[str, ...] = ()
    max_age: timedelta = DEFAULT_MAX_AGE


@dataclass(frozen=True)
class VerifiedList:
    """A status list whose signature and shape were checked: its issuer, dates and bits."""

    url: str
    issuer: str
    verification_method: str
    valid_from: datetime
    valid_until: datetime | None
    bits: bytes = field(repr=False)

    def is_set(self, index: int) -> bool:
        return is_set(self.bits, index)


def parse_time(text: Any) -> datetime:
    """An XML Schema dateTime with a zone (``2026-03-01T10:00:00Z``) as an aware datetime."""
    if not isinstance(text, str):
        raise TypeError("not a date-time")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a date-time without a time zone")
    return value.astimezone(UTC)


def _unavailable(code: str, message: str) -> StatusListUnavailable:
    return StatusListUnavailable(message, code=code)


def verified_list(
    list_vc: Any, trust: TrustList, loader: OfflineLoader, *, url: str | None = None
) -> VerifiedList:
    """The list after checking: a revocation ``BitstringStatusListCredential`` (only the VC 2.0
    context), served at ``url`` when given, one ecdsa-sd-2023 proof by a trusted assertion key
    of its own issuer. ``StatusListUnavailable`` with a reason code otherwise."""
    if not isinstance(list_vc, dict) or list_vc.get("@context") != [CREDENTIALS_V2]:
        raise _unavailable("status_list_malformed", "the status list is not a VC 2.0 credential")
    subject = list_vc.get("credentialSubject")
    types = list_vc.get("type")
    if (
        not isinstance(types, list)
        or "BitstringStatusListCredential" not in types
        or not isinstance(subject, dict)
        or subject.get("type") != "BitstringStatusList"
        or subject.get("statusPurpose") != "revocation"
    ):
        raise _unavailable(
            "status_list_malformed", "the file is not a revocation Bitstring Status List"
        )
    if url is not None and list_vc.get("id") != url:
        raise _unavailable("status_list_malformed", f"the status list is not the one at {url}")
    proof = list_vc.get("proof")
    if (
        not isinstance(proof, dict)
        or proof.get("cryptosuite") != "ecdsa-sd-2023"
        or not isinstance(proof.get("verificationMethod"), str)
    ):
        raise _unavailable(
            "status_list_unsigned", "the status list has no single ecdsa-sd-2023 proof"
        )
    method = proof["verificationMethod"]
    issuer = list_vc.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if did_of(method) != issuer:
        raise _unavailable(
            "status_list_signature_invalid", "the status list is signed by another DID's key"
        )
    try:
        key = trust.assertion_key(method)
        verify = verify_sd_base if is_base_proof(proof.get("proofValue")) else verify_sd_derived
        good = verify(list_vc, key["publicKeyMultibase"], loader)
    except InteropError as exc:
        raise _unavailable(
            "status_list_signature_invalid", f"the status list's proof cannot be checked: {exc}"
        ) from exc
    if not good:
        raise _unavailable(
            "status_list_signature_invalid",
            "the status list's signature does not verify with its issuer's VC key",
        )
    try:
        valid_from = parse_time(list_vc.get("validFrom"))
        until = list_vc.get("validUntil")
        valid_until = parse_time(until) if until is not None else None
        bits = decode_list(str(subject.get("encodedList", "")))
    except (ValueError, TypeError, InteropError) as exc:
        raise _unavailable("status_list_malformed", f"the status list is malformed: {exc}") from exc
    return VerifiedList(str(list_vc.get("id")), str(issuer), method, valid_from, valid_until, bits)


def _entry(status: Any) -> tuple[str, int]:
    if (
        not isinstance(status, dict)
        or status.get("type") != "BitstringStatusListEntry"
        or status.get("statusPurpose") != "revocation"
        or not isinstance(status.get("statusListCredential"), str)
        or not isinstance(status.get("statusListIndex"), str)
        or not status["statusListIndex"].isdigit()
        or len(status["statusListIndex"]) > 9
    ):
        raise InteropError(
            "the credential's status entry is not a revocation BitstringStatusListEntry",
            code="status_entry_malformed",
        )
    return status["statusListCredential"], int(status["statusListIndex"])


def status_check(
    status: Any,
    *,
    issuer_did: str,
    lists: StatusLists | None,
    trust: TrustList,
    loader: OfflineLoader,
    now: datetime,
) -> Check:
    """The ``vc_status`` check of a credential's ``credentialStatus``.

    OK when its bit is clear in a fresh list signed by the issuer; FAILED (``status_revoked``)
    when set; SKIPPED when no lists are configured, the credential names none, or the list is
    not among those held (the ledger is read for revocation anyway). ``StatusListUnavailable``
    when the list is held but unreadable, signed by another key, stale or too short; and
    ``InteropError`` (``status_entry_malformed``) for a signed entry that is not one.
    """
    if status is None:
        return Check(
            "vc_status",
            CheckStatus.SKIPPED,
            "status_absent",
            "The credential names no status list.",
        )
    url, index = _entry(status)
    if lists is None:
        return Check(
            "vc_status",
            CheckStatus.SKIPPED,
            "status_list_not_configured",
            "No status lists are configured here; revocation is read from the ledger.",
        )
    list_vc = lists.lists.get(url)
    if list_vc is None:
        if lists.broken:
            raise _unavailable(
                "status_list_unreadable",
                f"the status list {url} may be one of the unreadable files: "
                + ", ".join(lists.broken[:3]),
            )
        return Check(
            "vc_status",
            CheckStatus.SKIPPED,
            "status_list_unknown",
            "The credential's status list is not held here; revocation is read from the ledger.",
        )
    checked = verified_list(list_vc, trust, loader, url=url)
    if checked.issuer != issuer_did:
        raise _unavailable(
            "status_list_issuer_mismatch",
            f"the status list at {url} is published by another issuer than the credential's",
        )
    if now - checked.valid_from > lists.max_age or (
        checked.valid_until is not None and checked.valid_until < now
    ):
        raise _unavailable(
            "status_list_stale",
            f"the status list at {url} dates from {checked.valid_from:%Y-%m-%d %H:%M} UTC, older "
            f"than the {lists.max_age} a list may be relied on",
        )
    if not 0 <= index < len(checked.bits) * 8:
        raise _unavailable(
            "status_list_too_short", f"the status list at {url} has no entry {index}"
        )
    if checked.is_set(index):
        return Check(
            "vc_status",
            CheckStatus.FAILED,
            "status_revoked",
            "The issuer's status list marks this certificate as revoked.",
        )
    return Check(
        "vc_status",
        CheckStatus.OK,
        "ok",
        f"The issuer's status list (of {checked.valid_from:%Y-%m-%d %H:%M} UTC) shows it active.",
    )
