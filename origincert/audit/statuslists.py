"""Published status lists against the ledger: the audit's check that outsiders are told the truth.

For each list: its signature must be a VC key of its issuer's trusted DID (else nothing in it is
evidence: ``status_list.untrusted``); its issuer's DID names a ledger account, hence a body;
the bits that body's events require are rebuilt exactly as ``origincert status publish`` builds
them (one function, :func:`body_events`), and each bit that disagrees is a finding: a revoked
certificate shown active is critical (outsiders would accept it), an active one shown revoked a
warning. A list older than the body's newest revocation, replacement or fraud withdrawal is
stale. Revoked leaves are placed through the archives (the ledger stores roots, not leaves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from origincert.audit.archive import archive_files, read_archive
from origincert.audit.findings import Finding, finding
from origincert.errors import InteropError, StatusListUnavailable
from origincert.interop.did import TrustList, ledger_accounts
from origincert.interop.files import read_status_lists
from origincert.interop.loader import OfflineLoader, shipped_loader
from origincert.interop.status import revoked_indexes
from origincert.interop.statuscheck import VerifiedList, verified_list

__all__ = [
    "BodyEvents",
    "archive_positions",
    "audit_status_lists",
    "body_events",
    "check_status_lists",
]

Positions = Mapping[tuple[str, str], int]  # (root, leaf) -> leaf index, lower-case hex


@dataclass(frozen=True)
class BodyEvents:
    """What a body's status list follows from: its anchors in ledger order, what was revoked or
    replaced, a fraud withdrawal, and the newest block among those changes (None: none)."""

    issuer_id: int
    anchors: list[tuple[str, int]]
    revoked_roots: list[str]
    revoked_leaves: list[tuple[str, str]]
    fraud: bool
    newest_block: int | None


def body_events(client: Any, issuer_id: int, *, to_block: int | str = "latest") -> BodyEvents:
    """The body's status-relevant events, read from the registries' logs (paged by the client)."""
    from origincert.chain.codec import topic
    from origincert.chain.logs import get_logs

    manifest = client.manifest
    registries = {
        "CertificateRegistry": (client.certificates, manifest.certificate_registry),
        "IssuerRegistry": (client.issuers, manifest.issuer_registry),
    }

    def events(contract_name: str, name: str) -> list[tuple[Any, int]]:
        contract, deployment = registries[contract_name]
        event = getattr(contract.events, name)()
        logs = get_logs(
            client, deployment.address, [topic(contract_name, name)], deployment.block, to_block
        )
        out = [(event.process_log(log)["args"], int(log["blockNumber"])) for log in logs]
        return [(args, block) for args, block in out if int(args["issuerId"]) == issuer_id]

    def hexed(raw: bytes) -> str:
        return "0x" + bytes(raw).hex()

    anchors = [
        (hexed(a["root"]), int(a["leafCount"]))
        for a, _ in events("CertificateRegistry", "Anchored")
    ]
    roots = events("CertificateRegistry", "RootRevoked")
    leaves = events("CertificateRegistry", "LeafRevoked")
    replaced = events("CertificateRegistry", "CertificateReplaced")
    fraud = [(a, b) for a, b in events("IssuerRegistry", "IssuerWithdrawn") if bool(a["fraud"])]
    blocks = [b for _, b in roots + leaves + replaced + fraud]
    return BodyEvents(
        issuer_id=issuer_id,
        anchors=anchors,
        revoked_roots=[hexed(a["root"]) for a, _ in roots],
        revoked_leaves=[(hexed(a["root"]), hexed(a["leaf"])) for a, _ in leaves]
        + [(hexed(a["oldRoot"]), hexed(a["oldLeaf"])) for a, _ in replaced],
        fraud=bool(fraud),
        newest_block=max(blocks) if blocks else None,
    )


def archive_positions(
    folders: Iterable[Path], *, workers: int | None = None
) -> dict[tuple[str, str], int]:
    """(root, leaf) -> leaf index of every readable issued file in ``folders``."""
    out: dict[tuple[str, str], int] = {}
    for record in read_archive(archive_files(list(folders)), workers=workers):
        if record.root and record.leaf and record.leaf_index is not None:
            out[(record.root.lower(), record.leaf.lower())] = record.leaf_index
    return out


def _finding(
    code: str,
    message: str,
    url: str,
    issuer_id: int | None = None,
    **details: Any,
) -> Finding:
    return finding(code, message, issuer_id=issuer_id, subject=url, details=details)


def _compare(
    url: str,
    checked: VerifiedList,
    events: BodyEvents,
    positions: Positions,
    block_time: Callable[[int], int],
) -> list[Finding]:
    findings: list[Finding] = []
    body = events.issuer_id
    known = {k: v for k, v in positions.items()}
    unplaced = [
        leaf for root, leaf in events.revoked_leaves if (root.lower(), leaf.lower()) not in known
    ]
    placeable = [(r, lf) for r, lf in events.revoked_leaves if (r.lower(), lf.lower()) in known]
    expected = revoked_indexes(
        events.anchors,
        revoked_roots=events.revoked_roots,
        revoked_leaves=placeable,
        positions=known,
        withdrawn_for_fraud=events.fraud,
    )
    for leaf in unplaced:
        findings.append(
            _finding(
                "status_list.leaf_unplaced",
                f"leaf {leaf} of body {body} was revoked or replaced on the ledger, but no archive "
                "places it in the list: its bit cannot be checked (give the body's --archive)",
                url,
                body,
                leaf=leaf,
            )
        )
    total = sum(count for _, count in events.anchors)
    size = len(checked.bits) * 8
    for index in sorted(expected):
        if index >= size or not checked.is_set(index):
            findings.append(
                _finding(
                    "status_list.revocation_missing",
                    f"certificate {index} of body {body} is revoked or replaced on the ledger but the "
                    "published list shows it active: outsiders would accept it",
                    url,
                    body,
                    index=index,
                )
            )
    for index in range(size):
        if checked.is_set(index) and index not in expected and not (events.fraud and index < total):
            findings.append(
                _finding(
                    "status_list.revoked_without_event",
                    f"certificate {index} of body {body} is shown revoked, but no ledger event "
                    "revokes or replaces it" + (" (no such certificate)" if index >= total else ""),
                    url,
                    body,
                    index=index,
                )
            )
    if events.newest_block is not None:
        newest = block_time(events.newest_block)
        if checked.valid_from.timestamp() < newest:
            findings.append(
                _finding(
                    "status_list.stale",
                    f"the list of body {body} dates from {checked.valid_from:%Y-%m-%d %H:%M} UTC, "
                    f"before its newest revocation, replacement or withdrawal (block {events.newest_block})",
                    url,
                    body,
                    block=events.newest_block,
                )
            )
    return findings


def check_status_lists(
    lists: Mapping[str, Mapping[str, Any]],
    broken: Sequence[str],
    *,
    trust: TrustList,
    issuer_of_account: Callable[[int, str], int | None],
    events_of: Callable[[int], BodyEvents],
    positions: Positions,
    block_time: Callable[[int], int],
    loader: OfflineLoader | None = None,
) -> list[Finding]:
    """Every published list against the ledger's events (see the module's docstring)."""
    loader = loader or shipped_loader()
    findings = [
        _finding(
            "status_list.unreadable",
            f"the status list file {name} cannot be read, or shares its URL with another",
            name,
        )
        for name in broken
    ]
    for url, list_vc in sorted(lists.items()):
        try:
            checked = verified_list(list_vc, trust, loader, url=url)
        except StatusListUnavailable as exc:
            findings.append(
                _finding(
                    "status_list.untrusted",
                    f"the list at {url} is not signed by a trusted VC key of its issuer [{exc.code}]: "
                    f"{exc}; nothing in it can be relied on",
                    url,
                    reason=exc.code,
                )
            )
            continue
        document = trust.documents.get(checked.issuer, {})
        bodies = {
            body
            for chain_id, account in ledger_accounts(document)
            if (body := issuer_of_account(chain_id, account)) is not None
        }
        if len(bodies) != 1:
            findings.append(
                _finding(
                    "status_list.issuer_unknown",
                    f"the list's issuer {checked.issuer} names "
                    + (
                        "no issuing body's ledger account"
                        if not bodies
                        else "several issuing bodies"
                    )
                    + ": it cannot be checked against the ledger",
                    url,
                )
            )
            continue
        try:
            findings += _compare(url, checked, events_of(bodies.pop()), positions, block_time)
        except InteropError as exc:  # e.g. a revoked root outside the body's anchors
            findings.append(_finding("status_list.unchecked", str(exc), url))
    return findings


def audit_status_lists(
    client: Any,
    state: Any,
    *,
    lists_path: Path,
    trust_path: Path,
    archives: Sequence[Path],
    to_block: int,
    workers: int | None = None,
) -> list[Finding]:
    """The check as the audit runs it: files, the rebuilt state's keys, the logs as of ``to_block``."""
    from origincert.interop.files import read_trust_list

    lists = read_status_lists(lists_path)
    chain_id = client.manifest.chain_id

    def issuer_of_account(chain: int, account: str) -> int | None:
        if chain != chain_id:
            return None
        record = state.keys.get(account.lower()) or state.keys.get(account)
        return record.issuer_id if record is not None else None

    cache: dict[int, BodyEvents] = {}

    def events_of(issuer_id: int) -> BodyEvents:
        if issuer_id not in cache:
            cache[issuer_id] = body_events(client, issuer_id, to_block=to_block)
        return cache[issuer_id]

    def block_time(block: int) -> int:
        return int(client.w3.eth.get_block(block)["timestamp"])

    return check_status_lists(
        lists.lists,
        lists.broken,
        trust=read_trust_list(trust_path),
        issuer_of_account=issuer_of_account,
        events_of=events_of,
        positions=archive_positions(archives, workers=workers) if archives else {},
        block_time=block_time,
    )
