"""``origincert council``, ``authority`` and ``issuer``: the governance acts on the IssuerRegistry.

``origincert.governance`` (web3) is imported inside each command, so ``--help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

import click

from origincert.cli.common import Context, confirm_options, echo_tx, handle_errors, key_options
from origincert.cli.preview import governance_plan, guard
from origincert.errors import SigningError

if TYPE_CHECKING:
    from origincert.signing import Signature


def _timestamp(value: str) -> int:
    """A date (2027-01-31), a date-time with zone, or Unix seconds."""
    if value.isdigit():
        return int(value)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date like 2027-01-31 or Unix seconds"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp())


def _signature(text: str) -> Signature:
    """A 65-byte signature given as 0x-hex on the command line."""
    from origincert.signing import Signature

    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
        return Signature.from_bytes(raw)
    except (ValueError, SigningError) as exc:
        raise click.BadParameter(f"not a 65-byte 0x-hex signature: {exc}") from exc


def _when(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------- council


@click.group("council")
def council() -> None:
    """Council acts by M-of-N approval: propose, approve, execute."""


@council.group("propose")
def propose() -> None:
    """Propose a council act (your approval counts as the first)."""


def _propose(obj: Context, signer: Any, act: str, args: list[Any], what: str) -> None:
    from origincert import governance

    result = governance.propose(obj.client(), signer, act, args)
    threshold = obj.client().call(obj.client().issuers.functions.threshold())
    echo_tx(
        f"proposal {result.proposal_id}: {what} ({result.approvals} of {threshold} approvals)",
        result.tx,
    )


@propose.command("register-authority")
@click.argument("economy")
@click.argument("account")
@click.argument("name")
@key_options
@click.pass_obj
@handle_errors
def propose_register_authority(
    obj: Context, signer: Any, economy: str, account: str, name: str
) -> None:
    """Register ACCOUNT as the competent authority of ECONOMY (ISO alpha-2)."""
    from origincert import governance

    _propose(
        obj,
        signer,
        "registerAuthority",
        [governance.economy_bytes(economy), account, name],
        f"register {name} ({account}) as the authority of {economy}",
    )


@propose.command("remove-authority")
@click.argument("economy")
@key_options
@click.pass_obj
@handle_errors
def propose_remove_authority(obj: Context, signer: Any, economy: str) -> None:
    """Remove the competent authority of ECONOMY."""
    from origincert import governance

    _propose(
        obj,
        signer,
        "removeAuthority",
        [governance.economy_bytes(economy)],
        f"remove the authority of {economy}",
    )


@propose.command("add-member")
@click.argument("account")
@key_options
@click.pass_obj
@handle_errors
def propose_add_member(obj: Context, signer: Any, account: str) -> None:
    """Add ACCOUNT to the council."""
    _propose(obj, signer, "addCouncilMember", [account], f"add {account} to the council")


@propose.command("remove-member")
@click.argument("account")
@key_options
@click.pass_obj
@handle_errors
def propose_remove_member(obj: Context, signer: Any, account: str) -> None:
    """Remove ACCOUNT from the council."""
    _propose(obj, signer, "removeCouncilMember", [account], f"remove {account} from the council")


@propose.command("set-threshold")
@click.argument("threshold", type=int)
@key_options
@click.pass_obj
@handle_errors
def propose_set_threshold(obj: Context, signer: Any, threshold: int) -> None:
    """Change the number of approvals a council act needs."""
    _propose(obj, signer, "setThreshold", [threshold], f"set the threshold to {threshold}")


@council.command("approve")
@click.argument("proposal_id", type=int)
@key_options
@click.pass_obj
@handle_errors
def approve(obj: Context, signer: Any, proposal_id: int) -> None:
    """Approve proposal PROPOSAL_ID."""
    from origincert import governance

    result = governance.approve(obj.client(), signer, proposal_id)
    echo_tx(f"approved proposal {proposal_id} ({result.approvals} approvals)", result.tx)


@council.command("execute")
@click.argument("proposal_id", type=int)
@key_options
@click.pass_obj
@handle_errors
def execute(obj: Context, signer: Any, proposal_id: int) -> None:
    """Execute proposal PROPOSAL_ID once it has enough approvals."""
    from origincert import governance

    result = governance.execute(obj.client(), signer, proposal_id)
    echo_tx(f"executed proposal {proposal_id} with {result.approvals} approvals", result.tx)


@council.command("cancel")
@click.argument("proposal_id", type=int)
@key_options
@click.pass_obj
@handle_errors
def cancel(obj: Context, signer: Any, proposal_id: int) -> None:
    """Cancel your own pending proposal PROPOSAL_ID for good."""
    from origincert import governance

    echo_tx(
        f"cancelled proposal {proposal_id}", governance.cancel(obj.client(), signer, proposal_id)
    )


@council.command("withdraw-approval")
@click.argument("proposal_id", type=int)
@key_options
@click.pass_obj
@handle_errors
def withdraw_approval(obj: Context, signer: Any, proposal_id: int) -> None:
    """Take back your approval of pending proposal PROPOSAL_ID."""
    from origincert import governance

    result = governance.withdraw_approval(obj.client(), signer, proposal_id)
    echo_tx(
        f"withdrew your approval of proposal {proposal_id} ({result.approvals} approvals left)",
        result.tx,
    )


@council.command("show")
@click.argument("proposal_id", type=int)
@click.pass_obj
@handle_errors
def show_proposal(obj: Context, proposal_id: int) -> None:
    """Show a proposal, its state, its expiry and who approved it."""
    from origincert import governance

    client = obj.client()
    p = governance.proposal_info(client, proposal_id)
    threshold = client.call(client.issuers.functions.threshold())
    epoch = client.call(client.issuers.functions.councilEpoch())
    stale = " (stale: the council changed since; propose it again)" if (
        p.state is governance.ProposalState.PENDING and p.council_epoch != epoch
    ) else ""  # fmt: skip
    click.echo(
        f"proposal {proposal_id} by {p.proposer}: {p.state.name.lower()}{stale}, "
        f"{p.approvals} of {threshold} approvals ({', '.join(p.approvers)}), "
        f"expires {_when(p.expires_at)}"
    )


# ---------------------------------------------------------------- competent authorities


@click.group("authority")
def authority() -> None:
    """A competent authority accredits and oversees the issuing bodies of its economy."""


@authority.command("accredit")
@click.option("--name", required=True, help="Name of the issuing body (chamber of commerce).")
@click.option("--signing-key", required=True, help="Address of the issuing body's signing key.")
@click.option(
    "--valid-from",
    default=None,
    help="Start of the accreditation (date or Unix seconds); default now.",
)
@click.option(
    "--valid-until", required=True, help="End of the accreditation (date or Unix seconds)."
)
@click.option(
    "--metadata",
    type=click.File("rb"),
    help="A document about the body (its SHA-256 goes on chain).",
)
@click.option(
    "--possession",
    required=True,
    help="The new key's proof of possession (0x.., 65 bytes), made by its holder with "
    "`origincert issuer prove-key --issuer-id 0 --economy XX`.",
)
@key_options
@click.pass_obj
@handle_errors
def accredit(
    obj: Context,
    signer: Any,
    name: str,
    signing_key: str,
    valid_from: str | None,
    valid_until: str,
    metadata: Any,
    possession: str,
) -> None:
    """Accredit an issuing body of your economy."""
    from origincert import governance

    client = obj.client()
    start = (
        _timestamp(valid_from)
        if valid_from
        else int(client.w3.eth.get_block("latest")["timestamp"])
    )
    digest = hashlib.sha256(metadata.read()).digest() if metadata else b"\0" * 32
    issuer_id, tx = governance.accredit(
        client,
        signer,
        name=name,
        signing_key=signing_key,
        valid_from=start,
        valid_until=_timestamp(valid_until),
        metadata_hash=digest,
        possession=_signature(possession),
    )
    echo_tx(
        f"accredited {name} as issuing body {issuer_id}, valid {_when(start)} to {_when(_timestamp(valid_until))}",
        tx,
    )


@authority.command("suspend")
@click.argument("issuer_id", type=int)
@click.option(
    "--reason",
    type=int,
    default=0,
    show_default=True,
    help="Reason code recorded with the suspension.",
)
@confirm_options
@key_options
@click.pass_obj
@handle_errors
def suspend(
    obj: Context, signer: Any, issuer_id: int, reason: int, assume_yes: bool, dry_run: bool
) -> None:
    """Suspend an issuing body: its keys cannot anchor until reinstated."""
    from origincert import governance

    plan = governance_plan(obj.client(), signer, "suspend", issuer_id, reason=reason)
    if not guard(plan, assume_yes=assume_yes, dry_run=dry_run):
        return
    echo_tx(
        f"suspended issuing body {issuer_id}",
        governance.suspend(obj.client(), signer, issuer_id, reason),
    )


@authority.command("reinstate")
@click.argument("issuer_id", type=int)
@key_options
@click.pass_obj
@handle_errors
def reinstate(obj: Context, signer: Any, issuer_id: int) -> None:
    """Reinstate a suspended issuing body."""
    from origincert import governance

    echo_tx(
        f"reinstated issuing body {issuer_id}",
        governance.reinstate(obj.client(), signer, issuer_id),
    )


@authority.command("withdraw")
@click.argument("issuer_id", type=int)
@click.option(
    "--fraud", is_flag=True, help="Withdrawn for fraud: its earlier certificates become suspect."
)
@confirm_options
@key_options
@click.pass_obj
@handle_errors
def withdraw(
    obj: Context, signer: Any, issuer_id: int, fraud: bool, assume_yes: bool, dry_run: bool
) -> None:
    """Withdraw an accreditation for good (an ordinary end unless --fraud)."""
    from origincert import governance

    plan = governance_plan(obj.client(), signer, "withdraw", issuer_id, fraud=fraud)
    if not guard(plan, assume_yes=assume_yes, dry_run=dry_run):
        return
    tx = governance.withdraw(obj.client(), signer, issuer_id, fraud=fraud)
    echo_tx(f"withdrew issuing body {issuer_id} ({'fraud' if fraud else 'ordinary end'})", tx)


@authority.command("renew")
@click.argument("issuer_id", type=int)
@click.option("--valid-until", required=True, help="New end of the accreditation.")
@key_options
@click.pass_obj
@handle_errors
def renew(obj: Context, signer: Any, issuer_id: int, valid_until: str) -> None:
    """Extend an accreditation before it ends."""
    from origincert import governance

    tx = governance.renew(obj.client(), signer, issuer_id, _timestamp(valid_until))
    echo_tx(f"renewed issuing body {issuer_id} until {_when(_timestamp(valid_until))}", tx)


# ---------------------------------------------------------------- issuing bodies


@click.group("issuer")
def issuer() -> None:
    """An issuing body's own acts and status."""


