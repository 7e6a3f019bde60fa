"""Helpers for chain tests that must not depend on the code under test (an independent EIP-712 signer)."""

from __future__ import annotations

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount


def eip712_anchor_signature(
    account: LocalAccount, root: bytes, leaf_count: int, chain_id: int, registry: str
) -> tuple[bytes, bytes]:
    """Sign ``Anchor(root, leafCount)`` with eth-account's own EIP-712 encoder; return (r, vs)."""
    message = encode_typed_data(
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
    signed = account.sign_message(message)
    vs = signed.s | ((signed.v - 27) << 255)
    return signed.r.to_bytes(32, "big"), vs.to_bytes(32, "big")
