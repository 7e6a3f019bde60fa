"""The ledger's state rebuilt from its events alone, without asking the contracts.

:class:`LedgerState` applies decoded events in ledger order: council and threshold, proposals,
competent authorities, issuing bodies with their status history, windows and keys, and the
per-issuer aggregates the patterns need. Anchors, revocations and replacements go to the
:class:`~origincert.audit.store.Store`. ``apply`` never judges; :mod:`origincert.audit.rules`
judges each event against the state *before* it is applied. The small part (everything but the
store) round-trips through JSON for checkpoints.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from origincert.audit import events as ev
from origincert.audit.store import Store
from origincert.governance import IssuerStatus, Standing

__all__ = [
    "IssuerRecord",
    "KeyRecord",
    "LedgerState",
    "Proposal",
    "VcKeyEntry",
    "current_standing",
    "standing_at",
    "status_at",
]

DAY = 86_400
HOUR = 3_600


@dataclass
class KeyRecord:
    key: str
    issuer_id: int
    active_from: int
    retired_at: int | None = None


@dataclass
class VcKeyEntry:
    """A VC key hash and the epochs of its body it vouched for: ``[from_epoch, until_epoch)``."""

    key_hash: str
    issuer_id: int
    from_epoch: int
    since: int
    until_epoch: int = 0  # 0: in use
    retired_at: int = 0


@dataclass
class IssuerRecord:
    id: int
    economy: str
    name: str
    metadata_hash: str
    signing_key: str
    status: IssuerStatus
    status_since: int
    valid_from: int
    valid_until: int
    accredited_block: int
    accredited_tx: str
    window_tx: str  # the transaction that last set the window (accreditation or renewal)
    # (timestamp, status), one entry per timestamp (the last status of that time), like Checkpoints
    status_history: list[tuple[int, int]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # accreditation history for people
    anchors: int = 0
    certificates: int = 0
    revocations: int = 0
    epoch: int = 0  # from IssuerEpochChanged: what an anchor at this log position must have signed
    vc_keys: list[str] = field(default_factory=list)  # VC key hashes, oldest first

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["status"] = int(self.status)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> IssuerRecord:
        d = dict(d)
        d["status"] = IssuerStatus(d["status"])
        d["status_history"] = [tuple(x) for x in d["status_history"]]
        return cls(**d)


@dataclass
class Proposal:
    id: int
    proposer: str
    data: str
    act: str  # what the calldata does, for people
    created_block: int
    created_tx: str
    approvers: list[str] = field(default_factory=list)
    executed: bool = False
    executed_block: int | None = None
    executed_tx: str | None = None
    state: str = "pending"  # pending, executed, failed, cancelled (the last three are final)
    expires_at: int = 0
    council_epoch: int = 0


class LedgerState:
    """Everything the registries' events say, as of the last applied event."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.council: list[str] = []  # in joining order
        self.threshold = 0
        self.council_epoch = 0
        self.genesis_done = False
        self.proposals: dict[int, Proposal] = {}
        self.authority_of: dict[str, str] = {}  # economy -> account
        self.economy_of: dict[str, str] = {}  # account -> economy
        self.authority_history: list[dict[str, Any]] = []
        self.issuers: dict[int, IssuerRecord] = {}
        self.keys: dict[str, KeyRecord] = {}
        self.vc_keys: dict[str, VcKeyEntry] = {}  # VC key hash -> its record
        # Aggregates for the patterns: small (issuers x days), never per anchor.
        self.daily: dict[int, dict[int, list[int]]] = {}  # issuer -> day -> [anchors, certificates]
        self.hours: dict[int, list[int]] = {}  # issuer -> anchors per UTC hour of day
        self.revocation_hours: dict[int, dict[int, int]] = {}  # issuer -> hour index -> revocations
        self.revocation_reasons: dict[int, int] = {}
        self.event_counts: dict[str, int] = {}
        self.anchors = 0
        self.certificates = 0
        self.revocations = 0
        self.replacements = 0
        self._apply: dict[type, Callable[[Any], None]] = {
            ev.ProposalCreated: self._proposal_created,
            ev.ProposalApproved: self._proposal_approved,
            ev.ProposalExecuted: self._proposal_executed,
            ev.ApprovalWithdrawn: self._approval_withdrawn,
            ev.ProposalCancelled: lambda e: self._proposal_final(e, "cancelled"),
            ev.ProposalFailed: lambda e: self._proposal_final(e, "failed"),
            ev.CouncilEpochChanged: self._council_epoch,
            ev.IssuerEpochChanged: self._issuer_epoch,
            ev.CouncilMemberAdded: self._member_added,
            ev.CouncilMemberRemoved: self._member_removed,
            ev.ThresholdChanged: self._threshold_changed,
            ev.AuthorityRegistered: self._authority_registered,
            ev.AuthorityRemoved: self._authority_removed,
            ev.IssuerAccredited: self._accredited,
            ev.IssuerSuspended: lambda e: self._set_status(
                e, IssuerStatus.SUSPENDED, {"reason": e.reason}
            ),
            ev.IssuerReinstated: lambda e: self._set_status(e, IssuerStatus.ACTIVE, {}),
            ev.IssuerWithdrawn: lambda e: self._set_status(
                e,
                IssuerStatus.WITHDRAWN_FOR_FRAUD if e.fraud else IssuerStatus.WITHDRAWN,
                {"fraud": e.fraud},
            ),
            ev.IssuerRenewed: self._renewed,
            ev.SigningKeyRotated: self._rotated,
            ev.VcKeyChanged: self._vc_key_changed,
            ev.Anchored: self._anchored,
            ev.RootRevoked: self._root_revoked,
            ev.LeafRevoked: self._leaf_revoked,
            ev.CertificateReplaced: self._replaced,
        }

    # ------------------------------------------------------------------ applying

    def apply(self, event: ev.Event) -> None:
        """Apply one event as the contract would have; inconsistent events are applied as best can."""
        self.event_counts[event.name] = self.event_counts.get(event.name, 0) + 1
        self._apply[type(event)](event)

    def _proposal_created(self, e: ev.ProposalCreated) -> None:
        self.proposals.setdefault(
            e.proposal_id,
            Proposal(
                e.proposal_id,
                e.proposer,
                "0x" + e.data.hex(),
                ev.decode_council_act(e.data).describe(),
                e.block,
                e.tx_hash,
                expires_at=e.expires_at,
                council_epoch=e.council_epoch,
            ),
        )

    def _proposal_approved(self, e: ev.ProposalApproved) -> None:
        p = self.proposals.get(e.proposal_id)
        if p is not None and e.approver not in p.approvers:
            p.approvers.append(e.approver)

    def _proposal_executed(self, e: ev.ProposalExecuted) -> None:
        p = self.proposals.get(e.proposal_id)
        if p is not None and not p.executed:
            p.executed, p.executed_block, p.executed_tx = True, e.block, e.tx_hash
            p.state = "executed"

    def _approval_withdrawn(self, e: ev.ApprovalWithdrawn) -> None:
        p = self.proposals.get(e.proposal_id)
        if p is not None and e.approver in p.approvers:
            p.approvers.remove(e.approver)

    def _proposal_final(self, e: Any, state: str) -> None:
        p = self.proposals.get(e.proposal_id)
        if p is not None and p.state == "pending":
            p.state, p.executed_block, p.executed_tx = state, e.block, e.tx_hash

    def _council_epoch(self, e: ev.CouncilEpochChanged) -> None:
        self.council_epoch = e.epoch

    def _issuer_epoch(self, e: ev.IssuerEpochChanged) -> None:
        issuer = self.issuers.get(e.issuer_id)
        if issuer is not None:
            issuer.epoch = e.epoch

    def _member_added(self, e: ev.CouncilMemberAdded) -> None:
        if e.member not in self.council:
            self.council.append(e.member)

    def _member_removed(self, e: ev.CouncilMemberRemoved) -> None:
        if e.member in self.council:
            self.council.remove(e.member)

    def _threshold_changed(self, e: ev.ThresholdChanged) -> None:
        self.threshold = e.new

    def _authority_registered(self, e: ev.AuthorityRegistered) -> None:
        self.authority_of[e.economy] = e.account
        self.economy_of[e.account] = e.economy
        self.authority_history.append(
            {
                "economy": e.economy,
                "account": e.account,
                "name": e.authority_name,
                "registered_block": e.block,
                "registered_tx": e.tx_hash,
                "removed_block": None,
            }
        )

    def _authority_removed(self, e: ev.AuthorityRemoved) -> None:
        if self.authority_of.get(e.economy) == e.account:
            del self.authority_of[e.economy]
        if self.economy_of.get(e.account) == e.economy:
            del self.economy_of[e.account]
        for a in reversed(self.authority_history):
            if (
                a["economy"] == e.economy
                and a["account"] == e.account
                and a["removed_block"] is None
            ):
                a["removed_block"] = e.block
                break

    def _accredited(self, e: ev.IssuerAccredited) -> None:
        if e.issuer_id in self.issuers:
            return
        self.issuers[e.issuer_id] = IssuerRecord(
            id=e.issuer_id,
            economy=e.economy,
            name=e.issuer_name,
            metadata_hash=e.metadata_hash,
            signing_key=e.signing_key,
            status=IssuerStatus.ACTIVE,
            status_since=e.timestamp,
            valid_from=e.valid_from,
            valid_until=e.valid_until,
            accredited_block=e.block,
            accredited_tx=e.tx_hash,
            window_tx=e.tx_hash,
            status_history=[(e.timestamp, int(IssuerStatus.ACTIVE))],
            keys=[e.signing_key],
            events=[_history(e, "accredited", valid_from=e.valid_from, valid_until=e.valid_until)],
        )
        self.keys.setdefault(e.signing_key, KeyRecord(e.signing_key, e.issuer_id, e.timestamp))

    def _set_status(self, e: Any, status: IssuerStatus, extra: dict[str, Any]) -> None:
        issuer = self.issuers.get(e.issuer_id)
        if issuer is None:
            return
        issuer.status, issuer.status_since = status, e.timestamp
        hist = issuer.status_history
        if (
            hist and hist[-1][0] == e.timestamp
        ):  # like Checkpoints: one value per timestamp, the last wins
            hist[-1] = (e.timestamp, int(status))
        else:
            hist.append((e.timestamp, int(status)))
        issuer.events.append(_history(e, status.name.lower(), **extra))

    def _renewed(self, e: ev.IssuerRenewed) -> None:
        issuer = self.issuers.get(e.issuer_id)
        if issuer is not None:
            issuer.valid_until, issuer.window_tx = e.valid_until, e.tx_hash
            issuer.events.append(_history(e, "renewed", valid_until=e.valid_until))

    def _rotated(self, e: ev.SigningKeyRotated) -> None:
        issuer = self.issuers.get(e.issuer_id)
        if issuer is None:
            return
        old = self.keys.get(issuer.signing_key)
        if old is not None and old.retired_at is None:
            old.retired_at = e.timestamp
        issuer.signing_key = e.new_key
        issuer.keys.append(e.new_key)
        self.keys.setdefault(e.new_key, KeyRecord(e.new_key, e.issuer_id, e.timestamp))
        issuer.events.append(
            _history(e, "key_rotated", previous_key=e.previous_key, new_key=e.new_key)
        )

    def _vc_key_changed(self, e: ev.VcKeyChanged) -> None:
        issuer = self.issuers.get(e.issuer_id)
        if issuer is None or e.new_hash in self.vc_keys:
            return  # as the contract would refuse it (the rules report it)
        if issuer.vc_keys:
            old = self.vc_keys[issuer.vc_keys[-1]]
            old.until_epoch, old.retired_at = e.epoch, e.timestamp
        issuer.vc_keys.append(e.new_hash)
        self.vc_keys[e.new_hash] = VcKeyEntry(e.new_hash, e.issuer_id, e.epoch, e.timestamp)
        issuer.events.append(
            _history(e, "vc_key_changed", previous_hash=e.previous_hash, new_hash=e.new_hash)
        )

    def vc_key_at(self, issuer_id: int, epoch: int) -> str:
        """The VC key hash ``issuer_id`` had registered at ``epoch`` (zero hash if none), as
        ``IssuerRegistry.vcKeyAt`` answers it."""
        issuer = self.issuers.get(issuer_id)
        found = "0x" + "0" * 64
        for key_hash in issuer.vc_keys if issuer is not None else []:
            if self.vc_keys[key_hash].from_epoch <= epoch:
                found = key_hash
        return found

    def _anchored(self, e: ev.Anchored) -> None:
        body = self.issuers.get(e.issuer_id)
        epoch = body.epoch if body is not None else 0
        if not self.store.add_anchor(
            e.root, e.issuer_id, e.signer, e.leaf_count, e.block, e.timestamp, e.tx_hash, epoch
        ):
            return  # a body's duplicate root keeps its first anchor, as the contract would
        self.anchors += 1
        self.certificates += e.leaf_count
        issuer = self.issuers.get(e.issuer_id)
        if issuer is not None:
            issuer.anchors += 1
            issuer.certificates += e.leaf_count
        day = self.daily.setdefault(e.issuer_id, {}).setdefault(e.timestamp // DAY, [0, 0])
        day[0] += 1
        day[1] += e.leaf_count
        hours = self.hours.get(e.issuer_id)
        if hours is None:
            hours = self.hours[e.issuer_id] = [0] * 24
        hours[(e.timestamp % DAY) // HOUR] += 1

    def _revoked(self, e: Any, root: str, leaf: str | None, issuer_id: int) -> None:
        if not self.store.add_revocation(
            root, leaf, issuer_id, e.by, e.reason, e.block, e.timestamp, e.tx_hash
        ):
            return
        self.revocations += 1
        self.revocation_reasons[e.reason] = self.revocation_reasons.get(e.reason, 0) + 1
        issuer = self.issuers.get(issuer_id)
        if issuer is not None:
            issuer.revocations += 1
        hours = self.revocation_hours.setdefault(issuer_id, {})
        hours[e.timestamp // HOUR] = hours.get(e.timestamp // HOUR, 0) + 1

    def _root_revoked(self, e: ev.RootRevoked) -> None:
        self._revoked(e, e.root, None, e.issuer_id)

    def _leaf_revoked(self, e: ev.LeafRevoked) -> None:
        self._revoked(e, e.root, e.leaf, e.issuer_id)

    def _replaced(self, e: ev.CertificateReplaced) -> None:
        issuer_id = e.issuer_id
        if self.store.add_replacement(
            e.old_root,
            e.old_leaf,
            e.new_root,
            e.new_leaf,
            issuer_id,
            e.by,
            e.block,
            e.timestamp,
            e.tx_hash,
        ):
            self.replacements += 1

    # ------------------------------------------------------------------ queries the rules share

    def may_act_for(self, account: str, issuer_id: int) -> bool:
        """The contract's ``canActFor``: the issuer's current key or its economy's authority."""
        issuer = self.issuers.get(issuer_id)
        if issuer is None:
            return False
        return account == issuer.signing_key or self.authority_of.get(issuer.economy) == account

    def may_replace_for(self, account: str, issuer_id: int, t: int) -> bool:
        """The contract's ``canReplaceFor``: the authority, or the current key while accredited."""
        issuer = self.issuers.get(issuer_id)
        if issuer is None:
            return False
        if self.authority_of.get(issuer.economy) == account:
            return True
        return account == issuer.signing_key and (
            _standing(issuer.status, issuer.valid_from, issuer.valid_until, t)
            is Standing.ACCREDITED
        )

    def approvals(self, proposal: Proposal, council: list[str] | None = None) -> int:
        """Approvals that count: none once a council change opened a new epoch (the proposal is
        stale), else those of current council members (as the contract counts them)."""
        if proposal.council_epoch != self.council_epoch and council is None:
            return 0
        members = set(self.council if council is None else council)
        return sum(1 for a in proposal.approvers if a in members)

    # ------------------------------------------------------------------ checkpoints

    def to_json(self) -> dict[str, Any]:
        return {
            "council": self.council,
            "threshold": self.threshold,
            "council_epoch": self.council_epoch,
            "genesis_done": self.genesis_done,
            "proposals": [p.__dict__ for p in self.proposals.values()],
            "authority_of": self.authority_of,
            "authority_history": self.authority_history,
            "issuers": [i.to_json() for i in self.issuers.values()],
            "keys": [k.__dict__ for k in self.keys.values()],
            "vc_keys": [v.__dict__ for v in self.vc_keys.values()],
            "daily": {
                str(i): {str(d): v for d, v in days.items()} for i, days in self.daily.items()
            },
            "hours": {str(i): h for i, h in self.hours.items()},
            "revocation_hours": {
                str(i): {str(h): n for h, n in hs.items()}
                for i, hs in self.revocation_hours.items()
            },
            "revocation_reasons": {str(r): n for r, n in self.revocation_reasons.items()},
            "event_counts": self.event_counts,
            "totals": [self.anchors, self.certificates, self.revocations, self.replacements],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], store: Store) -> LedgerState:
        s = cls(store)
        s.council = list(data["council"])
        s.threshold = int(data["threshold"])
        s.council_epoch = int(data.get("council_epoch", 0))
        s.genesis_done = bool(data["genesis_done"])
        s.proposals = {p["id"]: Proposal(**p) for p in data["proposals"]}
        s.authority_of = dict(data["authority_of"])
        s.economy_of = {a: e for e, a in s.authority_of.items()}
        s.authority_history = list(data["authority_history"])
        s.issuers = {i["id"]: IssuerRecord.from_json(i) for i in data["issuers"]}
        s.keys = {k["key"]: KeyRecord(**k) for k in data["keys"]}
        s.vc_keys = {v["key_hash"]: VcKeyEntry(**v) for v in data.get("vc_keys", [])}
        s.daily = {
            int(i): {int(d): list(v) for d, v in days.items()} for i, days in data["daily"].items()
        }
        s.hours = {int(i): list(h) for i, h in data["hours"].items()}
        s.revocation_hours = {
            int(i): {int(h): n for h, n in hs.items()} for i, hs in data["revocation_hours"].items()
        }
        s.revocation_reasons = {int(r): n for r, n in data["revocation_reasons"].items()}
        s.event_counts = dict(data["event_counts"])
        s.anchors, s.certificates, s.revocations, s.replacements = data["totals"]
        return s


def _history(e: ev.Event, what: str, **extra: Any) -> dict[str, Any]:
    return {"what": what, "block": e.block, "timestamp": e.timestamp, "tx_hash": e.tx_hash, **extra}


# ---------------------------------------------------------------------- standing


def _standing(status: IssuerStatus, valid_from: int, valid_until: int, t: int) -> Standing:
    if status == IssuerStatus.NONE:
        return Standing.KEY_NOT_YET_ACTIVE
    if status == IssuerStatus.WITHDRAWN_FOR_FRAUD:
        return Standing.WITHDRAWN_FOR_FRAUD
    if status == IssuerStatus.WITHDRAWN:
        return Standing.WITHDRAWN
    if status == IssuerStatus.SUSPENDED:
        return Standing.SUSPENDED
    if t < valid_from:
        return Standing.NOT_YET_VALID
    if t >= valid_until:
        return Standing.EXPIRED
    return Standing.ACCREDITED


def current_standing(state: LedgerState, key: str, t: int) -> tuple[int, Standing]:
    """May ``key`` anchor now, at block time ``t``? The rule the contract enforces on every anchor."""
    k = state.keys.get(key)
    if k is None:
        return 0, Standing.UNKNOWN
    if k.retired_at is not None:
        return k.issuer_id, Standing.KEY_RETIRED
    issuer = state.issuers[k.issuer_id]
    return k.issuer_id, _standing(issuer.status, issuer.valid_from, issuer.valid_until, t)


def status_at(issuer: IssuerRecord, t: int) -> IssuerStatus:
    """The issuer's status at time ``t`` from its history (NONE before its accreditation)."""
    i = bisect.bisect_right(issuer.status_history, (t, 1 << 16))
    return IssuerStatus(issuer.status_history[i - 1][1]) if i else IssuerStatus.NONE


def standing_at(state: LedgerState, key: str, t: int) -> tuple[int, Standing]:
    """The answer the contract's ``standingAt(key, t)`` must give, from the rebuilt history."""
    k = state.keys.get(key)
    if k is None:
        return 0, Standing.UNKNOWN
    if t < k.active_from:
        return k.issuer_id, Standing.KEY_NOT_YET_ACTIVE
    if k.retired_at is not None and t >= k.retired_at:
        return k.issuer_id, Standing.KEY_RETIRED
    issuer = state.issuers[k.issuer_id]
    return k.issuer_id, _standing(status_at(issuer, t), issuer.valid_from, issuer.valid_until, t)
