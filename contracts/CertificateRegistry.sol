// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ICertificateRegistry} from "./interfaces/ICertificateRegistry.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";
import {IssuerRegistry} from "./IssuerRegistry.sol";

/**
 * @title CertificateRegistry
 * @notice Anchors batches of certificates of origin: a Merkle root (a single certificate is a
 * batch of one) signed by an accredited issuing body with EIP-712, so that any account (a relayer)
 * may submit it. Revocation is per certificate (leaf) or per batch (root), with a reason code;
 * a replacement links the old certificate to its successor.
 *
 * Leaves follow OpenZeppelin's convention, `keccak256(keccak256(targetHash))`, and inner nodes
 * hash sorted pairs, so proofs check with {MerkleProof}. The signature's domain binds the chain id
 * and this contract's address: it cannot be replayed on another network or registry.
 *
 * Revocation reason codes: 1 issued in error, 2 fraud, 3 cancelled (unused), 4 lost or destroyed,
 * 5 superseded by a replacement, 6 issuer withdrawn; other non-zero values are allowed for
 * agreements with their own codes.
 */
contract CertificateRegistry is ICertificateRegistry, EIP712 {
    /// @dev keccak256("Anchor(bytes32 root,uint32 leafCount)")
    bytes32 public constant ANCHOR_TYPEHASH = keccak256("Anchor(bytes32 root,uint32 leafCount)");

    IssuerRegistry public immutable issuers;

    /// @dev Leaf-level facts, keyed by root then leaf so that one issuer cannot touch another's leaf.
    /// One slot: revokedAt 40 | reason 8 | replacedAt 40; then the successor's root and leaf.
    struct LeafRecord {
        uint40 revokedAt;
        uint8 revocationReason;
        uint40 replacedAt;
        bytes32 replacedByRoot;
        bytes32 replacedByLeaf;
    }

    mapping(bytes32 root => Anchor) private _anchors;
    mapping(bytes32 root => mapping(bytes32 leaf => LeafRecord)) private _leaves;

    constructor(IssuerRegistry issuerRegistry) EIP712("origincert", "1") {
        issuers = issuerRegistry;
    }

    /**
     * @notice Anchor a batch root signed by an issuing body.
     * @param root the batch Merkle root (the leaf itself for a single certificate)
     * @param leafCount the number of certificates in the batch
     * @param r,vs the issuing body's EIP-712 signature over `Anchor(root, leafCount)`, EIP-2098 compact form
     *
     * Requirements: `leafCount > 0`; the root is new; the signature is valid and its signer is an
     * accredited issuing body now.
     *
     * Emits {Anchored}.
     */
    function anchor(bytes32 root, uint32 leafCount, bytes32 r, bytes32 vs) external returns (uint32 issuerId) {
        if (leafCount == 0) revert CertificateRegistryEmptyBatch();
        Anchor storage a = _anchors[root];
        if (a.anchoredAt != 0) revert CertificateRegistryAlreadyAnchored(root);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(ANCHOR_TYPEHASH, root, leafCount)));
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, r, vs);
        if (err != ECDSA.RecoverError.NoError) revert CertificateRegistryInvalidSignature();
        IIssuerRegistry.Standing standing;
        (issuerId, standing) = issuers.standingOf(signer);
        if (standing != IIssuerRegistry.Standing.Accredited) revert CertificateRegistryNotAccredited(signer, standing);
        _anchors[root] = Anchor({
            issuerId: issuerId,
            leafCount: leafCount,
            anchoredAt: uint40(block.timestamp),
            anchoredBlock: uint40(block.number),
            revokedAt: 0,
            revocationReason: 0
        });
        emit Anchored(root, issuerId, signer, leafCount);
    }

    /**
     * @notice Revoke a whole batch (or a single certificate, which is a batch of one).
     *
     * Requirements: the root is anchored and not revoked; `reason` is not 0; the caller is the
     * issuing body's current key or the authority of its economy.
     *
     * Emits {RootRevoked}.
     */
    function revokeRoot(bytes32 root, uint8 reason) external {
        Anchor storage a = _anchoredBy(root);
        uint32 issuerId = a.issuerId;
        _requireAllowed(issuerId);
        if (reason == 0) revert CertificateRegistryInvalidReason(reason);
        if (a.revokedAt != 0) revert CertificateRegistryAlreadyRevoked(root, root);
        a.revokedAt = uint40(block.timestamp);
        a.revocationReason = reason;
        emit RootRevoked(root, issuerId, msg.sender, reason);
    }

    /**
     * @notice Revoke one certificate of a batch.
     *
     * Requirements: as {revokeRoot}, and `proof` shows `leaf` is in the batch.
     *
     * Emits {LeafRevoked}.
     */
    function revokeLeaf(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason) external {
        Anchor storage a = _anchoredBy(root);
        _requireAllowed(a.issuerId);
        if (reason == 0) revert CertificateRegistryInvalidReason(reason);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert CertificateRegistryInvalidProof(root, leaf);
        LeafRecord storage l = _leaves[root][leaf];
        if (a.revokedAt != 0 || l.revokedAt != 0) revert CertificateRegistryAlreadyRevoked(root, leaf);
        l.revokedAt = uint40(block.timestamp);
        l.revocationReason = reason;
        emit LeafRevoked(root, leaf, msg.sender, reason);
    }

    /**
     * @notice Record that a certificate was replaced by another (lost certificate, amendment).
     * The old one's status becomes "replaced"; both must have been anchored by the same issuing body.
     *
     * Requirements: both roots anchored by the same issuer; both proofs valid; the old certificate
     * neither revoked nor already replaced; the new one not revoked; the caller may act for the issuer.
     *
     * Emits {CertificateReplaced}.
     */
    function replace(
        bytes32 oldRoot,
        bytes32 oldLeaf,
        bytes32[] calldata oldProof,
        bytes32 newRoot,
        bytes32 newLeaf,
        bytes32[] calldata newProof
    ) external {
        if (oldLeaf == newLeaf) revert CertificateRegistrySelfReplacement(oldLeaf);
        Anchor storage o = _anchoredBy(oldRoot);
        Anchor storage n = _anchoredBy(newRoot);
        if (o.issuerId != n.issuerId) revert CertificateRegistryIssuerMismatch(o.issuerId, n.issuerId);
        _requireAllowed(o.issuerId);
        if (!MerkleProof.verifyCalldata(oldProof, oldRoot, oldLeaf)) revert CertificateRegistryInvalidProof(oldRoot, oldLeaf);
        if (!MerkleProof.verifyCalldata(newProof, newRoot, newLeaf)) revert CertificateRegistryInvalidProof(newRoot, newLeaf);
        LeafRecord storage old = _leaves[oldRoot][oldLeaf];
        if (o.revokedAt != 0 || old.revokedAt != 0) revert CertificateRegistryAlreadyRevoked(oldRoot, oldLeaf);
        if (old.replacedAt != 0) revert CertificateRegistryAlreadyReplaced(oldRoot, oldLeaf);
        if (n.revokedAt != 0 || _leaves[newRoot][newLeaf].revokedAt != 0) {
            revert CertificateRegistryAlreadyRevoked(newRoot, newLeaf);
        }
        old.replacedAt = uint40(block.timestamp);
        old.replacedByRoot = newRoot;
        old.replacedByLeaf = newLeaf;
        emit CertificateReplaced(oldRoot, oldLeaf, newRoot, newLeaf, msg.sender);
    }

    /// @notice The anchor of a root (all zero if never anchored).
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }

    /// @notice Everything a verifier needs about one certificate.
    function certificateStatus(bytes32 root, bytes32 leaf) public view returns (CertificateStatus memory s) {
        LeafRecord storage l = _leaves[root][leaf];
        s.anchor = _anchors[root];
        s.leafRevokedAt = l.revokedAt;
        s.leafRevocationReason = l.revocationReason;
        s.replacedAt = l.replacedAt;
        s.replacedByRoot = l.replacedByRoot;
        s.replacedByLeaf = l.replacedByLeaf;
    }

    /// @notice {certificateStatus} for many certificates in one call, for batch verification.
    function certificateStatuses(
        bytes32[] calldata roots,
        bytes32[] calldata leaves
    ) external view returns (CertificateStatus[] memory out) {
        if (roots.length != leaves.length) revert CertificateRegistryLengthMismatch(roots.length, leaves.length);
        out = new CertificateStatus[](roots.length);
        for (uint256 i = 0; i < roots.length; ++i) {
            out[i] = certificateStatus(roots[i], leaves[i]);
        }
    }

    /// @notice The EIP-712 domain separator, for off-chain signers that want to check theirs.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _anchoredBy(bytes32 root) private view returns (Anchor storage a) {
        a = _anchors[root];
        if (a.anchoredAt == 0) revert CertificateRegistryUnknownRoot(root);
    }

    function _requireAllowed(uint32 issuerId) private view {
        if (!issuers.canActFor(msg.sender, issuerId)) revert CertificateRegistryNotAllowed(msg.sender, issuerId);
    }
}
