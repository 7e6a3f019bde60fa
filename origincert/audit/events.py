"""The registries' events as frozen values, decoded straight from raw logs.

Decoding slices the hex of ``topics`` and ``data`` (eth_abi only for strings and bytes): web3's
event processing costs tens of microseconds per log, far too slow for a replay of millions.
Topic hashes come from the shipped ABI, so a renamed or reshaped event fails loudly in
``tests/audit/test_events.py`` instead of being silently skipped.

Addresses, roots, leaves and hashes are lower-case ``0x`` hex strings throughout the audit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from eth_abi import decode as abi_decode
from eth_typing import ABIEvent, ABIFunction
from eth_utils import event_abi_to_log_topic, function_abi_to_4byte_selector

from origincert.chain.artifacts import load_artifact

__all__ = [
    "COUNCIL_EVENTS",
    "ISSUER_ACT_EVENTS",
    "Anchored",
    "ApprovalWithdrawn",
    "AuthorityRegistered",
    "AuthorityRemoved",
    "CertificateReplaced",
    "CouncilAct",
    "CouncilEpochChanged",
    "CouncilMemberAdded",
    "CouncilMemberRemoved",
    "Event",
    "IssuerAccredited",
    "IssuerEpochChanged",
    "IssuerReinstated",
    "IssuerRenewed",
    "IssuerSuspended",
    "IssuerWithdrawn",
    "LeafRevoked",
    "ProposalApproved",
    "ProposalCancelled",
    "ProposalCreated",
    "ProposalExecuted",
    "ProposalFailed",
    "RootRevoked",
    "SigningKeyRotated",
    "ThresholdChanged",
    "Transaction",
    "UnknownEvent",
    "VcKeyChanged",
    "act_signature",
    "decode_council_act",
    "decode_log",
]

ISSUER_REGISTRY = "IssuerRegistry"
CERTIFICATE_REGISTRY = "CertificateRegistry"


@dataclass(frozen=True, slots=True)
class Event:
    """Where an event happened; every event type adds its own fields."""

    block: int
    timestamp: int
    tx_hash: str
    log_index: int

    @property
    def name(self) -> str:
        return type(self).__name__


# ---- IssuerRegistry: council ----
@dataclass(frozen=True, slots=True)
class ProposalCreated(Event):
    proposal_id: int
    proposer: str
    data: bytes
    expires_at: int = 0
    council_epoch: int = 0


@dataclass(frozen=True, slots=True)
class ApprovalWithdrawn(Event):
    proposal_id: int
    approver: str
    approvals: int


@dataclass(frozen=True, slots=True)
class ProposalCancelled(Event):
    proposal_id: int
    by: str


@dataclass(frozen=True, slots=True)
class ProposalFailed(Event):
    proposal_id: int
    executor: str
    reason: bytes


@dataclass(frozen=True, slots=True)
class CouncilEpochChanged(Event):
    epoch: int


@dataclass(frozen=True, slots=True)
class ProposalApproved(Event):
    proposal_id: int
    approver: str
    approvals: int


@dataclass(frozen=True, slots=True)
class ProposalExecuted(Event):
    proposal_id: int
    executor: str
    approvals: int


@dataclass(frozen=True, slots=True)
class CouncilMemberAdded(Event):
    member: str


@dataclass(frozen=True, slots=True)
class CouncilMemberRemoved(Event):
    member: str


@dataclass(frozen=True, slots=True)
class ThresholdChanged(Event):
    previous: int
    new: int


# ---- IssuerRegistry: competent authorities ----
@dataclass(frozen=True, slots=True)
class AuthorityRegistered(Event):
    economy: str
    account: str
    authority_name: str


@dataclass(frozen=True, slots=True)
class AuthorityRemoved(Event):
    economy: str
    account: str


# ---- IssuerRegistry: issuing bodies ----
@dataclass(frozen=True, slots=True)
class IssuerAccredited(Event):
    issuer_id: int
    economy: str
    signing_key: str
    issuer_name: str
    metadata_hash: str
    valid_from: int
    valid_until: int


@dataclass(frozen=True, slots=True)
class IssuerSuspended(Event):
    issuer_id: int
    reason: int


@dataclass(frozen=True, slots=True)
class IssuerReinstated(Event):
    issuer_id: int


@dataclass(frozen=True, slots=True)
class IssuerWithdrawn(Event):
    issuer_id: int
    fraud: bool


@dataclass(frozen=True, slots=True)
class IssuerRenewed(Event):
    issuer_id: int
    valid_until: int


@dataclass(frozen=True, slots=True)
class SigningKeyRotated(Event):
    issuer_id: int
    previous_key: str
    new_key: str


@dataclass(frozen=True, slots=True)
class IssuerEpochChanged(Event):
    issuer_id: int
    epoch: int


@dataclass(frozen=True, slots=True)
class VcKeyChanged(Event):
    """The body's VC key hash vouches for its anchors from ``epoch`` on."""

    issuer_id: int
    previous_hash: str
    new_hash: str
    epoch: int


