import {
  AbstractSigner,
  Transaction,
  TypedDataEncoder,
  copyRequest,
  getAddress,
  hashMessage,
  resolveAddress,
  resolveProperties,
  type Provider,
  type TransactionLike,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from 'ethers';
import type { AttestationSigner } from '../signers/index.js';

/**
 * An ethers Signer whose key lives in a Custos signer backend (AWS KMS, a PKCS#11 HSM, or the local keystore), so
 * the operator account that sends revocations and rotations needs no private key in the environment. Transactions
 * are prepared like ethers' own Wallet does and signed through `signDigest`.
 */
export class BackedSigner extends AbstractSigner {
  constructor(
    private readonly key: AttestationSigner,
    provider: Provider | null = null,
  ) {
    super(provider);
  }

  async getAddress(): Promise<string> {
    return this.key.address;
  }

  connect(provider: Provider | null): BackedSigner {
    return new BackedSigner(this.key, provider);
  }

  async signTransaction(request: TransactionRequest): Promise<string> {
    const tx = copyRequest(request);
    const { to, from } = await resolveProperties({
      to: tx.to ? resolveAddress(tx.to, this.provider) : undefined,
      from: tx.from ? resolveAddress(tx.from, this.provider) : undefined,
    });
    if (to != null) tx.to = to;
    if (from != null && getAddress(from) !== this.key.address)
      throw new Error(`transaction from ${from} cannot be signed by ${this.key.address}`);
    delete tx.from;
    const unsigned = Transaction.from(tx as TransactionLike<string>);
    unsigned.signature = await this.key.signDigest(unsigned.unsignedHash);
    return unsigned.serialized;
  }

  async signMessage(message: string | Uint8Array): Promise<string> {
    return (await this.key.signDigest(hashMessage(message))).serialized;
  }

  async signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return (await this.key.signDigest(TypedDataEncoder.hash(domain, types, value))).serialized;
  }
}
