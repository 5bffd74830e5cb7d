// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IAgentDelegations
/// @notice Delegation of a compliant principal's standing to an agent (an AI agent's key or a session key), for some
/// calls only, with an optional spend cap and an expiry. The principal consents with its own EIP-712 signature and a
/// Custos signer countersigns the same struct after screening the principal; anyone may submit the pair.
/// @dev The agent counts for the principal only through {useDelegation}, called by the gated contract (the target)
/// for the call it is about to make, and only while the principal's own compliance record for the policy is live:
/// revoking the principal's attestation, or the delegation's uid in the RevocationRegistry, stops the agent from the
/// next block on.
/// @custom:security-contact security@custos.dev
interface IAgentDelegations {
    /// @notice One call an agent may make: `selector` on `target`.
    /// @dev Typed as `Permission(address target,bytes4 selector)`.
    struct Permission {
        address target;
        bytes4 selector;
    }

    /// @notice What a principal delegates to an agent.
    /// @dev Typed as `Delegation(bytes32 uid,address principal,address agent,bytes32 policyId,Permission[] permissions,
    /// uint128 spendCap,uint64 issuedAt,uint64 expiresAt)Permission(address target,bytes4 selector)`, in the
    /// gatekeeper's EIP-712 domain. `spendCap` bounds the sum of the amounts the targets report (token units of a
    /// CompliantToken); `type(uint128).max` means no cap. `uid` shares the attestation uid space: one-time, revocable.
    struct Delegation {
        bytes32 uid;
        address principal;
        address agent;
        bytes32 policyId;
        Permission[] permissions;
        uint128 spendCap;
        uint64 issuedAt;
        uint64 expiresAt;
    }

    /// @notice A submitted delegation as the gatekeeper holds it.
    struct DelegationState {
        address principal;
        uint64 expiresAt;
        address agent;
        bytes32 policyId;
        uint128 spendCap;
        uint128 spent;
    }

    /// @notice Thrown when the principal or the agent is the zero address, or both are the same address.
    error DelegationInvalidParties(address principal, address agent);
    /// @notice Thrown when a delegation allows no call, more than the maximum, or a call with a zero target.
    error DelegationInvalidPermissions(uint256 count);
    /// @notice Thrown when the principal's signature recovers to another address.
    error InvalidPrincipalSignature(address recovered, address principal);
    /// @notice Thrown when no delegation was submitted under `uid`.
    error DelegationUnknown(bytes32 uid);
    /// @notice Thrown when the delegation's uid was revoked in the RevocationRegistry.
    error DelegationRevoked(bytes32 uid);
    /// @notice Thrown when the delegation has expired.
    error DelegationExpired(bytes32 uid, uint64 expiresAt);
    /// @notice Thrown when someone other than the delegation's agent tries to act under it.
    error DelegationAgentMismatch(bytes32 uid, address agent, address caller);
    /// @notice Thrown when the delegation is for another policy than the target's.
    error DelegationPolicyMismatch(bytes32 uid, bytes32 delegated, bytes32 expected);
    /// @notice Thrown when the delegation does not allow `selector` on `target`.
    error DelegationCallNotAllowed(bytes32 uid, address target, bytes4 selector);
    /// @notice Thrown when the principal's own compliance record for the policy is not live (expired or revoked).
    error DelegationPrincipalNotCompliant(bytes32 uid, address principal);
    /// @notice Thrown when the amount would take the delegation's spending above its cap.
    error DelegationSpendCapExceeded(bytes32 uid, uint128 spendCap, uint256 wouldSpend);

    /// @notice Emitted when a delegation is accepted.
    event DelegationSubmitted(
        bytes32 indexed uid,
        address indexed principal,
        address indexed agent,
        bytes32 policyId,
        uint128 spendCap,
        uint64 expiresAt,
        address signer
    );
    /// @notice Emitted for every call an agent makes for its principal: the audit trail of who stood behind it.
    event DelegationUsed(
        bytes32 indexed uid,
        address indexed principal,
        address indexed agent,
        address target,
        bytes4 selector,
        uint256 amount
    );

    /// @notice Verifies `delegation` (the principal's signature and a trusted Custos signer's over the same EIP-712
    /// digest; times and lifetime as for attestations of its policy; a fresh uid) and stores it. Anyone may submit.
    function submitDelegation(
        Delegation calldata delegation,
        bytes calldata principalSignature,
        bytes calldata custosSignature
    ) external;

    /// @notice For gated contracts (`msg.sender` is the target): lets `agent` make the call `selector` for the
    /// delegation's principal, spending `amount` of its cap, and returns the principal. Reverts unless the delegation
    /// exists, is not revoked or expired, belongs to `agent`, is for `policyId`, allows `selector` on the calling
    /// contract, the principal is compliant with `policyId` now, and the cap holds.
    function useDelegation(bytes32 uid, address agent, bytes32 policyId, bytes4 selector, uint256 amount)
        external
        returns (address principal);

    /// @notice The delegation stored under `uid` (zeroes when none).
    function delegationOf(bytes32 uid) external view returns (DelegationState memory);

    /// @notice Whether the delegation `uid` allows `selector` on `target`.
    function isDelegatedCall(bytes32 uid, address target, bytes4 selector) external view returns (bool);
}
