#!/usr/bin/env python3
"""Gas of every act, measured on a Hardhat node the script starts: anchoring one certificate,
anchoring a batch of 1,000 (target <= 100 gas per certificate), revokeRoot, revokeLeaf, replace,
and the governance acts (council proposal, approval, execution; accredit, suspend, reinstate,
renew, rotate key, register a VC key, withdraw).

Each figure is the ``gasUsed`` of the transaction's receipt, sent through the same library calls
the CLI uses. Gas is free on the production network (zero gas price); it is the measure of how
much work and storage each act costs every node.

Budgets (docs/THREATS.md, issue 9): anchor <= 60,000, revokeRoot <= 50,000, revokeLeaf <= 70,000.

Run: .venv/bin/python scripts/bench/gas.py [--batch 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from benchkit import account, free_port

from origincert import governance
from origincert.chain import ChainClient, deploy
from origincert.devtools import devchain
from origincert.devtools.samples import sample_certificate
from origincert.interop.p256 import generate_key_pair
from origincert.interop.registration import vc_key_possession
from origincert.issuer import Journal, issue_batch, replace, revoke
from origincert.signing import LocalSigner

YEAR = 365 * 86400


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    rows: list[tuple[str, int, str]] = []

    with tempfile.TemporaryDirectory(prefix="origincert-gas-") as tmp:
        work = Path(tmp)
        port = free_port()
        node = devchain.start(port, state_dir=work / "chain")
        try:
            client = ChainClient.connect(node.url)
            council = [account(f"council-{i}") for i in range(3)]
            manifest = deploy(client, account("deployer"), [a.address for a in council], 2)
            authority = account("authority-DE")
            p = governance.propose(
                client, council[0], "registerAuthority", [b"DE", authority.address, "Authority DE"]
            )
            a = governance.approve(client, council[1], p.proposal_id)
            e = governance.execute(client, council[0], p.proposal_id)
            rows += [
                ("council: propose (registerAuthority)", p.tx.gas_used, "1 of 2 approvals"),
                ("council: approve", a.tx.gas_used, "2 of 2"),
                ("council: execute registerAuthority", e.tx.gas_used, ""),
            ]
            chamber, other = account("chamber-DE"), account("chamber-DE-2")
            now = int(client.w3.eth.get_block("latest")["timestamp"])
            issuer_id, tx = governance.accredit(client, authority, name="IHK Gas", signing_key=chamber.address,
                                                valid_from=now - 10, valid_until=now + 2 * YEAR,
                                                key=chamber)  # fmt: skip
            rows.append(("authority: accredit (with proof of possession)", tx.gas_used, ""))
            other_id, _ = governance.accredit(client, authority, name="IHK Other", signing_key=other.address,
                                              valid_from=now - 10, valid_until=now + 2 * YEAR,
                                              key=other)  # fmt: skip

            signer = LocalSigner(chamber)
            rng = random.Random(1)
            docs = [
                sample_certificate(rng, number=f"DE-GAS-{i:06d}", economy="DE")
                for i in range(args.batch + 4)
            ]
            with Journal.open(work / "journal.sqlite") as journal:
                single = issue_batch(client, signer, docs[:1], journal=journal)
                rows.append(("anchor: single certificate", single.gas_used or 0, "per certificate"))
                batch = issue_batch(
                    client, signer, docs[1 : args.batch + 1], journal=journal, workers=2
                )
                per = (batch.gas_used or 0) / args.batch
                rows.append((f"anchor: batch of {args.batch:,}", batch.gas_used or 0,
                             f"{per:.1f} per certificate (target <= 100: {'met' if per <= 100 else 'NOT met'})"))  # fmt: skip
                second = issue_batch(
                    client, signer, docs[args.batch + 1 : args.batch + 2], journal=journal
                )
                r = revoke(client, signer, journal, second.numbers[0], "issued_in_error")
                rows.append(("revokeRoot (a single certificate)", r.gas_used or 0, ""))
                r = revoke(client, signer, journal, batch.numbers[7], "lost")
                depth = max(1, (args.batch - 1).bit_length())
                rows.append(
                    (f"revokeLeaf (batch of {args.batch:,}, proof of {depth})", r.gas_used or 0, "")
                )
                # a successor is issued on or after the day of the certificate it replaces
                old = min(docs[1 : args.batch + 1], key=lambda d: d["issue_date"])
                successor = next(
                    d for d in docs[args.batch + 2 :] if d["issue_date"] >= old["issue_date"]
                )
                _, link = replace(
                    client, signer, journal, old["number"], successor, reason="amended"
                )
                rows.append(
                    (
                        "replace (batch leaf -> new single)",
                        link.gas_used or 0,
                        "plus the new anchor",
                    )
                )

            rows.append(
                (
                    "authority: suspend",
                    governance.suspend(client, authority, other_id, 1).gas_used,
                    "",
                )
            )
            rows.append(
                (
                    "authority: reinstate",
                    governance.reinstate(client, authority, other_id).gas_used,
                    "",
                )
            )
            rows.append(
                (
                    "authority: renew",
                    governance.renew(client, authority, other_id, now + 3 * YEAR).gas_used,
                    "",
                )
            )
            for n in (1, 2):  # the first VC key, then a rotation that retires it
                vc_key = generate_key_pair()
                possession = vc_key_possession(
                    vc_key, other_id, client.chain_id, manifest.issuer_registry.address
                )
                gas = governance.set_vc_key(client, other, other_id, possession).gas_used
                rows.append(
                    (
                        f"issuer: register VC key ({'first' if n == 1 else 'rotation'})",
                        gas,
                        "P-256 proof of possession checked in Solidity",
                    )
                )
            new_key = account("chamber-DE-new")
            rows.append(
                (
                    "issuer: rotate key",
                    governance.rotate_key(
                        client, chamber, issuer_id, new_key.address, key=new_key
                    ).gas_used,
                    "",
                )
            )
            rows.append(
                (
                    "authority: withdraw",
                    governance.withdraw(client, authority, other_id, fraud=False).gas_used,
                    "",
                )
            )
        finally:
            devchain.stop(port, state_dir=work / "chain")

    width = max(len(r[0]) for r in rows)
    print(f"{'act':<{width}}  {'gas':>9}")
    for name, gas, note in rows:
        print(f"{name:<{width}}  {gas:>9,}  {note}")


if __name__ == "__main__":
    main()
