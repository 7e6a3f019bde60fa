"""Revoke and replace: the actions on an anchored certificate, journaled before they are sent.

A revocation is ``revokeLeaf`` with the certificate's proof (``revokeRoot`` for a batch of one);
a replacement issues the successor as its own batch, then links the two with ``replace``. Each
action is journaled first; :func:`finish_action` brings it to the ledger unless the ledger
already shows it, so ``resume`` can finish one a crash interrupted without sending it twice.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from origincert.chain import ChainClient, TransactionSigner
from origincert.document import load_json
from origincert.errors import ChainError, ChainUnavailable, ContractRevert
from origincert.issuer.body import IssuingBody, issuing_body
from origincert.issuer.errors import IssuingError
from origincert.issuer.issuing import IssueResult, issue_replacement
from origincert.issuer.journal import ActionKind, ActionRecord, ActionState, BatchState, Journal
from origincert.issuer.ledger import (
    RecordingSigner,
    certificate_status,
    find_event,
    gas_used,
    issuer_topic,
    revive,
)
from origincert.issuer.pipeline import DocumentSource, PreparedCertificate, build_tree
from origincert.issuer.reasons import parse_reason
from origincert.signers import Signer

__all__ = ["ActionResult", "finish_action", "replace", "revoke", "with_replaces"]


@dataclass(frozen=True)
class ActionResult:
    """A revocation or replacement the ledger now shows."""

    action_id: int
    kind: ActionKind
    number: str
    new_number: str | None
    reason: int | None
    tx_hash: str | None
    block_number: int | None
    gas_used: int | None
    found_on_ledger: bool = False


@dataclass(frozen=True)
class _Anchored:
    """A certificate of the journal whose batch the ledger holds."""

    batch_id: int
    root: bytes
    block_number: int
    leaf_count: int
    cert: PreparedCertificate


def revoke(
    client: ChainClient, signer: Signer, journal: Journal, number: str, reason: str | int
) -> ActionResult:
    """Revoke one certificate: ``revokeLeaf`` with its proof, or ``revokeRoot`` for a batch of one.

    Raises, before anything is recorded: IssuingError ``bad_reason``, ``not_anchored``,
    ``already_revoked``; JournalError ``unknown_number``.
    """
    code = parse_reason(reason)
    body = issuing_body(client, signer, journal, accredited=False)
    anchored = _anchored(journal, number)
    if certificate_status(client, body.issuer_id, anchored.root, anchored.cert.leaf).revoked:
        raise IssuingError(f"certificate {number} is already revoked", code="already_revoked")
    action_id = journal.record_action(ActionKind.REVOKE, number, reason=code)
    return finish_action(client, signer, journal, body, journal.action(action_id))


def replace(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    old_number: str,
    new_source: DocumentSource,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    reason: str | None = None,
    relayer: TransactionSigner | None = None,
    also_check: Sequence[str | os.PathLike[str]] = (),
) -> tuple[IssueResult, ActionResult]:
    """Issue a replacement for an anchored certificate and record the link on the ledger.

    The new document's ``replaces`` must name ``old_number``; when it has none, it is filled in
    from the old certificate (its number and issue date) and ``reason`` (then required).
    Raises IssuingError ``not_anchored``, ``already_revoked``, ``already_replaced``,
    ``replaces_mismatch``, ``replace_reason_missing`` before anything is recorded; the new
    number is checked against ``also_check`` (the body's other journals) as by ``issue_batch``.
    """
    body = issuing_body(client, signer, journal, accredited=True)
    old = _anchored(journal, old_number)
    status = certificate_status(client, body.issuer_id, old.root, old.cert.leaf)
    if status.revoked:
        raise IssuingError(
            f"certificate {old_number} is revoked; a revoked certificate is not replaced",
            code="already_revoked",
        )
    if status.replaced:
        raise IssuingError(f"certificate {old_number} is already replaced", code="already_replaced")
    document = with_replaces(
        dict(load_json(new_source.read_bytes()))
        if isinstance(new_source, Path)
        else dict(new_source),
        old.cert.document,
        reason,
    )
    issued = issue_replacement(
        client, signer, document, journal=journal, out_dir=out_dir, relayer=relayer,
        replaces=old_number, also_check=also_check,
    )  # fmt: skip
    (action,) = [
        a for a in journal.actions(pending=True, number=old_number) if a.kind is ActionKind.REPLACE
    ]
    return issued, finish_action(client, signer, journal, body, action)


def with_replaces(
    document: dict[str, Any], old: Mapping[str, Any], reason: str | None
) -> dict[str, Any]:
    """The new document with ``replaces`` pointing at ``old``; refuse one pointing elsewhere."""
    old_number = old["number"]
    given = document.get("replaces")
    if given is not None:
        if not isinstance(given, dict) or given.get("number") != old_number:
            named = given.get("number") if isinstance(given, dict) else given
            raise IssuingError(
                f"the new document replaces {named!r}, not {old_number}", code="replaces_mismatch"
            )
        return document
    if not reason:
        raise IssuingError(
            f"the new document has no `replaces`; give a reason to fill it in (replacing {old_number})",
            code="replace_reason_missing",
        )
    return {
        **document,
        "replaces": {"number": old_number, "issue_date": old["issue_date"], "reason": reason},
    }


def _anchored(journal: Journal, number: str) -> _Anchored:
    batch, cert = journal.locate(number)
    if batch.state is not BatchState.ANCHORED:
        raise IssuingError(
            f"certificate {number} is not anchored yet (its batch is {batch.state.value}); run `origincert issue --resume` first",
            code="not_anchored",
        )
    # an anchored batch always has its root and block journaled (Journal.mark_anchored)
    assert batch.root is not None and batch.block_number is not None
    return _Anchored(batch.id, batch.root, batch.block_number, batch.leaf_count, cert)


def finish_action(
    client: ChainClient, signer: Signer, journal: Journal, body: IssuingBody, action: ActionRecord
) -> ActionResult:
    """Bring a journaled revocation or replacement to the ledger, unless the ledger shows it already
    (a transaction journaled as submitted and still pending is waited for, not sent again)."""
    a = _anchored(journal, action.number)
    proof = list(build_tree(journal.leaves(a.batch_id)).proof(a.cert.leaf_index))
    issuer_id = body.issuer_id
    revoking = action.kind is ActionKind.REVOKE
    lookup: tuple[str, list[bytes | None]]
    if revoking:
        single = a.leaf_count == 1
        lookup = (
            ("RootRevoked", [a.root, issuer_topic(issuer_id)])
            if single
            else ("LeafRevoked", [a.root, a.cert.leaf])
        )
        fn = (
            client.certificates.functions.revokeRoot(issuer_id, a.root, action.reason)
            if single
            else client.certificates.functions.revokeLeaf(
                issuer_id, a.root, a.cert.target_hash, proof, action.reason
            )
        )
    else:
        assert action.new_number is not None  # the journal records a replacement with its successor
        new = _anchored(journal, action.new_number)
        new_proof = list(build_tree(journal.leaves(new.batch_id)).proof(new.cert.leaf_index))
        lookup = ("CertificateReplaced", [a.root, a.cert.leaf])
        fn = client.certificates.functions.replace(
            issuer_id, a.root, a.cert.target_hash, proof, new.root, new.cert.target_hash, new_proof
        )

    def on_ledger() -> bool:
        status = certificate_status(client, issuer_id, a.root, a.cert.leaf)
        return status.revoked if revoking else status.replaced

    def record_found() -> ActionResult:
        event = find_event(
            client, lookup[0], lookup[1], from_block=a.block_number,
            where=lambda args: int(args["issuerId"]) == issuer_id,
        )  # fmt: skip
        tx_hash = event.tx_hash if event is not None else None
        journal.mark_action_done(
            action.id,
            tx_hash=tx_hash,
            block_number=event.block_number if event is not None else None,
            gas_used=gas_used(client, tx_hash) if tx_hash is not None else None,
        )
        return _action_result(journal.action(action.id), found=True)

    if on_ledger():
        return record_found()
    if (
        action.state is ActionState.SUBMITTED
        and action.tx_hash is not None
        and revive(client, action.tx_hash, journal.signed_transaction(action.tx_hash)) is not None
    ):
        try:
            client.wait(action.tx_hash)
        except ChainUnavailable:
            raise
        except ChainError:  # it failed: send again below
            pass
        if on_ledger():
            return record_found()

    def on_signed(tx_hash: str) -> None:
        journal.mark_action_submitted(action.id, tx_hash=tx_hash, raw=recorder.raw)

    recorder = RecordingSigner(signer, on_signed)
    try:
        tx = client.send(fn, recorder)
    except ContractRevert as exc:
        if on_ledger():  # an earlier transaction of this action got there first
            return record_found()
        journal.mark_action_failed(action.id, error=exc.error)
        raise
    journal.mark_action_done(
        action.id, tx_hash=tx.tx_hash, block_number=tx.block_number, gas_used=tx.gas_used
    )
    return _action_result(journal.action(action.id), found=False)


def _action_result(a: ActionRecord, *, found: bool) -> ActionResult:
    return ActionResult(
        a.id, a.kind, a.number, a.new_number, a.reason, a.tx_hash, a.block_number, a.gas_used, found
    )
