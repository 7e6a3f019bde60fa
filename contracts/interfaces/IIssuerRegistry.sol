// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/**
 * @title IIssuerRegistry
 * @notice Who may issue certificates of origin, and since when.
 * @dev Every function, event, error and type of {IssuerRegistry}, with ERC-5267's `eip712Domain` for
 * the EIP-712 signatures it checks. Every state change is an event,
 * so the whole accreditation history can be replayed from the log alone (the audit does).
 */
interface IIssuerRegistry is IERC5267 {
    /// @dev Status of an issuing body. Withdrawn and WithdrawnForFraud are final.
    enum IssuerStatus {
        None,
        Active,
        Suspended,
        Withdrawn,
        WithdrawnForFraud
    }

    /**
     * @dev Answer to "was this key an accredited issuer at time T?". Only `Accredited` lets a key
     * anchor; the others say why not.
     */
    enum Standing {
        Unknown,
        Accredited,
        NotYetValid,
        Expired,
        Suspended,
        Withdrawn,
        WithdrawnForFraud,
        KeyNotYetActive,
        KeyRetired
    }

    /// @dev Withdrawal kind: an ordinary end keeps earlier certificates lawful, fraud taints them.
    enum WithdrawalReason {
        Ordinary,
        Fraud
    }

    /// @dev Life of a council proposal. Executed, Failed and Cancelled are final.
    enum ProposalState {
        Pending,
        Executed,
        Failed,
        Cancelled
    }

    /// @dev A read-only view of a council proposal; `approvals` are those that count now.
    struct ProposalView {
        address proposer;
        ProposalState state;
        uint48 expiresAt;
        uint64 councilEpoch;
        bytes data;
        address[] approvers;
        uint256 approvals;
    }

    /// @dev A read-only view of an issuing body.
    struct IssuerView {
        uint32 id;
        bytes2 economy;
        IssuerStatus status;
        uint48 validFrom;
        uint48 validUntil;
        uint48 statusSince;
        address signingKey;
        bytes32 metadataHash;
        string name;
    }

    // ---- council ----

    /// @notice A council member proposed the act `data`, open until `expiresAt` in `councilEpoch`.
    /// @param proposalId the proposal
    /// @param proposer the member who proposed it
    /// @param data the act's calldata
    /// @param expiresAt when it expires
    /// @param councilEpoch the council epoch it belongs to
    event ProposalCreated(
        uint256 indexed proposalId,
        address indexed proposer,
        bytes data,
        uint48 expiresAt,
        uint64 councilEpoch
    );
    /// @notice A member approved a proposal; `approvals` counts them now.
    /// @param proposalId the proposal
    /// @param approver the member
    /// @param approvals the approvals that count now
    event ProposalApproved(uint256 indexed proposalId, address indexed approver, uint256 approvals);
    /// @notice A member took back an approval; `approvals` counts those left.
    /// @param proposalId the proposal
    /// @param approver the member
    /// @param approvals the approvals that count now
    event ApprovalWithdrawn(uint256 indexed proposalId, address indexed approver, uint256 approvals);
    /// @notice The proposer cancelled a proposal for good.
    /// @param proposalId the proposal
    /// @param by the account that acted
    event ProposalCancelled(uint256 indexed proposalId, address indexed by);
    /// @notice A proposal's act ran, with `approvals` approvals.
    /// @param proposalId the proposal
    /// @param executor the member who executed it
    /// @param approvals the approvals that count now
    event ProposalExecuted(uint256 indexed proposalId, address indexed executor, uint256 approvals);
    /// @notice The act reverted: the proposal is final, never re-executable.
    /// @dev `reason` is the revert data.
    /// @param proposalId the proposal
    /// @param executor the member who executed it
    /// @param reason the act's revert data
    event ProposalFailed(uint256 indexed proposalId, address indexed executor, bytes reason);
    /// @notice Membership or threshold changed.
    /// @dev Proposals of earlier council epochs can no longer pass.
    /// @param epoch the new council epoch
    event CouncilEpochChanged(uint64 epoch);
    /// @notice A council member joined.
    /// @param member the member
    event CouncilMemberAdded(address indexed member);
    /// @notice A council member left.
    /// @param member the member
    event CouncilMemberRemoved(address indexed member);
    /// @notice The number of approvals a proposal needs changed.
    /// @param previousThreshold the threshold before
    /// @param newThreshold the threshold now
    event ThresholdChanged(uint256 previousThreshold, uint256 newThreshold);

