// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IIssuerRegistry} from "./interfaces/IIssuerRegistry.sol";

/**
 * @title IssuerRegistry
 * @notice Who may issue certificates of origin, and since when.
 *
 * A council of customs authorities acts by M-of-N approval (propose, approve, execute) to register
 * one competent authority per economy (ISO 3166-1 alpha-2). Each authority accredits the issuing
 * bodies (chambers of commerce) of its own economy for a validity window, and suspends, reinstates,
 * renews and withdraws them. An issuing body rotates its signing key without losing its history;
 * keys are never reused, so a key always names one issuing body.
 *
 * Each body has an epoch, moved by every suspend, reinstate, rotation and withdrawal (and by the
 * body itself with {bumpEpoch}): anchor signatures name it, so none outlives a change of standing.
 * A new key proves possession by signing `KeyPossession(key, issuerId, economy)` (issuerId 0 for a
 * new accreditation), so nobody can claim or burn a key it does not hold.
 *
 * Powers of a body whose accreditation ended (withdrawn, or its window over): its current key may
 * still revoke its own certificates (revocation only ever moves towards safety), but may no longer
 * anchor, replace, rotate or bump its epoch; its authority keeps every power over it.
 *
 * History is kept, not overwritten: {standingAt} answers "was this key an accredited issuer at the
 * end of second T". It has one-second resolution, so "accredited at issue" is answered by the anchor
 * record itself (an anchor is only accepted while its signer is accredited), never by timestamp.
 *
 * Council proposals carry only the five council acts, expire after {PROPOSAL_LIFETIME}, can be
 * cancelled by their proposer, approvals can be withdrawn, and any change of membership or threshold
 * (a new council epoch) voids pending proposals. A failed execution is final.
 */
