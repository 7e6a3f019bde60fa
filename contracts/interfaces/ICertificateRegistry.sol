// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

import {IIssuerRegistry} from "./IIssuerRegistry.sol";

/**
 * @title ICertificateRegistry
 * @notice Anchors, revocations and replacements of certificates of origin.
 * @dev Every function, event, error and type of {CertificateRegistry}, with ERC-5267's `eip712Domain` for
 * the EIP-712 signatures it checks. Only hashes and status go
 * on chain, never certificate content. Everything is keyed by the issuing body first: one body's
 * anchor, revocation or replacement can never touch another body's certificates.
 */
interface ICertificateRegistry is IERC5267 {
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

    /// @notice A body's batch root was anchored, signed by `signer`.
    /// @dev The signed epoch is in the anchor record ({anchorOf}); from events alone it is the
    /// body's epoch at this log's position (replay {IIssuerRegistry-IssuerEpochChanged}).
    /// @param root the batch root
    /// @param issuerId the issuing body
    /// @param signer the signature's signer, the body's key then
    /// @param leafCount the number of certificates
    event Anchored(bytes32 indexed root, uint32 indexed issuerId, address signer, uint32 leafCount);
    /// @notice A whole batch of a body was revoked, for good.
    /// @param root the batch root
    /// @param issuerId the issuing body
    /// @param by the account that acted
    /// @param reason the revocation reason code
    event RootRevoked(bytes32 indexed root, uint32 indexed issuerId, address indexed by, uint8 reason);
    /// @notice One certificate of a body was revoked, for good.
    /// @dev `root` is the batch whose proof was shown; the revocation holds for the leaf under every
    /// root of the same issuing body.
    /// @param root the batch whose proof was shown
    /// @param leaf the certificate's leaf
    /// @param by the account that acted
    /// @param issuerId the issuing body
    /// @param reason the revocation reason code
    event LeafRevoked(bytes32 indexed root, bytes32 indexed leaf, address indexed by, uint32 issuerId, uint8 reason);
    /// @notice A certificate was replaced by a later one of the same body.
    /// @param oldRoot the replaced certificate's batch root
    /// @param oldLeaf the replaced certificate's leaf
    /// @param newRoot the successor's batch root
    /// @param newLeaf the successor's leaf
    /// @param by the account that acted
    /// @param issuerId the issuing body
    event CertificateReplaced(
        bytes32 indexed oldRoot,
        bytes32 indexed oldLeaf,
        bytes32 newRoot,
        bytes32 newLeaf,
        address indexed by,
        uint32 issuerId
    );

    /// @dev A batch holds at least one certificate.
    error CertificateRegistryEmptyBatch();
    /// @dev The zero root is no batch.
    error CertificateRegistryZeroRoot();
    /// @dev The anchor signature is malformed.
    error CertificateRegistryInvalidSignature();
    /// @dev The signature's deadline passed.
    error CertificateRegistrySignatureExpired(uint64 deadline);
    /// @dev The body's epoch moved since it signed (suspension, rotation, VC key, bump).
    error CertificateRegistryStaleEpoch(uint32 issuerId, uint64 signed, uint64 current);
    /// @dev The signer is not the current key of the body the signature names.
    error CertificateRegistrySignerNotIssuer(address signer, uint32 issuerId);
    /// @dev The body is not accredited now; `standing` says why.
    error CertificateRegistryNotAccredited(address signer, IIssuerRegistry.Standing standing);
    /// @dev The body anchored this root already.
    error CertificateRegistryAlreadyAnchored(uint32 issuerId, bytes32 root);
    /// @dev The body never anchored this root.
    error CertificateRegistryUnknownRoot(uint32 issuerId, bytes32 root);
    /// @dev The caller may not act for the body.
    error CertificateRegistryNotAllowed(address account, uint32 issuerId);
    /// @dev Reason code 0 means none.
    error CertificateRegistryInvalidReason(uint8 reason);
    /// @dev The certificate or its batch is revoked already.
    error CertificateRegistryAlreadyRevoked(bytes32 root, bytes32 leaf);
    /// @dev The certificate was replaced already.
    error CertificateRegistryAlreadyReplaced(bytes32 root, bytes32 leaf);
    /// @dev The successor replaces another certificate already (no merges).
    error CertificateRegistryAlreadySuccessor(bytes32 root, bytes32 leaf);
    /// @dev A successor is anchored in a later block than what it replaces (no cycles).
    error CertificateRegistrySuccessorNotLater(bytes32 oldRoot, bytes32 newRoot);
    /// @dev The Merkle proof does not lead from the leaf to the root.
    error CertificateRegistryInvalidProof(bytes32 root, bytes32 leaf);
    /// @dev A certificate cannot replace itself.
    error CertificateRegistrySelfReplacement(bytes32 leaf);
    /// @dev The batch view's arrays differ in length.
    error CertificateRegistryLengthMismatch(uint256 issuers, uint256 roots, uint256 leaves);
    /// @dev The snapshot's certificates are not whole 68-byte records.
    error CertificateRegistryMalformedQuery(uint256 length);