    // ---- competent authorities ----

    /// @notice The council registered the competent authority of `economy`.
    /// @param economy ISO 3166-1 alpha-2 code
    /// @param account the authority's account
    /// @param name the name
    event AuthorityRegistered(bytes2 indexed economy, address indexed account, string name);
    /// @notice The council removed the competent authority of `economy`.
    /// @param economy ISO 3166-1 alpha-2 code
    /// @param account the authority's account
    event AuthorityRemoved(bytes2 indexed economy, address indexed account);

    // ---- issuing bodies ----

    /// @notice An authority accredited an issuing body for `[validFrom, validUntil)`.
    /// @param issuerId the issuing body
    /// @param economy ISO 3166-1 alpha-2 code
    /// @param signingKey the body's signing key
    /// @param name the name
    /// @param metadataHash a hash of off-chain details
    /// @param validFrom start of the window
    /// @param validUntil end of the window, excluded
    event IssuerAccredited(
        uint32 indexed issuerId,
        bytes2 indexed economy,
        address indexed signingKey,
        string name,
        bytes32 metadataHash,
        uint48 validFrom,
        uint48 validUntil
    );
    /// @notice An authority suspended a body, with its own reason code.
    /// @param issuerId the issuing body
    /// @param reason the authority's own reason code
    event IssuerSuspended(uint32 indexed issuerId, uint8 reason);
    /// @notice An authority reinstated a suspended body.
    /// @param issuerId the issuing body
    event IssuerReinstated(uint32 indexed issuerId);
    /// @notice An authority withdrew a body's accreditation for good.
    /// @param issuerId the issuing body
    /// @param reason Ordinary or Fraud
    event IssuerWithdrawn(uint32 indexed issuerId, WithdrawalReason reason);
    /// @notice An authority extended a body's window to `validUntil`.
    /// @param issuerId the issuing body
    /// @param validUntil end of the window, excluded
    event IssuerRenewed(uint32 indexed issuerId, uint48 validUntil);
    /// @notice A body's signing key was replaced; the old key stays attributed to it.
    /// @param issuerId the issuing body
    /// @param previousKey the retired key
    /// @param newKey the new key
    event SigningKeyRotated(uint32 indexed issuerId, address indexed previousKey, address indexed newKey);
    /// @notice The body's epoch moved (suspend, reinstate, rotate, withdraw, VC key, or its own bump).
    /// @dev Every anchor signature of an earlier epoch is void.
    /// @param issuerId the issuing body
    /// @param epoch the new epoch
    event IssuerEpochChanged(uint32 indexed issuerId, uint64 epoch);
    /// @notice The body's VC key changed.
    /// @dev `newHash` vouches for anchors of epochs from `epoch` on, `previousHash` (zero for the
    /// first) for the epochs before.
    /// @param issuerId the issuing body
    /// @param previousHash the retired VC key hash (zero for the first)
    /// @param newHash the new VC key hash
    /// @param epoch the first epoch the new key vouches for
    event VcKeyChanged(uint32 indexed issuerId, bytes32 indexed previousHash, bytes32 indexed newHash, uint64 epoch);

