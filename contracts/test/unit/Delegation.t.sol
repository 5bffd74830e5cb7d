// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CustosTestBase} from "../utils/CustosTestBase.sol";
import {AgentRegistry} from "../../src/AgentRegistry.sol";
import {CompliantToken} from "../../src/CompliantToken.sol";
import {ComplianceGatekeeper} from "../../src/ComplianceGatekeeper.sol";
import {IAgentDelegations} from "../../src/interfaces/IAgentDelegations.sol";
import {IComplianceGatekeeper} from "../../src/interfaces/IComplianceGatekeeper.sol";

/// @notice Delegations: an agent acts for a compliant principal in the calls the principal allowed, within the cap,
/// until the delegation expires or the principal's record or the delegation is revoked.
contract DelegationTest is CustosTestBase {
    CompliantToken internal token;
    AgentRegistry internal agents;
    uint256 internal agentId;
    address internal principal;
    uint256 internal principalKey;
    address internal agent = makeAddr("ai-agent");
    bytes32 internal principalUid;
    bytes32 internal constant TASK = keccak256("rebalance the portfolio");

    function setUp() public override {
        super.setUp();
        (principal, principalKey) = makeAddrAndKey("principal");
        token = new CompliantToken("Custos Dollar", "CUSD", admin, gatekeeper, KYC_BASIC);
        agents = new AgentRegistry(gatekeeper);
        vm.prank(bob);
        agentId = agents.registerAgent(keccak256("ipfs://agent"), KYC_BASIC);
        principalUid = _attest(principal, KYC_BASIC);
        _attest(bob, KYC_BASIC);
        vm.prank(admin);
        token.mint(principal, 1000);
    }

    function _tokenDelegation(bytes32 uid, uint128 cap) internal view returns (IAgentDelegations.Delegation memory) {
        return _delegation(uid, principal, agent, KYC_BASIC, address(token), token.transferAsDelegate.selector, cap);
    }

    function _agentDelegation(bytes32 uid) internal view returns (IAgentDelegations.Delegation memory) {
        return _delegation(
            uid, principal, agent, KYC_BASIC, address(agents), agents.executeAsDelegate.selector, type(uint128).max
        );
    }

    // ---------------------------------------------------------------- submission

    function test_submit_storesAndEmits() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("d"), 500);
        vm.expectEmit(address(gatekeeper));
        emit IAgentDelegations.DelegationSubmitted(d.uid, principal, agent, KYC_BASIC, 500, d.expiresAt, signer);
        _delegate(d, principalKey);
        IAgentDelegations.DelegationState memory state = gatekeeper.delegationOf(d.uid);
        assertEq(state.principal, principal);
        assertEq(state.agent, agent);
        assertEq(state.spendCap, 500);
        assertEq(state.spent, 0);
        assertTrue(gatekeeper.isDelegatedCall(d.uid, address(token), token.transferAsDelegate.selector));
        assertFalse(gatekeeper.isDelegatedCall(d.uid, address(token), token.transfer.selector));
        assertEq(uint8(gatekeeper.uidStatus(d.uid)), uint8(ComplianceGatekeeper.UidStatus.Used));
        assertFalse(gatekeeper.isCompliant(agent, KYC_BASIC), "the agent gets no record of its own");
    }

    function test_digest_matchesTheSpec() public view {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("digest"), 500);
        assertEq(gatekeeper.hashDelegation(d), _delegationDigest(d));
    }

    function test_submit_forgedPrincipalSignature_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("forged"), 500);
        bytes32 digest = _delegationDigest(d);
        (address forger, uint256 forgerKey) = makeAddrAndKey("forger");
        bytes memory forged = _signDigest(digest, forgerKey);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.InvalidPrincipalSignature.selector, forger, principal));
        gatekeeper.submitDelegation(d, forged, _signDigest(digest, signerKey));
    }

    /// The agent cannot stand in for the principal's consent, nor Custos' signature for either.
    function test_submit_signaturesSwappedOrDoubled_revert() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("swapped"), 500);
        bytes32 digest = _delegationDigest(d);
        bytes memory principalSig = _signDigest(digest, principalKey);
        bytes memory custosSig = _signDigest(digest, signerKey);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.InvalidPrincipalSignature.selector, signer, principal));
        gatekeeper.submitDelegation(d, custosSig, principalSig);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, principal, d.issuedAt));
        gatekeeper.submitDelegation(d, principalSig, principalSig);
    }

    function test_submit_tamperedAfterSigning_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("tampered"), 500);
        bytes32 digest = _delegationDigest(d);
        bytes memory principalSig = _signDigest(digest, principalKey);
        bytes memory custosSig = _signDigest(digest, signerKey);
        d.spendCap = type(uint128).max;
        vm.expectPartialRevert(IAgentDelegations.InvalidPrincipalSignature.selector);
        gatekeeper.submitDelegation(d, principalSig, custosSig);
    }

    function test_submit_replay_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("replay"), 500);
        _delegate(d, principalKey);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationAlreadyUsed.selector, d.uid));
        _delegate(d, principalKey);
    }

    function test_submit_revokedBeforeSubmission_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("pre-revoked"), 500);
        _revoke(d.uid);
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.AttestationRevoked.selector, d.uid));
        _delegate(d, principalKey);
    }

    function test_submit_invalidParties_revert() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("self"), 500);
        d.agent = principal;
        vm.expectRevert(
            abi.encodeWithSelector(IAgentDelegations.DelegationInvalidParties.selector, principal, principal)
        );
        _delegate(d, principalKey);
        d.agent = address(0);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentDelegations.DelegationInvalidParties.selector, principal, address(0))
        );
        _delegate(d, principalKey);
    }

    function test_submit_invalidPermissions_revert() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("none"), 500);
        d.permissions = new IAgentDelegations.Permission[](0);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationInvalidPermissions.selector, 0));
        _delegate(d, principalKey);
        d.permissions = new IAgentDelegations.Permission[](17);
        for (uint256 i = 0; i < 17; ++i) {
            d.permissions[i] = IAgentDelegations.Permission({target: address(token), selector: bytes4(uint32(i))});
        }
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationInvalidPermissions.selector, 17));
        _delegate(d, principalKey);
        d.permissions = new IAgentDelegations.Permission[](1);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationInvalidPermissions.selector, 1));
        _delegate(d, principalKey);
    }

    function test_submit_lifetimeAbovePolicy_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("long"), 500);
        d.expiresAt = d.issuedAt + MAX_LIFETIME + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IComplianceGatekeeper.AttestationLifetimeInvalid.selector, d.issuedAt, d.expiresAt, MAX_LIFETIME
            )
        );
        _delegate(d, principalKey);
    }

    function test_submit_untrustedCountersigner_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("untrusted"), 500);
        bytes32 digest = _delegationDigest(d);
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        vm.expectRevert(abi.encodeWithSelector(IComplianceGatekeeper.UntrustedSigner.selector, stranger, d.issuedAt));
        gatekeeper.submitDelegation(d, _signDigest(digest, principalKey), _signDigest(digest, strangerKey));
    }

    // ---------------------------------------------------------------- delegated transfers

    function test_transferAsDelegate_movesThePrincipalsTokensAndNamesThePrincipal() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("t"), 500);
        _delegate(d, principalKey);
        vm.expectEmit(address(gatekeeper));
        emit IAgentDelegations.DelegationUsed(
            d.uid, principal, agent, address(token), token.transferAsDelegate.selector, 300
        );
        vm.prank(agent);
        assertTrue(token.transferAsDelegate(d.uid, bob, 300));
        assertEq(token.balanceOf(principal), 700);
        assertEq(token.balanceOf(bob), 300);
        assertEq(gatekeeper.delegationOf(d.uid).spent, 300);
    }

    function test_transferAsDelegate_capExceeded_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("cap"), 500);
        _delegate(d, principalKey);
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 400);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationSpendCapExceeded.selector, d.uid, 500, 501));
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 101);
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 100);
        assertEq(gatekeeper.delegationOf(d.uid).spent, 500);
    }

    function test_transferAsDelegate_hugeAmountDoesNotWrap() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("wrap"), type(uint128).max);
        _delegate(d, principalKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentDelegations.DelegationSpendCapExceeded.selector,
                d.uid,
                type(uint128).max,
                uint256(type(uint128).max) + 1
            )
        );
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, uint256(type(uint128).max) + 1);
    }

    function test_transferAsDelegate_disallowedSelector_reverts() public {
        IAgentDelegations.Delegation memory d = _agentDelegation(keccak256("agents only"));
        _delegate(d, principalKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentDelegations.DelegationCallNotAllowed.selector,
                d.uid,
                address(token),
                token.transferAsDelegate.selector
            )
        );
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 1);
    }

    function test_transferAsDelegate_anotherToken_reverts() public {
        CompliantToken other = new CompliantToken("Other", "OTH", admin, gatekeeper, KYC_BASIC);
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("other token"), 500);
        _delegate(d, principalKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentDelegations.DelegationCallNotAllowed.selector,
                d.uid,
                address(other),
                other.transferAsDelegate.selector
            )
        );
        vm.prank(agent);
        other.transferAsDelegate(d.uid, bob, 1);
    }

    function test_transferAsDelegate_anotherCaller_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("caller"), 500);
        _delegate(d, principalKey);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationAgentMismatch.selector, d.uid, agent, bob));
        vm.prank(bob);
        token.transferAsDelegate(d.uid, bob, 1);
    }

    function test_transferAsDelegate_expired_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("expired"), 500);
        _delegate(d, principalKey);
        vm.warp(d.expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationExpired.selector, d.uid, d.expiresAt));
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 1);
    }

    function test_transferAsDelegate_revokedPrincipal_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("revoked principal"), 500);
        _delegate(d, principalKey);
        _revoke(principalUid);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentDelegations.DelegationPrincipalNotCompliant.selector, d.uid, principal)
        );
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 1);
    }

    function test_transferAsDelegate_revokedDelegation_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("revoked delegation"), 500);
        _delegate(d, principalKey);
        vm.expectEmit(address(gatekeeper));
        emit IComplianceGatekeeper.AttestationInvalidated(d.uid, false);
        _revoke(d.uid);
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationRevoked.selector, d.uid));
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 1);
        assertTrue(gatekeeper.isCompliant(principal, KYC_BASIC), "the principal's own record stands");
    }

    function test_transferAsDelegate_nonCompliantRecipient_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("recipient"), 500);
        _delegate(d, principalKey);
        vm.expectRevert(abi.encodeWithSelector(CompliantToken.RecipientNotCompliant.selector, alice));
        vm.prank(agent);
        token.transferAsDelegate(d.uid, alice, 1);
    }

    function test_transferAsDelegate_unknownDelegation_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentDelegations.DelegationUnknown.selector, keccak256("nope")));
        vm.prank(agent);
        token.transferAsDelegate(keccak256("nope"), bob, 1);
    }

    function test_delegation_forAnotherPolicy_reverts() public {
        _attest(principal, ACCREDITED);
        IAgentDelegations.Delegation memory d = _delegation(
            keccak256("accredited"),
            principal,
            agent,
            ACCREDITED,
            address(token),
            token.transferAsDelegate.selector,
            500
        );
        _delegate(d, principalKey);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentDelegations.DelegationPolicyMismatch.selector, d.uid, ACCREDITED, KYC_BASIC)
        );
        vm.prank(agent);
        token.transferAsDelegate(d.uid, bob, 1);
    }

    // ---------------------------------------------------------------- delegated executions

    function test_executeAsDelegate_requestsForThePrincipal() public {
        IAgentDelegations.Delegation memory d = _agentDelegation(keccak256("execute"));
        _delegate(d, principalKey);
        vm.expectEmit(address(gatekeeper));
        emit IAgentDelegations.DelegationUsed(
            d.uid, principal, agent, address(agents), agents.executeAsDelegate.selector, 0
        );
        vm.expectEmit(address(agents));
        emit AgentRegistry.ExecutionRequested(agentId, 1, principal, TASK);
        vm.prank(agent);
        assertEq(agents.executeAsDelegate(d.uid, agentId, TASK), 1);
    }

    function test_executeAsDelegate_disallowedSelector_reverts() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("tokens only"), 500);
        _delegate(d, principalKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgentDelegations.DelegationCallNotAllowed.selector,
                d.uid,
                address(agents),
                agents.executeAsDelegate.selector
            )
        );
        vm.prank(agent);
        agents.executeAsDelegate(d.uid, agentId, TASK);
    }

    function test_executeAsDelegate_revokedPrincipal_reverts() public {
        IAgentDelegations.Delegation memory d = _agentDelegation(keccak256("execute revoked"));
        _delegate(d, principalKey);
        _revoke(principalUid);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentDelegations.DelegationPrincipalNotCompliant.selector, d.uid, principal)
        );
        vm.prank(agent);
        agents.executeAsDelegate(d.uid, agentId, TASK);
    }

    function test_executeAsDelegate_expiredPrincipalRecord_reverts() public {
        IAgentDelegations.Delegation memory d = _agentDelegation(keccak256("principal lapses"));
        d.expiresAt = d.issuedAt + 7 days;
        _delegate(d, principalKey);
        // The principal's attestation lives a day: the week-long delegation stops with it.
        uint256 start = vm.getBlockTimestamp();
        vm.warp(start + 1 days - 1);
        vm.prank(agent);
        agents.executeAsDelegate(d.uid, agentId, TASK);
        vm.warp(start + 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentDelegations.DelegationPrincipalNotCompliant.selector, d.uid, principal)
        );
        vm.prank(agent);
        agents.executeAsDelegate(d.uid, agentId, TASK);
    }

    /// Only a target may spend a delegation for itself: a direct call to the gatekeeper names the caller as target.
    function test_useDelegation_directCall_isNotAllowed() public {
        IAgentDelegations.Delegation memory d = _tokenDelegation(keccak256("direct"), 500);
        _delegate(d, principalKey);
        bytes4 selector = token.transferAsDelegate.selector;
        vm.expectRevert(
            abi.encodeWithSelector(IAgentDelegations.DelegationCallNotAllowed.selector, d.uid, agent, selector)
        );
        vm.prank(agent);
        gatekeeper.useDelegation(d.uid, agent, KYC_BASIC, selector, 1);
    }
}
