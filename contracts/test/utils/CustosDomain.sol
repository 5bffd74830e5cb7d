// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev The EIP-712 domain separator of a Custos gatekeeper at `verifyingContract` on `chainId`, built from the spec
/// rather than from the contract.
function custosDomainSeparator(uint256 chainId, address verifyingContract) pure returns (bytes32) {
    return keccak256(
        abi.encode(
            keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
            keccak256("Custos"),
            keccak256("1"),
            chainId,
            verifyingContract
        )
    );
}
