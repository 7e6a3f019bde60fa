// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

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
 * History is kept, not overwritten: {standingAt} answers "was this key an accredited issuer at
 * time T, and in which status", which is what a verifier and an auditor ask about a certificate
 * anchored at T.
 */
contract IssuerRegistry is IIssuerRegistry {
    using Checkpoints for Checkpoints.Trace208;
    using EnumerableSet for EnumerableSet.AddressSet;

    /**
     * @dev One signing key. One slot (232 bits): issuerId 32 | activeFrom 48 | retiredAt 48 (0 = in use)
     * | status 8 | validFrom 48 | validUntil 48. The issuing body's current status and window live in
     * its current key's record (and nowhere else), so the check on every anchor is one storage read.
     * A retired key's status fields are frozen and never consulted.
     */
    struct KeyRecord {
        uint32 issuerId;
        uint48 activeFrom;
        uint48 retiredAt;
        IssuerStatus status;
        uint48 validFrom;
        uint48 validUntil;
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
    struct Proposal {
        address proposer;
        bool executed;
        bytes data;
        address[] approvers;
    }

    EnumerableSet.AddressSet private _council;
    uint256 private _threshold;
    Proposal[] private _proposals;

    mapping(bytes2 economy => address) private _authorityOf;
    mapping(address account => bytes2) private _economyOf;

    Issuer[] private _issuers; // index = issuerId - 1
    mapping(uint32 issuerId => Checkpoints.Trace208) private _statusHistory;
    mapping(address key => KeyRecord) private _keys;

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
    constructor(address[] memory council, uint256 threshold) {
        for (uint256 i = 0; i < council.length; ++i) {
            _addCouncilMember(council[i]);
        }
        _setThreshold(threshold);
    }

    // ------------------------------------------------------------------ council (M-of-N)

    /**
     * @notice Propose a council act: `data` is the calldata of one of this contract's
     * council-only functions. The proposer's approval is counted.
     *
     * Requirements: the caller is a council member.
     *
     * Emits {ProposalCreated} and {ProposalApproved}.
     */
    function propose(bytes calldata data) external onlyCouncilMember returns (uint256 proposalId) {
        proposalId = _proposals.length;
        Proposal storage p = _proposals.push();
        p.proposer = msg.sender;
        p.data = data;
        emit ProposalCreated(proposalId, msg.sender, data);
        _approve(proposalId, p);
    }

    /**
     * @notice Approve a pending proposal.
     *
     * Requirements: the caller is a council member who has not approved it yet; the proposal
     * exists and is not executed.
     *
     * Emits {ProposalApproved}.
     */
    function approve(uint256 proposalId) external onlyCouncilMember {
        _approve(proposalId, _pendingProposal(proposalId));
    }

    /**
     * @notice Execute a proposal once enough current council members approved it. Approvals of
     * members removed since do not count.
     *
     * Requirements: the caller is a council member; approvals >= threshold; the call succeeds
     * (its custom error is re-raised otherwise).
     *
     * Emits {ProposalExecuted} and the events of the act itself.
     */
    function execute(uint256 proposalId) external onlyCouncilMember returns (bytes memory result) {
        Proposal storage p = _pendingProposal(proposalId);
        uint256 approvals = _currentApprovals(p);
        if (approvals < _threshold) {
            revert IssuerRegistryNotEnoughApprovals(proposalId, approvals, _threshold);
        }
        p.executed = true;
        bool ok;
        (ok, result) = address(this).call(p.data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        emit ProposalExecuted(proposalId, msg.sender, approvals);
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
     *
     * Requirements: the caller is a competent authority; `signingKey` was never used;
     * `validFrom < validUntil` and `validUntil` is in the future; `name` is not empty.
     *
     * Emits {IssuerAccredited}.
     */
    function accredit(
        string calldata name,
        address signingKey,
        bytes32 metadataHash,
        uint48 validFrom,
        uint48 validUntil
    ) external returns (uint32 issuerId) {
        bytes2 economy = _economyOf[msg.sender];
        if (economy == bytes2(0)) revert IssuerRegistryNotAuthority(msg.sender);
        if (bytes(name).length == 0) revert IssuerRegistryEmptyName();
        if (validFrom >= validUntil || validUntil <= block.timestamp) {
            revert IssuerRegistryInvalidWindow(validFrom, validUntil);
        }
        _claimKey(signingKey);
        issuerId = uint32(_issuers.length + 1);
        uint48 now_ = uint48(block.timestamp);
        _issuers.push(Issuer({signingKey: signingKey, economy: economy, statusSince: now_, metadataHash: metadataHash, name: name}));
        _keys[signingKey] = KeyRecord({
            issuerId: issuerId,
            activeFrom: now_,
            retiredAt: 0,
            status: IssuerStatus.Active,
            validFrom: validFrom,
            validUntil: validUntil
        });
        _statusHistory[issuerId].push(now_, uint208(uint8(IssuerStatus.Active)));
        emit IssuerAccredited(issuerId, economy, signingKey, name, metadataHash, validFrom, validUntil);
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
        k.validUntil = validUntil;
        emit IssuerRenewed(issuerId, validUntil);
    }

    // ------------------------------------------------------------------ issuing bodies

    /**
     * @notice Replace an issuing body's signing key. The old key stays attributed to the body
     * (its past anchors remain its own) but can no longer anchor.
     *
     * Requirements: the caller is the current key or the authority of the issuer's economy;
     * `newKey` was never used.
     *
     * Emits {SigningKeyRotated}.
     */
    function rotateKey(uint32 issuerId, address newKey) external {
        Issuer storage issuer = _issuer(issuerId);
        address previous = issuer.signingKey;
        if (msg.sender != previous && _authorityOf[issuer.economy] != msg.sender) {
            revert IssuerRegistryNotIssuerOrAuthority(msg.sender, issuerId);
        }
        _claimKey(newKey);
        uint48 now_ = uint48(block.timestamp);
        KeyRecord storage old = _keys[previous];
        old.retiredAt = now_;
        _keys[newKey] = KeyRecord({
            issuerId: issuerId,
            activeFrom: now_,
            retiredAt: 0,
            status: old.status,
            validFrom: old.validFrom,
            validUntil: old.validUntil
        });
        issuer.signingKey = newKey;
        emit SigningKeyRotated(issuerId, previous, newKey);
    }

    // ------------------------------------------------------------------ views

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
     * @notice Was `key` an accredited issuer at time `t` (a block timestamp), and if not, why?
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
     * @notice May `account` act for `issuerId` (revoke, replace)? True for the issuer's current
     * key and for the authority of its economy.
     */
    function canActFor(address account, uint32 issuerId) external view returns (bool) {
        if (issuerId == 0 || issuerId > _issuers.length) return false;
        Issuer storage i = _issuers[issuerId - 1];
        return account == i.signingKey || (account != address(0) && _authorityOf[i.economy] == account);
    }

    function issuerCount() external view returns (uint32) {
        return uint32(_issuers.length);
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

    /// @notice A proposal with the number of approvals that count now.
    function proposal(
        uint256 proposalId
    ) external view returns (address proposer, bool executed, bytes memory data, address[] memory approvers, uint256 approvals) {
        if (proposalId >= _proposals.length) revert IssuerRegistryUnknownProposal(proposalId);
        Proposal storage p = _proposals[proposalId];
        return (p.proposer, p.executed, p.data, p.approvers, _currentApprovals(p));
    }

    // ------------------------------------------------------------------ internals

    function _standing(IssuerStatus status, uint48 validFrom, uint48 validUntil, uint256 t) private pure returns (Standing) {
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
        emit ProposalApproved(proposalId, msg.sender, _currentApprovals(p));
    }

    function _currentApprovals(Proposal storage p) private view returns (uint256 count) {
        for (uint256 i = 0; i < p.approvers.length; ++i) {
            if (_council.contains(p.approvers[i])) ++count;
        }
    }

    function _pendingProposal(uint256 proposalId) private view returns (Proposal storage p) {
        if (proposalId >= _proposals.length) revert IssuerRegistryUnknownProposal(proposalId);
        p = _proposals[proposalId];
        if (p.executed) revert IssuerRegistryProposalAlreadyExecuted(proposalId);
    }

    function _addCouncilMember(address account) private {
        if (account == address(0)) revert IssuerRegistryInvalidKey();
        if (!_council.add(account)) revert IssuerRegistryAlreadyCouncilMember(account);
        emit CouncilMemberAdded(account);
    }

    function _setThreshold(uint256 threshold_) private {
        if (threshold_ == 0 || threshold_ > _council.length()) {
            revert IssuerRegistryInvalidThreshold(threshold_, _council.length());
        }
        emit ThresholdChanged(_threshold, threshold_);
        _threshold = threshold_;
    }

    function _claimKey(address key) private {
        if (key == address(0)) revert IssuerRegistryInvalidKey();
        if (_keys[key].issuerId != 0) revert IssuerRegistryKeyAlreadyUsed(key);
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
        uint48 now_ = uint48(block.timestamp);
        _keys[issuer.signingKey].status = status;
        issuer.statusSince = now_;
        _statusHistory[issuerId].push(now_, uint208(uint8(status)));
    }
}
