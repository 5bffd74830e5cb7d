/** A Groth16 proof as snarkjs writes it (its points' coordinates as decimal strings). */
export interface SnarkjsProof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
}

/** A proof as ZkCredentials.CredentialProof takes it (decimal strings). */
export interface ContractProof {
  a: [string, string];
  b: [[string, string], [string, string]];
  c: [string, string];
  nullifier: string;
  issuanceRoot: string;
  revocationRoot: string;
  timestamp: string;
  todayYmd: string;
}

/**
 * snarkjs's proof and public signals in the contract's shape. G2 coordinates go in the order the EVM pairing
 * precompile reads them (imaginary part first), which is the reverse of snarkjs's.
 */
export function toContractProof(proof: SnarkjsProof, publicSignals: string[]): ContractProof {
  const [nullifier, issuanceRoot, revocationRoot, , timestamp, todayYmd] = publicSignals;
  return {
    a: [proof.pi_a[0]!, proof.pi_a[1]!],
    b: [
      [proof.pi_b[0]![1]!, proof.pi_b[0]![0]!],
      [proof.pi_b[1]![1]!, proof.pi_b[1]![0]!],
    ],
    c: [proof.pi_c[0]!, proof.pi_c[1]!],
    nullifier: nullifier!,
    issuanceRoot: issuanceRoot!,
    revocationRoot: revocationRoot!,
    timestamp: timestamp!,
    todayYmd: todayYmd!,
  };
}
