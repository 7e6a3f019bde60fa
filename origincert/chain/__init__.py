"""The ledger: connection, contract bindings, deployment and manifest. Only this package speaks JSON-RPC."""

from origincert.chain.client import ChainClient, TransactionSigner, TxResult
from origincert.chain.deploy import deploy
from origincert.chain.errors import decode_revert
from origincert.chain.manifest import Deployment, Manifest

__all__ = [
    "ChainClient",
    "Deployment",
    "Manifest",
    "TransactionSigner",
    "TxResult",
    "decode_revert",
    "deploy",
]
