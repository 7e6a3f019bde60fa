// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICertificateRegistry} from "./interfaces/ICertificateRegistry.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";

/**
 * @title CertificateRegistry
 * @notice Anchors batches of certificates of origin: a Merkle root (a single certificate is a
 * batch of one) signed by an accredited issuing body with EIP-712, so that any account (a relayer)
 * may submit it. Revocation is per certificate (leaf) or per batch (root), with a reason code, and
 * is final; a replacement links the old certificate to its successor.
 *
 * Everything is keyed by the issuing body first, `(issuerId, root)` and `(issuerId, leaf)`: a body
 * can only anchor under its own id, so another body's anchor can never block, claim or un-revoke
 * its certificates. The signed `Anchor` names the body, its current epoch (moved by every suspend,
 * reinstate, rotation and withdrawal) and a deadline, so a signature cannot be relayed after the
 * body's standing changed or after it expired.
 *
 * Leaves follow OpenZeppelin's convention, `keccak256(keccak256(targetHash))`, and inner nodes
 * hash sorted pairs, so proofs check with {MerkleProof}. Revocation and replacement take the target
 * hash and compute the leaf here, so an inner node or a root can never pass as a certificate. The
 * signature's domain binds the chain id and this contract's address.
 *
 * Revocation reason codes: 1 issued in error, 2 fraud, 3 cancelled (unused), 4 lost or destroyed,
 * 5 superseded by a replacement, 6 issuer withdrawn; other non-zero values are allowed for
 * agreements with their own codes.
 */
