"""Bitstring Status List 1.0: a chamber's revocation list as a signed credential, built from the
ledger's order of anchors so anyone (the audit) can rebuild and check it.

Index of a certificate: the number of certificates the issuing body anchored before its batch
(in ledger order) plus its ``leaf_index``; so the index follows from ledger events alone and the
chamber keeps no extra table. The list is GZIP-compressed, base64url multibase, bit 0 the most
significant bit of the first byte, at least 131,072 entries (the spec's minimum, for privacy).
"""

from __future__ import annotations

import base64
import gzip
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from origincert.interop.credential import StatusEntry
from origincert.interop.ecdsa_sd import derive_sd, sign_sd_base
from origincert.interop.errors import InteropError
from origincert.interop.loader import CREDENTIALS_V2, OfflineLoader
from origincert.interop.p256 import P256KeyPair
from origincert.interop.proofs import ProofOptions

__all__ = [
    "MIN_ENTRIES",
    "decode_list",
    "encode_list",
    "revoked_indexes",
    "status_index",
    "status_list_credential",
]

MIN_ENTRIES = 131_072
MAX_ENCODED = 2_000_000


def encode_list(set_bits: Iterable[int], size: int = MIN_ENTRIES, *, multibase: bool = True) -> str:
    """The ``encodedList`` value with the given bits set.

    ``multibase=False`` leaves out the ``u`` prefix the Recommendation requires: TrustVC 2.11
    decodes the list as plain base64url (the StatusList2021 form) and fails on the prefix.
    """
    size = max(size, MIN_ENTRIES)
    size += -size % 8
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise InteropError(
                f"status index {index} is outside the list", code="status_index_invalid"
            )
        bits[index // 8] |= 0x80 >> (index % 8)
    raw = gzip.compress(bytes(bits), mtime=0)
    text = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return "u" + text if multibase else text


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``, with or without the ``u`` prefix (a GZIP stream in
    base64url always starts ``H4sI``, so the two forms cannot be confused). Bounded: a hostile
    list cannot inflate without limit."""
    if not isinstance(encoded, str) or len(encoded) > MAX_ENCODED:
        raise InteropError("the status list is not base64url", code="status_list_malformed")
    body = encoded[1:] if encoded.startswith("uH4sI") else encoded
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as fh:
            bits = fh.read(16 * MIN_ENTRIES // 8 + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise InteropError("the status list does not decode", code="status_list_malformed") from exc
    if len(bits) > 16 * MIN_ENTRIES // 8:
        raise InteropError("the status list is too long", code="status_list_malformed")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise InteropError("the status index is outside the list", code="status_index_invalid")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_index(batches: Sequence[tuple[bytes, int]], root: bytes, leaf_index: int) -> int:
    """The status index of leaf ``leaf_index`` of batch ``root``; ``batches`` are the issuing
    body's anchors (root, leaf count) in ledger order."""
    before = 0
    for batch_root, count in batches:
        if batch_root == root:
            if not 0 <= leaf_index < count:
                raise InteropError(
                    "the leaf index is outside its batch", code="status_index_invalid"
                )
            return before + leaf_index
        before += count
    raise InteropError(
        "the batch is not among the issuing body's anchors", code="status_batch_unknown"
    )


def revoked_indexes(
    anchors: Sequence[tuple[str, int]],
    *,
    revoked_roots: Iterable[str],
    revoked_leaves: Iterable[tuple[str, str]],
    positions: Mapping[tuple[str, str], int],
    withdrawn_for_fraud: bool = False,
) -> set[int]:
    """The bits to set for one issuing body, from its ledger events.

    ``anchors``: the body's (root, leaf count) in ledger order; ``revoked_roots``: whole batches
    revoked; ``revoked_leaves``: (root, leaf) revoked or replaced; ``positions``: (root, leaf) ->
    leaf index, from the chamber's archive of issued files (the ledger stores roots, not leaves).
    A body withdrawn for fraud has every certificate set. A revoked leaf missing from the archive
    is an error (``status_leaf_unknown``), never silently left valid.
    """
    roots = {root.lower(): (before, count) for root, count, before in _cumulative(anchors)}
    out: set[int] = set()
    if withdrawn_for_fraud:
        return set(range(sum(count for _, count in anchors)))
    for root in revoked_roots:
        if root.lower() in roots:
            before, count = roots[root.lower()]
            out.update(range(before, before + count))
    unknown = []
    for root, leaf in revoked_leaves:
        if root.lower() not in roots:
            continue  # another body's batch
        index = positions.get((root.lower(), leaf.lower()))
        if index is None:
            unknown.append(leaf)
            continue
        out.add(roots[root.lower()][0] + index)
    if unknown:
        raise InteropError(
            f"{len(unknown)} revoked certificate(s) are not in the archive, e.g. leaf {unknown[0]}",
            code="status_leaf_unknown",
        )
    return out


def _cumulative(anchors: Sequence[tuple[str, int]]) -> list[tuple[str, int, int]]:
    out, before = [], 0
    for root, count in anchors:
        out.append((root, count, before))
        before += count
    return out


def status_list_credential(
    *,
    list_url: str,
    revoked: Iterable[int],
    issuer_did: str,
    verification_method: str,
    key: P256KeyPair,
    valid_from: str,
    created: str,
    loader: OfflineLoader,
    multibase: bool = True,
) -> dict[str, Any]:
    """The signed status list credential (ecdsa-sd-2023, derived with everything shown, so any
    Data Integrity verifier can check it)."""
    vc = {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(revoked, multibase=multibase),
        },
    }
    everything = ["/issuer", "/validFrom", "/credentialSubject"]
    base = sign_sd_base(
        vc, key, ProofOptions("ecdsa-sd-2023", verification_method, created), everything, loader
    )
    return derive_sd(base, [], loader)


def entry_for(list_url: str, index: int) -> StatusEntry:
    return StatusEntry(list_url, index)
