// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IIssuerRegistry} from "./IIssuerRegistry.sol";

/**
 * @dev Events, errors and types of {CertificateRegistry}. Only hashes and status go on chain,
 * never certificate content. Everything is keyed by the issuing body first: one body's anchor,
 * revocation or replacement can never touch another body's certificates.
 */
interface ICertificateRegistry {
    /**
     * @dev One anchored batch root of one issuing body. Packed in a single storage slot (256 bits):
     * issuerId 32 | leafCount 32 | anchoredAt 40 | anchoredBlock 40 | revokedAt 40 | revocationReason 8
     * | epoch 64. The anchor exists only if the body was accredited with the signing key, in the signed
     * epoch, when this very transaction ran: the record is the answer to "accredited at issue".
     */
    struct Anchor {
        uint32 issuerId;
        uint32 leafCount;
        uint40 anchoredAt;
        uint40 anchoredBlock;
        uint40 revokedAt;
        uint8 revocationReason;
        uint64 epoch;
    }

    /// @dev Everything a verifier needs about one certificate (a leaf under a root of one body).
    struct CertificateStatus {
        Anchor anchor;
        uint40 leafRevokedAt;
        uint8 leafRevocationReason;
        uint40 replacedAt;
        bytes32 replacedByRoot;
        bytes32 replacedByLeaf;
    }

    /// @dev The signed epoch is in the anchor record ({anchorOf}); from events alone it is the
    /// body's epoch at this log's position (replay {IIssuerRegistry-IssuerEpochChanged}).
    event Anchored(bytes32 indexed root, uint32 indexed issuerId, address signer, uint32 leafCount);
    event RootRevoked(bytes32 indexed root, uint32 indexed issuerId, address indexed by, uint8 reason);
    /// @dev `root` is the batch whose proof was shown; the revocation holds for the leaf under every
    /// root of the same issuing body.
    event LeafRevoked(bytes32 indexed root, bytes32 indexed leaf, address indexed by, uint32 issuerId, uint8 reason);
    event CertificateReplaced(
        bytes32 indexed oldRoot,
        bytes32 indexed oldLeaf,
        bytes32 newRoot,
        bytes32 newLeaf,
        address indexed by,
        uint32 issuerId
    );

    error CertificateRegistryEmptyBatch();
    error CertificateRegistryZeroRoot();
    error CertificateRegistryInvalidSignature();
    error CertificateRegistrySignatureExpired(uint64 deadline);
    error CertificateRegistryStaleEpoch(uint32 issuerId, uint64 signed, uint64 current);
    error CertificateRegistrySignerNotIssuer(address signer, uint32 issuerId);
    error CertificateRegistryNotAccredited(address signer, IIssuerRegistry.Standing standing);
    error CertificateRegistryAlreadyAnchored(uint32 issuerId, bytes32 root);
    error CertificateRegistryUnknownRoot(uint32 issuerId, bytes32 root);
    error CertificateRegistryNotAllowed(address account, uint32 issuerId);
    error CertificateRegistryInvalidReason(uint8 reason);
    error CertificateRegistryAlreadyRevoked(bytes32 root, bytes32 leaf);
    error CertificateRegistryAlreadyReplaced(bytes32 root, bytes32 leaf);
    error CertificateRegistryAlreadySuccessor(bytes32 root, bytes32 leaf);
    error CertificateRegistrySuccessorNotLater(bytes32 oldRoot, bytes32 newRoot);
    error CertificateRegistryInvalidProof(bytes32 root, bytes32 leaf);
    error CertificateRegistrySelfReplacement(bytes32 leaf);
    error CertificateRegistryLengthMismatch(uint256 issuers, uint256 roots, uint256 leaves);
}
