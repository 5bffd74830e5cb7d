// @custos/sdk/viem: submit a Custos attestation or proof with viem, to the gatekeeper, CompliantToken or any contract
// gated by Custos. Each helper simulates first (a refusal never costs gas), sends, waits for the receipt, and throws
// a refusal as CustosRevertError named after the contract's custom error.
import {
  decodeErrorResult,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Client,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionParameters,
  type TransactionReceipt,
  type Transport,
} from 'viem';
import { simulateContract, waitForTransactionReceipt, writeContract } from 'viem/actions';
import type { Hex } from '../onchain/args.js';
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

/** A wallet client with an account: `createWalletClient({ account, chain, transport })`. */
export type CustosWalletClient = Client<Transport, Chain | undefined, Account>;

type WriteMutability = 'nonpayable' | 'payable';

export type WriteGatedParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, WriteMutability>,
  args extends ContractFunctionArgs<abi, WriteMutability, functionName>,
> = ContractFunctionParameters<abi, WriteMutability, functionName, args> & {
  address: Address;
  value?: bigint;
};

/**
 * The custom error in `error` (thrown by viem for a call to a Custos contract or a contract gated by Custos),
 * decoded with every Custos error and those of `abi`; undefined when the error carries no revert data.
 */
export function decodeCustosError(error: unknown, abi: Abi = []): CustosRevertError | undefined {
  if (error instanceof CustosRevertError) return error;
  const data = revertDataOf(error);
  if (!data) return undefined;
  try {
    const { errorName, args } = decodeErrorResult({ abi: withCustosErrors(abi) as Abi, data });
    return new CustosRevertError(errorName, args ?? [], data, { cause: error });
  } catch {
    return undefined; // an error no ABI we know declares
  }
}

/**
 * Calls `functionName` on a contract gated by Custos (or on a Custos contract) and waits for its receipt; a refusal
 * throws CustosRevertError, including the gatekeeper's errors that bubble up through the contract.
 * @example
 * await writeGated(wallet, { address: vault, abi: vaultAbi, functionName: 'depositWithAttestation',
 *   args: attestationArgs(attestation), value: parseEther('1') });
 */
export async function writeGated<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, WriteMutability>,
  args extends ContractFunctionArgs<abi, WriteMutability, functionName>,
>(
  client: CustosWalletClient,
  parameters: WriteGatedParameters<abi, functionName, args>,
): Promise<TransactionReceipt> {
  const { address, abi, functionName, args, value } = parameters as {
    address: Address;
    abi: abi;
    functionName: string;
    args?: readonly unknown[];
    value?: bigint;
  };
  const withErrors = withCustosErrors(abi) as Abi;
  let hash: Hex;
  try {
    const { request } = await simulateContract(client, {
      account: client.account,
      address,
      abi: withErrors,
      functionName,
      args,
      value,
      // In the block the transaction will be in: an attestation issued this second is not yet valid in `latest`.
      blockTag: 'pending',
    } as never);
    hash = await writeContract(client, request as never);
  } catch (error) {
    throw decodeCustosError(error, abi) ?? error;
  }
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

/**
 * Records the subject as compliant until the attestation expires: `gatekeeper.submitAttestation(attestation,
 * signature)` for an eip712 attestation, `gatekeeper.submitBatchedAttestation(attestation, root, rootSignature,
 * proof)` for an eip712-batch one.
 */
export const submitAttestation = (
  client: CustosWalletClient,
  { gatekeeper, attestation }: SubmitAttestationParameters,
) =>
  isBatchAttestation(attestation)
    ? writeGated(client, submitBatchedAttestationCall({ gatekeeper, attestation }))
    : writeGated(client, submitAttestationCall({ gatekeeper, attestation }));

/**
 * `gatekeeper.submitProof(policyId, recipient, proof)`: records `recipient` as compliant. A custodial groth16
 * attestation has these fields: `submitProof(client, { gatekeeper, ...attestation })`.
 */
export const submitProof = (client: CustosWalletClient, parameters: SubmitProofParameters) =>
  writeGated(client, submitProofCall(parameters));

/** `token.mintWithAttestation(attestation, signature, amount)` on CompliantToken (the sender needs MINTER_ROLE). */
export const mintWithAttestation = (client: CustosWalletClient, parameters: MintWithAttestationParameters) =>
  writeGated(client, mintWithAttestationCall(parameters));

/** `token.mintWithProof(to, amount, proof)` on CompliantToken (the sender needs MINTER_ROLE). */
export const mintWithProof = (client: CustosWalletClient, parameters: MintWithProofParameters) =>
  writeGated(client, mintWithProofCall(parameters));