    // solhint-disable func-name-mixedcase

    /**
     * @notice The EIP-712 type hash of
     * `Anchor(bytes32 root,uint32 leafCount,uint64 issuerId,uint64 epoch,uint64 deadline)`.
     * @return the type hash
     */
    function ANCHOR_TYPEHASH() external view returns (bytes32);

    // solhint-enable func-name-mixedcase

    /**
     * @notice The IssuerRegistry that says who may anchor.
     * @return the registry
     */
    function issuers() external view returns (IIssuerRegistry);

    /**
     * @notice Anchor a batch root signed by an issuing body; any account (a relayer) may send it.
     * @dev Requirements: `leafCount > 0`; `root` is not zero and new for this body; the deadline
     * has not passed; the signer is the body's current key, accredited now, and `epoch` is its
     * epoch now.
     *
     * Emits {Anchored}.
     * @param root the batch Merkle root (the leaf itself for a single certificate)
     * @param leafCount the number of certificates in the batch
     * @param issuerId the issuing body the signature speaks for
     * @param epoch the body's epoch when it signed ({IIssuerRegistry-epochOf})
     * @param deadline the last block timestamp at which the signature may be anchored
     * @param r first half of the body's EIP-712 signature over `Anchor(root, leafCount, issuerId,
     * epoch, deadline)`, EIP-2098 compact form
     * @param vs second half of that signature
     */
    function anchor(
        bytes32 root,
        uint32 leafCount,
        uint64 issuerId,
        uint64 epoch,
        uint64 deadline,
        bytes32 r,
        bytes32 vs
    ) external;

    /**
     * @notice Revoke a whole batch of one issuing body (or a single certificate, a batch of one).
     * Final: nothing un-revokes.
     * @dev Requirements: the root is anchored by `issuerId` and not revoked; `reason` is not 0; the
     * caller is the body's current key (whatever its status: a withdrawn body may still revoke its
     * own) or the authority of its economy.
     *
     * Emits {RootRevoked}.
     * @param issuerId the body
     * @param root the batch root
     * @param reason the revocation reason code (see {CertificateRegistry})
     */
    function revokeRoot(uint32 issuerId, bytes32 root, uint8 reason) external;

    /**
     * @notice Revoke one certificate, given its target hash and its proof under one of the body's
     * roots. The revocation holds for that leaf under every root of the body, so re-anchoring it in
     * another batch never brings it back. Final.
     * @dev Requirements: as {revokeRoot}, and `proof` shows the leaf of `targetHash` is in the batch.
     *
     * Emits {LeafRevoked}.
     * @param issuerId the body
     * @param root a batch root of the body holding the certificate
     * @param targetHash the certificate's target hash (its leaf is computed here)
     * @param proof the Merkle proof from the leaf to `root`
     * @param reason the revocation reason code
     */
    function revokeLeaf(
        uint32 issuerId,
        bytes32 root,
        bytes32 targetHash,
        bytes32[] calldata proof,
        uint8 reason
    ) external;

