// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @dev Events, errors and types of {IssuerRegistry}: who may issue certificates of origin, and
 * since when. Every state change is an event, so the whole accreditation history can be replayed
 * from the log alone.
 */
interface IIssuerRegistry {
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
    event ProposalCreated(
        uint256 indexed proposalId,
        address indexed proposer,
        bytes data,
        uint48 expiresAt,
        uint64 councilEpoch
    );
    event ProposalApproved(uint256 indexed proposalId, address indexed approver, uint256 approvals);
    event ApprovalWithdrawn(uint256 indexed proposalId, address indexed approver, uint256 approvals);
    event ProposalCancelled(uint256 indexed proposalId, address indexed by);
    event ProposalExecuted(uint256 indexed proposalId, address indexed executor, uint256 approvals);
    /// @dev The act reverted: the proposal is final, never re-executable; `reason` is the revert data.
    event ProposalFailed(uint256 indexed proposalId, address indexed executor, bytes reason);
    /// @dev Membership or threshold changed: proposals of earlier council epochs can no longer pass.
    event CouncilEpochChanged(uint64 epoch);
    event CouncilMemberAdded(address indexed member);
    event CouncilMemberRemoved(address indexed member);
    event ThresholdChanged(uint256 previousThreshold, uint256 newThreshold);

    // ---- competent authorities ----
    event AuthorityRegistered(bytes2 indexed economy, address indexed account, string name);
    event AuthorityRemoved(bytes2 indexed economy, address indexed account);

    // ---- issuing bodies ----
    event IssuerAccredited(
        uint32 indexed issuerId,
        bytes2 indexed economy,
        address indexed signingKey,
        string name,
        bytes32 metadataHash,
        uint48 validFrom,
        uint48 validUntil
    );
    event IssuerSuspended(uint32 indexed issuerId, uint8 reason);
    event IssuerReinstated(uint32 indexed issuerId);
    event IssuerWithdrawn(uint32 indexed issuerId, WithdrawalReason reason);
    event IssuerRenewed(uint32 indexed issuerId, uint48 validUntil);
    event SigningKeyRotated(uint32 indexed issuerId, address indexed previousKey, address indexed newKey);
    /// @dev The body's epoch moved (suspend, reinstate, rotate, withdraw, or the body's own bump):
    /// every anchor signature of an earlier epoch is void.
    event IssuerEpochChanged(uint32 indexed issuerId, uint64 epoch);
    /// @dev The body's VC key changed: `newHash` vouches for anchors of epochs from `epoch` on,
    /// `previousHash` (zero for the first) for the epochs before.
    event VcKeyChanged(uint32 indexed issuerId, bytes32 indexed previousHash, bytes32 indexed newHash, uint64 epoch);

    error IssuerRegistryNotCouncilMember(address account);
    error IssuerRegistryOnlyCouncil();
    error IssuerRegistryInvalidThreshold(uint256 threshold, uint256 members);
    error IssuerRegistryAlreadyCouncilMember(address account);
    error IssuerRegistryUnknownProposal(uint256 proposalId);
    error IssuerRegistryProposalNotPending(uint256 proposalId, ProposalState state);
    error IssuerRegistryProposalExpired(uint256 proposalId, uint48 expiresAt);
    error IssuerRegistryProposalStale(uint256 proposalId, uint64 councilEpoch, uint64 current);
    error IssuerRegistryNotProposer(uint256 proposalId, address account);
    error IssuerRegistryNotApprover(uint256 proposalId, address account);
    error IssuerRegistryActNotAllowed(bytes4 selector);
    error IssuerRegistryInsufficientGas();
    error IssuerRegistryInvalidPossession(address key);
    error IssuerRegistryAccountHasRole(address account);
    error IssuerRegistryKeyPowerEnded(uint32 issuerId);
    error IssuerRegistryAlreadyApproved(uint256 proposalId, address approver);
    error IssuerRegistryNotEnoughApprovals(uint256 proposalId, uint256 approvals, uint256 threshold);
    error IssuerRegistryInvalidEconomy(bytes2 economy);
    error IssuerRegistryEconomyTaken(bytes2 economy, address authority);
    error IssuerRegistryAccountIsAuthority(address account);
    error IssuerRegistryUnknownEconomy(bytes2 economy);
    error IssuerRegistryNotAuthority(address account);
    error IssuerRegistryNotAuthorityOf(address account, uint32 issuerId);
    error IssuerRegistryNotIssuerOrAuthority(address account, uint32 issuerId);
    error IssuerRegistryUnknownIssuer(uint32 issuerId);
    error IssuerRegistryKeyAlreadyUsed(address key);
    error IssuerRegistryInvalidKey();
    error IssuerRegistryInvalidWindow(uint48 validFrom, uint48 validUntil);
    error IssuerRegistryEmptyName();
    error IssuerRegistryInvalidStatus(uint32 issuerId, IssuerStatus status);
    error IssuerRegistryAccreditationExpired(uint32 issuerId, uint48 validUntil);
    error IssuerRegistryNotInGoodStanding(uint32 issuerId, Standing standing);
    error IssuerRegistryInvalidVcKey();
    error IssuerRegistryVcKeyAlreadyUsed(bytes32 keyHash, uint32 issuerId);
    error IssuerRegistryInvalidVcPossession(bytes32 keyHash);
}
