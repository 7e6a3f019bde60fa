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
    """A loopback port the OS chose, left in TIME_WAIT so that for a minute the OS gives it to no
    other ``bind(("127.0.0.1", 0))``: two xdist workers asking at once get different ports. The
    servers the tests start (Node, Redis, PostgreSQL, gunicorn) bind with SO_REUSEADDR, which
    TIME_WAIT does not stop."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = int(listener.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = listener.accept()
            accepted.close()  # this side closes first, so this side's port waits in TIME_WAIT
    return port


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
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    chain_id: int,
    registry: str,
) -> SignableMessage:
    """``Anchor(root, leafCount, issuerId, epoch, deadline)`` by eth-account's own EIP-712
    encoder: the reference."""
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
                    {"name": "issuerId", "type": "uint64"},
                    {"name": "epoch", "type": "uint64"},
                    {"name": "deadline", "type": "uint64"},
                ],
            },
            "primaryType": "Anchor",
            "domain": {
                "name": "origincert",
                "version": "2",
                "chainId": chain_id,
                "verifyingContract": registry,
            },
            "message": {
                "root": root,
                "leafCount": leaf_count,
                "issuerId": issuer_id,
                "epoch": epoch,
                "deadline": deadline,
            },
        }
    )


def eip712_key_possession_message(
    key: str, issuer_id: int, economy: str, chain_id: int, issuer_registry: str
) -> SignableMessage:
    """``KeyPossession(key, issuerId, economy)`` in the IssuerRegistry's domain, by eth-account."""
    return encode_typed_data(
        full_message={
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "KeyPossession": [
                    {"name": "key", "type": "address"},
                    {"name": "issuerId", "type": "uint64"},
                    {"name": "economy", "type": "bytes2"},
                ],
            },
            "primaryType": "KeyPossession",
            "domain": {
                "name": "origincert-issuers",
                "version": "2",
                "chainId": chain_id,
                "verifyingContract": issuer_registry,
            },
            "message": {"key": key, "issuerId": issuer_id, "economy": economy.encode()},
        }
    )


def compact(signed) -> tuple[bytes, bytes]:
    vs = signed.s | ((signed.v - 27) << 255)
    return signed.r.to_bytes(32, "big"), vs.to_bytes(32, "big")


def eip712_anchor_signature(
    account: LocalAccount,
    root: bytes,
    leaf_count: int,
    issuer_id: int,
    epoch: int,
    deadline: int,
    chain_id: int,
    registry: str,
) -> tuple[bytes, bytes]:
    """Sign with eth-account, independently of origincert.signing; return the compact (r, vs)."""
    message = eip712_anchor_message(
        root, leaf_count, issuer_id, epoch, deadline, chain_id, registry
    )
    return compact(account.sign_message(message))


def key_possession(world: World, key: LocalAccount, issuer_id: int, economy: str):
    """The compact (r, vs) proof that ``key`` is held, signed with eth-account (the reference)."""
    c = world.client
    message = eip712_key_possession_message(
        key.address, issuer_id, economy, c.chain_id, c.manifest.issuer_registry.address
    )
    return compact(key.sign_message(message))


def anchor_tx(
    world: World,
    signer: LocalAccount,
    root: bytes,
    count: int = 1,
    *,
    issuer_id: int | None = None,
    epoch: int | None = None,
    deadline: int | None = None,
    chain_id: int | None = None,
    registry: str | None = None,
    claim_id: int | None = None,
):
    """The ``anchor`` call for ``root`` signed by ``signer`` (for its own body unless
    ``issuer_id``), at the body's current epoch, with a deadline an hour ahead; ``claim_id`` is the
    issuer id sent with the call when it differs from the signed one."""
    c = world.client
    if issuer_id is None:
        issuer_id = int(c.call(c.issuers.functions.keyRecord(signer.address))[0])
    if epoch is None:
        epoch = int(c.call(c.issuers.functions.epochOf(issuer_id))) if issuer_id else 0
    if deadline is None:
        deadline = world.now() + 3600
    r, vs = eip712_anchor_signature(
        signer,
        root,
        count,
        issuer_id,
        epoch,
        deadline,
        chain_id or c.chain_id,
        registry or c.manifest.certificate_registry.address,
    )
    sent_id = issuer_id if claim_id is None else claim_id
    return c.certificates.functions.anchor(root, count, sent_id, epoch, deadline, r, vs)


def anchor(world: World, signer: LocalAccount, root: bytes, count: int = 1, **kw):
    """Anchor as a relayer would (any account sends the body's signature)."""
    return world.client.send(anchor_tx(world, signer, root, count, **kw), test_account("relayer"))