# ---- CertificateRegistry ----
@dataclass(frozen=True, slots=True)
class Anchored(Event):
    root: str
    issuer_id: int
    signer: str
    leaf_count: int


@dataclass(frozen=True, slots=True)
class RootRevoked(Event):
    root: str
    issuer_id: int
    by: str
    reason: int


@dataclass(frozen=True, slots=True)
class LeafRevoked(Event):
    root: str
    leaf: str
    by: str
    reason: int
    issuer_id: int = 0


@dataclass(frozen=True, slots=True)
class CertificateReplaced(Event):
    old_root: str
    old_leaf: str
    new_root: str
    new_leaf: str
    by: str
    issuer_id: int = 0


# Council acts (only a executed proposal may cause them) and acts of authorities or issuing bodies
# (the transaction's sender must be allowed to make them).
COUNCIL_EVENTS = (
    CouncilMemberAdded,
    CouncilMemberRemoved,
    ThresholdChanged,
    AuthorityRegistered,
    AuthorityRemoved,
)
ISSUER_ACT_EVENTS = (
    IssuerAccredited,
    IssuerSuspended,
    IssuerReinstated,
    IssuerWithdrawn,
    IssuerRenewed,
    SigningKeyRotated,
    IssuerEpochChanged,
    VcKeyChanged,
)


class UnknownEvent(ValueError):
    """A log whose first topic no decoder knows (the contracts changed, or this is not our contract)."""


# ------------------------------------------------------------------ decoding


def _addr(word: str) -> str:
    return "0x" + word[-40:].lower()


def _int(word: str) -> int:
    return int(word, 16)


def _word(data: str, i: int) -> str:
    return data[2 + 64 * i : 66 + 64 * i]


def _economy(topic: str) -> str:
    return bytes.fromhex(topic[2:6]).decode("ascii", errors="replace")


def _h(word: str) -> str:
    return "0x" + word[-64:].lower()


Pos = tuple[int, int, str, int]  # block, timestamp, tx hash, log index


def _d_proposal_created(p: Pos, t: list[str], d: str) -> Event:
    data, expires_at, epoch = abi_decode(["bytes", "uint48", "uint64"], bytes.fromhex(d[2:]))
    return ProposalCreated(*p, _int(t[1]), _addr(t[2]), bytes(data), expires_at, epoch)


def _d_proposal_failed(p: Pos, t: list[str], d: str) -> Event:
    (reason,) = abi_decode(["bytes"], bytes.fromhex(d[2:]))
    return ProposalFailed(*p, _int(t[1]), _addr(t[2]), bytes(reason))


def _d_issuer_accredited(p: Pos, t: list[str], d: str) -> Event:
    name, meta, valid_from, valid_until = abi_decode(
        ["string", "bytes32", "uint48", "uint48"], bytes.fromhex(d[2:])
    )
    return IssuerAccredited(
        *p,
        _int(t[1]),
        _economy(t[2]),
        _addr(t[3]),
        name,
        "0x" + meta.hex(),
        valid_from,
        valid_until,
    )


def _d_authority_registered(p: Pos, t: list[str], d: str) -> Event:
    (name,) = abi_decode(["string"], bytes.fromhex(d[2:]))
    return AuthorityRegistered(*p, _economy(t[1]), _addr(t[2]), name)


Decoder = Callable[[Pos, list[str], str], Event]

