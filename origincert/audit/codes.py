"""Every finding code an audit can report: its severity, a title and what it means.

Codes are stable (``<kind>.<what>``): schedulers, dashboards and ``--fail-on`` key on them. A
finding is only ever made from a code in :data:`FINDINGS` (``Finding`` refuses any other), and its
severity is the table's, so the same anomaly always weighs the same. ``docs/FINDINGS.md`` lists
the table for people; a test keeps the two equal and every code in use.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["FINDINGS", "FindingCode", "Severity"]


class Severity(enum.IntEnum):
    """Ordered, so ``--fail-on warning`` means warning or worse."""

    INFO = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True, slots=True)
class FindingCode:
    severity: Severity
    title: str  # a few words, for tables and charts
    explanation: str  # what it means and what to look at, for the reader of a report


_C, _W, _I = Severity.CRITICAL, Severity.WARNING, Severity.INFO


def _c(severity: Severity, title: str, explanation: str) -> FindingCode:
    return FindingCode(severity, title, explanation)


FINDINGS: dict[str, FindingCode] = {
    # anchors
    "anchor.empty_batch": _c(
        _C, "Empty batch anchored", "A root was anchored for zero certificates, which the contract refuses."
    ),
    "anchor.duplicate_root": _c(
        _C, "Root anchored twice", "The same issuer anchored the same root twice; the contract refuses a second anchoring."
    ),
    "anchor.leaf_already_revoked": _c(
        _W, "Revoked certificate anchored again", "An issuer anchored a certificate it had revoked under another root; it stays revoked."
    ),
    "anchor.root_of_another_issuer": _c(
        _W, "Root anchored by two issuers", "A root another issuing body already anchored was anchored again; each body's anchor counts only for its own certificates."
    ),
    "anchor.unknown_signer": _c(
        _C, "Anchor signed by an unknown key", "The anchor's signature recovers a key no issuing body ever held."
    ),
    "anchor.issuer_mismatch": _c(
        _C, "Anchor attributed to another issuer", "The anchor names one issuing body, its signing key belongs to another."
    ),
    "anchor.not_accredited": _c(
        _C, "Anchor by an unaccredited issuer", "The signing body was not accredited at the anchor's block; its certificates must not verify."
    ),
    # revocations
    "revocation.unknown_root": _c(
        _C, "Revocation of an unknown root", "A revocation names a root the issuer never anchored."
    ),
    "revocation.not_allowed": _c(
        _C, "Revocation by the wrong party", "Only the issuer's current key or its competent authority may revoke its certificates."
    ),
    "revocation.invalid_reason": _c(
        _C, "Revocation without a reason", "A revocation carries reason code 0, which the contract refuses."
    ),
    "revocation.already_revoked": _c(
        _C, "Revoked twice", "A certificate or batch already revoked was revoked again."
    ),
    # replacements
    "replacement.unknown_root": _c(
        _C, "Replacement of an unknown root", "A replacement names a root (old or new) the issuer never anchored."
    ),
    "replacement.not_allowed": _c(
        _C, "Replacement by the wrong party", "Only the issuer's key of the time or its competent authority may replace its certificates."
    ),
    "replacement.cycle": _c(
        _C, "Replacement cycle", "Following replacements leads back to a certificate already in the chain."
    ),
    "replacement.successor_not_later": _c(
        _C, "Successor not later", "A certificate was replaced by one anchored no later than itself."
    ),
    "replacement.of_revoked": _c(
        _C, "Revoked certificate replaced", "A revoked certificate is never replaced; the contract refuses it."
    ),
    "replacement.to_revoked": _c(
        _C, "Replaced by a revoked certificate", "The successor named by a replacement was already revoked."
    ),
    "replacement.fork": _c(
        _C, "Certificate replaced twice", "One certificate has two successors; a holder could present either."
    ),
    "replacement.merge": _c(
        _W, "One successor for several certificates", "A certificate replaces more than one; lawful for a consolidation, worth a look."
    ),
    "replacement.to_superseded": _c(
        _W, "Replaced by a superseded certificate", "The successor had itself been replaced already."
    ),
    # the council
    "council.act_without_proposal": _c(
        _C, "Council act without a proposal", "A council-only change happened without an executed proposal in the same transaction."
    ),
    "council.not_member": _c(
        _C, "Not a council member", "A proposer, approver or removed member was not on the council at the time."
    ),
    "council.duplicate_proposal": _c(
        _C, "Proposal created twice", "The same proposal id was created twice."
    ),
    "council.proposal_out_of_order": _c(
        _C, "Proposal id out of order", "A proposal was created with an id other than the next one."
    ),
    "council.unknown_proposal": _c(
        _C, "Unknown proposal", "A proposal was approved or executed that was never created."
    ),
    "council.approved_after_execution": _c(
        _C, "Approval after execution", "A proposal was approved after it had been executed."
    ),
    "council.duplicate_approval": _c(
        _C, "Approved twice", "A member approved the same proposal twice."
    ),
    "council.approval_count_mismatch": _c(
        _C, "Approval count differs", "An event's approval count differs from the approvals the members gave."
    ),
    "council.already_executed": _c(
        _C, "Proposal executed twice", "A proposal was executed a second time."
    ),
    "council.already_final": _c(
        _C, "Final proposal failed again", "A proposal already executed, failed or cancelled was reported failed."
    ),
    "council.insufficient_approvals": _c(
        _C, "Too few approvals", "A proposal was executed with fewer approvals from current members than the threshold."
    ),
    "council.unknown_act": _c(
        _W, "Unknown council call", "A proposal executed a call that is not one of the council's acts."
    ),
    "council.act_mismatch": _c(
        _C, "Executed act differs", "The events of an executed proposal do not show the act it proposed."
    ),
    "council.already_member": _c(
        _C, "Member added twice", "An account already on the council was added again."
    ),
    "council.threshold_mismatch": _c(
        _C, "Threshold history differs", "A threshold change names a previous threshold other than the one in force."
    ),
    "council.threshold_invalid": _c(
        _C, "Impossible threshold", "The threshold is zero or larger than the council."
    ),
    # competent authorities
    "authority.invalid_economy": _c(
        _C, "Invalid economy", "An authority was registered for an economy code that is not two capital letters."
    ),
    "authority.economy_taken": _c(
        _C, "Economy with two authorities", "An economy got a second competent authority while one was registered."
    ),
    "authority.account_taken": _c(
        _C, "Account authority twice", "An account became the authority of a second economy."
    ),
    "authority.unknown": _c(
        _C, "Removal of a non-authority", "An account was removed as an economy's authority but was not it."
    ),
    # issuing bodies
    "issuer.act_not_by_authority": _c(
        _C, "Issuer act by the wrong party", "An act on an issuing body was sent by neither its economy's authority nor, where allowed, the body's current key."
    ),
    "issuer.unknown": _c(
        _C, "Unknown issuer", "An act names an issuing body that was never accredited."
    ),
    "issuer.invalid_transition": _c(
        _C, "Impossible status change", "An issuing body's status changed in a way the contract forbids (e.g. reinstated after withdrawal)."
    ),
    "issuer.id_out_of_order": _c(
        _C, "Issuer id out of order", "An issuing body was accredited with an id other than the next one."
    ),
    "issuer.key_reused": _c(
        _C, "Signing key reused", "A signing key was given to a body that another body (or an earlier period) already held."
    ),
    "issuer.invalid_window": _c(
        _C, "Invalid accreditation window", "An accreditation or renewal names an empty, past or shortened window."
    ),
    "issuer.withdrawn_for_fraud": _c(
        _W, "Withdrawn for fraud", "Every certificate the body anchored is tainted; verifiers refuse them."
    ),
    "issuer.renewed_after_expiry": _c(
        _C, "Renewed after expiry", "A renewal after the window ended would rewrite past standing."
    ),
    "issuer.key_mismatch": _c(
        _C, "Key rotation from the wrong key", "A key rotation names a previous key other than the body's current one."
    ),
    "issuer.accreditation_lapsed": _c(
        _W, "Accreditation lapsed", "A body's window ended without renewal or withdrawal; it can no longer anchor."
    ),
    "issuer.vc_key_not_in_good_standing": _c(
        _C, "VC key registered out of standing", "A VC key was registered while the body was not accredited (or outside its window), which the contract refuses."
    ),
    "issuer.vc_key_mismatch": _c(
        _C, "VC key change from the wrong key", "A VC key change names a previous VC key other than the body's current one."
    ),
    "issuer.vc_key_reused": _c(
        _C, "VC key registered twice", "A VC key hash already registered (by this or another body) was registered again; each key vouches for one body."
    ),
    "issuer.vc_key_epoch": _c(
        _C, "VC key out of epoch order", "A VC key change does not move the body's epoch to the next one, so anchors could not name the key that vouched for them."
    ),
    # the ledger itself
    "ledger.missing_block": _c(
        _C, "Missing block", "The node's headers skip a block number."
    ),
    "ledger.broken_link": _c(
        _C, "Broken parent link", "A block does not name the previous block as its parent: a forged or mixed history."
    ),
    "ledger.time_went_back": _c(
        _C, "Time went back", "A block is dated before its parent."
    ),
    "ledger.log_block_mismatch": _c(
        _C, "Log in a block the node does not serve", "A log claims a block hash other than the block the node serves at that height."
    ),
    "ledger.removed_log": _c(
        _W, "Removed log", "The node served a log marked removed (a reorganisation); it is not counted."
    ),
    "ledger.unknown_event": _c(
        _W, "Unknown event", "A registry emitted a log the shipped ABI does not know."
    ),
    "ledger.history_rewritten": _c(
        _C, "History rewritten", "A block the last audit saw has another hash now; the audit starts over from the deployment."
    ),
    # the events against the contracts' views
    "crosscheck.council_mismatch": _c(
        _C, "Council differs", "The council rebuilt from the events is not the contract's."
    ),
    "crosscheck.threshold_mismatch": _c(
        _C, "Threshold differs", "The threshold rebuilt from the events is not the contract's."
    ),
    "crosscheck.proposal_mismatch": _c(
        _C, "Proposal differs", "A proposal (or their count) rebuilt from the events is not the contract's."
    ),
    "crosscheck.issuer_mismatch": _c(
        _C, "Issuer differs", "An issuing body (or their count) rebuilt from the events is not the contract's."
    ),
    "crosscheck.authority_mismatch": _c(
        _C, "Authority differs", "An economy's authority rebuilt from the events is not the contract's."
    ),
    "crosscheck.key_mismatch": _c(
        _C, "Key record differs", "A signing key's holder or period rebuilt from the events is not the contract's."
    ),
    "crosscheck.status_history_mismatch": _c(
        _C, "Status history differs", "An issuing body's status at a past moment differs between the events and the contract."
    ),
    "crosscheck.standing_mismatch": _c(
        _C, "Standing differs", "A key's standing at a past moment differs between the events and the contract."
    ),
    "crosscheck.anchor_mismatch": _c(
        _C, "Anchor differs", "An anchor's record (issuer, time, revocation) differs between the events and the contract."
    ),
    "crosscheck.certificate_mismatch": _c(
        _C, "Certificate status differs", "A certificate's revocation or replacement differs between the events and the contract."
    ),
    "crosscheck.vc_key_mismatch": _c(
        _C, "VC key record differs", "A VC key's holder or epochs rebuilt from the events is not the contract's."
    ),
    "crosscheck.vc_key_at_mismatch": _c(
        _C, "Current VC key differs", "The VC key a body holds at its current epoch differs between the events and the contract."
    ),
    "crosscheck.hidden_anchor": _c(
        _C, "Anchor hidden from the logs", "The contract holds an anchor the node's logs never showed: the node hides history."
    ),
    # archives and journals against the ledger
    "reconciliation.unreadable_file": _c(
        _W, "Unreadable file", "An archived file cannot be read as an issued certificate file."
    ),
    "reconciliation.leaf_mismatch": _c(
        _C, "Leaf does not match", "A file's target hash does not give its leaf: the file was altered."
    ),
    "reconciliation.proof_mismatch": _c(
        _C, "Proof does not reach the root", "A file's Merkle proof does not lead from its leaf to its root."
    ),
    "reconciliation.wrong_network": _c(
        _C, "Another ledger's file", "A file names another chain or registry than the audited one."
    ),
    "reconciliation.duplicate_number": _c(
        _C, "Number used twice", "Two different certificates of one issuing body carry the same number: one number covers two consignments."
    ),
    "reconciliation.not_anchored": _c(
        _C, "Issued but not anchored", "A file archived as issued has a root the ledger does not hold."
    ),
    "reconciliation.journal_pending": _c(
        _I, "Journal batch pending", "A journal batch is not on the ledger yet (prepared, signed or submitted)."
    ),
    "reconciliation.journal_behind": _c(
        _W, "Journal behind the ledger", "A batch is anchored but the journal has not recorded it: resume the issuer so it writes the files."
    ),
    "reconciliation.wrong_issuer": _c(
        _C, "Anchored by another issuer", "A file's signer belongs to one body, its root was anchored by another."
    ),
    "reconciliation.signer_mismatch": _c(
        _W, "Signer differs", "A file names another signer than the one whose signature the anchor carries."
    ),
    "reconciliation.batch_size_mismatch": _c(
        _W, "Batch size differs", "A file's batch size is not the anchor's leaf count."
    ),
    "reconciliation.tx_mismatch": _c(
        _I, "Transaction differs", "A file names another transaction than the one that anchored its root (a resent transaction)."
    ),
    "reconciliation.anchor_not_archived": _c(
        _C, "Anchor not archived", "The issuer anchored a root no archived certificate accounts for."
    ),
    "reconciliation.batch_incomplete": _c(
        _W, "Batch incomplete in the archive", "The archive holds fewer certificates of a batch than were anchored."
    ),
    # published status lists against the ledger
    "status_list.unreadable": _c(
        _C, "Status list unreadable", "A published status list file cannot be read, or shares its URL with another list."
    ),
    "status_list.untrusted": _c(
        _C, "Status list not signed by the issuer", "A published status list is not signed by a trusted VC key of its issuer, so nothing in it can be relied on."
    ),
    "status_list.issuer_unknown": _c(
        _W, "Status list of an unknown issuer", "A status list's issuer names no single issuing body's ledger account, so it cannot be checked against the ledger."
    ),
    "status_list.revocation_missing": _c(
        _C, "Revocation missing from the status list", "A certificate revoked or replaced on the ledger is shown active in the published list: outsiders would accept it."
    ),
    "status_list.revoked_without_event": _c(
        _W, "Revoked in the list only", "A status list shows a certificate revoked that no ledger event revokes or replaces."
    ),
    "status_list.stale": _c(
        _W, "Status list stale", "A status list dates from before its issuer's newest revocation, replacement or withdrawal."
    ),
    "status_list.leaf_unplaced": _c(
        _W, "Revoked certificate not placed", "A certificate revoked on the ledger has no position in any given archive, so its bit cannot be checked."
    ),
    "status_list.unchecked": _c(
        _W, "Status list not checked", "A status list could not be compared with the ledger's events (for example a revoked root outside the body's anchors)."
    ),
    # patterns worth a human look
    "pattern.volume_spike": _c(
        _W, "Volume spike", "A body issued far more certificates in a day than it usually does."
    ),
    "pattern.revocation_burst": _c(
        _W, "Revocation burst", "Many of a body's certificates were revoked within an hour."
    ),
    "pattern.off_hours": _c(
        _I, "Anchoring off hours", "A body anchored at hours it almost never works."
    ),
    "pattern.retroactive_share": _c(
        _W, "Many retroactive certificates", "A large share of a body's archived certificates were issued retroactively."
    ),
}  # fmt: skip
