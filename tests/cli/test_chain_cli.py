"""The chain and governance commands end to end, as an operator types them, on a real node.

``chain up`` / ``chain down`` and the first command run as real processes (the node outlives the
command; the entry point works); every other command runs in process through Click's runner,
which proves the same at a fraction of the start-up cost.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from chainutil import free_port
from click.testing import CliRunner

from origincert.cli import main
from origincert.keys import create_keystore

ORIGINCERT = [sys.executable, "-m", "origincert.cli"]
IN_A_PROCESS = (["chain", "up"], ["chain", "down"], ["keys", "new"])


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(args: list[str], env: dict[str, str], cwd: Path, ok: bool = True) -> Ran:
    if args[:2] in IN_A_PROCESS:
        proc = subprocess.run(
            ORIGINCERT + args, check=False, env=env, cwd=cwd, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        ran = Ran(proc.returncode, proc.stdout, proc.stderr)
    else:
        assert Path.cwd() == cwd
        result = CliRunner().invoke(main, args, env=env)
        ran = Ran(result.exit_code, result.stdout, result.stderr)
    if ok:
        assert ran.returncode == 0, ran.stderr + ran.stdout
    return ran


def test_chain_up_deploy_govern_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    port = free_port()
    env = {
        **os.environ,
        "ORIGINCERT_RPC_URL": f"http://127.0.0.1:{port}",
        "ORIGINCERT_MANIFEST": str(tmp_path / "manifest.json"),
        "ORIGINCERT_PASSWORD": "correct horse",
    }
    out = run(["keys", "new", "keys/deployer.json", "--unsafe-light-kdf"], env, tmp_path).stdout
    addresses = {"deployer": re.search(r"0x[0-9a-fA-F]{40}", out).group(0)}
    for name in ("c1", "c2", "c3", "authority", "chamber"):
        addresses[name] = create_keystore(
            tmp_path / "keys" / f"{name}.json", "correct horse", kdf_work="unsafe_light"
        )

    # Down before up: nothing to stop, said plainly. Deploy with the node down: exit 4, no traceback.
    assert "no local chain" in run(["chain", "down", "--port", str(port)], env, tmp_path).stdout
    down = run(
        [
            "chain",
            "deploy",
            "--key",
            "keys/deployer.json",
            "--council",
            addresses["c1"],
            "--threshold",
            "1",
        ],
        env,
        tmp_path,
        ok=False,
    )
    assert (
        down.returncode == 4 and "not reachable" in down.stderr and "Traceback" not in down.stderr
    )

    up = run(["chain", "up", "--port", str(port), "--state-dir", "state"], env, tmp_path)
    assert f"127.0.0.1:{port}" in up.stdout
    try:
        council = [x for c in ("c1", "c2", "c3") for x in ("--council", addresses[c])]
        run(
            ["chain", "deploy", "--key", "keys/deployer.json", *council, "--threshold", "2"],
            env,
            tmp_path,
        )
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        assert manifest["chain_id"] == 31337 and manifest["certificate_registry"][
            "address"
        ].startswith("0x")
        info = run(["chain", "info"], env, tmp_path).stdout
        assert "council: 2 of 3" in info

        proposed = run(
            [
                "council",
                "propose",
                "register-authority",
                "DE",
                addresses["authority"],
                "BAFA",
                "--key",
                "keys/c1.json",
            ],
            env,
            tmp_path,
        ).stdout
        assert (
            "proposal 0" in proposed
            and "1 of 2 approvals" in proposed
            and "transaction 0x" in proposed
        )
        early = run(["council", "execute", "0", "--key", "keys/c1.json"], env, tmp_path, ok=False)
        assert early.returncode == 1 and "IssuerRegistryNotEnoughApprovals" in early.stderr
        run(["council", "approve", "0", "--key", "keys/c2.json"], env, tmp_path)
        assert (
            "executed proposal 0 with 2 approvals"
            in run(["council", "execute", "0", "--key", "keys/c1.json"], env, tmp_path).stdout
        )

        # The chamber proves it holds its key; the authority accredits with that proof only.
        proof = run(
            ["issuer", "prove-key", "--issuer-id", "0", "--economy", "DE",
             "--key", "keys/chamber.json"],
            env, tmp_path,
        ).stdout.strip()  # fmt: skip
        assert re.fullmatch(r"0x[0-9a-f]{130}", proof)
        accredit = ["authority", "accredit", "--name", "IHK Berlin", "--signing-key",
                    addresses["chamber"], "--valid-until", "2099-12-31", "--key",
                    "keys/authority.json"]  # fmt: skip
        forged = run([*accredit, "--possession", "0x" + "11" * 65], env, tmp_path, ok=False)
        assert forged.returncode != 0 and "Traceback" not in forged.stderr
        accredited = run([*accredit, "--possession", proof], env, tmp_path).stdout
        assert "issuing body 1" in accredited
        stranger = run(
            ["authority", "suspend", "1", "--yes", "--key", "keys/c3.json"], env, tmp_path, ok=False
        )
        assert stranger.returncode == 1 and "IssuerRegistryNotAuthorityOf" in stranger.stderr
        # Irreversible acts say what they will do; without a terminal they need --yes.
        unasked = run(
            ["authority", "withdraw", "1", "--fraud", "--key", "keys/authority.json"],
            env,
            tmp_path,
            ok=False,
        )
        assert unasked.returncode == 2 and "--yes" in unasked.stderr
        assert "withdrawn FOR FRAUD" in unasked.stderr and "IHK Berlin (DE)" in unasked.stderr
        dry = run(
            ["authority", "withdraw", "1", "--fraud", "--dry-run", "--key", "keys/authority.json"],
            env,
            tmp_path,
        ).stdout
        assert "IssuerRegistry.withdraw(issuerId=1, reason=1)" in dry and "0 certificates" in dry
        assert "nothing was sent" in dry and "data: 0x" in dry
        run(
            ["authority", "suspend", "1", "--reason", "3", "--yes", "--key", "keys/authority.json"],
            env,
            tmp_path,
        )
        shown = run(["issuer", "show", "1"], env, tmp_path).stdout
        assert "IHK Berlin (DE)" in shown and "status suspended" in shown and "epoch 2" in shown
        bumped = run(["issuer", "bump-epoch", "1", "--key", "keys/chamber.json"], env, tmp_path)
        assert "now at epoch 3" in bumped.stdout

        # A proposal approved, the approval taken back, then cancelled by its proposer.
        run(["council", "propose", "set-threshold", "1", "--key", "keys/c1.json"], env, tmp_path)
        run(["council", "approve", "1", "--key", "keys/c2.json"], env, tmp_path)
        back = run(["council", "withdraw-approval", "1", "--key", "keys/c2.json"], env, tmp_path)
        assert "1 approvals left" in back.stdout
        not_yours = run(
            ["council", "cancel", "1", "--key", "keys/c2.json"], env, tmp_path, ok=False
        )
        assert not_yours.returncode == 1 and "IssuerRegistryNotProposer" in not_yours.stderr
        run(["council", "cancel", "1", "--key", "keys/c1.json"], env, tmp_path)
        assert "cancelled" in run(["council", "show", "1"], env, tmp_path).stdout

        wrong = run(
            ["council", "approve", "0", "--key", "keys/c3.json"],
            {**env, "ORIGINCERT_PASSWORD": "nope"},
            tmp_path,
            ok=False,
        )
        assert (
            wrong.returncode == 1
            and "wrong_password" in wrong.stderr
            and "Traceback" not in wrong.stderr
        )
    finally:
        stopped = run(["chain", "down", "--port", str(port), "--state-dir", "state"], env, tmp_path)
    assert "stopped" in stopped.stdout
