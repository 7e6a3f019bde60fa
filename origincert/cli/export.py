"""``origincert export FILE --as vc|untp``: an issued file as a W3C Verifiable Credential
(ecdsa-sd-2023, selective disclosure) or a UNTP Digital Conformity Credential 0.6.0 (vc+jwt, ES256;
no selective disclosure: redact the file first)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from origincert.cli.common import handle_errors, read_issued, sibling, vc_password_options


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--as", "form", type=click.Choice(["vc", "untp"]), required=True, help="Target format."
)
@click.option(
    "--vc-key",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="The chamber's VC keystore.",
)
@click.option(
    "--did", "did", required=True, help="The chamber's DID (did:web:...), as in its DID document."
)
@click.option(
    "--status-list",
    required=True,
    metavar="URL",
    help="The chamber's Bitstring Status List credential URL.",
)
@click.option(
    "--status-index",
    required=True,
    type=click.IntRange(0, 2**31),
    help="This certificate's bit in the list.",
)
@vc_password_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Default: <name>.vc.json.",
)
@handle_errors
def export_cmd(
    file: Path, form: str, vc_key: str, did: str, status_list: str, status_index: int,
    password_file: str | None, password_env: str, output: Path | None,
) -> None:  # fmt: skip
    """Write FILE as a credential signed with the chamber's VC key (never the seed)."""
    from origincert.interop.credential import StatusEntry, export_credential
    from origincert.interop.did import VC_KEY_FRAGMENT
    from origincert.interop.files import write_new
    from origincert.interop.keystore import load_vc_key
    from origincert.interop.loader import shipped_loader
    from origincert.keys import read_password

    issued = read_issued(file)
    key = load_vc_key(vc_key, read_password(prompt=True, file=password_file, env=password_env))
    loader = shipped_loader()
    if form == "untp":
        from origincert.interop.untp import build_dcc, enveloped, sign_vc_jwt

        dcc = build_dcc(issued, did, StatusEntry(status_list, status_index))
        token = sign_vc_jwt(dcc, key, f"{did}#{VC_KEY_FRAGMENT}")
        target = output or sibling(file, ".dcc.jwt")
        write_new(target, token.encode("ascii") + b"\n")
        envelope = target.with_name(target.name + ".json")
        write_new(envelope, (json.dumps(enveloped(token), indent=2) + "\n").encode())
        click.echo(f"wrote {target} and {envelope}")
        return
    vc = export_credential(
        issued,
        key=key,
        issuer_did=did,
        verification_method=f"{did}#{VC_KEY_FRAGMENT}",
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        status=StatusEntry(status_list, status_index),
        loader=loader,
    )
    target = output or sibling(file, ".vc.json")
    write_new(target, (json.dumps(vc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    click.echo(f"wrote {target}")


def register(group: click.Group) -> None:
    group.add_command(export_cmd)
