"""What the benchmarks share: deterministic keys, a free port, and a one-chamber consortium."""

from __future__ import annotations

import random
import socket
from datetime import date
from typing import Any

from eth_account import Account
from eth_utils import keccak

from origincert import governance
from origincert.chain import ChainClient, deploy
from origincert.devtools.samples import sample_certificate
from origincert.signing import LocalSigner

YEARS_3 = 3 * 365 * 86400


def account(label: str) -> Any:
    """A deterministic key per role, so every run builds the same ledger."""
    return Account.from_key(keccak(text=f"origincert-bench:{label}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def consortium(url: str) -> tuple[ChainClient, LocalSigner]:
    """Deploy, register the German authority by 2-of-3 council vote, accredit one chamber."""
    client = ChainClient.connect(url)
    council = [account(f"council-{i}") for i in range(3)]
    deploy(client, account("deployer"), [a.address for a in council], 2)
    authority = account("authority-DE")
    p = governance.propose(
        client, council[0], "registerAuthority", [b"DE", authority.address, "Authority DE"]
    )
    governance.approve(client, council[1], p.proposal_id)
    governance.execute(client, council[0], p.proposal_id)
    chamber = account("chamber-DE")
    now = int(client.w3.eth.get_block("latest")["timestamp"])
    governance.accredit(client, authority, name="IHK Bench", signing_key=chamber.address,
                        valid_from=now - 10, valid_until=now + YEARS_3, key=chamber)  # fmt: skip
    return client, LocalSigner(chamber)


def documents_valid_on(day: date, n: int, seed: int) -> list[dict[str, Any]]:
    """German certificates in force on ``day``, so every verdict is VALID and every check runs.

    Each is issued on ``day`` itself (samples otherwise default to today), so the list is built in
    ``n`` draws whatever ``day`` is; filtering on a fixed day would loop forever once today's
    samples no longer cover it.
    """
    rng, out = random.Random(seed), []
    for _ in range(n):
        d = sample_certificate(rng, economy="DE", issued_on=day)
        if not date.fromisoformat(d["issue_date"]) <= day <= date.fromisoformat(d["valid_until"]):
            raise ValueError(f"sample issued {d['issue_date']} is not in force on {day}")
        out.append(d)
    return out
