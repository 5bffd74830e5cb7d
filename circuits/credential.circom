pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/mux1.circom";

// Custos zero-knowledge credential.
//
// Proves, without revealing the holder or the credential:
//   - knowledge of the identity secret behind a credential leaf in the issuance tree (root among recent roots);
//   - that the credential id is absent from the revocation sparse Merkle tree (its leaf there is still 0);
//   - the policy's predicates over the private attributes: country not denied, old enough on `todayYmd`,
//     accredited when required, risk tier at most the maximum;
//   - that the credential has not expired at the public `timestamp`;
// and outputs a nullifier Poseidon(secret, scope), one per credential and scope. `recipient` is bound to the proof.
//
// Every input that reaches a comparator or a path is range-checked with Num2Bits of fewer than 254 bits, so no
// value aliases modulo the field.

/// Root of a depth-`levels` Merkle tree (Poseidon(left, right)) from a leaf, its index bits and the siblings.
template MerkleRoot(levels) {
    signal input leaf;
    signal input indexBits[levels];
    signal input siblings[levels];
    signal output root;

    component hashes[levels];
    component lefts[levels];
    component rights[levels];
    signal nodes[levels + 1];
    nodes[0] <== leaf;
    for (var i = 0; i < levels; i++) {
        // indexBits[i] = 0: the node is the left child; 1: the right child. The bits come from Num2Bits: boolean.
        lefts[i] = Mux1();
        lefts[i].c[0] <== nodes[i];
        lefts[i].c[1] <== siblings[i];
        lefts[i].s <== indexBits[i];
        rights[i] = Mux1();
        rights[i].c[0] <== siblings[i];
        rights[i].c[1] <== nodes[i];
        rights[i].s <== indexBits[i];
        hashes[i] = Poseidon(2);
        hashes[i].inputs[0] <== lefts[i].out;
        hashes[i].inputs[1] <== rights[i].out;
        nodes[i + 1] <== hashes[i].out;
    }
    root <== nodes[levels];
}

/// `in` fits in `n` bits (and so is below 2^n, with n < 254: no aliasing).
template RangeCheck(n) {
    signal input in;
    component bits = Num2Bits(n);
    bits.in <== in;
}

template Credential(levels, deniedSlots) {
    // ---- public
    signal input issuanceRoot;
    signal input revocationRoot;
    signal input policyHash;
    signal input timestamp;      // unix seconds; the contract checks it against the block time
    signal input todayYmd;       // the UTC date of `timestamp` as YYYYMMDD; the contract checks the pair
    signal input scope;          // what the nullifier is for: contract, action and epoch
    signal input recipient;      // the address the proof is for
    signal output nullifier;

    // ---- private: the holder
    signal input identitySecret;
    // ---- private: the credential (the leaf's contents)
    signal input credentialId;   // also the leaf's index in both trees
    signal input expiresAt;      // unix seconds
    signal input country;        // ISO 3166-1 numeric, 1..999
    signal input birthYmd;       // YYYYMMDD
    signal input accredited;     // 0 or 1
    signal input riskTier;       // 0 (lowest) .. 255
    // ---- private: the policy (bound by policyHash)
    signal input policyTag;
    signal input minAge;
    signal input requireAccredited;
    signal input maxRiskTier;
    signal input deniedCountries[deniedSlots]; // unused slots are 0, which no valid country equals
    // ---- private: Merkle paths
    signal input issuanceSiblings[levels];
    signal input revocationSiblings[levels];

    // Range checks.
    component idBits = Num2Bits(levels);
    idBits.in <== credentialId;
    component ranges[10];
    var widths[10] = [40, 40, 10, 27, 27, 8, 8, 8, 160, 248];
    signal ranged[10];
    ranged[0] <== timestamp;
    ranged[1] <== expiresAt;
    ranged[2] <== country;
    ranged[3] <== birthYmd;
    ranged[4] <== todayYmd;
    ranged[5] <== riskTier;
    ranged[6] <== maxRiskTier;
    ranged[7] <== minAge;
    ranged[8] <== recipient;
    ranged[9] <== policyTag;
    for (var i = 0; i < 10; i++) {
        ranges[i] = RangeCheck(widths[i]);
        ranges[i].in <== ranged[i];
    }
    accredited * (accredited - 1) === 0;
    requireAccredited * (requireAccredited - 1) === 0;

    // The policy: its parameters hash to the public policyHash the contract holds for the policy id.
    component policy = Poseidon(4 + deniedSlots);
    policy.inputs[0] <== policyTag;
    policy.inputs[1] <== minAge;
    policy.inputs[2] <== requireAccredited;
    policy.inputs[3] <== maxRiskTier;
    for (var i = 0; i < deniedSlots; i++) policy.inputs[4 + i] <== deniedCountries[i];
    policy.out === policyHash;

    // The credential leaf, under the issuance root.
    component commitment = Poseidon(1);
    commitment.inputs[0] <== identitySecret;
    component leaf = Poseidon(8);
    leaf.inputs[0] <== commitment.out;
    leaf.inputs[1] <== credentialId;
    leaf.inputs[2] <== policyTag;
    leaf.inputs[3] <== expiresAt;
    leaf.inputs[4] <== country;
    leaf.inputs[5] <== birthYmd;
    leaf.inputs[6] <== accredited;
    leaf.inputs[7] <== riskTier;
    component issued = MerkleRoot(levels);
    issued.leaf <== leaf.out;
    issued.indexBits <== idBits.out;
    issued.siblings <== issuanceSiblings;
    issued.root === issuanceRoot;

    // Not revoked: the credential's leaf in the revocation tree is still empty (0), at the same index.
    component unrevoked = MerkleRoot(levels);
    unrevoked.leaf <== 0;
    unrevoked.indexBits <== idBits.out;
    unrevoked.siblings <== revocationSiblings;
    unrevoked.root === revocationRoot;

    // Not expired: timestamp < expiresAt (both 40-bit).
    component live = LessThan(40);
    live.in[0] <== timestamp;
    live.in[1] <== expiresAt;
    live.out === 1;

    // Country: a real code (not 0) and none of the denied ones.
    component noCountry = IsZero();
    noCountry.in <== country;
    noCountry.out === 0;
    component denied[deniedSlots];
    for (var i = 0; i < deniedSlots; i++) {
        denied[i] = IsEqual();
        denied[i].in[0] <== country;
        denied[i].in[1] <== deniedCountries[i];
        denied[i].out === 0;
    }

    // Age: birthYmd + minAge * 10000 <= todayYmd, i.e. the minAge-th birthday is today or earlier (28 bits hold it).
    component oldEnough = LessEqThan(28);
    oldEnough.in[0] <== birthYmd + minAge * 10000;
    oldEnough.in[1] <== todayYmd;
    oldEnough.out === 1;

    // Accreditation, when the policy requires it.
    requireAccredited * (1 - accredited) === 0;

    // Risk.
    component lowRisk = LessEqThan(8);
    lowRisk.in[0] <== riskTier;
    lowRisk.in[1] <== maxRiskTier;
    lowRisk.out === 1;

    // One nullifier per credential secret and scope.
    component nullify = Poseidon(2);
    nullify.inputs[0] <== identitySecret;
    nullify.inputs[1] <== scope;
    nullifier <== nullify.out;

    // Binds the recipient with a quadratic constraint too (beyond its range check), the usual safeguard.
    signal recipientSquare;
    recipientSquare <== recipient * recipient;
}

component main {public [issuanceRoot, revocationRoot, policyHash, timestamp, todayYmd, scope, recipient]} = Credential(20, 8);