contract CertificateRegistry is ICertificateRegistry, EIP712 {
    using SafeCast for uint256;

    /// @inheritdoc ICertificateRegistry
    bytes32 public constant ANCHOR_TYPEHASH =
        keccak256("Anchor(bytes32 root,uint32 leafCount,uint64 issuerId,uint64 epoch,uint64 deadline)");

    /// @inheritdoc ICertificateRegistry
    IIssuerRegistry public immutable issuers;

    /// @dev Leaf-level facts of one issuing body. One slot: revokedAt 40 | reason 8 | replacedAt 40 |
    /// isSuccessor 8; then the successor's root and leaf.
    struct LeafRecord {
        uint40 revokedAt;
        uint8 revocationReason;
        uint40 replacedAt;
        bool isSuccessor;
        bytes32 replacedByRoot;
        bytes32 replacedByLeaf;
    }

    mapping(uint32 issuerId => mapping(bytes32 root => Anchor)) private _anchors;
    mapping(uint32 issuerId => mapping(bytes32 leaf => LeafRecord)) private _leaves;

    /// @notice Bind this registry, for good, to the IssuerRegistry that says who may anchor.
    /// @param issuerRegistry that IssuerRegistry
    constructor(IIssuerRegistry issuerRegistry) EIP712("origincert", "2") {
        issuers = issuerRegistry;
    }

    /// @inheritdoc ICertificateRegistry
    function anchor(
        bytes32 root,
        uint32 leafCount,
        uint64 issuerId,
        uint64 epoch,
        uint64 deadline,
        bytes32 r,
        bytes32 vs
    ) external {
        if (leafCount == 0) revert CertificateRegistryEmptyBatch();
        if (root == bytes32(0)) revert CertificateRegistryZeroRoot();
        if (block.timestamp > deadline) revert CertificateRegistrySignatureExpired(deadline);
        uint32 id = uint256(issuerId).toUint32();
        Anchor storage a = _anchors[id][root];
        if (a.anchoredAt != 0) revert CertificateRegistryAlreadyAnchored(id, root);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(ANCHOR_TYPEHASH, root, leafCount, issuerId, epoch, deadline))
        );
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, r, vs);
        if (err != ECDSA.RecoverError.NoError) revert CertificateRegistryInvalidSignature();
        (uint32 keyIssuer, IIssuerRegistry.Standing standing, uint64 current) = issuers.anchorTerms(signer);
        if (keyIssuer != id) revert CertificateRegistrySignerNotIssuer(signer, id);
        if (standing != IIssuerRegistry.Standing.Accredited) revert CertificateRegistryNotAccredited(signer, standing);
        if (epoch != current) revert CertificateRegistryStaleEpoch(id, epoch, current);
        // The Anchor struct's one slot written once (Solidity packs the first member lowest):
        // issuerId 0..31 | leafCount 32..63 | anchoredAt 64..103 | anchoredBlock 104..143 |
        // revokedAt, revocationReason 0 | epoch 192..255. Field-by-field writes cost 600 gas more.
        uint256 packed = uint256(id) |
            (uint256(leafCount) << 32) |
            (uint256(block.timestamp.toUint40()) << 64) |
            (uint256(block.number.toUint40()) << 104) |
            (uint256(epoch) << 192);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(a.slot, packed)
        }
        emit Anchored(root, id, signer, leafCount);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeRoot(uint32 issuerId, bytes32 root, uint8 reason) external {
        Anchor storage a = _anchoredBy(issuerId, root);
        _requireRevoker(issuerId);
        if (reason == 0) revert CertificateRegistryInvalidReason(reason);
        if (a.revokedAt != 0) revert CertificateRegistryAlreadyRevoked(root, root);
        a.revokedAt = block.timestamp.toUint40();
        a.revocationReason = reason;
        emit RootRevoked(root, issuerId, msg.sender, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeLeaf(
        uint32 issuerId,
        bytes32 root,
        bytes32 targetHash,
        bytes32[] calldata proof,
        uint8 reason
    ) external {
        Anchor storage a = _anchoredBy(issuerId, root);
        _requireRevoker(issuerId);
        if (reason == 0) revert CertificateRegistryInvalidReason(reason);
        bytes32 leaf = leafOf(targetHash);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert CertificateRegistryInvalidProof(root, leaf);
        LeafRecord storage record = _leaves[issuerId][leaf];
        if (a.revokedAt != 0 || record.revokedAt != 0) revert CertificateRegistryAlreadyRevoked(root, leaf);
        record.revokedAt = block.timestamp.toUint40();
        record.revocationReason = reason;
        emit LeafRevoked(root, leaf, msg.sender, issuerId, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function replace(
        uint32 issuerId,
        bytes32 oldRoot,
        bytes32 oldTarget,
        bytes32[] calldata oldProof,
        bytes32 newRoot,
        bytes32 newTarget,
        bytes32[] calldata newProof
    ) external {
        bytes32 oldLeaf = leafOf(oldTarget);
        bytes32 newLeaf = leafOf(newTarget);
        if (oldLeaf == newLeaf) revert CertificateRegistrySelfReplacement(oldLeaf);
        Anchor storage oldAnchor = _anchoredBy(issuerId, oldRoot);
        Anchor storage n = _anchoredBy(issuerId, newRoot);
        if (!issuers.canReplaceFor(msg.sender, issuerId)) revert CertificateRegistryNotAllowed(msg.sender, issuerId);
        if (!MerkleProof.verifyCalldata(oldProof, oldRoot, oldLeaf)) revert CertificateRegistryInvalidProof(oldRoot, oldLeaf);
        if (!MerkleProof.verifyCalldata(newProof, newRoot, newLeaf)) revert CertificateRegistryInvalidProof(newRoot, newLeaf);
        if (n.anchoredBlock <= oldAnchor.anchoredBlock) revert CertificateRegistrySuccessorNotLater(oldRoot, newRoot);
        LeafRecord storage old = _leaves[issuerId][oldLeaf];
        LeafRecord storage succ = _leaves[issuerId][newLeaf];
        if (oldAnchor.revokedAt != 0 || old.revokedAt != 0) revert CertificateRegistryAlreadyRevoked(oldRoot, oldLeaf);
        if (old.replacedAt != 0) revert CertificateRegistryAlreadyReplaced(oldRoot, oldLeaf);
        if (n.revokedAt != 0 || succ.revokedAt != 0) revert CertificateRegistryAlreadyRevoked(newRoot, newLeaf);
        if (succ.replacedAt != 0) revert CertificateRegistryAlreadyReplaced(newRoot, newLeaf);
        if (succ.isSuccessor) revert CertificateRegistryAlreadySuccessor(newRoot, newLeaf);
        old.replacedAt = block.timestamp.toUint40();
        old.replacedByRoot = newRoot;
        old.replacedByLeaf = newLeaf;
        succ.isSuccessor = true;
        emit CertificateReplaced(oldRoot, oldLeaf, newRoot, newLeaf, msg.sender, issuerId);
    }

    /// @inheritdoc ICertificateRegistry
    function anchorOf(uint32 issuerId, bytes32 root) external view returns (Anchor memory) {
        return _anchors[issuerId][root];
    }

    /// @inheritdoc ICertificateRegistry
    function certificateStatus(
        uint32 issuerId,
        bytes32 root,
        bytes32 leaf
    ) public view returns (CertificateStatus memory s) {
        LeafRecord storage record = _leaves[issuerId][leaf];
        s.anchor = _anchors[issuerId][root];
        s.leafRevokedAt = record.revokedAt;
        s.leafRevocationReason = record.revocationReason;
        s.replacedAt = record.replacedAt;
        s.replacedByRoot = record.replacedByRoot;
        s.replacedByLeaf = record.replacedByLeaf;
    }

    /// @inheritdoc ICertificateRegistry
    function certificateStatuses(
        uint32[] calldata issuerIds,
        bytes32[] calldata roots,
        bytes32[] calldata leaves
    ) external view returns (CertificateStatus[] memory out) {
        if (roots.length != leaves.length || issuerIds.length != roots.length) {
            revert CertificateRegistryLengthMismatch(issuerIds.length, roots.length, leaves.length);
        }
        out = new CertificateStatus[](roots.length);
        for (uint256 i = 0; i < roots.length; ++i) {
            out[i] = certificateStatus(issuerIds[i], roots[i], leaves[i]);
        }
    }

    /// @inheritdoc ICertificateRegistry
    function verificationSnapshot(
        bytes calldata certificates,
        address[] calldata keys,
        uint32[] calldata issuerIds
    ) external view returns (bytes memory answer) {
        if (certificates.length % 68 != 0) revert CertificateRegistryMalformedQuery(certificates.length);
        address registry = address(issuers);
        // Written word by word into one buffer (each part allocated as it is written) and returned
        // from it: the answer is ABI `bytes` (offset, length, words) built without a memory struct
        // or a copy, since a node's cost grows with the steps and the memory of a call.
        uint256 start;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            start := mload(0x40)
            let p := add(start, 0x40)
            mstore(p, number())
            mstore(add(p, 0x20), timestamp())
            mstore(add(p, 0x40), blockhash(sub(number(), 1)))
            mstore(add(p, 0x60), registry)
            mstore(0x40, add(p, 0x80))
        }
        uint256 end = _writeStatuses(start + 0xc0, certificates);
        end = _writeKeyRecords(end, registry, keys);
        end = _writeBodies(end, registry, issuerIds);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            answer := start
            mstore(start, 0x20)
            mstore(add(start, 0x20), sub(end, add(start, 0x40)))
            return(start, sub(end, start))
        }
    }

    /// @dev Per certificate (68 bytes: issuerId, root, leaf), its Anchor slot and leaf slot from
    /// `p` on, and the successor's root and leaf when replaced; returns the end.
    function _writeStatuses(uint256 p, bytes calldata certificates) private view returns (uint256 end) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let anchors := _anchors.slot
            let leaves := _leaves.slot
            for {
                let q := certificates.offset
                let last := add(q, certificates.length)
            } lt(q, last) {
                q := add(q, 68)
            } {
                let id := shr(224, calldataload(q))
                // _anchors[id][root] and _leaves[id][leaf]: keccak256(key . keccak256(id . slot))
                mstore(0, id)
                mstore(0x20, anchors)
                mstore(0x20, keccak256(0, 0x40))
                mstore(0, calldataload(add(q, 4)))
                mstore(p, sload(keccak256(0, 0x40)))
                mstore(0, id)
                mstore(0x20, leaves)
                mstore(0x20, keccak256(0, 0x40))
                mstore(0, calldataload(add(q, 36)))
                let slot := keccak256(0, 0x40)
                let record := sload(slot)
                mstore(add(p, 0x20), record)
                p := add(p, 0x40)
                if and(shr(48, record), 0xffffffffff) {
                    mstore(p, sload(add(slot, 1)))
                    mstore(add(p, 0x20), sload(add(slot, 2)))
                    p := add(p, 0x40)
                }
            }
            end := p
            mstore(0x40, p)
        }
    }

    /// @dev Per key, `IssuerRegistry.keyRecord(key)`'s three words from `p` on; returns the end.
    /// A dirty address word makes keyRecord revert, and the snapshot with it.
    function _writeKeyRecords(
        uint256 p,
        address registry,
        address[] calldata keys
    ) private view returns (uint256 end) {
        bytes4 selector = IIssuerRegistry.keyRecord.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            for {
                let i := 0
            } lt(i, keys.length) {
                i := add(i, 1)
            } {
                mstore(p, selector)
                mstore(add(p, 4), calldataload(add(keys.offset, shl(5, i))))
                if iszero(staticcall(gas(), registry, p, 0x24, p, 0x60)) {
                    revert(0, 0)
                }
                if iszero(eq(returndatasize(), 0x60)) {
                    revert(0, 0)
                }
                p := add(p, 0x60)
            }
            end := p
            mstore(0x40, p)
        }
    }

    /// @dev Per body, the length of `IssuerRegistry.issuer(id)`'s answer and the answer padded to
    /// whole words (length 0, nothing else, when it reverts: no such body); returns the end.
    function _writeBodies(
        uint256 p,
        address registry,
        uint32[] calldata issuerIds
    ) private view returns (uint256 end) {
        bytes4 selector = IIssuerRegistry.issuer.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            for {
                let i := 0
            } lt(i, issuerIds.length) {
                i := add(i, 1)
            } {
                let id := calldataload(add(issuerIds.offset, shl(5, i)))
                if gt(id, 0xffffffff) {
                    revert(0, 0)
                }
                mstore(add(p, 0x20), selector)
                mstore(add(p, 0x24), id)
                switch staticcall(gas(), registry, add(p, 0x20), 0x24, 0, 0)
                case 0 {
                    mstore(p, 0)
                    p := add(p, 0x20)
                }
                default {
                    let n := returndatasize()
                    mstore(p, n)
                    returndatacopy(add(p, 0x20), 0, n)
                    mstore(add(add(p, 0x20), n), 0) // the padding of the last word
                    p := add(add(p, 0x20), and(add(n, 31), not(31)))
                }
            }
            end := p
            mstore(0x40, p)
        }
    }

    /// @inheritdoc ICertificateRegistry
    function leafOf(bytes32 targetHash) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(targetHash))));
    }

    /// @inheritdoc ICertificateRegistry
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _anchoredBy(uint32 issuerId, bytes32 root) private view returns (Anchor storage a) {
        a = _anchors[issuerId][root];
        if (a.anchoredAt == 0) revert CertificateRegistryUnknownRoot(issuerId, root);
    }

    function _requireRevoker(uint32 issuerId) private view {
        if (!issuers.canActFor(msg.sender, issuerId)) revert CertificateRegistryNotAllowed(msg.sender, issuerId);
    }
}
