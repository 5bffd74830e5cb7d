// Attest a customer with @custos/sdk, then mint CompliantToken to them with ethers v6: the attestation is submitted
// to the gatekeeper inside the mint (CompliantToken.mintWithAttestation). A second use is refused, by its Solidity
// name. devCredentials() reads what `npm start` wrote (.custos/dev-credentials.json here or in a folder above);
// CUSTOS_URL, CUSTOS_API_KEY, CUSTOS_RPC_URL, CUSTOS_TOKEN, ... override it.
import { compliantTokenAbi } from '@custos/contracts';
import { CustosClient } from '@custos/sdk';
import { devApproveKyc, devCredentials } from '@custos/sdk/dev';
import { CustosRevertError, mintWithAttestation } from '@custos/sdk/ethers';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';

/** CompliantToken mints only for its minters: on `npm start`'s chain, anvil's second account is one. */
const DEVELOPMENT_MINTER = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

const config = devCredentials();
// ethers shares identical requests made within 250 ms: the second mint below would reuse the first one's gas estimate
// and nonce (and fail with 'nonce too low' instead of being refused by name). A script that repeats a call turns it off.
const provider = new JsonRpcProvider(config.rpcUrl, undefined, { cacheTimeout: -1 });
const minter = new Wallet(process.env.MINTER_PRIVATE_KEY ?? DEVELOPMENT_MINTER, provider);
const custos = new CustosClient({ url: config.url, apiKey: config.apiKey });
const token = config.contracts.CompliantToken;
const customer = Wallet.createRandom().address;

// In production your KYC provider's webhook tells Custos; in development the officer key does.
await devApproveKyc(customer, config);
const attestation = await custos.attest({ subject: customer, policy: 'kyc-basic' });
const receipt = await mintWithAttestation(minter, { token, attestation, amount: 1000n });
const balance = await new Contract(token, compliantTokenAbi, provider).balanceOf(customer);

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
    transaction: receipt.hash,
    balance: balance.toString(),
    refused,
  }),
);
provider.destroy(); // ethers' provider keeps polling the chain otherwise
