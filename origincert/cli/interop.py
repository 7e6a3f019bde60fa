"""``origincert issuer vc-key|did`` and ``origincert import``: the chamber's VC identity, and a
credential back to an issued file. VC verification and redaction hook into ``verify``/``redact``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from origincert.cli.common import handle_errors, vc_password_options


@click.group("issuer")
def issuer() -> None:
    """The issuing body's identity outside the ledger: its VC key and did:web document."""


@issuer.command("vc-key")
@click.argument("out", type=click.Path(dir_okay=False))
@vc_password_options
@click.option("--unsafe-light-kdf", is_flag=True, help="Weak key stretching: tests and demos only.")
@handle_errors
def vc_key(out: str, password_file: str | None, password_env: str, unsafe_light_kdf: bool) -> None:
    """Create the P-256 VC key in an encrypted keystore at OUT and print its public Multikey."""
    from origincert.interop.keystore import create_vc_keystore
    from origincert.keys import read_password

    password = read_password(prompt=True, file=password_file, env=password_env, confirm=True)
    click.echo(
        create_vc_keystore(
            out, password, kdf_work="unsafe_light" if unsafe_light_kdf else "standard"
        )
    )


@issuer.command("did")
@click.option(
    "--vc-key", required=True, type=click.Path(dir_okay=False, exists=True), help="The VC keystore."
)
@click.option(
    "--host",
    required=True,
    help="Web host serving the DID document (did:web), e.g. chamber.example.",
)
@click.option(
    "--ledger-address",
    "ledger_addresses",
    required=True,
    multiple=True,
    help="The body's signing address on the ledger (0x...); repeat it for earlier keys.",
)
@click.option("--chain-id", required=True, type=click.IntRange(1), help="The ledger's chain id.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: did.json."
)
@handle_errors
def did_cmd(
    vc_key: str, host: str, ledger_addresses: tuple[str, ...], chain_id: int, output: Path | None
) -> None:
    """Write the did:web document to publish at https://HOST/.well-known/did.json."""
    from origincert.interop.did import did_web, did_web_document
    from origincert.interop.files import write_new
    from origincert.interop.keystore import vc_keystore_public

    did = did_web(host)
    doc = did_web_document(
        did, vc_keystore_public(vc_key), ledger_address=ledger_addresses, chain_id=chain_id
    )
    target = output or Path("did.json")
    write_new(target, (json.dumps(doc, indent=2) + "\n").encode())
    click.echo(f"{did}\nwrote {target}")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Default: <name>.coo.json (.draft.json with --foreign).",
)
@click.option(
    "--foreign",
    is_flag=True,
    help="A credential from outside origincert (TrustVC CoO): make a draft.",
)
@click.option(
    "--trust-list",
    type=click.Path(file_okay=False, exists=True),
    help="Trusted DID documents (with --foreign).",
)
@click.option(
    "--context",
    "contexts",
    multiple=True,
    metavar="URL=FILE",
    help="A JSON-LD context the foreign credential uses (repeatable).",
)
@handle_errors
def import_cmd(
    file: Path,
    output: Path | None,
    foreign: bool,
    trust_list: str | None,
    contexts: tuple[str, ...],
) -> None:
    """Turn an exported credential back into an issued certificate file (verify it afterwards),
    or with --foreign a checked foreign credential into a draft document plus its unmapped fields."""
    from origincert.interop.credential import import_credential
    from origincert.interop.files import read_json_file, read_trust_list, write_new

    data = read_json_file(file)
    name = file.name.removesuffix(".json").removesuffix(".vc")
    if foreign:
        from origincert.interop.foreign import import_foreign
        from origincert.interop.loader import shipped_loader

        if not trust_list:
            raise click.UsageError("--foreign needs --trust-list")
        extra = {}
        for item in contexts:
            url, sep, path = item.partition("=")
            if not sep:
                raise click.UsageError(f"--context takes URL=FILE, not {item!r}")
            extra[url] = read_json_file(Path(path), max_bytes=200_000)
        draft = import_foreign(
            data, read_trust_list(Path(trust_list)), shipped_loader().with_documents(extra)
        )
        target = output or Path.cwd().joinpath(f"{name}.draft.json")
        out = {"draft": draft.document, "unmapped": draft.unmapped, "issuer": draft.issuer, "source": draft.source,
               "note": "a draft from a foreign credential: not validated, not anchored, never VALID"}  # fmt: skip
        write_new(target, (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        click.echo(f"wrote {target} ({len(draft.unmapped)} unmapped field(s) to review)")
        return
    issued = import_credential(data)
    target = output or Path.cwd().joinpath(f"{name}.coo.json")
    write_new(target, (json.dumps(issued, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    click.echo(f"wrote {target} (not yet verified: run origincert verify on it)")


def is_credential(data: Any) -> bool:
    """True for JSON that is a Verifiable Credential rather than an issued file."""
    return isinstance(data, dict) and "@context" in data and "format" not in data


def verify_credential_input(
    sniffed: tuple[Any, Any], verifier: Any, trust: Any, lists: Any, on: Any, registry: Any
) -> Any:
    """Verify one credential (either form) with the CLI's verifier for the evidence and the
    ``registry`` that says whether the VC key was the issuer's at issue."""
    from origincert.interop.inputs import Form
    from origincert.interop.loader import shipped_loader
    from origincert.interop.verify import verify_credential
    from origincert.interop.verify_jwt import verify_jwt_credential

    form, payload = sniffed
    check = verify_credential if form is Form.DATA_INTEGRITY else verify_jwt_credential
    return check(
        payload,
        trust=trust,
        loader=shipped_loader(),
        verify_issued=lambda issued: verifier.verify(issued, on=on),
        registry=registry,
        status_lists=lists,
    )


@click.group("status")
def status() -> None:
    """Bitstring Status Lists for outsiders, built from the ledger's events."""


@status.command("publish")
@click.option(
    "--issuer-id",
    required=True,
    type=click.IntRange(1),
    help="The issuing body's id on the ledger.",
)
@click.option(
    "--archive",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Directory of the body's issued files (maps revoked leaves to positions).",
)
@click.option(
    "--vc-key", required=True, type=click.Path(dir_okay=False, exists=True), help="The VC keystore."
)
@click.option("--did", "did", required=True, help="The chamber's DID.")
@click.option(
    "--list-url",
    required=True,
    help="Where the list is served (the credentials' statusListCredential).",
)
@click.option(
    "--plain-base64",
    is_flag=True,
    help="encodedList without the multibase 'u' (what TrustVC 2.11 reads).",
)
@vc_password_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write.",
)
@click.pass_obj
@handle_errors
def publish(
    ctx: Any, issuer_id: int, archive: Path, vc_key: str, did: str, list_url: str, plain_base64: bool,
    password_file: str | None, password_env: str, output: Path,
) -> None:  # fmt: skip
    """Write the body's signed revocation list: revoked or replaced certificates, every one of a
    body withdrawn for fraud."""
    from datetime import UTC, datetime

    from origincert.audit.statuslists import archive_positions, body_events
    from origincert.interop.did import VC_KEY_FRAGMENT
    from origincert.interop.files import write_new
    from origincert.interop.keystore import load_vc_key
    from origincert.interop.loader import shipped_loader
    from origincert.interop.status import revoked_indexes, status_list_credential
    from origincert.keys import read_password

    key = load_vc_key(vc_key, read_password(prompt=True, file=password_file, env=password_env))
    events = body_events(ctx.client(), issuer_id)
    bits = revoked_indexes(
        events.anchors,
        revoked_roots=events.revoked_roots,
        revoked_leaves=events.revoked_leaves,
        positions=archive_positions([archive]),
        withdrawn_for_fraud=events.fraud,
    )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    credential = status_list_credential(
        list_url=list_url, revoked=bits, issuer_did=did, verification_method=f"{did}#{VC_KEY_FRAGMENT}",
        key=key, valid_from=now, created=now, loader=shipped_loader(), multibase=not plain_base64,
    )  # fmt: skip
    write_new(output, (json.dumps(credential, indent=2) + "\n").encode())
    click.echo(
        f"{len(events.anchors)} batch(es), {len(bits)} certificate(s) revoked; wrote {output}"
    )


def register(group: click.Group) -> None:
    existing = group.commands.get("issuer")  # governance's `issuer` group: add to it, not over it
    if isinstance(existing, click.Group):
        for name, command in issuer.commands.items():
            existing.add_command(command, name)
    else:
        group.add_command(issuer)
    group.add_command(import_cmd)
    group.add_command(status)


def verify_inputs(
    names: tuple[str, ...],
    raws: list[bytes],
    verifier: Any,
    trust_list: str | None,
    on: Any,
    status_lists: str | None = None,
    *,
    client: Any = None,
) -> list[tuple[str, Any]]:
    """Results in input order: credentials (W3C VC or UNTP vc+jwt) through the VC layers,
    issued files as before."""
    from origincert.interop.did import TrustList
    from origincert.interop.files import read_status_lists, read_trust_list
    from origincert.interop.inputs import sniff_credential
    from origincert.interop.registration import VcKeyRegistry, unsupported_registry

    sniffed = [sniff_credential(raw) for raw in raws]
    trust, lists = TrustList({}), None
    registry: VcKeyRegistry = unsupported_registry
    if any(k is not None for k in sniffed):  # read once for every credential of the run
        from origincert.governance import ledger_vc_key_registry

        trust = read_trust_list(Path(trust_list)) if trust_list else trust
        lists = read_status_lists(Path(status_lists)) if status_lists else None
        registry = unsupported_registry if client is None else ledger_vc_key_registry(client)
    plain = iter(
        verifier.verify_many_bytes(
            [r for r, k in zip(raws, sniffed, strict=True) if k is None], on=on
        )
    )
    return [
        (
            name,
            next(plain)
            if kind is None
            else verify_credential_input(kind, verifier, trust, lists, on, registry),
        )
        for name, kind in zip(names, sniffed, strict=True)
    ]


def redact_credential_file(file: Path, hide: tuple[str, ...], output: Path | None) -> bool:
    """``redact`` on a credential: derive an ecdsa-sd-2023 proof hiding the fields. False when
    FILE is not a credential (then ``redact`` treats it as an issued file)."""
    from origincert.errors import DocumentError
    from origincert.interop.credential import derive_credential
    from origincert.interop.files import read_json_file, write_new
    from origincert.interop.loader import shipped_loader

    try:
        data = read_json_file(file, max_bytes=4_000_000)
    except DocumentError:  # unreadable or not JSON: redact reports it for an issued file
        return False
    if not is_credential(data):
        return False
    derived = derive_credential(data, list(hide), shipped_loader())
    name = file.name.removesuffix(".json").removesuffix(".vc")
    target = output or Path.cwd().joinpath(f"{name}.redacted.vc.json")
    write_new(target, (json.dumps(derived, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    click.echo(f"hid {len(hide)} field(s) and their salts: {', '.join(hide)}\nwrote {target}")
    return True