@issuer.command("prove-key")
@click.option(
    "--issuer-id", type=int, required=True, help="The body the key is for (0: to be accredited)."
)
@click.option("--economy", required=True, help="The body's economy (ISO alpha-2).")
@key_options
@click.pass_obj
@handle_errors
def prove_key(obj: Context, signer: Any, issuer_id: int, economy: str) -> None:
    """Sign, with the NEW key (--key), the proof that you hold it: hand the printed value to
    whoever accredits the body or rotates its key. It names the body and this registry only."""
    from origincert import governance

    governance.economy_bytes(economy)
    proof = governance.key_possession(obj.client(), signer, issuer_id, economy)
    click.echo("0x" + proof.to_bytes().hex())


@issuer.command("rotate-key")
@click.argument("issuer_id", type=int)
@click.argument("new_key")
@click.option(
    "--possession",
    required=True,
    help="The new key's proof of possession (0x..), from `origincert issuer prove-key`.",
)
@confirm_options
@key_options
@click.pass_obj
@handle_errors
def rotate_key(
    obj: Context,
    signer: Any,
    issuer_id: int,
    new_key: str,
    possession: str,
    assume_yes: bool,
    dry_run: bool,
) -> None:
    """Replace the signing key (sent by the current key while the body's accreditation runs, or
    by the authority at any time). The epoch moves: unsent anchor signatures become void."""
    from origincert import governance

    plan = governance_plan(
        obj.client(),
        signer,
        "rotate-key",
        issuer_id,
        new_key=new_key,
        possession=_signature(possession),
    )
    if not guard(plan, assume_yes=assume_yes, dry_run=dry_run):
        return
    echo_tx(
        f"issuing body {issuer_id} now signs with {new_key}",
        governance.rotate_key(
            obj.client(), signer, issuer_id, new_key, possession=_signature(possession)
        ),
    )