_DECODERS: dict[tuple[str, str], Decoder] = {
    (ISSUER_REGISTRY, "ProposalCreated"): _d_proposal_created,
    (ISSUER_REGISTRY, "ProposalApproved"): lambda p, t, d: ProposalApproved(
        *p, _int(t[1]), _addr(t[2]), _int(_word(d, 0))
    ),
    (ISSUER_REGISTRY, "ProposalExecuted"): lambda p, t, d: ProposalExecuted(
        *p, _int(t[1]), _addr(t[2]), _int(_word(d, 0))
    ),
    (ISSUER_REGISTRY, "ApprovalWithdrawn"): lambda p, t, d: ApprovalWithdrawn(
        *p, _int(t[1]), _addr(t[2]), _int(_word(d, 0))
    ),
    (ISSUER_REGISTRY, "ProposalCancelled"): lambda p, t, d: ProposalCancelled(
        *p, _int(t[1]), _addr(t[2])
    ),
    (ISSUER_REGISTRY, "ProposalFailed"): _d_proposal_failed,
    (ISSUER_REGISTRY, "CouncilEpochChanged"): lambda p, t, d: CouncilEpochChanged(
        *p, _int(_word(d, 0))
    ),
    (ISSUER_REGISTRY, "IssuerEpochChanged"): lambda p, t, d: IssuerEpochChanged(
        *p, _int(t[1]), _int(_word(d, 0))
    ),
    (ISSUER_REGISTRY, "CouncilMemberAdded"): lambda p, t, d: CouncilMemberAdded(*p, _addr(t[1])),
    (ISSUER_REGISTRY, "CouncilMemberRemoved"): lambda p, t, d: CouncilMemberRemoved(
        *p, _addr(t[1])
    ),
    (ISSUER_REGISTRY, "ThresholdChanged"): lambda p, t, d: ThresholdChanged(
        *p, _int(_word(d, 0)), _int(_word(d, 1))
    ),
    (ISSUER_REGISTRY, "AuthorityRegistered"): _d_authority_registered,
    (ISSUER_REGISTRY, "AuthorityRemoved"): lambda p, t, d: AuthorityRemoved(
        *p, _economy(t[1]), _addr(t[2])
    ),
    (ISSUER_REGISTRY, "IssuerAccredited"): _d_issuer_accredited,
    (ISSUER_REGISTRY, "IssuerSuspended"): lambda p, t, d: IssuerSuspended(
        *p, _int(t[1]), _int(_word(d, 0))
    ),
    (ISSUER_REGISTRY, "IssuerReinstated"): lambda p, t, d: IssuerReinstated(*p, _int(t[1])),
    (ISSUER_REGISTRY, "IssuerWithdrawn"): lambda p, t, d: IssuerWithdrawn(
        *p, _int(t[1]), _int(_word(d, 0)) == 1
    ),
    (ISSUER_REGISTRY, "IssuerRenewed"): lambda p, t, d: IssuerRenewed(
        *p, _int(t[1]), _int(_word(d, 0))
    ),
    (ISSUER_REGISTRY, "SigningKeyRotated"): lambda p, t, d: SigningKeyRotated(
        *p, _int(t[1]), _addr(t[2]), _addr(t[3])
    ),
    (ISSUER_REGISTRY, "VcKeyChanged"): lambda p, t, d: VcKeyChanged(
        *p, _int(t[1]), _h(t[2]), _h(t[3]), _int(_word(d, 0))
    ),
    # The hot path (most logs are anchors): sliced inline.
    (CERTIFICATE_REGISTRY, "Anchored"): lambda p, t, d: Anchored(
        *p, t[1].lower(), int(t[2], 16), "0x" + d[26:66].lower(), int(d[66:130], 16)
    ),
    (CERTIFICATE_REGISTRY, "RootRevoked"): lambda p, t, d: RootRevoked(
        *p, _h(t[1]), _int(t[2]), _addr(t[3]), _int(_word(d, 0))
    ),
    (CERTIFICATE_REGISTRY, "LeafRevoked"): lambda p, t, d: LeafRevoked(
        *p, _h(t[1]), _h(t[2]), _addr(t[3]), _int(_word(d, 1)), _int(_word(d, 0))
    ),
    (CERTIFICATE_REGISTRY, "CertificateReplaced"): lambda p, t, d: CertificateReplaced(
        *p, _h(t[1]), _h(t[2]), _h(_word(d, 0)), _h(_word(d, 1)), _addr(t[3]), _int(_word(d, 2))
    ),
}


@functools.cache
def topics() -> dict[tuple[str, str], Decoder]:
    """(contract, topic0) -> decoder, with topic0 computed from the shipped ABI."""
    table: dict[tuple[str, str], Decoder] = {}
    for (contract, event), decoder in _DECODERS.items():
        (item,) = [
            i for i in load_artifact(contract).abi if i["type"] == "event" and i["name"] == event
        ]
        table[(contract, "0x" + event_abi_to_log_topic(cast(ABIEvent, item)).hex())] = decoder
    return table


