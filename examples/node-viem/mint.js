// Attest a customer with @custos/sdk, then mint CompliantToken to them with viem: the attestation is submitted to the
// gatekeeper inside the mint (CompliantToken.mintWithAttestation). A second use is refused, by its Solidity name.
import { compliantTokenAbi } from '@custos/contracts';
import { CustosClient } from '@custos/sdk';
import { devApproveKyc } from '@custos/sdk/dev';
import { CustosRevertError, mintWithAttestation } from '@custos/sdk/viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { config, minter, reader } from './chain.js';

const custos = new CustosClient({ url: config.url, apiKey: config.apiKey });
const token = config.contracts.CompliantToken;
const customer = privateKeyToAccount(generatePrivateKey()).address;

// In production your KYC provider's webhook tells Custos; in development the officer key does.
await devApproveKyc(customer, config);
const attestation = await custos.attest({ subject: customer, policy: 'kyc-basic' });
const receipt = await mintWithAttestation(minter, { token, attestation, amount: 1000n });
const balance = await reader.readContract({
  address: token,
  abi: compliantTokenAbi,
  functionName: 'balanceOf',
  args: [customer],
});

let refused;
try {
  await mintWithAttestation(minter, { token, attestation, amount: 1000n });
} catch (error) {
  if (!(error instanceof CustosRevertError)) throw error;
  refused = error.message; // AttestationAlreadyUsed(0x...)
}
console.log(
  JSON.stringify({
    customer,
    uid: attestation.uid,
    transaction: receipt.transactionHash,
    balance: balance.toString(),
    refused,
  }),
);
