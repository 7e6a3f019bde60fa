"""A secp256k1 key in a PKCS#11 token (SoftHSM2, a fresh token per test): signs anchors and
transactions, and issues a certificate on a real node that the verifier finds VALID."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from chainutil import test_account
from eth_account import Account
from issuer.kit import verdict_of

from origincert.devtools.samples import sample_certificate
from origincert.errors import KeystoreError
from origincert.issuer import Journal, issue_documents
from origincert.signers import Signer
from origincert.signers.hsm import Pkcs11Signer, generate_key, import_key
from origincert.signing import anchor_digest, recover_signer, sign_anchor

MODULE = "/usr/lib/softhsm/libsofthsm2.so"  # Debian's softhsm2 (scripts/setup installs it)
PIN, SO_PIN = "246813579", "135792468"
REGISTRY = "0x" + "5c" * 20


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One SoftHSM2 token for the session (the library reads its configuration once per process);
    each test uses its own key labels. Returns the token's label."""
    assert Path(MODULE).is_file() and shutil.which("softhsm2-util"), "run scripts/setup"
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    label = "chamber"
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN,
         "--pin", PIN],
        check=True, capture_output=True,
    )  # fmt: skip
    yield label
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


def _session(label: str) -> Any:
    return pkcs11.lib(MODULE).get_token(token_label=label).open(user_pin=PIN, rw=True)


def test_a_key_generated_in_the_token_signs_anchors(token: str) -> None:
    with _session(token) as session:
        address = generate_key(session, "anchors")
    signer = Pkcs11Signer.open(MODULE, token=token, label="anchors", pin=PIN)
    try:
        assert isinstance(signer, Signer) and signer.address == address
        for i in range(6):  # the token's s is random in both halves: each is made canonical
            root = bytes([i + 1]) * 32
            args = (root, 9, 1, 0, 2**40, 31337, REGISTRY)
            signature = sign_anchor(signer, *args)
            assert recover_signer(anchor_digest(*args), signature) == address
        tx = {"to": test_account("to").address, "value": 0, "gas": 21_000, "gasPrice": 0,
              "nonce": 0, "chainId": 31337}  # fmt: skip
        assert Account.recover_transaction(signer.sign_transaction(tx).raw_transaction) == address
    finally:
        signer.close()


def test_the_private_key_cannot_be_read_out(token: str) -> None:
    with _session(token) as session:
        generate_key(session, "secret")
        private = session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY, label="secret")
        assert private[pkcs11.Attribute.SENSITIVE] and not private[pkcs11.Attribute.EXTRACTABLE]
        with pytest.raises(pkcs11.PKCS11Error):
            private[pkcs11.Attribute.VALUE]


def test_wrong_pin_missing_token_and_missing_key_are_clear(token: str) -> None:
    cases = [
        ({"token": token, "label": "anchors", "pin": "000000000"}, "hsm_wrong_pin"),
        ({"token": "no-such-token", "label": "anchors", "pin": PIN}, "hsm_token_missing"),
        ({"token": token, "label": "no-such-key", "pin": PIN}, "hsm_key_missing"),
    ]
    for kwargs, code in cases:
        with pytest.raises(KeystoreError) as exc:
            Pkcs11Signer.open(MODULE, **kwargs)
        assert exc.value.code == code


def test_a_chamber_issues_with_its_key_in_the_hsm(world, token: str, tmp_path: Path) -> None:
    """The Berlin chamber's accredited key, moved into the token, issues and anchors on the
    ledger (it signs the anchor and sends the transaction); the verifier says VALID."""
    berlin = world.chambers["DE-berlin"]
    with _session(token) as session:
        assert import_key(session, "berlin", bytes(berlin.key)) == berlin.address
    signer = Pkcs11Signer.open(MODULE, token=token, label="berlin", pin=PIN)
    try:
        from datetime import date

        doc = sample_certificate(
            __import__("random").Random(7), number="DE-HSM-0001", economy="DE",
            issued_on=date.today(),
        )  # fmt: skip
        with Journal.open(tmp_path / "journal.sqlite") as journal:
            [issued] = issue_documents(world.client, signer, [doc], journal=journal)
    finally:
        signer.close()
    assert issued["proof"]["signer"] == berlin.address
    assert verdict_of(world.client, issued) == "VALID"


def test_the_cli_issues_with_a_key_named_by_a_pkcs11_uri(
    world, manifest_path: Path, token: str, tmp_path: Path
) -> None:
    """``--key pkcs11:token=…;object=…`` works wherever a keystore does; the PIN comes from the
    password options, never from the URI."""
    import json
    import random
    from datetime import date

    from click.testing import CliRunner

    from origincert.cli import main

    hamburg = world.chambers["DE-hamburg"]
    with _session(token) as session:
        import_key(session, "hamburg", bytes(hamburg.key))
    doc = sample_certificate(
        random.Random(8), number="DE-HSM-0002", economy="DE", issued_on=date.today()
    )
    (tmp_path / "todo").mkdir()
    (tmp_path / "todo" / "a.json").write_text(json.dumps(doc))
    uri = f"pkcs11:token={token};object=hamburg?module-path={MODULE}"
    env = {
        "ORIGINCERT_RPC_URL": world.client.url,
        "ORIGINCERT_MANIFEST": str(manifest_path),
        "ORIGINCERT_PASSWORD": PIN,
    }
    runner = CliRunner()
    args = ["issue", str(tmp_path / "todo"), "--out", str(tmp_path / "out"), "--json"]
    args += ["--journal", str(tmp_path / "j.sqlite"), "--key", uri]
    result = runner.invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    [issued_path] = (tmp_path / "out").iterdir()
    issued = json.loads(issued_path.read_text())
    assert issued["proof"]["signer"] == hamburg.address
    assert verdict_of(world.client, issued) == "VALID"

    leaked = runner.invoke(main, ["issue", "--resume", "--key", uri + f"&pin-value={PIN}"], env=env)
    assert leaked.exit_code == 1 and "[pkcs11_uri_invalid]" in leaked.output
