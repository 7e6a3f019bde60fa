"""Deploy both registries and describe them in a manifest."""

from __future__ import annotations

from collections.abc import Sequence

from web3 import Web3

from origincert.chain.artifacts import load_artifact
from origincert.chain.client import ChainClient, TransactionSigner
from origincert.chain.manifest import Deployment, Manifest


def deploy(
    client: ChainClient, deployer: TransactionSigner, council: Sequence[str], threshold: int
) -> Manifest:
    """Deploy IssuerRegistry (with its council and M-of-N threshold), then CertificateRegistry.

    The deployer needs no role afterwards: all governance is the council's.
    """
    members = [Web3.to_checksum_address(a) for a in council]
    issuers = client.deploy("IssuerRegistry", [members, threshold], deployer)
    issuers_address = issuers.receipt["contractAddress"]
    certificates = client.deploy("CertificateRegistry", [issuers_address], deployer)
    manifest = Manifest(
        chain_id=client.chain_id,
        issuer_registry=Deployment(
            issuers_address, issuers.block_number, load_artifact("IssuerRegistry").abi_sha256
        ),
        certificate_registry=Deployment(
            certificates.receipt["contractAddress"],
            certificates.block_number,
            load_artifact("CertificateRegistry").abi_sha256,
        ),
        compiler=load_artifact("IssuerRegistry").compiler,
    )
    client.manifest = manifest
    return manifest