    /// @dev The caller is not a council member.
    error IssuerRegistryNotCouncilMember(address account);
    /// @dev A council act called otherwise than by an executed proposal.
    error IssuerRegistryOnlyCouncil();
    /// @dev The threshold must stay between 1 and the number of members.
    error IssuerRegistryInvalidThreshold(uint256 threshold, uint256 members);
    /// @dev The account is already a member.
    error IssuerRegistryAlreadyCouncilMember(address account);
    /// @dev No proposal has this id.
    error IssuerRegistryUnknownProposal(uint256 proposalId);
    /// @dev The proposal was executed, failed or cancelled.
    error IssuerRegistryProposalNotPending(uint256 proposalId, ProposalState state);
    /// @dev The proposal's lifetime is over.
    error IssuerRegistryProposalExpired(uint256 proposalId, uint48 expiresAt);
    /// @dev The council changed since the proposal was made.
    error IssuerRegistryProposalStale(uint256 proposalId, uint64 councilEpoch, uint64 current);
    /// @dev Only the proposer may cancel.
    error IssuerRegistryNotProposer(uint256 proposalId, address account);
    /// @dev The account has no approval of this proposal to withdraw.
    error IssuerRegistryNotApprover(uint256 proposalId, address account);
    /// @dev A proposal may carry only the five council acts.
    error IssuerRegistryActNotAllowed(bytes4 selector);
    /// @dev The executor withheld the gas the act needed; the proposal stays pending.
    error IssuerRegistryInsufficientGas();
    /// @dev The new signing key's proof of possession does not verify.
    error IssuerRegistryInvalidPossession(address key);
    /// @dev The account already has another role (council, authority, issuer key, the registry).
    error IssuerRegistryAccountHasRole(address account);
    /// @dev The body's accreditation ended: its own key may no longer act (its authority may).
    error IssuerRegistryKeyPowerEnded(uint32 issuerId);
    /// @dev The member approved this proposal already.
    error IssuerRegistryAlreadyApproved(uint256 proposalId, address approver);
    /// @dev The proposal has fewer approvals than the threshold.
    error IssuerRegistryNotEnoughApprovals(uint256 proposalId, uint256 approvals, uint256 threshold);
    /// @dev An economy is two upper-case letters (ISO 3166-1 alpha-2).
    error IssuerRegistryInvalidEconomy(bytes2 economy);
    /// @dev The economy has an authority already.
    error IssuerRegistryEconomyTaken(bytes2 economy, address authority);
    /// @dev The account is the authority of another economy.
    error IssuerRegistryAccountIsAuthority(address account);
    /// @dev The economy has no authority.
    error IssuerRegistryUnknownEconomy(bytes2 economy);
    /// @dev The caller is no competent authority.
    error IssuerRegistryNotAuthority(address account);
    /// @dev The caller is not the authority of the body's economy.
    error IssuerRegistryNotAuthorityOf(address account, uint32 issuerId);
    /// @dev The caller is neither the body's current key nor its authority.
    error IssuerRegistryNotIssuerOrAuthority(address account, uint32 issuerId);
    /// @dev No issuing body has this id.
    error IssuerRegistryUnknownIssuer(uint32 issuerId);
    /// @dev Keys are never reused, so a key always names one body.
    error IssuerRegistryKeyAlreadyUsed(address key);
    /// @dev The zero address is no key.
    error IssuerRegistryInvalidKey();
    /// @dev The window is empty or already over.
    error IssuerRegistryInvalidWindow(uint48 validFrom, uint48 validUntil);
    /// @dev A name is required.
    error IssuerRegistryEmptyName();
    /// @dev The act does not apply to a body in this status.
    error IssuerRegistryInvalidStatus(uint32 issuerId, IssuerStatus status);
    /// @dev A window that ended is never extended (history is not rewritten).
    error IssuerRegistryAccreditationExpired(uint32 issuerId, uint48 validUntil);
    /// @dev The body's standing does not allow the act (a VC key: accredited, or suspended through its authority).
    error IssuerRegistryNotInGoodStanding(uint32 issuerId, Standing standing);
    /// @dev The VC key is not a point of P-256.
    error IssuerRegistryInvalidVcKey();
    /// @dev A VC key hash names one body, once.
    error IssuerRegistryVcKeyAlreadyUsed(bytes32 keyHash, uint32 issuerId);
    /// @dev The VC key's proof of possession does not verify for this body.
    error IssuerRegistryInvalidVcPossession(bytes32 keyHash);

