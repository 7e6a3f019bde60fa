"""``origincert keys``: create encrypted keystores and show whose key a keystore holds."""

from __future__ import annotations

import click

from origincert.cli.common import handle_errors


@click.group("keys")
def keys() -> None:
    """Encrypted keystores, one per actor (council member, authority, issuing body, deployer)."""


@keys.command("new")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False),
    help="File holding the new keystore's password.",
)
@click.option(
    "--password-env",
    default="ORIGINCERT_PASSWORD",
    show_default=True,
    help="Environment variable holding the password (used when set).",
)
@click.option(
    "--force", is_flag=True, help="Replace an existing keystore at OUT (its key is lost)."
)
@click.option(
    "--unsafe-light-kdf",
    is_flag=True,
    help="Weak key derivation that unlocks in milliseconds: for tests and demos only, never real keys.",
)
@handle_errors
def new(
    out: str, password_file: str | None, password_env: str, force: bool, unsafe_light_kdf: bool
) -> None:
    """Create a new key in an encrypted keystore at OUT (mode 0600) and print its address."""
    from origincert.keys import create_keystore, read_password

    password = read_password(prompt=True, file=password_file, env=password_env, confirm=True)
    address = create_keystore(
        out, password, overwrite=force, kdf_work="unsafe_light" if unsafe_light_kdf else "standard"
    )
    click.echo(address)


@keys.command("show")
@click.argument("keystore", type=click.Path(dir_okay=False))
@handle_errors
def show(keystore: str) -> None:
    """Print the address a keystore names (no password needed; unlocking checks it matches)."""
    from origincert.keys import keystore_address

    click.echo(keystore_address(keystore))


def register(group: click.Group) -> None:
    group.add_command(keys)
