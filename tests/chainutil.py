"""Helpers for chain tests: deterministic keys, the test world, an independent EIP-712 signer.

Imported as ``chainutil`` (a unique module name): ``conftest`` is ambiguous once several test
folders have their own.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from origincert import governance
from origincert.chain import ChainClient, Manifest

YEAR = 365 * 24 * 3600


def test_account(label: str) -> LocalAccount:
    """A deterministic key per role, so failures are reproducible."""
    return Account.from_key(keccak(text=f"origincert-test:{label}"))


test_account.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, wherever it is imported


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class World:
    """The consortium every chain test starts from."""

    client: ChainClient
    manifest: Manifest
    council: list[LocalAccount]
    authorities: dict[str, LocalAccount]
    chambers: dict[str, LocalAccount]  # label -> signing key
    chamber_ids: dict[str, int] = field(default_factory=dict)
    deployer: LocalAccount | None = None

    def now(self) -> int:
        return int(self.client.w3.eth.get_block("latest")["timestamp"])

    def rpc(self, method: str, params: list | None = None):
        return self.client.w3.provider.make_request(method, params or [])

    def advance(self, seconds: int) -> None:
        self.rpc("evm_increaseTime", [seconds])
        self.rpc("evm_mine")

    def council_act(self, act: str, args: list) -> governance.ProposalResult:
        """Propose, gather as many approvals as the current threshold asks, execute."""
        threshold = self.client.call(self.client.issuers.functions.threshold())
        p = governance.propose(self.client, self.council[0], act, args)
        for member in self.council[1:threshold]:
            governance.approve(self.client, member, p.proposal_id)
        return governance.execute(self.client, self.council[0], p.proposal_id)


def eip712_anchor_message(
    root: bytes, leaf_count: int, chain_id: int, registry: str
) -> SignableMessage:
    """``Anchor(root, leafCount)`` encoded by eth-account's own EIP-712 encoder: the reference."""
    return encode_typed_data(
        full_message={
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "Anchor": [
                    {"name": "root", "type": "bytes32"},
                    {"name": "leafCount", "type": "uint32"},
                ],
            },
            "primaryType": "Anchor",
            "domain": {
                "name": "origincert",
                "version": "1",
                "chainId": chain_id,
                "verifyingContract": registry,
            },
            "message": {"root": root, "leafCount": leaf_count},
        }
    )


def eip712_anchor_signature(
    account: LocalAccount, root: bytes, leaf_count: int, chain_id: int, registry: str
) -> tuple[bytes, bytes]:
    """Sign with eth-account, independently of origincert.signing; return the compact (r, vs)."""
    message = eip712_anchor_message(root, leaf_count, chain_id, registry)
    signed = account.sign_message(message)
    vs = signed.s | ((signed.v - 27) << 255)
    return signed.r.to_bytes(32, "big"), vs.to_bytes(32, "big")