    // ------------------------------------------------------------------ council (M-of-N)

    /**
     * @notice Propose a council act: `data` is the calldata of one of the five council acts
     * (addCouncilMember, removeCouncilMember, setThreshold, registerAuthority, removeAuthority).
     * The proposer's approval is counted. It expires after {PROPOSAL_LIFETIME}.
     * @dev Requirements: the caller is a council member; the selector is a council act.
     *
     * Emits {ProposalCreated} and {ProposalApproved}.
     * @param data the act's calldata
     * @return proposalId the new proposal's id
     */
    function propose(bytes calldata data) external returns (uint256 proposalId);

    /**
     * @notice Approve a pending proposal.
     * @dev Requirements: the caller is a council member who has not approved it yet; the proposal
     * is pending, not expired, and of the current council epoch.
     *
     * Emits {ProposalApproved}.
     * @param proposalId the proposal
     */
    function approve(uint256 proposalId) external;

    /**
     * @notice Withdraw one's approval of a pending proposal.
     * @dev Requirements: the proposal is pending; the caller approved it.
     *
     * Emits {ApprovalWithdrawn}.
     * @param proposalId the proposal
     */
    function withdrawApproval(uint256 proposalId) external;

    /**
     * @notice Cancel a pending proposal for good.
     * @dev Requirements: the caller is its proposer; the proposal is pending.
     *
     * Emits {ProposalCancelled}.
     * @param proposalId the proposal
     */
    function cancel(uint256 proposalId) external;

    /**
     * @notice Execute a proposal once enough council members approved it in the current council
     * epoch. The outcome is final: a reverted act marks the proposal Failed (never re-executable).
     * @dev Requirements: the caller is a council member; the proposal is pending, not expired, of
     * the current council epoch; approvals >= threshold; enough gas is given for the act to run (a
     * failure for want of gas reverts instead of failing the proposal).
     *
     * Emits {ProposalExecuted} and the events of the act, or {ProposalFailed}.
     * @param proposalId the proposal
     * @return ok whether the act ran
     * @return result the act's return or revert data
     */
    function execute(uint256 proposalId) external returns (bool ok, bytes memory result);

    /**
     * @notice Council act: add a member. A new council epoch voids pending proposals.
     * @dev Emits {CouncilMemberAdded} and {CouncilEpochChanged}.
     * @param account the new member, with no other role
     */
    function addCouncilMember(address account) external;

    /**
     * @notice Council act: remove a member.
     * @dev Requirements: the council keeps at least `threshold` members.
     *
     * Emits {CouncilMemberRemoved} and {CouncilEpochChanged}.
     * @param account the member
     */
    function removeCouncilMember(address account) external;

    /**
     * @notice Council act: change the number of approvals a proposal needs.
     * @dev Requirements: 1 <= `newThreshold` <= members.
     *
     * Emits {ThresholdChanged} and {CouncilEpochChanged}.
     * @param newThreshold the approvals needed from now on
     */
    function setThreshold(uint256 newThreshold) external;

    /**
     * @notice Council act: register the competent authority of an economy.
     * @dev Requirements: `economy` is two upper-case letters; no authority for it yet; `account` is
     * not already an authority and has no other role.
     *
     * Emits {AuthorityRegistered}.
     * @param economy ISO 3166-1 alpha-2 code
     * @param account the authority's account
     * @param name the authority's name
     */
    function registerAuthority(bytes2 economy, address account, string calldata name) external;

    /**
     * @notice Council act: remove the competent authority of an economy. Its issuing bodies keep
     * their accreditation; a new authority takes them over.
     * @dev Emits {AuthorityRemoved}.
     * @param economy ISO 3166-1 alpha-2 code
     */
    function removeAuthority(bytes2 economy) external;

    // ------------------------------------------------------------------ competent authorities