@issuer.command("register-vc-key")
@click.argument("issuer_id", type=int)
@click.option(
    "--vc-key",
    "vc_key_path",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="The VC keystore (from `origincert issuer vc-key`): it signs its proof of possession.",
)
@click.option(
    "--vc-password-file", type=click.Path(dir_okay=False), help="File holding its password."
)
@click.option(
    "--vc-password-env",
    default="ORIGINCERT_VC_PASSWORD",
    show_default=True,
    help="Environment variable holding its password.",
)
@confirm_options
@key_options
@click.pass_obj
@handle_errors
def register_vc_key(
    obj: Context,
    signer: Any,
    issuer_id: int,
    vc_key_path: str,
    vc_password_file: str | None,
    vc_password_env: str,
    assume_yes: bool,
    dry_run: bool,
) -> None:
    """Register the hash of the body's VC key on the ledger (sent by its current key while it is
    accredited, or by its authority), so outsiders' credentials check against the ledger. Register
    it before issuing: a credential verifies only with the key registered when its certificate was
    anchored. The epoch moves: unsent anchor signatures become void."""
    from origincert import governance
    from origincert.interop.keystore import load_vc_key
    from origincert.interop.registration import vc_key_possession
    from origincert.keys import read_password

    client = obj.client()
    key = load_vc_key(
        vc_key_path, read_password(prompt=True, file=vc_password_file, env=vc_password_env)
    )
    possession = vc_key_possession(
        key, issuer_id, client.chain_id, client._require_manifest().issuer_registry.address
    )
    plan = governance_plan(client, signer, "register-vc-key", issuer_id, possession=possession)
    if not guard(plan, assume_yes=assume_yes, dry_run=dry_run):
        return
    echo_tx(
        f"issuing body {issuer_id} registered VC key {key.public_multikey} "
        f"(hash 0x{possession.key_hash.hex()})",
        governance.set_vc_key(client, signer, issuer_id, possession),
    )


