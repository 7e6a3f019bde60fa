// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IIssuerRegistry} from "./IIssuerRegistry.sol";

/**
 * @dev Events, errors and types of {CertificateRegistry}. Only hashes and status go on chain,
 * never certificate content.
 */
interface ICertificateRegistry {
    /**
     * @dev One anchored batch root. Packed in a single storage slot (192 of 256 bits):
     * issuerId 32 | leafCount 32 | anchoredAt 40 | anchoredBlock 40 | revokedAt 40 | revocationReason 8.
     */
    struct Anchor {
        uint32 issuerId;
        uint32 leafCount;
        uint40 anchoredAt;
        uint40 anchoredBlock;
        uint40 revokedAt;
        uint8 revocationReason;
    }

    /// @dev Everything a verifier needs about one certificate (a leaf under a root).
    struct CertificateStatus {
        Anchor anchor;
        uint40 leafRevokedAt;
        uint8 leafRevocationReason;
        uint40 replacedAt;
        bytes32 replacedByRoot;
        bytes32 replacedByLeaf;
    }

    event Anchored(bytes32 indexed root, uint32 indexed issuerId, address signer, uint32 leafCount);
    event RootRevoked(bytes32 indexed root, uint32 indexed issuerId, address indexed by, uint8 reason);
    event LeafRevoked(bytes32 indexed root, bytes32 indexed leaf, address indexed by, uint8 reason);
    event CertificateReplaced(
        bytes32 indexed oldRoot,
        bytes32 indexed oldLeaf,
        bytes32 newRoot,
        bytes32 newLeaf,
        address indexed by
    );

    error CertificateRegistryEmptyBatch();
    error CertificateRegistryInvalidSignature();
    error CertificateRegistryNotAccredited(address signer, IIssuerRegistry.Standing standing);
    error CertificateRegistryAlreadyAnchored(bytes32 root);
    error CertificateRegistryUnknownRoot(bytes32 root);
    error CertificateRegistryNotAllowed(address account, uint32 issuerId);
    error CertificateRegistryInvalidReason(uint8 reason);
    error CertificateRegistryAlreadyRevoked(bytes32 root, bytes32 leaf);
    error CertificateRegistryAlreadyReplaced(bytes32 root, bytes32 leaf);
    error CertificateRegistryInvalidProof(bytes32 root, bytes32 leaf);
    error CertificateRegistryIssuerMismatch(uint32 oldIssuerId, uint32 newIssuerId);
    error CertificateRegistrySelfReplacement(bytes32 leaf);
    error CertificateRegistryLengthMismatch(uint256 roots, uint256 leaves);
}
