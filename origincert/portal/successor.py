"""Which certificate replaced this one: the ledger names the successor only by its Merkle leaf,
so the portal looks the leaf up among the issued files it holds (uploads and archives).

A successor the portal has never seen stays unnamed; the verdict page then says to ask for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from origincert.merkle import leaf_hash
from origincert.portal import certindex
from origincert.portal.db import IndexedCertificate

__all__ = ["replaced_by", "successor_number"]


def replaced_by(evidence: Mapping[str, Any]) -> str | None:
    """The successor's leaf (``0x…``) from a result's evidence, when the ledger gave one."""
    record = evidence.get("replaced_by")
    leaf = record.get("leaf") if isinstance(record, Mapping) else None
    return leaf.lower() if isinstance(leaf, str) and leaf.startswith("0x") else None


def _number_for_leaf(db: Session, leaf: str) -> str | None:
    for number, target in db.execute(
        select(IndexedCertificate.number, IndexedCertificate.target_hash)
    ):
        try:
            if "0x" + leaf_hash(bytes.fromhex(target[2:])).hex() == leaf:
                return str(number)
        except ValueError:
            continue
    return None


def successor_number(
    db: Session, evidence: Mapping[str, Any], archives: Iterable[str | os.PathLike[str]] = ()
) -> str | None:
    """The number of the certificate that replaced this one, if the portal holds it."""
    leaf = replaced_by(evidence)
    if leaf is None:
        return None
    found = _number_for_leaf(db, leaf)
    archives = list(archives)
    if found is None and archives:
        try:
            certindex.scan_archives(db, archives)
            db.commit()
        except certindex.ArchiveError:
            return None
        found = _number_for_leaf(db, leaf)
    return found
