// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

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

    /// @inheritdoc IIssuerRegistry
    uint48 public constant PROPOSAL_LIFETIME = 14 days;

    /// @inheritdoc IIssuerRegistry
    bytes32 public constant KEY_POSSESSION_TYPEHASH =
        keccak256("KeyPossession(address key,uint64 issuerId,bytes2 economy)");

    /// @inheritdoc IIssuerRegistry
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
     * @notice Start the registry with its first council; every later change is a council act.
     * @param council the first council members
     * @param initialThreshold approvals needed to execute a proposal (1 <= it <= members)
     */
    constructor(address[] memory council, uint256 initialThreshold) EIP712("origincert-issuers", "2") {
        for (uint256 i = 0; i < council.length; ++i) {
            _addCouncilMember(council[i]);
        }
        _setThreshold(initialThreshold);
    }

    // ------------------------------------------------------------------ council (M-of-N)

    /// @inheritdoc IIssuerRegistry
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

    /// @inheritdoc IIssuerRegistry
    function approve(uint256 proposalId) external onlyCouncilMember {
        _approve(proposalId, _openProposal(proposalId));
    }

    /// @inheritdoc IIssuerRegistry
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

    /// @inheritdoc IIssuerRegistry
    function cancel(uint256 proposalId) external {
        Proposal storage p = _pendingProposal(proposalId);
        if (p.proposer != msg.sender) revert IssuerRegistryNotProposer(proposalId, msg.sender);
        p.state = ProposalState.Cancelled;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    /// @inheritdoc IIssuerRegistry
    function execute(uint256 proposalId) external onlyCouncilMember returns (bool ok, bytes memory result) {
        Proposal storage p = _openProposal(proposalId);
        uint256 approvals = p.approvers.length;
        if (approvals < _threshold) {
            revert IssuerRegistryNotEnoughApprovals(proposalId, approvals, _threshold);
        }
        p.state = ProposalState.Executed;
        uint256 gasBefore = gasleft();
        // The act is one of this contract's own council functions (checked in {propose}), called
        // so that `msg.sender == address(this)` proves it came through an executed proposal.
        // solhint-disable-next-line avoid-low-level-calls
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

    /// @inheritdoc IIssuerRegistry
    function addCouncilMember(address account) external onlyCouncil {
        _addCouncilMember(account);
    }

    /// @inheritdoc IIssuerRegistry
    function removeCouncilMember(address account) external onlyCouncil {
        if (!_council.remove(account)) revert IssuerRegistryNotCouncilMember(account);
        if (_council.length() < _threshold) revert IssuerRegistryInvalidThreshold(_threshold, _council.length());
        emit CouncilMemberRemoved(account);
        _nextCouncilEpoch();
    }

    /// @inheritdoc IIssuerRegistry
    function setThreshold(uint256 newThreshold) external onlyCouncil {
        _setThreshold(newThreshold);
    }

    /// @inheritdoc IIssuerRegistry
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

    /// @inheritdoc IIssuerRegistry
    function removeAuthority(bytes2 economy) external onlyCouncil {
        address account = _authorityOf[economy];
        if (account == address(0)) revert IssuerRegistryUnknownEconomy(economy);
        delete _authorityOf[economy];
        delete _economyOf[account];
        emit AuthorityRemoved(economy, account);
    }

    // ------------------------------------------------------------------ competent authorities

    /// @inheritdoc IIssuerRegistry
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

    /// @inheritdoc IIssuerRegistry
    function suspend(uint32 issuerId, uint8 reason) external {
        Issuer storage body = _issuerForAuthority(issuerId);
        _requireStatus(issuerId, body, IssuerStatus.Active);
        _setStatus(issuerId, body, IssuerStatus.Suspended);
        emit IssuerSuspended(issuerId, reason);
        _nextEpoch(issuerId, _keys[body.signingKey]);
    }

    /// @inheritdoc IIssuerRegistry
    function reinstate(uint32 issuerId) external {
        Issuer storage body = _issuerForAuthority(issuerId);
        _requireStatus(issuerId, body, IssuerStatus.Suspended);
        _setStatus(issuerId, body, IssuerStatus.Active);
        emit IssuerReinstated(issuerId);
        _nextEpoch(issuerId, _keys[body.signingKey]);
    }

    /// @inheritdoc IIssuerRegistry
    function withdraw(uint32 issuerId, WithdrawalReason reason) external {
        Issuer storage body = _issuerForAuthority(issuerId);
        _requireNotWithdrawn(issuerId, body);
        _setStatus(
            issuerId,
            body,
            reason == WithdrawalReason.Fraud ? IssuerStatus.WithdrawnForFraud : IssuerStatus.Withdrawn
        );
        emit IssuerWithdrawn(issuerId, reason);
        _nextEpoch(issuerId, _keys[body.signingKey]);
    }

    /// @inheritdoc IIssuerRegistry
    function renew(uint32 issuerId, uint48 validUntil) external {
        Issuer storage body = _issuerForAuthority(issuerId);
        _requireNotWithdrawn(issuerId, body);
        KeyRecord storage k = _keys[body.signingKey];
        if (k.validUntil <= block.timestamp) revert IssuerRegistryAccreditationExpired(issuerId, k.validUntil);
        if (validUntil <= k.validUntil) revert IssuerRegistryInvalidWindow(k.validFrom, validUntil);
        k.validUntil = uint256(validUntil).toUint40();
        emit IssuerRenewed(issuerId, validUntil);
    }

    // ------------------------------------------------------------------ issuing bodies

    /// @inheritdoc IIssuerRegistry
    function rotateKey(uint32 issuerId, address newKey, bytes32 r, bytes32 vs) external {
        Issuer storage body = _issuer(issuerId);
        address previous = body.signingKey;
        _requireBodyPower(issuerId, body);
        _claimKey(newKey, issuerId, body.economy, r, vs);
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
        body.signingKey = newKey;
        emit SigningKeyRotated(issuerId, previous, newKey);
        _nextEpoch(issuerId, _keys[newKey]);
    }

    /// @inheritdoc IIssuerRegistry
    function bumpEpoch(uint32 issuerId) external {
        Issuer storage body = _issuer(issuerId);
        _requireBodyPower(issuerId, body);
        _nextEpoch(issuerId, _keys[body.signingKey]);
    }

    /// @inheritdoc IIssuerRegistry
    function setVcKey(uint32 issuerId, bytes32 qx, bytes32 qy, bytes32 r, bytes32 s) external {
        Issuer storage body = _issuer(issuerId);
        KeyRecord storage k = _keys[body.signingKey];
        Standing standing = _standing(k.status, k.validFrom, k.validUntil, block.timestamp);
        bool byAuthority = _authorityOf[body.economy] == msg.sender;
        if (!byAuthority && msg.sender != body.signingKey) revert IssuerRegistryNotIssuerOrAuthority(msg.sender, issuerId);
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

    /// @inheritdoc IIssuerRegistry
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

    /// @inheritdoc IIssuerRegistry
    function vcKeyRecord(
        bytes32 keyHash
    ) external view returns (uint32 issuerId, uint64 fromEpoch, uint64 untilEpoch, uint48 since, uint48 retiredAt) {
        VcKeyRecord memory v = _vcKeys[keyHash];
        return (v.issuerId, v.fromEpoch, v.untilEpoch, v.since, v.retiredAt);
    }

    /// @inheritdoc IIssuerRegistry
    function vcKeyPossessionDigest(bytes32 keyHash, uint64 issuerId) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VC_KEY_POSSESSION_TYPEHASH, keyHash, issuerId)));
    }

    /// @inheritdoc IIssuerRegistry
    function standingOf(address key) external view returns (uint32 issuerId, Standing standing) {
        KeyRecord memory k = _keys[key];
        if (k.issuerId == 0) return (0, Standing.Unknown);
        if (k.retiredAt != 0) return (k.issuerId, Standing.KeyRetired);
        return (k.issuerId, _standing(k.status, k.validFrom, k.validUntil, block.timestamp));
    }

    /// @inheritdoc IIssuerRegistry
    function anchorTerms(address key) external view returns (uint32 issuerId, Standing standing, uint64 epoch) {
        KeyRecord memory k = _keys[key];
        if (k.issuerId == 0) return (0, Standing.Unknown, 0);
        if (k.retiredAt != 0) return (k.issuerId, Standing.KeyRetired, k.epoch);
        return (k.issuerId, _standing(k.status, k.validFrom, k.validUntil, block.timestamp), k.epoch);
    }

    /// @inheritdoc IIssuerRegistry
    function epochOf(uint32 issuerId) external view returns (uint64) {
        return _keys[_issuer(issuerId).signingKey].epoch;
    }

    /// @inheritdoc IIssuerRegistry
    function standingAt(address key, uint48 t) public view returns (uint32 issuerId, Standing standing) {
        KeyRecord memory k = _keys[key];
        if (k.issuerId == 0) return (0, Standing.Unknown);
        if (t < k.activeFrom) return (k.issuerId, Standing.KeyNotYetActive);
        if (k.retiredAt != 0 && t >= k.retiredAt) return (k.issuerId, Standing.KeyRetired);
        KeyRecord storage current = _keys[_issuers[k.issuerId - 1].signingKey];
        IssuerStatus status = IssuerStatus(uint8(_statusHistory[k.issuerId].upperLookupRecent(t)));
        return (k.issuerId, _standing(status, current.validFrom, current.validUntil, t));
    }

    /// @inheritdoc IIssuerRegistry
    function statusAt(uint32 issuerId, uint48 t) external view returns (IssuerStatus) {
        _issuer(issuerId);
        return IssuerStatus(uint8(_statusHistory[issuerId].upperLookupRecent(t)));
    }

    /// @inheritdoc IIssuerRegistry
    function issuer(uint32 issuerId) external view returns (IssuerView memory) {
        Issuer storage i = _issuer(issuerId);
        KeyRecord storage k = _keys[i.signingKey];
        return IssuerView(issuerId, i.economy, k.status, k.validFrom, k.validUntil, i.statusSince, i.signingKey, i.metadataHash, i.name);
    }

    /// @inheritdoc IIssuerRegistry
    function keyRecord(address key) external view returns (uint32 issuerId, uint48 activeFrom, uint48 retiredAt) {
        KeyRecord memory k = _keys[key];
        return (k.issuerId, k.activeFrom, k.retiredAt);
    }

    /// @inheritdoc IIssuerRegistry
    function canActFor(address account, uint32 issuerId) external view returns (bool) {
        if (issuerId == 0 || issuerId > _issuers.length) return false;
        Issuer storage i = _issuers[issuerId - 1];
        return account == i.signingKey || (account != address(0) && _authorityOf[i.economy] == account);
    }

    /// @inheritdoc IIssuerRegistry
    function canReplaceFor(address account, uint32 issuerId) external view returns (bool) {
        if (issuerId == 0 || issuerId > _issuers.length) return false;
        Issuer storage i = _issuers[issuerId - 1];
        if (account != address(0) && _authorityOf[i.economy] == account) return true;
        if (account != i.signingKey) return false;
        KeyRecord storage k = _keys[account];
        return _standing(k.status, k.validFrom, k.validUntil, block.timestamp) == Standing.Accredited;
    }

    /// @inheritdoc IIssuerRegistry
    function issuerCount() external view returns (uint32) {
        return _issuers.length.toUint32();
    }

    /// @inheritdoc IIssuerRegistry
    function councilEpoch() external view returns (uint64) {
        return _councilEpoch;
    }

    /// @inheritdoc IIssuerRegistry
    function authorityOf(bytes2 economy) external view returns (address) {
        return _authorityOf[economy];
    }

    /// @inheritdoc IIssuerRegistry
    function economyOf(address account) external view returns (bytes2) {
        return _economyOf[account];
    }

    /// @inheritdoc IIssuerRegistry
    function councilMembers() external view returns (address[] memory) {
        return _council.values();
    }

    /// @inheritdoc IIssuerRegistry
    function isCouncilMember(address account) external view returns (bool) {
        return _council.contains(account);
    }

    /// @inheritdoc IIssuerRegistry
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IIssuerRegistry
    function proposalCount() external view returns (uint256) {
        return _proposals.length;
    }

    /// @inheritdoc IIssuerRegistry
    function proposal(uint256 proposalId) external view returns (ProposalView memory) {
        if (proposalId >= _proposals.length) revert IssuerRegistryUnknownProposal(proposalId);
        Proposal storage p = _proposals[proposalId];
        uint256 approvals = p.councilEpoch == _councilEpoch ? p.approvers.length : 0;
        return ProposalView(p.proposer, p.state, p.expiresAt, p.councilEpoch, p.data, p.approvers, approvals);
    }

    /// @inheritdoc IIssuerRegistry
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
    function _requireBodyPower(uint32 issuerId, Issuer storage body) private view {
        if (_authorityOf[body.economy] == msg.sender) return;
        if (msg.sender != body.signingKey) revert IssuerRegistryNotIssuerOrAuthority(msg.sender, issuerId);
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

    function _issuerForAuthority(uint32 issuerId) private view returns (Issuer storage body) {
        body = _issuer(issuerId);
        if (_authorityOf[body.economy] != msg.sender) revert IssuerRegistryNotAuthorityOf(msg.sender, issuerId);
    }

    function _requireStatus(uint32 issuerId, Issuer storage body, IssuerStatus expected) private view {
        IssuerStatus status = _keys[body.signingKey].status;
        if (status != expected) revert IssuerRegistryInvalidStatus(issuerId, status);
    }

    function _requireNotWithdrawn(uint32 issuerId, Issuer storage body) private view {
        IssuerStatus status = _keys[body.signingKey].status;
        if (status != IssuerStatus.Active && status != IssuerStatus.Suspended) {
            revert IssuerRegistryInvalidStatus(issuerId, status);
        }
    }

    function _setStatus(uint32 issuerId, Issuer storage body, IssuerStatus status) private {
        uint48 now_ = block.timestamp.toUint48();
        _keys[body.signingKey].status = status;
        body.statusSince = now_;
        _statusHistory[issuerId].push(now_, uint208(uint8(status)));
    }
}