@issuer.command("bump-epoch")
@click.argument("issuer_id", type=int)
@key_options
@click.pass_obj
@handle_errors
def bump_epoch(obj: Context, signer: Any, issuer_id: int) -> None:
    """Void every anchor signature the body made and has not anchored yet (a lost laptop)."""
    from origincert import governance

    tx = governance.bump_epoch(obj.client(), signer, issuer_id)
    epoch = governance.epoch_of(obj.client(), issuer_id)
    echo_tx(f"issuing body {issuer_id} is now at epoch {epoch}", tx)


@issuer.command("show")
@click.argument("issuer_id", type=int)
@click.pass_obj
@handle_errors
def show(obj: Context, issuer_id: int) -> None:
    """Show an issuing body: economy, status, validity window, signing key, VC key hash."""
    from origincert import governance

    i = governance.issuer_info(obj.client(), issuer_id)
    epoch = governance.epoch_of(obj.client(), issuer_id)
    vc_key = governance.vc_key_at(obj.client(), issuer_id, epoch)
    if any(vc_key):
        since = governance.vc_key_record(obj.client(), vc_key)
        vc_line = f"0x{vc_key.hex()} (since epoch {since.from_epoch}, {_when(since.since)})"
    else:
        vc_line = "none registered (register-vc-key)"
    click.echo(
        f"issuing body {i.id}: {i.name} ({i.economy})\n"
        f"  status {i.status.name.lower()} since {_when(i.status_since)}, epoch {epoch}\n"
        f"  accredited {_when(i.valid_from)} to {_when(i.valid_until)}\n"
        f"  signing key {i.signing_key}\n"
        f"  VC key hash {vc_line}"
    )


def register(group: click.Group) -> None:
    group.add_command(council)
    group.add_command(authority)
    existing = group.commands.get("issuer")  # another area's `issuer` commands: keep both
    if isinstance(existing, click.Group):
        for name, command in issuer.commands.items():
            existing.add_command(command, name)
    else:
        group.add_command(issuer)
