"""Genesis documents for a consortium: geth Clique (run here) and Besu QBFT (the production kit).

Pure functions of the validator list and a few parameters, so the structure can be tested
without any node. Both chains start at a base fee of zero and take legacy transactions at gas
price zero: no account ever needs funds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rlp
from eth_utils import to_bytes, to_checksum_address

__all__ = [
    "BESU_QBFT_MIXHASH",
    "besu_qbft_genesis",
    "clique_extra_data",
    "clique_genesis",
    "qbft_extra_data",
]

GAS_LIMIT = 30_000_000
# The mix hash every QBFT / IBFT 2.0 genesis carries ("ctical byzantine fault tolerance").
BESU_QBFT_MIXHASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"


def _address_bytes(address: str) -> bytes:
    raw = to_bytes(hexstr=to_checksum_address(address))
    assert len(raw) == 20
    return raw


def clique_extra_data(signers: Sequence[str]) -> str:
    """32 bytes of vanity, the signers' addresses in ascending order, 65 zero bytes of seal."""
    if not signers:
        raise ValueError("a Clique network needs at least one signer")
    ordered = sorted({_address_bytes(a) for a in signers})
    return "0x" + (b"\0" * 32 + b"".join(ordered) + b"\0" * 65).hex()


def clique_genesis(
    signers: Sequence[str], *, chain_id: int, period: int, gas_limit: int = GAS_LIMIT
) -> dict[str, Any]:
    """A geth Clique genesis: every fork up to London at block 0 and none after it (Clique
    rejects Shanghai), a base fee of zero (it stays zero while blocks are less than half full)."""
    if period < 1:
        raise ValueError("a Clique block period is at least 1 second")
    forks = [
        "homesteadBlock",
        "eip150Block",
        "eip155Block",
        "eip158Block",
        "byzantiumBlock",
        "constantinopleBlock",
        "petersburgBlock",
        "istanbulBlock",
        "muirGlacierBlock",
        "berlinBlock",
        "londonBlock",
    ]
    return {
        "config": {
            "chainId": chain_id,
            **{f: 0 for f in forks},
            "clique": {"period": period, "epoch": 30000},
        },
        "nonce": "0x0",
        "timestamp": "0x0",
        "extraData": clique_extra_data(signers),
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "baseFeePerGas": "0x0",
        "mixHash": "0x" + "00" * 32,
        "coinbase": "0x" + "00" * 20,
        "alloc": {},
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": "0x" + "00" * 32,
    }


def qbft_extra_data(validators: Sequence[str]) -> str:
    """Besu's QBFT genesis extra data: RLP([32-byte vanity, [validators], no vote, round 0,
    no seals]), the validators in the order given (Besu sorts them itself)."""
    if not validators:
        raise ValueError("a QBFT network needs at least one validator")
    addresses = [_address_bytes(a) for a in validators]
    # No vote is an empty list; round 0 is the integer 0, which RLP encodes as empty bytes.
    return "0x" + rlp.encode([b"\0" * 32, addresses, [], 0, []]).hex()


def besu_qbft_genesis(
    validators: Sequence[str],
    *,
    chain_id: int,
    block_period: int = 2,
    request_timeout: int = 10,
    gas_limit: int = GAS_LIMIT,
) -> dict[str, Any]:
    """A Besu QBFT genesis (block-header validator selection) for a free-gas network:
    ``zeroBaseFee`` keeps the London base fee at zero, nodes run with ``min-gas-price=0``.
    The contracts are compiled for London, which Besu runs too."""
    return {
        "config": {
            "chainId": chain_id,
            "berlinBlock": 0,
            "londonBlock": 0,
            "zeroBaseFee": True,
            "contractSizeLimit": 2147483647,
            "qbft": {
                "epochlength": 30000,
                "blockperiodseconds": block_period,
                "requesttimeoutseconds": request_timeout,
            },
        },
        "nonce": "0x0",
        "timestamp": "0x0",
        "extraData": qbft_extra_data(validators),
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "baseFeePerGas": "0x0",
        "mixHash": BESU_QBFT_MIXHASH,
        "coinbase": "0x" + "00" * 20,
        "alloc": {},
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": "0x" + "00" * 32,
    }