def decode_log(log: Mapping[str, Any], contract: str, timestamp: int) -> Event:
    """Decode one raw ``eth_getLogs`` entry emitted by ``contract`` (its name) at ``timestamp``."""
    t = log["topics"]
    decoder = topics().get((contract, t[0].lower()) if t else (contract, ""))
    if decoder is None:
        raise UnknownEvent(f"{contract} log with unknown topic {t[0] if t else None}")
    pos = (
        int(log["blockNumber"], 16),
        timestamp,
        log["transactionHash"].lower(),
        int(log["logIndex"], 16),
    )
    try:
        return decoder(pos, t, log["data"])
    except (IndexError, ValueError, TypeError) as exc:  # a log that does not fit its own ABI
        raise UnknownEvent(f"{contract} log at {pos[2]} does not decode: {exc}") from exc


# ------------------------------------------------------------------ council acts


@dataclass(frozen=True, slots=True)
class CouncilAct:
    """The call a council proposal carries, decoded from its calldata."""

    function: str  # addCouncilMember, removeCouncilMember, setThreshold, registerAuthority, removeAuthority; "" if unknown
    args: tuple[Any, ...]
    selector: str

    def describe(self) -> str:
        if not self.function:
            return f"unknown call {self.selector}"
        return f"{self.function}({', '.join(repr(a) if isinstance(a, str) and not a.startswith('0x') else str(a) for a in self.args)})"

    def expected_events(self) -> list[tuple[Any, ...]]:
        """The act's events as comparable tuples (see :func:`act_signature`)."""
        f, a = self.function, self.args
        if f == "addCouncilMember":
            return [("CouncilMemberAdded", a[0])]
        if f == "removeCouncilMember":
            return [("CouncilMemberRemoved", a[0])]
        if f == "setThreshold":
            return [("ThresholdChanged", a[0])]
        if f == "registerAuthority":
            return [("AuthorityRegistered", a[0], a[1], a[2])]
        if f == "removeAuthority":
            return [("AuthorityRemoved", a[0])]
        return []


def act_signature(event: Event) -> tuple[Any, ...]:
    """A council event reduced to what its proposal's calldata determines."""
    if isinstance(event, (CouncilMemberAdded, CouncilMemberRemoved)):
        return (event.name, event.member)
    if isinstance(event, ThresholdChanged):
        return (event.name, event.new)
    if isinstance(event, AuthorityRegistered):
        return (event.name, event.economy, event.account, event.authority_name)
    if isinstance(event, AuthorityRemoved):
        return (event.name, event.economy)
    raise TypeError(f"{event.name} is not a council act")


_ACTS = (
    "addCouncilMember",
    "removeCouncilMember",
    "setThreshold",
    "registerAuthority",
    "removeAuthority",
)


@functools.cache
def _act_table() -> dict[bytes, tuple[str, list[str]]]:
    table = {}
    for item in load_artifact(ISSUER_REGISTRY).abi:
        if item["type"] == "function" and item["name"] in _ACTS:
            table[function_abi_to_4byte_selector(cast(ABIFunction, item))] = (
                item["name"],
                [i["type"] for i in item["inputs"]],
            )
    return table


def decode_council_act(data: bytes) -> CouncilAct:
    """Say what a proposal would do; unknown or malformed calldata gives ``function == ""``."""
    selector = "0x" + data[:4].hex()
    entry = _act_table().get(data[:4])
    if entry is None:
        return CouncilAct("", (), selector)
    name, types = entry
    try:
        values = abi_decode(types, data[4:])
    except Exception:  # noqa: BLE001 - malformed calldata is reported, not raised
        return CouncilAct("", (), selector)
    args = tuple(_act_arg(v, t) for v, t in zip(values, types, strict=True))
    return CouncilAct(name, args, selector)


def _act_arg(value: Any, type_: str) -> Any:
    if type_ == "address":
        return str(value).lower()
    if type_ == "bytes2":
        return bytes(value).decode("ascii", errors="replace")
    return value


@dataclass(frozen=True, slots=True)
class Transaction:
    """The events one transaction emitted, in log order; ``sender`` is its ``from`` when known.

    Rules judge a transaction as a whole where the contracts act as a whole: a council act's
    events precede the ``ProposalExecuted`` that caused them.
    """

    tx_hash: str
    block: int
    timestamp: int
    sender: str | None
    events: tuple[Event, ...]
