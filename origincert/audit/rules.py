"""Every rule the registries are meant to enforce, checked again from the events alone.

The contracts refuse unlawful acts, so on a sound ledger these checks find nothing; they exist
for the day a contract is buggy, upgraded or replaced, or a node serves a forged history. Each
event is judged against the state *before* it (:class:`Auditor` applies it afterwards); a
council act is judged with the ``ProposalExecuted`` that follows it in the same transaction.

:func:`audit_transactions` is the pure entry point: transactions in, state and findings out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from origincert.audit import events as ev
from origincert.audit.findings import Finding, finding, utc
from origincert.audit.state import LedgerState, current_standing
from origincert.audit.store import Store
from origincert.governance import IssuerStatus, Standing
from origincert.issuer.reasons import REVOCATION_REASONS as ISSUER_REASONS

__all__ = ["REVOCATION_REASONS", "Auditor", "audit_transactions", "lapsed_accreditations"]


# CertificateRegistry's NatSpec codes, named as the issuer names them; other codes belong to agreements.
REVOCATION_REASONS = {code: name.replace("_", " ") for name, code in ISSUER_REASONS.items()}

_UNKNOWN_ROOT = {
    "revocation": "revocation.unknown_root",
    "replacement": "replacement.unknown_root",
}
_NOT_ALLOWED = {"revocation": "revocation.not_allowed", "replacement": "replacement.not_allowed"}

_MAX_CHAIN = 10_000  # replacement links followed before giving up on a cycle search
_CERTIFICATE_EVENTS = frozenset(
    {ev.Anchored, ev.RootRevoked, ev.LeafRevoked, ev.CertificateReplaced}
)


def _roots(transactions: Iterable[ev.Transaction]) -> Iterator[tuple[int, str]]:
    """The (issuer, root) anchors a chunk's certificate events will look up."""
    for tx in transactions:
        for e in tx.events:
            if isinstance(e, (ev.Anchored, ev.RootRevoked, ev.LeafRevoked)):
                yield e.issuer_id, e.root
            elif isinstance(e, ev.CertificateReplaced):
                yield e.issuer_id, e.old_root
                yield e.issuer_id, e.new_root


def _nothing(e: Any, tx: ev.Transaction) -> Iterator[Finding]:
    return iter(())


def _f(
    code: str,
    message: str,
    e: ev.Event,
    *,
    issuer_id: int | None = None,
    subject: str | None = None,
    **details: Any,
) -> Finding:
    return finding(
        code,
        message,
        tx_hash=e.tx_hash,
        block=e.block,
        issuer_id=issuer_id,
        subject=subject,
        details=details,
    )


def _short(x: str) -> str:
    return x[:10] + "…" if len(x) > 12 else x


