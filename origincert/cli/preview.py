"""What an irreversible act will send, shown before it is sent (``--dry-run`` and confirmations).

A plan names the contract function, its arguments, the sender and the network, and carries the
encoded call data, so an operator can check it (or have a second person check it) before the
ledger records something that cannot be undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from origincert.chain import ChainClient
    from origincert.issuer import Journal


@dataclass(frozen=True)
class Plan:
    """One transaction an act would send, with the sentences that say what it does."""

    action: str
    effect: tuple[str, ...]
    contract: str
    to: str
    function: str
    args: dict[str, Any]
    sender: str
    chain_id: int
    data: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.args.items())
        return [
            f"{self.action}:",
            *(f"  {e}" for e in self.effect),
            f"  transaction: {self.contract}.{self.function}({args})",
            f"  from {self.sender} to {self.to} on chain {self.chain_id}",
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "plan",
            "action": self.action,
            "effect": list(self.effect),
            "contract": self.contract,
            "to": self.to,
            "function": self.function,
            "args": {k: _plain(v) for k, v in self.args.items()},
            "sender": self.sender,
            "chain_id": self.chain_id,
            "data": self.data,
            **self.extra,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _short(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, list):
        return f"[{len(value)} hashes]"
    return str(value)


def call_plan(
    client: ChainClient,
    contract_name: str,
    function: str,
    args: dict[str, Any],
    *,
    action: str,
    effect: list[str],
    sender: str,
) -> Plan:
    """A plan for calling ``function`` of one of the two registries with ``args`` (in order)."""
    contract = client.certificates if contract_name == "CertificateRegistry" else client.issuers
    # a value made at send time (a proof of possession) is shown by name and not encoded
    complete = all(not (isinstance(v, str) and v.startswith("(")) for v in args.values())
    data = contract.encode_abi(function, args=list(args.values())) if complete else ""
    manifest = client.manifest
    return Plan(
        action=action,
        effect=tuple(effect),
        contract=contract_name,
        to=str(contract.address),
        function=function,
        args=args,
        sender=sender,
        chain_id=manifest.chain_id if manifest is not None else 0,
        data=data,
    )


def revocation_plan(
    client: ChainClient, signer: Any, journal: Journal, number: str, reason: str | int
) -> Plan:
    """What ``origincert revoke NUMBER`` sends: ``revokeRoot`` for a batch of one, else
    ``revokeLeaf`` with the certificate's proof. Reads the journal only; sends nothing."""
    from origincert.issuer.ledger import standing_of
    from origincert.issuer.pipeline import build_tree
    from origincert.issuer.reasons import REVOCATION_REASONS, parse_reason

    code = parse_reason(reason)
    issuer_id, _ = standing_of(client, signer.address)
    name = next((n for n, c in REVOCATION_REASONS.items() if c == code), f"code {code}")
    batch, cert = journal.locate(number)
    effect = [
        f"certificate {number} (batch #{batch.id} of {batch.leaf_count}) becomes REVOKED",
        f"for every verifier, for good; reason: {name} ({code})",
    ]
    if batch.root is None:
        from origincert.issuer.errors import IssuingError

        raise IssuingError(
            f"certificate {number} is not anchored yet (its batch is {batch.state.value})",
            code="not_anchored",
        )
    args: dict[str, Any] = {"issuerId": issuer_id, "root": batch.root}
    if batch.leaf_count == 1:
        function = "revokeRoot"
    else:
        function = "revokeLeaf"
        args["targetHash"] = cert.target_hash
        args["proof"] = list(build_tree(journal.leaves(batch.id)).proof(cert.leaf_index))
    args["reason"] = code
    return call_plan(
        client,
        "CertificateRegistry",
        function,
        args,
        action=f"revoke {number}",
        effect=effect,
        sender=signer.address,
    )