    /**
     * @notice Record that a certificate was replaced by another of the same body (lost
     * certificate, amendment). The graph stays a set of chains: no cycles, no merges.
     * @dev Requirements: both roots anchored by `issuerId`, the successor's in a later block; both
     * proofs valid; the old certificate neither revoked nor already replaced; the successor
     * neither revoked, nor replaced, nor already the successor of another; the caller is the
     * authority of the body's economy, or the body's current key while the body is accredited.
     *
     * Emits {CertificateReplaced}.
     * @param issuerId the body
     * @param oldRoot the replaced certificate's batch root
     * @param oldTarget the replaced certificate's target hash
     * @param oldProof its Merkle proof
     * @param newRoot the successor's batch root
     * @param newTarget the successor's target hash
     * @param newProof its Merkle proof
     */
    function replace(
        uint32 issuerId,
        bytes32 oldRoot,
        bytes32 oldTarget,
        bytes32[] calldata oldProof,
        bytes32 newRoot,
        bytes32 newTarget,
        bytes32[] calldata newProof
    ) external;

    /**
     * @notice The anchor of a body's root (all zero if that body never anchored it).
     * @param issuerId the body
     * @param root the batch root
     * @return the anchor record
     */
    function anchorOf(uint32 issuerId, bytes32 root) external view returns (Anchor memory);

    /**
     * @notice Everything a verifier needs about one certificate of one issuing body.
     * @param issuerId the body
     * @param root the certificate's batch root
     * @param leaf the certificate's leaf
     * @return s the anchor, the leaf's revocation and its replacement
     */
    function certificateStatus(
        uint32 issuerId,
        bytes32 root,
        bytes32 leaf
    ) external view returns (CertificateStatus memory s);

    /**
     * @notice {certificateStatus} for many certificates in one call, for batch verification.
     * @param issuerIds the bodies
     * @param roots the batch roots
     * @param leaves the leaves
     * @return out one status per certificate, in order
     */
    function certificateStatuses(
        uint32[] calldata issuerIds,
        bytes32[] calldata roots,
        bytes32[] calldata leaves
    ) external view returns (CertificateStatus[] memory out);

    /**
     * @notice Everything a verifier reads, from one state in one call: the block, the status of
     * each certificate, the key record of each signing key and the view of each issuing body.
     * @dev Read-only and cheap per certificate (two storage reads, four more words when replaced):
     * the words are the storage slots themselves, in the packed layouts documented on {Anchor} and
     * below, so nothing is copied into memory structs. The answer, in 32-byte words:
     *
     * - `block.number`, `block.timestamp`, `blockhash(block.number - 1)`, {issuers}' address;
     * - per certificate, in order: the Anchor slot (all zero if never anchored), the leaf slot
     *   (revokedAt bits 0..39, revocationReason 40..47, replacedAt 48..87, isSuccessor 88..95), and
     *   only when replacedAt is not zero, the successor's root and leaf;
     * - per key: `IssuerRegistry.keyRecord(key)`, three words;
     * - per body: the byte length `n` of `IssuerRegistry.issuer(id)`'s ABI-encoded answer, then
     *   that answer padded to whole words; `n` is 0 (and nothing follows) when it reverted (no
     *   such body).
     *
     * Requirements: `certificates.length` is a multiple of 68.
     * @param certificates per certificate 68 bytes: issuerId (uint32), root, leaf
     * @param keys the signing keys whose key records are wanted
     * @param issuerIds the issuing bodies whose views are wanted
     * @return answer the words above
     */
    function verificationSnapshot(
        bytes calldata certificates,
        address[] calldata keys,
        uint32[] calldata issuerIds
    ) external view returns (bytes memory answer);

    /**
     * @notice The Merkle leaf of a certificate's target hash: `keccak256(keccak256(targetHash))`.
     * @param targetHash the certificate's target hash
     * @return the leaf
     */
    function leafOf(bytes32 targetHash) external pure returns (bytes32);

    /**
     * @notice The EIP-712 domain separator, for off-chain signers that want to check theirs.
     * @return the domain separator
     */
    function domainSeparator() external view returns (bytes32);
}