    /**
     * @notice Accredit an issuing body of the caller's economy for `[validFrom, validUntil)`.
     * @dev Requirements: the caller is a competent authority; `signingKey` was never used and has
     * no other role; the possession proof is valid; `validFrom < validUntil` and `validUntil` is in
     * the future (both fit 40 bits); `name` is not empty.
     *
     * Emits {IssuerAccredited} and {IssuerEpochChanged}.
     * @param name the body's name, as documents must name it
     * @param signingKey the body's signing key
     * @param metadataHash a hash of off-chain details (address, contacts)
     * @param validFrom start of the window (a block timestamp)
     * @param validUntil end of the window, excluded
     * @param r first half of the new key's EIP-712 signature over `KeyPossession(signingKey, 0,
     * economy)` (EIP-2098 compact form): proof that the body holds the key
     * @param vs second half of that signature
     * @return issuerId the new body's id
     */
    function accredit(
        string calldata name,
        address signingKey,
        bytes32 metadataHash,
        uint48 validFrom,
        uint48 validUntil,
        bytes32 r,
        bytes32 vs
    ) external returns (uint32 issuerId);

    /**
     * @notice Suspend an active issuing body; its keys cannot anchor until reinstated.
     * @dev Requirements: the caller is the authority of the body's economy; the body is Active.
     *
     * Emits {IssuerSuspended} and {IssuerEpochChanged}.
     * @param issuerId the body
     * @param reason the authority's own reason code
     */
    function suspend(uint32 issuerId, uint8 reason) external;

    /**
     * @notice Reinstate a suspended issuing body.
     * @dev Requirements: the caller is the authority of the body's economy; the body is Suspended.
     *
     * Emits {IssuerReinstated} and {IssuerEpochChanged}.
     * @param issuerId the body
     */
    function reinstate(uint32 issuerId) external;

    /**
     * @notice Withdraw an accreditation for good. An ordinary withdrawal leaves certificates
     * anchored before it lawful; a withdrawal for fraud taints them, and verifiers say so.
     * @dev Requirements: the caller is the authority of the body's economy; the body is Active or
     * Suspended.
     *
     * Emits {IssuerWithdrawn} and {IssuerEpochChanged}.
     * @param issuerId the body
     * @param reason Ordinary or Fraud
     */
    function withdraw(uint32 issuerId, WithdrawalReason reason) external;

    /**
     * @notice Extend an accreditation window. Only before it ends, so that {standingAt} never
     * rewrites a past "expired" into "accredited".
     * @dev Requirements: the caller is the authority of the body's economy; the body is not
     * withdrawn; the window has not ended; `validUntil` is later than the current end.
     *
     * Emits {IssuerRenewed}.
     * @param issuerId the body
     * @param validUntil the new end of the window
     */
    function renew(uint32 issuerId, uint48 validUntil) external;

    // ------------------------------------------------------------------ issuing bodies

    /**
     * @notice Replace an issuing body's signing key. The old key stays attributed to the body
     * (its past anchors remain its own) but can no longer anchor. The epoch moves.
     * @dev Requirements: the caller is the authority of the body's economy, or its current key
     * while the body is neither withdrawn nor past its window; `newKey` was never used, has no
     * other role, and the possession proof is valid.
     *
     * Emits {SigningKeyRotated} and {IssuerEpochChanged}.
     * @param issuerId the body
     * @param newKey the new signing key
     * @param r first half of the new key's signature over `KeyPossession(newKey, issuerId, economy)`
     * @param vs second half of that signature
     */
    function rotateKey(uint32 issuerId, address newKey, bytes32 r, bytes32 vs) external;

    /**
     * @notice Move the body's epoch, voiding every anchor signature it made so far and has not
     * anchored yet (a lost laptop, a batch signed in error).
     * @dev Requirements: as {rotateKey}.
     *
     * Emits {IssuerEpochChanged}.
     * @param issuerId the body
     */
    function bumpEpoch(uint32 issuerId) external;