def _issuer_line(client: ChainClient, issuer_id: int) -> str:
    from origincert.governance import issuer_info

    info = issuer_info(client, issuer_id)
    return (
        f"issuing body #{issuer_id}: {info.name} ({info.economy}), now {info.status.name.lower()}, "
        f"signing key {info.signing_key}"
    )


def anchored_by(client: ChainClient, issuer_id: int) -> tuple[int, int] | None:
    """(anchors, certificates) the ledger holds for an issuing body, or None if the node will not
    say (a capped log range): the preview then says it could not count."""
    from web3.exceptions import Web3Exception

    from origincert.errors import ChainError

    try:
        logs = client.certificates.events.Anchored.get_logs(
            argument_filters={"issuerId": issuer_id}, from_block=0, to_block="latest"
        )
    except (Web3Exception, ValueError, ChainError, OSError):
        return None
    return len(logs), sum(int(log["args"]["leafCount"]) for log in logs)


def governance_plan(client: ChainClient, signer: Any, act: str, issuer_id: int, **kw: Any) -> Plan:
    """What ``authority suspend|withdraw`` and ``issuer rotate-key|register-vc-key`` send, and
    what it does."""
    effect = [_issuer_line(client, issuer_id)]
    if act == "suspend":
        function = "suspend"
        args: dict[str, Any] = {"issuerId": issuer_id, "reason": kw["reason"]}
        effect.append("its keys cannot anchor until reinstated; certificates it issued while")
        effect.append("suspended verify SUSPECT")
    elif act == "withdraw":
        fraud = bool(kw["fraud"])
        function = "withdraw"
        args = {"issuerId": issuer_id, "reason": 1 if fraud else 0}
        counted = anchored_by(client, issuer_id)
        if fraud:
            taint = (
                "could not count them (the node refused the log query)"
                if counted is None
                else f"{counted[1]:,} certificates in {counted[0]:,} batches"
            )
            effect.append("withdrawn FOR FRAUD, for good: every certificate it ever issued")
            effect.append(f"verifies SUSPECT from now on: {taint}")
        else:
            effect.append("withdrawn for good (an ordinary end): it can never anchor again;")
            effect.append("certificates it issued while accredited stay valid")
    elif act == "rotate-key":
        from web3 import Web3

        new_key = Web3.to_checksum_address(kw["new_key"])
        function = "rotateKey"
        args = {"issuerId": issuer_id, "newKey": new_key}
        possession = kw.get("possession")
        if possession is not None:  # the new key's proof: (r, vs) as the contract takes it
            args["r"], args["vs"] = possession.compact()
        else:
            args["possession"] = "(signed by the new key)"
        effect.append(f"from now on only {new_key} signs for it; the current key is retired")
    elif act == "register-vc-key":
        possession = kw["possession"]
        function = "setVcKey"
        args = {"issuerId": issuer_id, "qx": possession.qx, "qy": possession.qy}
        args["r"], args["s"] = possession.r, possession.s
        effect.append(f"its VC key becomes 0x{possession.key_hash.hex()} for every certificate")
        effect.append("it anchors from now on; the previous VC key keeps vouching for earlier ones")
    else:  # pragma: no cover - the CLI passes one of the three
        raise ValueError(act)
    return call_plan(
        client,
        "IssuerRegistry",
        function,
        args,
        action=f"{act} issuing body #{issuer_id}",
        effect=effect,
        sender=signer.address,
    )


def guard(plan: Plan, *, assume_yes: bool, dry_run: bool) -> bool:
    """Show ``plan``; with ``--dry-run`` stop there (False), else ask unless ``--yes`` (True)."""
    import click

    from origincert.cli.common import confirm

    if dry_run:
        data = plan.data or "(completed when sent: it needs a signature made then)"
        click.echo("\n".join([*plan.lines(), f"  data: {data}", "dry run: nothing was sent"]))
        return False
    confirm(plan.lines(), assume_yes=assume_yes)
    return True
