"""Resume: finish whatever an earlier run left unfinished in the journal.

Batches first (oldest first), then revocations and replacements: a replacement's link needs its
successor anchored. What the ledger already shows is recorded, never sent again, so resuming is
safe at any time, any number of times.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from origincert.chain import ChainClient, TransactionSigner
from origincert.issuer.actions import ActionResult, finish_action
from origincert.issuer.body import issuing_body
from origincert.issuer.issuing import IssueResult, Progress, Step, complete_batch, no_step
from origincert.issuer.journal import Journal
from origincert.signers import Signer

__all__ = ["ResumeReport", "resume"]


@dataclass(frozen=True)
class ResumeReport:
    batches: tuple[IssueResult, ...]
    actions: tuple[ActionResult, ...]


def resume(
    client: ChainClient,
    signer: Signer,
    journal: Journal,
    *,
    relayer: TransactionSigner | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    step: Step = no_step,
) -> ResumeReport:
    """Finish every unfinished batch (oldest first), then every unfinished revocation or
    replacement. ``out_dir`` puts the files of those batches in another folder than first asked.

    Safe to run at any time, any number of times: what the ledger already shows is recorded, not
    sent again.
    """
    pending_batches = journal.batches(unfinished=True)
    pending_actions = journal.actions(pending=True)
    if not pending_batches and not pending_actions:
        return ResumeReport((), ())
    body = issuing_body(client, signer, journal, accredited=False)
    override = Path(out_dir).resolve() if out_dir is not None else None
    batches = [
        complete_batch(
            client,
            signer,
            journal,
            body,
            batch,
            relayer=relayer,
            out_dir=override,
            progress=progress,
            step=step,
        )
        for batch in pending_batches
    ]
    actions = tuple(finish_action(client, signer, journal, body, a) for a in pending_actions)
    return ResumeReport(tuple(batches), actions)