contract IssuerRegistry is IIssuerRegistry, EIP712 {
    using Checkpoints for Checkpoints.Trace208;
    using EnumerableSet for EnumerableSet.AddressSet;
    using SafeCast for uint256;

    /// @notice How long a proposal may gather approvals and be executed.
    uint48 public constant PROPOSAL_LIFETIME = 14 days;

    /// @dev keccak256("KeyPossession(address key,uint64 issuerId,bytes2 economy)")
    bytes32 public constant KEY_POSSESSION_TYPEHASH =
        keccak256("KeyPossession(address key,uint64 issuerId,bytes2 economy)");

    /// @dev keccak256("VcKeyPossession(bytes32 keyHash,uint64 issuerId)")
    bytes32 public constant VC_KEY_POSSESSION_TYPEHASH = keccak256("VcKeyPossession(bytes32 keyHash,uint64 issuerId)");

    /**
     * @dev One signing key. One slot (256 bits): issuerId 32 | activeFrom 40 | retiredAt 40 (0 = in use)
     * | status 8 | validFrom 40 | validUntil 40 | epoch 56. The issuing body's current status, window and
     * epoch live in its current key's record (and nowhere else), so the check on every anchor is one
     * storage read. A retired key's fields are frozen and never consulted. Times fit 40 bits until the
     * year 36812; every narrowing is a checked SafeCast.
     */
    struct KeyRecord {
        uint32 issuerId;
        uint40 activeFrom;
        uint40 retiredAt;
        IssuerStatus status;
        uint40 validFrom;
        uint40 validUntil;
        uint56 epoch;
    }

    /// @dev Slot 0: signingKey 160 | economy 16 | statusSince 48. Slot 1: metadataHash. Slot 2+: name.
    struct Issuer {
        address signingKey;
        bytes2 economy;
        uint48 statusSince;
        bytes32 metadataHash;
        string name;
    }

    /// @dev One council proposal: a call on this contract, run once enough members approve it.
    /// Slot 0: proposer 160 | state 8 | expiresAt 48 | councilEpoch 32 (checked cast).
    struct Proposal {
        address proposer;
        ProposalState state;
        uint48 expiresAt;
        uint32 councilEpoch;
        bytes data;
        address[] approvers;
    }

    EnumerableSet.AddressSet private _council;
    uint256 private _threshold;
    uint32 private _councilEpoch;
    Proposal[] private _proposals;

    mapping(bytes2 economy => address) private _authorityOf;
    mapping(address account => bytes2) private _economyOf;

    Issuer[] private _issuers; // index = issuerId - 1
    mapping(uint32 issuerId => Checkpoints.Trace208) private _statusHistory;
    mapping(address key => KeyRecord) private _keys;

    /// @dev One VC key hash, claimed once for all. One slot: issuerId 32 | fromEpoch 56 | untilEpoch 56
    /// (0 = in use) | since 40 | retiredAt 40.
    struct VcKeyRecord {
        uint32 issuerId;
        uint56 fromEpoch;
        uint56 untilEpoch;
        uint40 since;
        uint40 retiredAt;
    }

    mapping(bytes32 keyHash => VcKeyRecord) private _vcKeys;
    mapping(uint32 issuerId => bytes32[]) private _vcKeyHistory;

    modifier onlyCouncilMember() {
        if (!_council.contains(msg.sender)) revert IssuerRegistryNotCouncilMember(msg.sender);
        _;
    }

    /// @dev Only a council proposal, executed through {execute}, may call these.
    modifier onlyCouncil() {
        if (msg.sender != address(this)) revert IssuerRegistryOnlyCouncil();
        _;
    }

    /**
     * @param council the first council members
     * @param threshold approvals needed to execute a proposal (1 <= threshold <= members)
     */
    constructor(address[] memory council, uint256 threshold) EIP712("origincert-issuers", "2") {
        for (uint256 i = 0; i < council.length; ++i) {
            _addCouncilMember(council[i]);
        }
        _setThreshold(threshold);
    }

    // ------------------------------------------------------------------ council (M-of-N)

    /**
     * @notice Propose a council act: `data` is the calldata of one of the five council acts
     * (addCouncilMember, removeCouncilMember, setThreshold, registerAuthority, removeAuthority).
     * The proposer's approval is counted. It expires after {PROPOSAL_LIFETIME}.
     *
     * Requirements: the caller is a council member; the selector is a council act.
     *
     * Emits {ProposalCreated} and {ProposalApproved}.
     */
    function propose(bytes calldata data) external onlyCouncilMember returns (uint256 proposalId) {
        bytes4 selector = data.length >= 4 ? bytes4(data[:4]) : bytes4(0);
        if (
            selector != this.addCouncilMember.selector &&
            selector != this.removeCouncilMember.selector &&
            selector != this.setThreshold.selector &&
            selector != this.registerAuthority.selector &&
            selector != this.removeAuthority.selector
        ) revert IssuerRegistryActNotAllowed(selector);
        proposalId = _proposals.length;
        Proposal storage p = _proposals.push();
        p.proposer = msg.sender;
        p.expiresAt = (block.timestamp + PROPOSAL_LIFETIME).toUint48();
        p.councilEpoch = _councilEpoch;
        p.data = data;
        emit ProposalCreated(proposalId, msg.sender, data, p.expiresAt, _councilEpoch);
        _approve(proposalId, p);
    }

    /**
     * @notice Approve a pending proposal.
     *
     * Requirements: the caller is a council member who has not approved it yet; the proposal is
     * pending, not expired, and of the current council epoch.
     *
     * Emits {ProposalApproved}.
     */
    function approve(uint256 proposalId) external onlyCouncilMember {
        _approve(proposalId, _openProposal(proposalId));
    }

    /**
     * @notice Withdraw one's approval of a pending proposal.
     *
     * Requirements: the proposal is pending; the caller approved it.
     *
     * Emits {ApprovalWithdrawn}.
     */
    function withdrawApproval(uint256 proposalId) external {
        Proposal storage p = _pendingProposal(proposalId);
        uint256 n = p.approvers.length;
        for (uint256 i = 0; i < n; ++i) {
            if (p.approvers[i] == msg.sender) {
                p.approvers[i] = p.approvers[n - 1];
                p.approvers.pop();
                emit ApprovalWithdrawn(proposalId, msg.sender, n - 1);
                return;
            }
        }
        revert IssuerRegistryNotApprover(proposalId, msg.sender);
    }

    /**
     * @notice Cancel a pending proposal for good.
     *
     * Requirements: the caller is its proposer; the proposal is pending.
     *
     * Emits {ProposalCancelled}.
     */
    function cancel(uint256 proposalId) external {
        Proposal storage p = _pendingProposal(proposalId);
        if (p.proposer != msg.sender) revert IssuerRegistryNotProposer(proposalId, msg.sender);
        p.state = ProposalState.Cancelled;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    /**
     * @notice Execute a proposal once enough council members approved it in the current council
     * epoch. The outcome is final: a reverted act marks the proposal Failed (never re-executable).
     *
     * Requirements: the caller is a council member; the proposal is pending, not expired, of the
     * current council epoch; approvals >= threshold; enough gas is given for the act to run (a
     * failure for want of gas reverts instead of failing the proposal).
     *
     * Emits {ProposalExecuted} and the events of the act, or {ProposalFailed}.
     */
    function execute(uint256 proposalId) external onlyCouncilMember returns (bool ok, bytes memory result) {
        Proposal storage p = _openProposal(proposalId);
        uint256 approvals = p.approvers.length;
        if (approvals < _threshold) {
            revert IssuerRegistryNotEnoughApprovals(proposalId, approvals, _threshold);
        }
        p.state = ProposalState.Executed;
        uint256 gasBefore = gasleft();
        (ok, result) = address(this).call(p.data);
        if (!ok) {
            // 1/64 of the gas stays with the caller: if that is all that is left, the act ran out of
            // gas the executor withheld, and a proposal must not fail for that.
            if (gasleft() <= gasBefore / 63) revert IssuerRegistryInsufficientGas();
            p.state = ProposalState.Failed;
            emit ProposalFailed(proposalId, msg.sender, result);
        } else {
            emit ProposalExecuted(proposalId, msg.sender, approvals);
        }
    }

    /// @notice Council act: add a member. Emits {CouncilMemberAdded}.
    function addCouncilMember(address account) external onlyCouncil {
        _addCouncilMember(account);
    }

    /**
     * @notice Council act: remove a member.
     *
     * Requirements: the council keeps at least `threshold` members.
     *
     * Emits {CouncilMemberRemoved}.
     */
    function removeCouncilMember(address account) external onlyCouncil {
        if (!_council.remove(account)) revert IssuerRegistryNotCouncilMember(account);
        if (_council.length() < _threshold) revert IssuerRegistryInvalidThreshold(_threshold, _council.length());
        emit CouncilMemberRemoved(account);
        _nextCouncilEpoch();
    }

    /// @notice Council act: change the threshold (1 <= threshold <= members). Emits {ThresholdChanged}.
    function setThreshold(uint256 threshold) external onlyCouncil {
        _setThreshold(threshold);
    }

    /**
     * @notice Council act: register the competent authority of an economy.
     *
     * Requirements: `economy` is two upper-case letters; no authority for it yet; `account` is
     * not already an authority.
     *
     * Emits {AuthorityRegistered}.
     */
    function registerAuthority(bytes2 economy, address account, string calldata name) external onlyCouncil {
        if (uint8(economy[0]) < 0x41 || uint8(economy[0]) > 0x5A || uint8(economy[1]) < 0x41 || uint8(economy[1]) > 0x5A) {
            revert IssuerRegistryInvalidEconomy(economy);
        }
        if (account == address(0)) revert IssuerRegistryInvalidKey();
        if (bytes(name).length == 0) revert IssuerRegistryEmptyName();
        if (account == address(this) || _council.contains(account) || _keys[account].issuerId != 0) {
            revert IssuerRegistryAccountHasRole(account);
        }
        address current = _authorityOf[economy];
        if (current != address(0)) revert IssuerRegistryEconomyTaken(economy, current);
        if (_economyOf[account] != bytes2(0)) revert IssuerRegistryAccountIsAuthority(account);
        _authorityOf[economy] = account;
        _economyOf[account] = economy;
        emit AuthorityRegistered(economy, account, name);
    }

    /**
     * @notice Council act: remove the competent authority of an economy. Its issuing bodies keep
     * their accreditation; a new authority takes them over.
     *
     * Emits {AuthorityRemoved}.
     */
    function removeAuthority(bytes2 economy) external onlyCouncil {
        address account = _authorityOf[economy];
        if (account == address(0)) revert IssuerRegistryUnknownEconomy(economy);
        delete _authorityOf[economy];
        delete _economyOf[account];
        emit AuthorityRemoved(economy, account);
    }

    // ------------------------------------------------------------------ competent authorities

    /**
     * @notice Accredit an issuing body of the caller's economy for `[validFrom, validUntil)`.
     * @param r,vs the new key's EIP-712 signature over `KeyPossession(signingKey, 0, economy)`
     * (EIP-2098 compact form): proof that the body holds the key.
     *
     * Requirements: the caller is a competent authority; `signingKey` was never used and has no
     * other role; the possession proof is valid; `validFrom < validUntil` and `validUntil` is in the
     * future (both fit 40 bits); `name` is not empty.
     *
     * Emits {IssuerAccredited}.
     */
    function accredit(
        string calldata name,
        address signingKey,
        bytes32 metadataHash,
        uint48 validFrom,
        uint48 validUntil,
        bytes32 r,
        bytes32 vs
    ) external returns (uint32 issuerId) {
        bytes2 economy = _economyOf[msg.sender];
        if (economy == bytes2(0)) revert IssuerRegistryNotAuthority(msg.sender);
        if (bytes(name).length == 0) revert IssuerRegistryEmptyName();
        if (validFrom >= validUntil || validUntil <= block.timestamp) {
            revert IssuerRegistryInvalidWindow(validFrom, validUntil);
        }
        _claimKey(signingKey, 0, economy, r, vs);
        issuerId = (_issuers.length + 1).toUint32();
        uint40 now_ = block.timestamp.toUint40();
        _issuers.push(Issuer({signingKey: signingKey, economy: economy, statusSince: now_, metadataHash: metadataHash, name: name}));
        _keys[signingKey] = KeyRecord({
            issuerId: issuerId,
            activeFrom: now_,
            retiredAt: 0,
            status: IssuerStatus.Active,
            validFrom: uint256(validFrom).toUint40(),
            validUntil: uint256(validUntil).toUint40(),
            epoch: 1
        });
        _statusHistory[issuerId].push(now_, uint208(uint8(IssuerStatus.Active)));
        emit IssuerAccredited(issuerId, economy, signingKey, name, metadataHash, validFrom, validUntil);
        emit IssuerEpochChanged(issuerId, 1);
    }

    /**
     * @notice Suspend an active issuing body; its keys cannot anchor until reinstated.
     *
     * Requirements: the caller is the authority of the issuer's economy; the issuer is Active.
     *
     * Emits {IssuerSuspended}.
     */
    function suspend(uint32 issuerId, uint8 reason) external {
        Issuer storage issuer = _issuerForAuthority(issuerId);
        _requireStatus(issuerId, issuer, IssuerStatus.Active);
        _setStatus(issuerId, issuer, IssuerStatus.Suspended);
        emit IssuerSuspended(issuerId, reason);
        _nextEpoch(issuerId, _keys[issuer.signingKey]);
    }

    /**
     * @notice Reinstate a suspended issuing body.
     *
     * Requirements: the caller is the authority of the issuer's economy; the issuer is Suspended.
     *
     * Emits {IssuerReinstated}.
     */
    function reinstate(uint32 issuerId) external {
        Issuer storage issuer = _issuerForAuthority(issuerId);
        _requireStatus(issuerId, issuer, IssuerStatus.Suspended);
        _setStatus(issuerId, issuer, IssuerStatus.Active);
        emit IssuerReinstated(issuerId);
        _nextEpoch(issuerId, _keys[issuer.signingKey]);
    }

    /**
     * @notice Withdraw an accreditation for good. An ordinary withdrawal leaves certificates
     * anchored before it lawful; a withdrawal for fraud taints them, and verifiers say so.
     *
     * Requirements: the caller is the authority of the issuer's economy; the issuer is Active or
     * Suspended.
     *
     * Emits {IssuerWithdrawn}.
     */
    function withdraw(uint32 issuerId, WithdrawalReason reason) external {
        Issuer storage issuer = _issuerForAuthority(issuerId);
        _requireNotWithdrawn(issuerId, issuer);
        _setStatus(
            issuerId,
            issuer,
            reason == WithdrawalReason.Fraud ? IssuerStatus.WithdrawnForFraud : IssuerStatus.Withdrawn
        );
        emit IssuerWithdrawn(issuerId, reason);
        _nextEpoch(issuerId, _keys[issuer.signingKey]);
    }

    /**
     * @notice Extend an accreditation window. Only before it ends, so that {standingAt} never
     * rewrites a past "expired" into "accredited".
     *
     * Requirements: the caller is the authority of the issuer's economy; the issuer is not
     * withdrawn; the window has not ended; `validUntil` is later than the current end.
     *
     * Emits {IssuerRenewed}.
     */
    function renew(uint32 issuerId, uint48 validUntil) external {
        Issuer storage issuer = _issuerForAuthority(issuerId);
        _requireNotWithdrawn(issuerId, issuer);
        KeyRecord storage k = _keys[issuer.signingKey];
        if (k.validUntil <= block.timestamp) revert IssuerRegistryAccreditationExpired(issuerId, k.validUntil);
        if (validUntil <= k.validUntil) revert IssuerRegistryInvalidWindow(k.validFrom, validUntil);
        k.validUntil = uint256(validUntil).toUint40();
        emit IssuerRenewed(issuerId, validUntil);
    }

    // ------------------------------------------------------------------ issuing bodies

    /**
     * @notice Replace an issuing body's signing key. The old key stays attributed to the body
     * (its past anchors remain its own) but can no longer anchor. The epoch moves.
     * @param r,vs the new key's EIP-712 signature over `KeyPossession(newKey, issuerId, economy)`
     *
     * Requirements: the caller is the authority of the issuer's economy, or its current key while
     * the body is neither withdrawn nor past its window; `newKey` was never used, has no other role,
     * and the possession proof is valid.
     *
     * Emits {SigningKeyRotated} and {IssuerEpochChanged}.
     */
    function rotateKey(uint32 issuerId, address newKey, bytes32 r, bytes32 vs) external {
        Issuer storage issuer = _issuer(issuerId);
        address previous = issuer.signingKey;
        _requireBodyPower(issuerId, issuer);
        _claimKey(newKey, issuerId, issuer.economy, r, vs);
        uint40 now_ = block.timestamp.toUint40();
        KeyRecord storage old = _keys[previous];
        old.retiredAt = now_;
        _keys[newKey] = KeyRecord({
            issuerId: issuerId,
            activeFrom: now_,
            retiredAt: 0,
            status: old.status,
            validFrom: old.validFrom,
            validUntil: old.validUntil,
            epoch: old.epoch
        });
        issuer.signingKey = newKey;
        emit SigningKeyRotated(issuerId, previous, newKey);
        _nextEpoch(issuerId, _keys[newKey]);
    }

    /**
     * @notice Move the body's epoch, voiding every anchor signature it made so far and has not
     * anchored yet (a lost laptop, a batch signed in error).
     *
     * Requirements: as {rotateKey}.
     *
     * Emits {IssuerEpochChanged}.
     */
    function bumpEpoch(uint32 issuerId) external {
        Issuer storage issuer = _issuer(issuerId);
        _requireBodyPower(issuerId, issuer);
        _nextEpoch(issuerId, _keys[issuer.signingKey]);
    }

    /**
     * @notice Register the hash of the issuing body's VC public key (P-256, the key that signs its
     * W3C credentials), retiring the one before. The epoch moves, so every anchor names, through its
     * epoch, exactly one VC key: {vcKeyAt} answers which key vouched for a certificate.
     * @param qx,qy the key's affine coordinates; the hash kept is `keccak256(0x8024 || prefix || qx)`,
     * the bytes of its public Multikey (prefix 0x02 for even `qy`, 0x03 for odd)
     * @param r,s the VC key's ES256 signature over `sha256(vcKeyPossessionDigest(hash, issuerId))`,
     * low-s: proof that the body holds the key, so nobody registers a key it does not hold
     *
     * Requirements: the caller is the authority of the body's economy while the body is neither
     * withdrawn nor past its window, or the body's current key while the body is accredited now
     * (not suspended); the point is on the curve; the key hash was never registered by any body;
     * the possession proof is valid.
     *
     * Emits {VcKeyChanged} and {IssuerEpochChanged}.
     */
    function setVcKey(uint32 issuerId, bytes32 qx, bytes32 qy, bytes32 r, bytes32 s) external {
        Issuer storage issuer = _issuer(issuerId);
        KeyRecord storage k = _keys[issuer.signingKey];
        Standing standing = _standing(k.status, k.validFrom, k.validUntil, block.timestamp);
        bool byAuthority = _authorityOf[issuer.economy] == msg.sender;
        if (!byAuthority && msg.sender != issuer.signingKey) revert IssuerRegistryNotIssuerOrAuthority(msg.sender, issuerId);
        if (standing != Standing.Accredited && !(byAuthority && standing == Standing.Suspended)) {
            revert IssuerRegistryNotInGoodStanding(issuerId, standing);
        }
        if (!P256.isValidPublicKey(qx, qy)) revert IssuerRegistryInvalidVcKey();
        bytes32 keyHash = keccak256(abi.encodePacked(bytes2(0x8024), uint8(2 + (uint256(qy) & 1)), qx));
        VcKeyRecord storage record = _vcKeys[keyHash];
        if (record.issuerId != 0) revert IssuerRegistryVcKeyAlreadyUsed(keyHash, record.issuerId);
        bytes32 h = sha256(abi.encodePacked(vcKeyPossessionDigest(keyHash, issuerId)));
        if (!P256.verifySolidity(h, r, s, qx, qy)) revert IssuerRegistryInvalidVcPossession(keyHash);
        uint56 epoch = k.epoch + 1;
        uint40 now_ = block.timestamp.toUint40();
        bytes32[] storage history = _vcKeyHistory[issuerId];
        bytes32 previous = history.length == 0 ? bytes32(0) : history[history.length - 1];
        if (previous != bytes32(0)) {
            VcKeyRecord storage old = _vcKeys[previous];
            old.untilEpoch = epoch;
            old.retiredAt = now_;
        }
        _vcKeys[keyHash] = VcKeyRecord({issuerId: issuerId, fromEpoch: epoch, untilEpoch: 0, since: now_, retiredAt: 0});
        history.push(keyHash);
        emit VcKeyChanged(issuerId, previous, keyHash, epoch);
        _nextEpoch(issuerId, k);
    }

    // ------------------------------------------------------------------ views

    /**
     * @notice The VC key hash the body had registered while at `epoch` (zero if none): an anchor's
     * record names its epoch, so this is the key that vouched for the anchor's certificates.
     */
    function vcKeyAt(uint32 issuerId, uint64 epoch) external view returns (bytes32 keyHash) {
        _issuer(issuerId);
        bytes32[] storage history = _vcKeyHistory[issuerId];
        uint256 low = 0;
        uint256 high = history.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (_vcKeys[history[mid]].fromEpoch > epoch) high = mid;
            else low = mid + 1;
        }
        return low == 0 ? bytes32(0) : history[low - 1];
    }

    /**
     * @notice Who registered a VC key hash and for which epochs: `[fromEpoch, untilEpoch)`
     * (`untilEpoch` 0 while in use), with the block times of both changes. All zero if never registered.
     */
    function vcKeyRecord(
        bytes32 keyHash
    ) external view returns (uint32 issuerId, uint64 fromEpoch, uint64 untilEpoch, uint48 since, uint48 retiredAt) {
        VcKeyRecord memory v = _vcKeys[keyHash];
        return (v.issuerId, v.fromEpoch, v.untilEpoch, v.since, v.retiredAt);
    }

    /// @notice The EIP-712 digest whose SHA-256 a VC key signs to prove possession for `issuerId`.
    function vcKeyPossessionDigest(bytes32 keyHash, uint64 issuerId) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VC_KEY_POSSESSION_TYPEHASH, keyHash, issuerId)));
    }

    /**
     * @notice The standing of `key` now: the check run on every anchor, kept to two storage reads.
     */
    function standingOf(address key) external view returns (uint32 issuerId, Standing standing) {
        KeyRecord memory k = _keys[key];
        if (k.issuerId == 0) return (0, Standing.Unknown);
        if (k.retiredAt != 0) return (k.issuerId, Standing.KeyRetired);
        return (k.issuerId, _standing(k.status, k.validFrom, k.validUntil, block.timestamp));
    }

    /**
     * @notice What {CertificateRegistry-anchor} checks, in one storage read: the key's body, its
     * standing now and the body's current epoch.
     */
    function anchorTerms(address key) external view returns (uint32 issuerId, Standing standing, uint64 epoch) {
        KeyRecord memory k = _keys[key];
        if (k.issuerId == 0) return (0, Standing.Unknown, 0);
        if (k.retiredAt != 0) return (k.issuerId, Standing.KeyRetired, k.epoch);
        return (k.issuerId, _standing(k.status, k.validFrom, k.validUntil, block.timestamp), k.epoch);
    }

    /// @notice The current epoch of an issuing body: what its next anchor signature must name.
    function epochOf(uint32 issuerId) external view returns (uint64) {
        return _keys[_issuer(issuerId).signingKey].epoch;
    }

    /**
     * @notice Was `key` an accredited issuer at the end of second `t` (a block timestamp), and if
     * not, why? One-second resolution: several transactions of one block share `t`, so this judges
     * what happened since an anchor, never whether the anchor itself was lawful (the anchor record
     * answers that exactly).
     */
    function standingAt(address key, uint48 t) public view returns (uint32 issuerId, Standing standing) {
        KeyRecord memory k = _keys[key];
        if (k.issuerId == 0) return (0, Standing.Unknown);
        if (t < k.activeFrom) return (k.issuerId, Standing.KeyNotYetActive);
        if (k.retiredAt != 0 && t >= k.retiredAt) return (k.issuerId, Standing.KeyRetired);
        KeyRecord storage current = _keys[_issuers[k.issuerId - 1].signingKey];
        IssuerStatus status = IssuerStatus(uint8(_statusHistory[k.issuerId].upperLookupRecent(t)));
        return (k.issuerId, _standing(status, current.validFrom, current.validUntil, t));
    }

    /// @notice The status of an issuing body at time `t` (None before its accreditation).
    function statusAt(uint32 issuerId, uint48 t) external view returns (IssuerStatus) {
        _issuer(issuerId);
        return IssuerStatus(uint8(_statusHistory[issuerId].upperLookupRecent(t)));
    }

    /// @notice An issuing body as it is now.
    function issuer(uint32 issuerId) external view returns (IssuerView memory) {
        Issuer storage i = _issuer(issuerId);
        KeyRecord storage k = _keys[i.signingKey];
        return IssuerView(issuerId, i.economy, k.status, k.validFrom, k.validUntil, i.statusSince, i.signingKey, i.metadataHash, i.name);
    }

    /// @notice The issuing body a key belongs to (0 if none), when it became active and when it was retired (0 = in use).
    function keyRecord(address key) external view returns (uint32 issuerId, uint48 activeFrom, uint48 retiredAt) {
        KeyRecord memory k = _keys[key];
        return (k.issuerId, k.activeFrom, k.retiredAt);
    }

    /**
     * @notice May `account` revoke for `issuerId`? True for the issuer's current key, whatever the
     * body's status (a withdrawn body may still revoke its own certificates), and for the authority
     * of its economy.
     */
    function canActFor(address account, uint32 issuerId) external view returns (bool) {
        if (issuerId == 0 || issuerId > _issuers.length) return false;
        Issuer storage i = _issuers[issuerId - 1];
        return account == i.signingKey || (account != address(0) && _authorityOf[i.economy] == account);
    }

    /**
     * @notice May `account` replace certificates for `issuerId`? True for the authority of its
     * economy, and for its current key only while the body is accredited now (a replacement names a
     * new certificate, which only an accredited body may vouch for).
     */
    function canReplaceFor(address account, uint32 issuerId) external view returns (bool) {
        if (issuerId == 0 || issuerId > _issuers.length) return false;
        Issuer storage i = _issuers[issuerId - 1];
        if (account != address(0) && _authorityOf[i.economy] == account) return true;
        if (account != i.signingKey) return false;
        KeyRecord storage k = _keys[account];
        return _standing(k.status, k.validFrom, k.validUntil, block.timestamp) == Standing.Accredited;
    }

    function issuerCount() external view returns (uint32) {
        return _issuers.length.toUint32();
    }

    function councilEpoch() external view returns (uint64) {
        return _councilEpoch;
    }

    function authorityOf(bytes2 economy) external view returns (address) {
        return _authorityOf[economy];
    }

    function economyOf(address account) external view returns (bytes2) {
        return _economyOf[account];
    }

    function councilMembers() external view returns (address[] memory) {
        return _council.values();
    }

    function isCouncilMember(address account) external view returns (bool) {
        return _council.contains(account);
    }

    function threshold() external view returns (uint256) {
        return _threshold;
    }

    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }

    /// @notice A proposal with the number of approvals that count now (none once it is stale).
    function proposal(uint256 proposalId) external view returns (ProposalView memory) {
        if (proposalId >= _proposals.length) revert IssuerRegistryUnknownProposal(proposalId);
        Proposal storage p = _proposals[proposalId];
        uint256 approvals = p.councilEpoch == _councilEpoch ? p.approvers.length : 0;
        return ProposalView(p.proposer, p.state, p.expiresAt, p.councilEpoch, p.data, p.approvers, approvals);
    }

    /// @notice The EIP-712 digest a new key signs to prove possession (`issuerId` 0 to be accredited).
    function keyPossessionDigest(address key, uint64 issuerId, bytes2 economy) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(KEY_POSSESSION_TYPEHASH, key, issuerId, economy)));
    }

    // ------------------------------------------------------------------ internals

    function _standing(IssuerStatus status, uint40 validFrom, uint40 validUntil, uint256 t) private pure returns (Standing) {
        if (status == IssuerStatus.None) return Standing.KeyNotYetActive;
        if (status == IssuerStatus.WithdrawnForFraud) return Standing.WithdrawnForFraud;
        if (status == IssuerStatus.Withdrawn) return Standing.Withdrawn;
        if (status == IssuerStatus.Suspended) return Standing.Suspended;
        if (t < validFrom) return Standing.NotYetValid;
        if (t >= validUntil) return Standing.Expired;
        return Standing.Accredited;
    }

    function _approve(uint256 proposalId, Proposal storage p) private {
        for (uint256 i = 0; i < p.approvers.length; ++i) {
            if (p.approvers[i] == msg.sender) revert IssuerRegistryAlreadyApproved(proposalId, msg.sender);
        }
        p.approvers.push(msg.sender);
        emit ProposalApproved(proposalId, msg.sender, p.approvers.length);
    }

    function _pendingProposal(uint256 proposalId) private view returns (Proposal storage p) {
        if (proposalId >= _proposals.length) revert IssuerRegistryUnknownProposal(proposalId);
        p = _proposals[proposalId];
        if (p.state != ProposalState.Pending) revert IssuerRegistryProposalNotPending(proposalId, p.state);
    }

    /// @dev Pending, not expired, and of the current council epoch: may be approved or executed.
    function _openProposal(uint256 proposalId) private view returns (Proposal storage p) {
        p = _pendingProposal(proposalId);
        if (block.timestamp >= p.expiresAt) revert IssuerRegistryProposalExpired(proposalId, p.expiresAt);
        if (p.councilEpoch != _councilEpoch) {
            revert IssuerRegistryProposalStale(proposalId, p.councilEpoch, _councilEpoch);
        }
    }

    function _nextCouncilEpoch() private {
        uint32 epoch = _councilEpoch + 1;
        _councilEpoch = epoch;
        emit CouncilEpochChanged(epoch);
    }

    function _addCouncilMember(address account) private {
        if (account == address(0)) revert IssuerRegistryInvalidKey();
        if (account == address(this) || _economyOf[account] != bytes2(0) || _keys[account].issuerId != 0) {
            revert IssuerRegistryAccountHasRole(account);
        }
        if (!_council.add(account)) revert IssuerRegistryAlreadyCouncilMember(account);
        emit CouncilMemberAdded(account);
        _nextCouncilEpoch();
    }

    function _setThreshold(uint256 threshold_) private {
        if (threshold_ == 0 || threshold_ > _council.length()) {
            revert IssuerRegistryInvalidThreshold(threshold_, _council.length());
        }
        emit ThresholdChanged(_threshold, threshold_);
        _threshold = threshold_;
        _nextCouncilEpoch();
    }

    /// @dev A key may be claimed once, by its holder (EIP-712 proof of possession), and only if it
    /// has no other role (council member, authority, this registry).
    function _claimKey(address key, uint64 issuerId, bytes2 economy, bytes32 r, bytes32 vs) private view {
        if (key == address(0)) revert IssuerRegistryInvalidKey();
        if (_keys[key].issuerId != 0) revert IssuerRegistryKeyAlreadyUsed(key);
        if (key == address(this) || _council.contains(key) || _economyOf[key] != bytes2(0)) {
            revert IssuerRegistryAccountHasRole(key);
        }
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(keyPossessionDigest(key, issuerId, economy), r, vs);
        if (err != ECDSA.RecoverError.NoError || signer != key) revert IssuerRegistryInvalidPossession(key);
    }

    /// @dev Rotation and epoch bumps: the authority always; the body's own key only while its
    /// accreditation has not ended (not withdrawn, window not over).
    function _requireBodyPower(uint32 issuerId, Issuer storage issuer) private view {
        if (_authorityOf[issuer.economy] == msg.sender) return;
        if (msg.sender != issuer.signingKey) revert IssuerRegistryNotIssuerOrAuthority(msg.sender, issuerId);
        KeyRecord storage k = _keys[msg.sender];
        if ((k.status != IssuerStatus.Active && k.status != IssuerStatus.Suspended) || block.timestamp >= k.validUntil) {
            revert IssuerRegistryKeyPowerEnded(issuerId);
        }
    }

    function _nextEpoch(uint32 issuerId, KeyRecord storage k) private {
        uint56 epoch = k.epoch + 1;
        k.epoch = epoch;
        emit IssuerEpochChanged(issuerId, epoch);
    }

    function _issuer(uint32 issuerId) private view returns (Issuer storage) {
        if (issuerId == 0 || issuerId > _issuers.length) revert IssuerRegistryUnknownIssuer(issuerId);
        return _issuers[issuerId - 1];
    }

    function _issuerForAuthority(uint32 issuerId) private view returns (Issuer storage issuer) {
        issuer = _issuer(issuerId);
        if (_authorityOf[issuer.economy] != msg.sender) revert IssuerRegistryNotAuthorityOf(msg.sender, issuerId);
    }

    function _requireStatus(uint32 issuerId, Issuer storage issuer, IssuerStatus expected) private view {
        IssuerStatus status = _keys[issuer.signingKey].status;
        if (status != expected) revert IssuerRegistryInvalidStatus(issuerId, status);
    }

    function _requireNotWithdrawn(uint32 issuerId, Issuer storage issuer) private view {
        IssuerStatus status = _keys[issuer.signingKey].status;
        if (status != IssuerStatus.Active && status != IssuerStatus.Suspended) {
            revert IssuerRegistryInvalidStatus(issuerId, status);
        }
    }

    function _setStatus(uint32 issuerId, Issuer storage issuer, IssuerStatus status) private {
        uint48 now_ = block.timestamp.toUint48();
        _keys[issuer.signingKey].status = status;
        issuer.statusSince = now_;
        _statusHistory[issuerId].push(now_, uint208(uint8(status)));
    }
}