    /**
     * @notice Register the hash of the body's VC public key (P-256, the key that signs its W3C
     * credentials), retiring the one before. The epoch moves, so every anchor names, through its
     * epoch, exactly one VC key: {vcKeyAt} answers which key vouched for a certificate.
     * @dev The hash kept is `keccak256(0x8024 || prefix || qx)`, the bytes of the key's public
     * Multikey (prefix 0x02 for an even `qy`, 0x03 for an odd one).
     *
     * Requirements: the caller is the authority of the body's economy while the body is neither
     * withdrawn nor past its window, or the body's current key while the body is accredited now
     * (not suspended); the point is on the curve; the key hash was never registered by any body;
     * the possession proof is valid.
     *
     * Emits {VcKeyChanged} and {IssuerEpochChanged}.
     * @param issuerId the body
     * @param qx the key's affine x coordinate
     * @param qy the key's affine y coordinate
     * @param r first half of the VC key's ES256 signature over
     * `sha256(vcKeyPossessionDigest(hash, issuerId))`: proof that the body holds the key
     * @param s second half of that signature, low-s (at most n/2)
     */
    function setVcKey(uint32 issuerId, bytes32 qx, bytes32 qy, bytes32 r, bytes32 s) external;

    // ------------------------------------------------------------------ views

    // The constants' getters keep their SCREAMING_CASE names, as OpenZeppelin's do.
    // solhint-disable func-name-mixedcase

    /**
     * @notice How long a proposal may gather approvals and be executed.
     * @return the lifetime in seconds
     */
    function PROPOSAL_LIFETIME() external view returns (uint48);

    /**
     * @notice The EIP-712 type hash of `KeyPossession(address key,uint64 issuerId,bytes2 economy)`.
     * @return the type hash
     */
    function KEY_POSSESSION_TYPEHASH() external view returns (bytes32);

    /**
     * @notice The EIP-712 type hash of `VcKeyPossession(bytes32 keyHash,uint64 issuerId)`.
     * @return the type hash
     */
    function VC_KEY_POSSESSION_TYPEHASH() external view returns (bytes32);

    // solhint-enable func-name-mixedcase

    /**
     * @notice The VC key hash the body had registered while at `epoch` (zero if none): an anchor's
     * record names its epoch, so this is the key that vouched for the anchor's certificates.
     * @param issuerId the body
     * @param epoch one of its epochs
     * @return keyHash the VC key hash of that epoch
     */
    function vcKeyAt(uint32 issuerId, uint64 epoch) external view returns (bytes32 keyHash);

    /**
     * @notice Who registered a VC key hash and for which epochs. All zero if never registered.
     * @param keyHash the VC key hash
     * @return issuerId the body that registered it
     * @return fromEpoch the first epoch it vouches for
     * @return untilEpoch the first epoch it no longer vouches for (0 while in use)
     * @return since the block timestamp of its registration
     * @return retiredAt the block timestamp of its retirement (0 while in use)
     */
    function vcKeyRecord(
        bytes32 keyHash
    ) external view returns (uint32 issuerId, uint64 fromEpoch, uint64 untilEpoch, uint48 since, uint48 retiredAt);

    /**
     * @notice The EIP-712 digest whose SHA-256 a VC key signs to prove possession for a body.
     * @param keyHash the VC key hash
     * @param issuerId the body registering it
     * @return the digest
     */
    function vcKeyPossessionDigest(bytes32 keyHash, uint64 issuerId) external view returns (bytes32);

    /**
     * @notice The standing of `key` now.
     * @param key a signing key
     * @return issuerId its body (0 if none)
     * @return standing its standing now
     */
    function standingOf(address key) external view returns (uint32 issuerId, Standing standing);

    /**
     * @notice What {ICertificateRegistry-anchor} checks, in one storage read.
     * @param key the anchor signature's signer
     * @return issuerId its body (0 if none)
     * @return standing its standing now
     * @return epoch the body's current epoch
     */
    function anchorTerms(address key) external view returns (uint32 issuerId, Standing standing, uint64 epoch);

