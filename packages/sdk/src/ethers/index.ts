// @custos/sdk/ethers: submit a Custos attestation or proof with ethers v6, to the gatekeeper, CompliantToken or any
// contract gated by Custos. Each helper sends (ethers estimates gas first, so a refusal costs none), waits for the
// receipt, and throws a refusal as CustosRevertError named after the contract's custom error.
import {
  Contract,
  Interface,
  type ContractTransactionResponse,
  type InterfaceAbi,
  type Signer,
  type TransactionReceipt,
} from 'ethers';
import {
  mintWithAttestationCall,
  mintWithProofCall,
  submitAttestationCall,
  submitBatchedAttestationCall,
  submitProofCall,
  type MintWithAttestationParameters,
  type MintWithProofParameters,
  type SubmitAttestationParameters,
  type SubmitProofParameters,
} from '../onchain/calls.js';
import { isBatchAttestation } from '../onchain/args.js';
import { CustosRevertError, revertDataOf, withCustosErrors } from '../onchain/revert.js';

export * from '../onchain/index.js';

type JsonAbi = readonly { readonly type: string; readonly name?: string }[];

function errorsInterface(abi: JsonAbi): Interface {
  return new Interface(withCustosErrors(abi) as unknown as InterfaceAbi);
}

/**
 * The custom error in `error` (thrown by ethers for a call to a Custos contract or a contract gated by Custos),
 * decoded with every Custos error and those of `abi`; undefined when the error carries no revert data.
 */
export function decodeCustosError(error: unknown, abi: JsonAbi = []): CustosRevertError | undefined {
  if (error instanceof CustosRevertError) return error;
  const data = revertDataOf(error);
  const parsed = data && errorsInterface(abi).parseError(data);
  return parsed ? new CustosRevertError(parsed.name, [...parsed.args], data, { cause: error }) : undefined;
}

export interface WriteGatedParameters {
  address: string;
  /** The contract's ABI (JSON, or `as const` from @custos/contracts); Custos errors are added to it. */
  abi: JsonAbi;
  functionName: string;
  args: readonly unknown[];
  /** Ether to send with a payable function, in wei. */
  value?: bigint;
}

/**
 * Calls `functionName` on a contract gated by Custos (or on a Custos contract) from `signer` and waits for its
 * receipt; a refusal throws CustosRevertError, including the gatekeeper's errors that bubble up through the contract.
 * @example
 * await writeGated(signer, { address: vault, abi: vaultAbi, functionName: 'depositWithAttestation',
 *   args: attestationArgs(attestation), value: parseEther('1') });
 */
export async function writeGated(
  signer: Signer,
  { address, abi, functionName, args, value }: WriteGatedParameters,
): Promise<TransactionReceipt> {
  const contract = new Contract(address, errorsInterface(abi), signer);
  const overrides = value === undefined ? [] : [{ value }];
  try {
    const sent = (await contract.getFunction(functionName)(
      ...args,
      ...overrides,
    )) as ContractTransactionResponse;
    return (await sent.wait())!;
  } catch (error) {
    throw decodeCustosError(error, abi) ?? error;
  }
}

/**
 * Records the subject as compliant until the attestation expires: `gatekeeper.submitAttestation(attestation,
 * signature)` for an eip712 attestation, `gatekeeper.submitBatchedAttestation(attestation, root, rootSignature,
 * proof)` for an eip712-batch one.
 */
export const submitAttestation = (
  signer: Signer,
  { gatekeeper, attestation }: SubmitAttestationParameters,
) =>
  isBatchAttestation(attestation)
    ? writeGated(signer, submitBatchedAttestationCall({ gatekeeper, attestation }))
    : writeGated(signer, submitAttestationCall({ gatekeeper, attestation }));

/**
 * `gatekeeper.submitProof(policyId, recipient, proof)`: records `recipient` as compliant. A custodial groth16
 * attestation has these fields: `submitProof(signer, { gatekeeper, ...attestation })`.
 */
export const submitProof = (signer: Signer, parameters: SubmitProofParameters) =>
  writeGated(signer, submitProofCall(parameters));

/** `token.mintWithAttestation(attestation, signature, amount)` on CompliantToken (the sender needs MINTER_ROLE). */
export const mintWithAttestation = (signer: Signer, parameters: MintWithAttestationParameters) =>
  writeGated(signer, mintWithAttestationCall(parameters));

/** `token.mintWithProof(to, amount, proof)` on CompliantToken (the sender needs MINTER_ROLE). */
export const mintWithProof = (signer: Signer, parameters: MintWithProofParameters) =>
  writeGated(signer, mintWithProofCall(parameters));
