// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAgentDelegations} from "./interfaces/IAgentDelegations.sol";
import {IComplianceGatekeeper} from "./interfaces/IComplianceGatekeeper.sol";
import {ComplianceGatekeeper} from "./ComplianceGatekeeper.sol";
import {ZkCredentials} from "./zk/ZkCredentials.sol";

/// @title AgentRegistry
/// @notice On-chain registry of AI agents whose execution runs off-chain. Owners register agents with a metadata
/// hash (an IPFS-style content hash) and a Custos policy; only callers compliant with that policy can request an
/// execution, which the off-chain executor picks up from {ExecutionRequested}.
/// @custom:security-contact security@custos.dev
contract AgentRegistry {
    /// @notice A registered agent.
    struct Agent {
        address owner;
        bool active;
        bytes32 policyId;
        bytes32 metadataHash;
    }

    /// @notice The gatekeeper asked about every caller of {execute}.
    IComplianceGatekeeper public immutable gatekeeper;

    /// @notice Thrown for an agent id that was never registered.
    error AgentNotFound(uint256 agentId);
    /// @notice Thrown when executing a deactivated agent.
    error AgentInactive(uint256 agentId);
    /// @notice Thrown when someone other than the agent's owner manages it.
    error NotAgentOwner(uint256 agentId, address caller);
    /// @notice Thrown when the caller of {execute} is not compliant with the agent's policy.
    error CallerNotCompliant(address caller, bytes32 policyId);
    /// @notice Thrown when registering an agent under a policy the gatekeeper does not know.
    error UnknownPolicy(bytes32 policyId);
    /// @notice Thrown when the metadata hash is zero.
    error EmptyMetadata();
    /// @notice Thrown when the gatekeeper is the zero address.
    error ZeroAddress();

    /// @notice Emitted when an agent is registered.
    event AgentRegistered(
        uint256 indexed agentId, address indexed owner, bytes32 indexed policyId, bytes32 metadataHash
    );
    /// @notice Emitted when an agent's metadata changes.
    event AgentMetadataUpdated(uint256 indexed agentId, bytes32 metadataHash);
    /// @notice Emitted when an agent is deactivated or reactivated.
    event AgentActiveChanged(uint256 indexed agentId, bool active);
    /// @notice Emitted for every execution request; the off-chain executor consumes it.
    event ExecutionRequested(
        uint256 indexed agentId, uint256 indexed requestId, address indexed caller, bytes32 taskHash
    );

    mapping(uint256 agentId => Agent) private _agents;
    uint256 private _agentCount;
    uint256 private _requestCount;

    constructor(IComplianceGatekeeper gatekeeper_) {
        if (address(gatekeeper_) == address(0)) revert ZeroAddress();
        gatekeeper = gatekeeper_;
    }

    /// @notice Registers an agent owned by the caller. Ids start at 1.
    function registerAgent(bytes32 metadataHash, bytes32 policyId) external returns (uint256 agentId) {
        if (metadataHash == 0) revert EmptyMetadata();
        if (!gatekeeper.isPolicyEnabled(policyId)) revert UnknownPolicy(policyId);
        agentId = ++_agentCount;
        _agents[agentId] = Agent({owner: msg.sender, active: true, policyId: policyId, metadataHash: metadataHash});
        emit AgentRegistered(agentId, msg.sender, policyId, metadataHash);
    }

    /// @notice Points the agent at new metadata.
    function updateMetadata(uint256 agentId, bytes32 metadataHash) external {
        _ownedAgent(agentId);
        if (metadataHash == 0) revert EmptyMetadata();
        _agents[agentId].metadataHash = metadataHash;
        emit AgentMetadataUpdated(agentId, metadataHash);
    }

    /// @notice Deactivates (`false`) or reactivates (`true`) the agent.
    function setAgentActive(uint256 agentId, bool active) external {
        _ownedAgent(agentId);
        _agents[agentId].active = active;
        emit AgentActiveChanged(agentId, active);
    }

    /// @notice Requests an execution of `agentId` for `taskHash`; only for callers compliant with its policy.
    /// @return requestId A registry-wide sequence number the executor reports results against.
    function execute(uint256 agentId, bytes32 taskHash) external returns (uint256 requestId) {
        bytes32 policyId = _activeAgent(agentId).policyId;
        if (!gatekeeper.isCompliant(msg.sender, policyId)) revert CallerNotCompliant(msg.sender, policyId);
        requestId = ++_requestCount;
        emit ExecutionRequested(agentId, requestId, msg.sender, taskHash);
    }

    /// @notice Like {execute}, for a caller who proves compliance with a zero-knowledge credential made for them
    /// instead of holding a record: the proof is spent (its nullifier is scoped to this registry, the agent and the
    /// day) and nothing about the caller is recorded.
    function executeWithProof(uint256 agentId, bytes32 taskHash, ZkCredentials.CredentialProof calldata proof)
        external
        returns (uint256 requestId)
    {
        bytes32 policyId = _activeAgent(agentId).policyId;
        ComplianceGatekeeper(address(gatekeeper)).consumeProof(policyId, msg.sender, bytes32(agentId), proof);
        requestId = ++_requestCount;
        emit ExecutionRequested(agentId, requestId, msg.sender, taskHash);
    }

    /// @notice Like {execute}, for a caller who holds an action attestation for exactly this call instead of a
    /// record: `attestation.subject` must be the caller, its target this registry, its policy the agent's, its
    /// selector this function's and its `argsHash` {executionArgsHash}`(agentId, taskHash)`. The attestation is spent
    /// (once) and nothing about the caller is recorded.
    function executeWithAttestation(
        uint256 agentId,
        bytes32 taskHash,
        IComplianceGatekeeper.ActionAttestation calldata attestation,
        bytes calldata signature
    ) external returns (uint256 requestId) {
        bytes32 policyId = _activeAgent(agentId).policyId;
        gatekeeper.consumeActionAttestation(
            attestation,
            signature,
            msg.sender,
            policyId,
            this.executeWithAttestation.selector,
            executionArgsHash(agentId, taskHash)
        );
        requestId = ++_requestCount;
        emit ExecutionRequested(agentId, requestId, msg.sender, taskHash);
    }

    /// @notice The `argsHash` an action attestation for {executeWithAttestation} must carry:
    /// `keccak256(abi.encode(agentId, taskHash))` (the call's arguments other than the attestation itself).
    function executionArgsHash(uint256 agentId, bytes32 taskHash) public pure returns (bytes32) {
        return keccak256(abi.encode(agentId, taskHash));
    }

    /// @notice Like {execute}, for an agent acting under delegation `delegationId` for a principal compliant with the
    /// agent's policy: the delegation must allow this function on this registry. The request is the principal's
    /// ({ExecutionRequested} names the principal as caller); the gatekeeper's {IAgentDelegations.DelegationUsed} in
    /// the same transaction names the agent.
    function executeAsDelegate(bytes32 delegationId, uint256 agentId, bytes32 taskHash)
        external
        returns (uint256 requestId)
    {
        bytes32 policyId = _activeAgent(agentId).policyId;
        address principal = IAgentDelegations(address(gatekeeper))
            .useDelegation(delegationId, msg.sender, policyId, this.executeAsDelegate.selector, 0);
        requestId = ++_requestCount;
        emit ExecutionRequested(agentId, requestId, principal, taskHash);
    }

    /// @notice The agent registered under `agentId`.
    function getAgent(uint256 agentId) external view returns (Agent memory) {
        Agent memory agent = _agents[agentId];
        if (agent.owner == address(0)) revert AgentNotFound(agentId);
        return agent;
    }

    /// @notice How many agents were ever registered (the highest id).
    function agentCount() external view returns (uint256) {
        return _agentCount;
    }

    function _activeAgent(uint256 agentId) private view returns (Agent storage agent) {
        agent = _agents[agentId];
        if (agent.owner == address(0)) revert AgentNotFound(agentId);
        if (!agent.active) revert AgentInactive(agentId);
    }

    function _ownedAgent(uint256 agentId) private view {
        address owner = _agents[agentId].owner;
        if (owner == address(0)) revert AgentNotFound(agentId);
        if (owner != msg.sender) revert NotAgentOwner(agentId, msg.sender);
    }
}