    /**
     * @notice The current epoch of an issuing body: what its next anchor signature must name.
     * @param issuerId the body
     * @return the epoch
     */
    function epochOf(uint32 issuerId) external view returns (uint64);

    /**
     * @notice Was `key` an accredited issuer at the end of second `t` (a block timestamp), and if
     * not, why?
     * @dev One-second resolution: several transactions of one block share `t`, so this judges what
     * happened since an anchor, never whether the anchor itself was lawful (the anchor record
     * answers that exactly).
     * @param key a signing key
     * @param t a block timestamp
     * @return issuerId its body (0 if none)
     * @return standing its standing at `t`
     */
    function standingAt(address key, uint48 t) external view returns (uint32 issuerId, Standing standing);

    /**
     * @notice The status of an issuing body at time `t` (None before its accreditation).
     * @param issuerId the body
     * @param t a block timestamp
     * @return the status
     */
    function statusAt(uint32 issuerId, uint48 t) external view returns (IssuerStatus);

    /**
     * @notice An issuing body as it is now.
     * @param issuerId the body
     * @return the body's view
     */
    function issuer(uint32 issuerId) external view returns (IssuerView memory);

    /**
     * @notice The issuing body a key belongs to, and when it was in use.
     * @param key a signing key
     * @return issuerId its body (0 if none)
     * @return activeFrom when it became the body's key
     * @return retiredAt when it was rotated out (0 while in use)
     */
    function keyRecord(address key) external view returns (uint32 issuerId, uint48 activeFrom, uint48 retiredAt);

    /**
     * @notice May `account` revoke for `issuerId`? True for the body's current key, whatever the
     * body's status (a withdrawn body may still revoke its own certificates), and for the authority
     * of its economy.
     * @param account the would-be revoker
     * @param issuerId the body
     * @return whether it may
     */
    function canActFor(address account, uint32 issuerId) external view returns (bool);

    /**
     * @notice May `account` replace certificates for `issuerId`? True for the authority of its
     * economy, and for its current key only while the body is accredited now (a replacement names
     * a new certificate, which only an accredited body may vouch for).
     * @param account the would-be replacer
     * @param issuerId the body
     * @return whether it may
     */
    function canReplaceFor(address account, uint32 issuerId) external view returns (bool);

    /**
     * @notice The number of issuing bodies ever accredited (ids run from 1).
     * @return the count
     */
    function issuerCount() external view returns (uint32);

    /**
     * @notice The council's epoch: moved by every change of membership or threshold.
     * @return the epoch
     */
    function councilEpoch() external view returns (uint64);

    /**
     * @notice The competent authority of an economy (zero if none).
     * @param economy ISO 3166-1 alpha-2 code
     * @return the authority's account
     */
    function authorityOf(bytes2 economy) external view returns (address);

    /**
     * @notice The economy an account is the authority of (zero if none).
     * @param account an account
     * @return the economy
     */
    function economyOf(address account) external view returns (bytes2);

    /**
     * @notice The council's members.
     * @return the members
     */
    function councilMembers() external view returns (address[] memory);

    /**
     * @notice Is `account` a council member?
     * @param account an account
     * @return whether it is
     */
    function isCouncilMember(address account) external view returns (bool);

    /**
     * @notice The approvals a proposal needs.
     * @return the threshold
     */
    function threshold() external view returns (uint256);

    /**
     * @notice The number of proposals ever made (ids run from 0).
     * @return the count
     */
    function proposalCount() external view returns (uint256);

    /**
     * @notice A proposal with the number of approvals that count now (none once it is stale).
     * @param proposalId the proposal
     * @return the proposal's view
     */
    function proposal(uint256 proposalId) external view returns (ProposalView memory);

    /**
     * @notice The EIP-712 digest a new signing key signs to prove possession.
     * @param key the new key
     * @param issuerId its body (0 to be accredited)
     * @param economy the body's economy
     * @return the digest
     */
    function keyPossessionDigest(address key, uint64 issuerId, bytes2 economy) external view returns (bytes32);
}
