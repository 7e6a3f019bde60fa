"""Other certificates with the same number from the same issuing body: a warning at verification.

Numbers are unique per issuing body, so a second certificate under one number is either a
clerk's mistake (a second journal) or the classic fraud of one number used for two consignments.
Both are anchored under the body's own key, so neither is a forgery the verifier could refuse:
the verdict stays what the ledger says, and the officer is told to ask the issuing body which
one is in force. The portal's index (archives, and uploads that verified as genuine) is where a
namesake can be known: the ledger holds hashes, never numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from origincert.errors import ArchiveError, DocumentError, OriginCertError
from origincert.issued import read_issued
from origincert.merkle import leaf_hash
from origincert.portal import certindex

__all__ = ["Namesake", "namesake_warning", "namesakes"]


@dataclass(frozen=True, slots=True)
class Namesake:
    """Another certificate under the same number: its target hash (to open it) and issue date."""

    number: str
    target_hash: str
    issue_date: str | None
    source: str  # "archive" or "upload"


def _issuer_id(raw: bytes) -> int | None:
    try:
        return read_issued(raw, max_bytes=certindex.MAX_FILE_BYTES).ledger_id
    except DocumentError:  # an unreadable file is no namesake
        return None


def _leaf(target_hash: str) -> str | None:
    try:
        return "0x" + leaf_hash(bytes.fromhex(target_hash.removeprefix("0x"))).hex()
    except ValueError:
        return None


def namesakes(db: Session, evidence: Mapping[str, Any]) -> list[Namesake]:
    """Certificates the portal knows with this result's number, another leaf and the same body.

    The body is the one the ledger anchored this certificate for (``evidence["issuer"]``), so
    a file naming a body does not make a namesake on its own; without the ledger's word, none.
    The index is read as it stands (archives are indexed when the portal starts, by
    ``portal reindex`` and the administrator's page, and on a number look-up's miss): a rescan
    on every verdict page would cost a walk of every archive folder.
    """
    shown = evidence.get("certificate")
    issuer = evidence.get("issuer")
    batch = evidence.get("batch")
    if not (
        isinstance(shown, Mapping) and isinstance(issuer, Mapping) and isinstance(batch, Mapping)
    ):
        return []
    number, issuer_id, leaf = shown.get("number"), issuer.get("id"), batch.get("leaf")
    if not (isinstance(number, str) and isinstance(issuer_id, int) and isinstance(leaf, str)):
        return []
    try:
        wanted = certindex.normalise_number(number)
    except OriginCertError:  # a number the index cannot hold has no namesake there
        return []
    found: list[Namesake] = []
    for entry in certindex.lookup(db, wanted):
        if _leaf(entry.target_hash) == leaf.lower():
            continue  # this very certificate
        try:
            raw = certindex.read(entry)
        except ArchiveError:
            continue
        if _issuer_id(raw) == issuer_id:
            found.append(Namesake(entry.number, entry.target_hash, entry.issue_date, entry.source))
    return found


def namesake_warning(found: list[Namesake]) -> dict[str, Any]:
    """The API's warning (``code`` ``duplicate_number``) naming the other certificates."""
    return {
        "code": "duplicate_number",
        "message": (
            f"{len(found)} other certificate(s) numbered {found[0].number} from the same issuing "
            "body are known to this portal. Numbers are unique per issuing body: ask the issuing "
            "body which certificate is in force before relying on this one."
        ),
        "certificates": [
            {"number": n.number, "target_hash": n.target_hash, "issue_date": n.issue_date}
            for n in found
        ],
    }