class Auditor:
    """Judges and applies transactions in ledger order."""

    def __init__(self, state: LedgerState) -> None:
        self.state = state
        self._checks: dict[type, Callable[[Any, ev.Transaction], Iterator[Finding]]] = {
            ev.ProposalCreated: self._proposal_created,
            ev.ProposalApproved: self._proposal_approved,
            ev.ProposalExecuted: self._proposal_executed,
            ev.ApprovalWithdrawn: _nothing,
            ev.ProposalCancelled: _nothing,
            ev.ProposalFailed: self._proposal_failed,
            ev.CouncilEpochChanged: _nothing,
            ev.IssuerEpochChanged: _nothing,
            ev.CouncilMemberAdded: self._member_added,
            ev.CouncilMemberRemoved: self._member_removed,
            ev.ThresholdChanged: self._threshold_changed,
            ev.AuthorityRegistered: self._authority_registered,
            ev.AuthorityRemoved: self._authority_removed,
            ev.IssuerAccredited: self._accredited,
            ev.IssuerSuspended: self._suspended,
            ev.IssuerReinstated: self._reinstated,
            ev.IssuerWithdrawn: self._withdrawn,
            ev.IssuerRenewed: self._renewed,
            ev.SigningKeyRotated: self._rotated,
            ev.VcKeyChanged: self._vc_key_changed,
            ev.Anchored: self._anchored,
            ev.RootRevoked: self._root_revoked,
            ev.LeafRevoked: self._leaf_revoked,
            ev.CertificateReplaced: self._replaced,
        }

    def process_all(self, transactions: Iterable[ev.Transaction]) -> list[Finding]:
        """Judge and apply many transactions; their roots are looked up in one go first."""
        transactions = list(transactions)
        self.state.store.preload(_roots(transactions))
        findings: list[Finding] = []
        for tx in transactions:
            findings.extend(self.process(tx))
        return findings

    def process(self, tx: ev.Transaction) -> list[Finding]:
        """Judge each event of ``tx`` against the state before it, then apply it."""
        state = self.state
        findings: list[Finding] = []
        acts: list[ev.Event] = []  # council act events awaiting their ProposalExecuted
        council_before: tuple[list[str], int] | None = None
        touches_issuers = False
        for e in tx.events:
            if type(e) not in _CERTIFICATE_EVENTS:
                touches_issuers = True
                if isinstance(e, ev.COUNCIL_EVENTS):
                    if not acts:
                        council_before = (list(state.council), state.threshold)
                    acts.append(e)
                elif isinstance(e, ev.ProposalExecuted):
                    before = (
                        council_before
                        if acts and council_before
                        else (list(state.council), state.threshold)
                    )
                    findings.extend(self._execution(e, acts, before))
                    acts = []
            findings.extend(self._checks[type(e)](e, tx))
            state.apply(e)
        if acts and state.genesis_done:
            for e in acts:
                findings.append(
                    _f(
                        "council.act_without_proposal",
                        f"{e.name} happened without an executed council proposal in the same transaction",
                        e,
                        act=list(ev.act_signature(e)),
                    )
                )
        if touches_issuers:
            state.genesis_done = True  # the first IssuerRegistry transaction is its constructor
        return findings

    # ------------------------------------------------------------------ council

    def _member(
        self, account: str, e: ev.Event, role: str, council: list[str] | None = None
    ) -> Iterator[Finding]:
        if account not in (self.state.council if council is None else council):
            yield _f(
                "council.not_member",
                f"the {role} {account} was not a council member at the time",
                e,
                subject=account,
                role=role,
            )

    def _proposal_created(self, e: ev.ProposalCreated, tx: ev.Transaction) -> Iterator[Finding]:
        yield from self._member(e.proposer, e, "proposer")
        if e.proposal_id in self.state.proposals:
            yield _f(
                "council.duplicate_proposal",
                f"proposal {e.proposal_id} was created twice",
                e,
                subject=str(e.proposal_id),
            )
        elif e.proposal_id != len(self.state.proposals):
            yield _f(
                "council.proposal_out_of_order",
                f"proposal {e.proposal_id} was created where proposal {len(self.state.proposals)} was due",
                e,
                subject=str(e.proposal_id),
            )

    def _proposal_approved(self, e: ev.ProposalApproved, tx: ev.Transaction) -> Iterator[Finding]:
        p = self.state.proposals.get(e.proposal_id)
        if p is None:
            yield _f(
                "council.unknown_proposal",
                f"an approval for proposal {e.proposal_id}, which was never created",
                e,
                subject=str(e.proposal_id),
            )
            return
        yield from self._member(e.approver, e, "approver")
        if p.executed:
            yield _f(
                "council.approved_after_execution",
                f"proposal {p.id} was approved after it was executed",
                e,
                subject=str(p.id),
            )
        if e.approver in p.approvers:
            yield _f(
                "council.duplicate_approval",
                f"{e.approver} approved proposal {p.id} twice",
                e,
                subject=str(p.id),
            )
            return
        expected = self.state.approvals(p) + (1 if e.approver in self.state.council else 0)
        if e.approvals != expected:
            yield _f(
                "council.approval_count_mismatch",
                f"proposal {p.id}: the event counts {e.approvals} approvals, the members' approvals are {expected}",
                e,
                subject=str(p.id),
                reported=e.approvals,
                expected=expected,
            )

    def _proposal_executed(self, e: ev.ProposalExecuted, tx: ev.Transaction) -> Iterator[Finding]:
        p = self.state.proposals.get(e.proposal_id)
        if p is None:
            yield _f(
                "council.unknown_proposal",
                f"proposal {e.proposal_id} was executed but never created",
                e,
                subject=str(e.proposal_id),
            )
        elif p.executed:
            yield _f(
                "council.already_executed",
                f"proposal {p.id} was executed twice",
                e,
                subject=str(p.id),
                first_tx=p.executed_tx,
            )

    def _proposal_failed(self, e: ev.ProposalFailed, tx: ev.Transaction) -> Iterator[Finding]:
        p = self.state.proposals.get(e.proposal_id)
        if p is not None and p.state != "pending":
            yield _f(
                "council.already_final",
                f"proposal {p.id} failed after it was already {p.state}",
                e,
                subject=str(p.id),
            )

    def _execution(
        self, e: ev.ProposalExecuted, acts: list[ev.Event], before: tuple[list[str], int]
    ) -> Iterator[Finding]:
        """A council act: enough approvals from members at the time, and events matching its calldata."""
        p = self.state.proposals.get(e.proposal_id)
        if p is None or p.executed:
            return
        council, threshold = before
        act = ev.decode_council_act(bytes.fromhex(p.data[2:]))
        yield from self._member(e.executor, e, "executor", council)
        approvals = self.state.approvals(p, council)
        if approvals < threshold:
            yield _f(
                "council.insufficient_approvals",
                f"proposal {p.id} ({act.describe()}) was executed with {approvals} approvals from current members; "
                f"the threshold was {threshold}",
                e,
                subject=str(p.id),
                approvals=approvals,
                threshold=threshold,
                act=act.describe(),
            )
        if e.approvals != approvals:
            yield _f(
                "council.approval_count_mismatch",
                f"proposal {p.id}: the execution counts {e.approvals} approvals, the members' approvals are {approvals}",
                e,
                subject=str(p.id),
                reported=e.approvals,
                expected=approvals,
            )
        if not act.function:
            yield _f(
                "council.unknown_act",
                f"proposal {p.id} executed a call that is not a council act ({act.selector})",
                e,
                subject=str(p.id),
            )
            return
        seen = [list(ev.act_signature(a)) for a in acts]
        expected = [list(x) for x in act.expected_events()]
        if seen != expected:
            yield _f(
                "council.act_mismatch",
                f"proposal {p.id} ({act.describe()}) was executed but its events say otherwise",
                e,
                subject=str(p.id),
                expected=expected,
                seen=seen,
            )

    def _member_added(self, e: ev.CouncilMemberAdded, tx: ev.Transaction) -> Iterator[Finding]:
        if e.member in self.state.council:
            yield _f(
                "council.already_member",
                f"{e.member} was added to the council twice",
                e,
                subject=e.member,
            )

    def _member_removed(self, e: ev.CouncilMemberRemoved, tx: ev.Transaction) -> Iterator[Finding]:
        if e.member not in self.state.council:
            yield _f(
                "council.not_member",
                f"{e.member} was removed from the council but was not a member",
                e,
                subject=e.member,
                role="removed member",
            )
        elif len(self.state.council) - 1 < self.state.threshold:
            yield _f(
                "council.threshold_invalid",
                f"removing {e.member} left {len(self.state.council) - 1} members for a threshold of {self.state.threshold}",
                e,
                subject=e.member,
            )

    def _threshold_changed(self, e: ev.ThresholdChanged, tx: ev.Transaction) -> Iterator[Finding]:
        if e.previous != self.state.threshold:
            yield _f(
                "council.threshold_mismatch",
                f"the threshold changed from {e.previous}, but it was {self.state.threshold}",
                e,
                reported=e.previous,
                expected=self.state.threshold,
            )
        if not 1 <= e.new <= len(self.state.council):
            yield _f(
                "council.threshold_invalid",
                f"threshold {e.new} for a council of {len(self.state.council)}",
                e,
                threshold=e.new,
            )

    # ------------------------------------------------------------------ competent authorities

    def _authority_registered(
        self, e: ev.AuthorityRegistered, tx: ev.Transaction
    ) -> Iterator[Finding]:
        s = self.state
        if len(e.economy) != 2 or not ("A" <= e.economy[0] <= "Z" and "A" <= e.economy[1] <= "Z"):
            yield _f(
                "authority.invalid_economy",
                f"an authority was registered for the invalid economy {e.economy!r}",
                e,
                subject=e.account,
            )
        if e.economy in s.authority_of:
            yield _f(
                "authority.economy_taken",
                f"{e.economy} got a second authority {e.account} while {s.authority_of[e.economy]} was registered",
                e,
                subject=e.account,
                economy=e.economy,
            )
        if e.account in s.economy_of:
            yield _f(
                "authority.account_taken",
                f"{e.account} became authority of {e.economy} while already authority of {s.economy_of[e.account]}",
                e,
                subject=e.account,
                economy=e.economy,
            )

    def _authority_removed(self, e: ev.AuthorityRemoved, tx: ev.Transaction) -> Iterator[Finding]:
        if self.state.authority_of.get(e.economy) != e.account:
            yield _f(
                "authority.unknown",
                f"{e.account} was removed as authority of {e.economy} but was not it",
                e,
                subject=e.account,
                economy=e.economy,
            )

    # ------------------------------------------------------------------ issuing bodies

    def _by_authority(
        self,
        e: ev.Event,
        tx: ev.Transaction,
        economy: str,
        issuer_id: int | None,
        also: str | None = None,
    ) -> Iterator[Finding]:
        if tx.sender is None:
            return  # sender unknown (hand-built input): nothing to judge
        if tx.sender == also or self.state.authority_of.get(economy) == tx.sender:
            return
        yield _f(
            "issuer.act_not_by_authority",
            f"{e.name} was sent by {tx.sender}, not by the authority of {economy}"
            + (" nor the issuer's current key" if also else ""),
            e,
            issuer_id=issuer_id,
            subject=tx.sender,
            economy=economy,
        )

    def _issuer(self, e: Any) -> Any:
        return self.state.issuers.get(e.issuer_id)

    def _unknown_issuer(self, e: Any) -> Finding:
        return _f(
            "issuer.unknown",
            f"{e.name} for issuer {e.issuer_id}, which was never accredited",
            e,
            issuer_id=e.issuer_id,
        )

    def _transition(
        self, e: Any, issuer: Any, allowed: tuple[IssuerStatus, ...]
    ) -> Iterator[Finding]:
        if issuer.status not in allowed:
            yield _f(
                "issuer.invalid_transition",
                f"{e.name} for issuer {issuer.id} ({issuer.name}) while it was {issuer.status.name.lower()}",
                e,
                issuer_id=issuer.id,
                status=issuer.status.name.lower(),
            )

    def _accredited(self, e: ev.IssuerAccredited, tx: ev.Transaction) -> Iterator[Finding]:
        s = self.state
        yield from self._by_authority(e, tx, e.economy, e.issuer_id)
        if e.issuer_id in s.issuers or e.issuer_id != len(s.issuers) + 1:
            yield _f(
                "issuer.id_out_of_order",
                f"issuer {e.issuer_id} was accredited where issuer {len(s.issuers) + 1} was due",
                e,
                issuer_id=e.issuer_id,
            )
        if e.signing_key in s.keys:
            yield _f(
                "issuer.key_reused",
                f"key {e.signing_key} was given to issuer {e.issuer_id}; it already belongs to issuer {s.keys[e.signing_key].issuer_id}",
                e,
                issuer_id=e.issuer_id,
                subject=e.signing_key,
            )
        if e.valid_from >= e.valid_until or e.valid_until <= e.timestamp:
            yield _f(
                "issuer.invalid_window",
                f"issuer {e.issuer_id} was accredited for an empty or past window",
                e,
                issuer_id=e.issuer_id,
                valid_from=e.valid_from,
                valid_until=e.valid_until,
            )

    def _suspended(self, e: ev.IssuerSuspended, tx: ev.Transaction) -> Iterator[Finding]:
        issuer = self._issuer(e)
        if issuer is None:
            yield self._unknown_issuer(e)
            return
        yield from self._by_authority(e, tx, issuer.economy, issuer.id)
        yield from self._transition(e, issuer, (IssuerStatus.ACTIVE,))

    def _reinstated(self, e: ev.IssuerReinstated, tx: ev.Transaction) -> Iterator[Finding]:
        issuer = self._issuer(e)
        if issuer is None:
            yield self._unknown_issuer(e)
            return
        yield from self._by_authority(e, tx, issuer.economy, issuer.id)
        yield from self._transition(e, issuer, (IssuerStatus.SUSPENDED,))

    def _withdrawn(self, e: ev.IssuerWithdrawn, tx: ev.Transaction) -> Iterator[Finding]:
        issuer = self._issuer(e)
        if issuer is None:
            yield self._unknown_issuer(e)
            return
        yield from self._by_authority(e, tx, issuer.economy, issuer.id)
        yield from self._transition(e, issuer, (IssuerStatus.ACTIVE, IssuerStatus.SUSPENDED))
        if e.fraud:
            yield _f(
                "issuer.withdrawn_for_fraud",
                f"issuer {issuer.id} ({issuer.name}) was withdrawn for fraud: its {issuer.certificates} certificates "
                f"in {issuer.anchors} anchors are tainted, verifiers will say so",
                e,
                issuer_id=issuer.id,
                anchors=issuer.anchors,
                certificates=issuer.certificates,
            )

    def _renewed(self, e: ev.IssuerRenewed, tx: ev.Transaction) -> Iterator[Finding]:
        issuer = self._issuer(e)
        if issuer is None:
            yield self._unknown_issuer(e)
            return
        yield from self._by_authority(e, tx, issuer.economy, issuer.id)
        yield from self._transition(e, issuer, (IssuerStatus.ACTIVE, IssuerStatus.SUSPENDED))
        if issuer.valid_until <= e.timestamp:
            yield _f(
                "issuer.renewed_after_expiry",
                f"issuer {issuer.id} was renewed after its window ended, rewriting past standing",
                e,
                issuer_id=issuer.id,
                valid_until=issuer.valid_until,
            )
        if e.valid_until <= issuer.valid_until:
            yield _f(
                "issuer.invalid_window",
                f"issuer {issuer.id} was 'renewed' to an earlier or equal end",
                e,
                issuer_id=issuer.id,
                valid_until=e.valid_until,
                previous=issuer.valid_until,
            )

    def _rotated(self, e: ev.SigningKeyRotated, tx: ev.Transaction) -> Iterator[Finding]:
        issuer = self._issuer(e)
        if issuer is None:
            yield self._unknown_issuer(e)
            return
        yield from self._by_authority(e, tx, issuer.economy, issuer.id, also=issuer.signing_key)
        if e.previous_key != issuer.signing_key:
            yield _f(
                "issuer.key_mismatch",
                f"issuer {issuer.id} rotated away from {e.previous_key}, but its key was {issuer.signing_key}",
                e,
                issuer_id=issuer.id,
                subject=e.previous_key,
            )
        if e.new_key in self.state.keys:
            yield _f(
                "issuer.key_reused",
                f"key {e.new_key} was reused by issuer {issuer.id}",
                e,
                issuer_id=issuer.id,
                subject=e.new_key,
            )

    def _vc_key_changed(self, e: ev.VcKeyChanged, tx: ev.Transaction) -> Iterator[Finding]:
        """A VC key is registered by the body's current key while accredited, or by its authority
        while the body is not withdrawn nor past its window; each hash once, for one body."""
        issuer = self._issuer(e)
        if issuer is None:
            yield self._unknown_issuer(e)
            return
        yield from self._by_authority(e, tx, issuer.economy, issuer.id, also=issuer.signing_key)
        by_authority = tx.sender is not None and tx.sender == self.state.authority_of.get(
            issuer.economy
        )
        allowed = (
            (IssuerStatus.ACTIVE, IssuerStatus.SUSPENDED)
            if by_authority
            else (IssuerStatus.ACTIVE,)
        )
        if (
            issuer.status not in allowed
            or not issuer.valid_from <= e.timestamp < issuer.valid_until
        ):
            yield _f(
                "issuer.vc_key_not_in_good_standing",
                f"issuer {issuer.id} registered a VC key while {issuer.status.name.lower()}"
                " or outside its window",
                e,
                issuer_id=issuer.id,
                subject=e.new_hash,
            )
        current = issuer.vc_keys[-1] if issuer.vc_keys else "0x" + "0" * 64
        if e.previous_hash != current:
            yield _f(
                "issuer.vc_key_mismatch",
                f"issuer {issuer.id} replaced VC key {_short(e.previous_hash)}, but its key was "
                f"{_short(current)}",
                e,
                issuer_id=issuer.id,
                subject=e.previous_hash,
            )
        if e.new_hash in self.state.vc_keys:
            yield _f(
                "issuer.vc_key_reused",
                f"VC key {_short(e.new_hash)} was registered again, by issuer {issuer.id}",
                e,
                issuer_id=issuer.id,
                subject=e.new_hash,
                first_issuer=self.state.vc_keys[e.new_hash].issuer_id,
            )
        if e.epoch != issuer.epoch + 1:
            yield _f(
                "issuer.vc_key_epoch",
                f"issuer {issuer.id}'s VC key vouches from epoch {e.epoch}, not the next one "
                f"({issuer.epoch + 1})",
                e,
                issuer_id=issuer.id,
                subject=e.new_hash,
            )

    # ------------------------------------------------------------------ certificates

    def _anchored(self, e: ev.Anchored, tx: ev.Transaction) -> Iterator[Finding]:
        if e.leaf_count == 0:
            yield _f(
                "anchor.empty_batch",
                "a root was anchored for an empty batch",
                e,
                issuer_id=e.issuer_id,
                subject=e.root,
            )
        first = self.state.store.anchor(e.issuer_id, e.root)
        if first is not None:
            yield _f(
                "anchor.duplicate_root",
                f"root {_short(e.root)} was anchored twice by issuer {e.issuer_id}",
                e,
                issuer_id=e.issuer_id,
                subject=e.root,
                first_tx=first.tx_hash,
            )
        if e.leaf_count == 1:
            # A batch of one is its own leaf: the same body may have revoked or replaced that
            # leaf under another root. Lawful on chain (the revocation still holds there), but
            # re-anchoring a dead certificate is what a body hiding a revocation would try.
            earlier = self.state.store.revocation(e.issuer_id, e.root, e.root)
            if earlier is not None and earlier.root != e.root:
                yield _f(
                    "anchor.leaf_already_revoked",
                    f"issuer {e.issuer_id} anchored {_short(e.root)} again, a certificate it revoked "
                    f"under root {_short(earlier.root)} (it stays revoked)",
                    e,
                    issuer_id=e.issuer_id,
                    subject=e.root,
                    first_tx=earlier.tx_hash,
                )
        others = [a for a in self.state.store.anchors_of_root(e.root) if a.issuer_id != e.issuer_id]
        if others:
            # Legal since v2 (anchors are per body) and harmless to the first body, but a body
            # anchoring another's root is what a squatter or a copier does: say so.
            yield _f(
                "anchor.root_of_another_issuer",
                f"root {_short(e.root)} anchored by issuer {e.issuer_id} was already anchored by issuer "
                f"{others[0].issuer_id}",
                e,
                issuer_id=e.issuer_id,
                subject=e.root,
                first_issuer=others[0].issuer_id,
                first_tx=others[0].tx_hash,
            )
        issuer_id, standing = current_standing(self.state, e.signer, e.timestamp)
        if standing == Standing.UNKNOWN:
            yield _f(
                "anchor.unknown_signer",
                f"root {_short(e.root)} was signed by {e.signer}, no issuer's key",
                e,
                issuer_id=e.issuer_id,
                subject=e.root,
                signer=e.signer,
            )
            return
        if issuer_id != e.issuer_id:
            yield _f(
                "anchor.issuer_mismatch",
                f"root {_short(e.root)} is attributed to issuer {e.issuer_id}, its signer's key belongs to issuer {issuer_id}",
                e,
                issuer_id=e.issuer_id,
                subject=e.root,
                signer=e.signer,
                key_issuer=issuer_id,
            )
        if standing != Standing.ACCREDITED:
            yield _f(
                "anchor.not_accredited",
                f"root {_short(e.root)} was anchored by issuer {issuer_id} while its standing was "
                f"{standing.name.lower()}",
                e,
                issuer_id=issuer_id,
                subject=e.root,
                signer=e.signer,
                standing=standing.name.lower(),
            )

    def _revocation(self, e: Any, root: str, leaf: str | None, kind: str) -> Iterator[Finding]:
        store = self.state.store
        anchor = store.anchor(e.issuer_id, root)
        if anchor is None:
            yield _f(
                _UNKNOWN_ROOT[kind],
                f"root {_short(root)} was never anchored by issuer {e.issuer_id}",
                e,
                issuer_id=e.issuer_id,
                subject=root,
            )
            return
        allowed = (
            self.state.may_replace_for(e.by, anchor.issuer_id, e.timestamp)
            if kind == "replacement"
            else self.state.may_act_for(e.by, anchor.issuer_id)
        )
        if not allowed:
            issuer = self.state.issuers.get(anchor.issuer_id)
            yield _f(
                _NOT_ALLOWED[kind],
                f"{e.by} acted on a certificate of issuer {anchor.issuer_id}; only its current key "
                f"{issuer.signing_key if issuer else '?'} or its authority may",
                e,
                issuer_id=anchor.issuer_id,
                subject=leaf or root,
                by=e.by,
            )
        if kind == "revocation" and e.reason == 0:
            yield _f(
                "revocation.invalid_reason",
                "a revocation without a reason (code 0)",
                e,
                issuer_id=anchor.issuer_id,
                subject=leaf or root,
            )
        previous = store.revocation(anchor.issuer_id, root) or (
            store.revocation(anchor.issuer_id, root, leaf) if leaf else None
        )
        if kind == "revocation" and previous is not None:
            yield _f(
                "revocation.already_revoked",
                f"{_short(leaf or root)} was revoked again",
                e,
                issuer_id=anchor.issuer_id,
                subject=leaf or root,
                first_tx=previous.tx_hash,
            )

    def _root_revoked(self, e: ev.RootRevoked, tx: ev.Transaction) -> Iterator[Finding]:
        yield from self._revocation(e, e.root, None, "revocation")

    def _leaf_revoked(self, e: ev.LeafRevoked, tx: ev.Transaction) -> Iterator[Finding]:
        yield from self._revocation(e, e.root, e.leaf, "revocation")

    def _replaced(self, e: ev.CertificateReplaced, tx: ev.Transaction) -> Iterator[Finding]:
        store = self.state.store
        if e.old_leaf == e.new_leaf:
            yield _f(
                "replacement.cycle",
                f"certificate {_short(e.old_leaf)} was replaced by itself",
                e,
                subject=e.old_leaf,
                chain=[e.old_leaf],
            )
            return
        i = e.issuer_id
        old, new = store.anchor(i, e.old_root), store.anchor(i, e.new_root)
        if old is None or new is None:
            missing = e.old_root if old is None else e.new_root
            yield _f(
                "replacement.unknown_root",
                f"a replacement names root {_short(missing)}, never anchored by issuer {i}",
                e,
                issuer_id=i,
                subject=missing,
            )
            return
        if new.block <= old.block:
            yield _f(
                "replacement.successor_not_later",
                f"{_short(e.old_leaf)} was replaced by {_short(e.new_leaf)}, anchored no later than it",
                e,
                issuer_id=i,
                subject=e.old_leaf,
            )
        yield from self._revocation(e, e.old_root, e.old_leaf, "replacement")
        if store.revocation(i, e.old_root) or store.revocation(i, e.old_root, e.old_leaf):
            yield _f(
                "replacement.of_revoked",
                f"revoked certificate {_short(e.old_leaf)} was replaced",
                e,
                issuer_id=old.issuer_id,
                subject=e.old_leaf,
            )
        if store.revocation(i, e.new_root) or store.revocation(i, e.new_root, e.new_leaf):
            yield _f(
                "replacement.to_revoked",
                f"{_short(e.old_leaf)} was replaced by revoked {_short(e.new_leaf)}",
                e,
                issuer_id=old.issuer_id,
                subject=e.old_leaf,
            )
        first = store.replacement(i, e.old_leaf)
        if first is not None:
            yield _f(
                "replacement.fork",
                f"certificate {_short(e.old_leaf)} was replaced twice: by {_short(first.new_leaf)} and by {_short(e.new_leaf)}",
                e,
                issuer_id=old.issuer_id,
                subject=e.old_leaf,
                first_tx=first.tx_hash,
            )
        if store.replaced_by(i, e.new_leaf):
            yield _f(
                "replacement.merge",
                f"certificate {_short(e.new_leaf)} now replaces more than one certificate",
                e,
                issuer_id=old.issuer_id,
                subject=e.new_leaf,
            )
        chain = self._chain_from(i, e.new_leaf, stop=e.old_leaf)
        if chain and chain[-1] == e.old_leaf:
            yield _f(
                "replacement.cycle",
                f"replacing {_short(e.old_leaf)} by {_short(e.new_leaf)} closes a cycle of {len(chain)} certificates",
                e,
                issuer_id=old.issuer_id,
                subject=e.old_leaf,
                chain=chain,
            )
        elif store.replacement(i, e.new_leaf) is not None:
            yield _f(
                "replacement.to_superseded",
                f"{_short(e.old_leaf)} was replaced by {_short(e.new_leaf)}, which had itself been replaced",
                e,
                issuer_id=old.issuer_id,
                subject=e.old_leaf,
            )

    def _chain_from(self, issuer_id: int, leaf: str, *, stop: str) -> list[str]:
        """Leaves of one body met following successors from ``leaf``, ending at ``stop`` if met."""
        chain, seen = [leaf], {leaf}
        for _ in range(_MAX_CHAIN):
            nxt = self.state.store.replacement(issuer_id, leaf)
            if nxt is None:
                return chain
            leaf = nxt.new_leaf
            chain.append(leaf)
            if leaf == stop or leaf in seen:
                return chain
            seen.add(leaf)
        return chain


def lapsed_accreditations(state: LedgerState, since: int, until: int) -> list[Finding]:
    """Issuers whose window ended in ``(since, until]`` without a renewal or withdrawal."""
    out = []
    for issuer in state.issuers.values():
        if (
            issuer.status in (IssuerStatus.ACTIVE, IssuerStatus.SUSPENDED)
            and since < issuer.valid_until <= until
        ):
            out.append(
                finding(
                    "issuer.accreditation_lapsed",
                    f"the accreditation of issuer {issuer.id} ({issuer.name}, {issuer.economy}) lapsed on "
                    f"{utc(issuer.valid_until)} without renewal or withdrawal; it can no longer anchor",
                    tx_hash=issuer.window_tx,
                    block=None,
                    issuer_id=issuer.id,
                    subject=issuer.signing_key,
                    details={"valid_until": issuer.valid_until},
                )
            )
    return out


def audit_transactions(
    transactions: Iterable[ev.Transaction], store: Store | None = None
) -> tuple[LedgerState, list[Finding]]:
    """Rebuild the state from ``transactions`` and judge each one: the pure core of a replay."""
    state = LedgerState(store or Store(":memory:"))
    return state, Auditor(state).process_all(transactions)
