// A holder proves a zero-knowledge credential in Node, with the circuit artifacts Custos serves, and CompliantToken
// mints with the proof (mintWithProof): the chain learns that the recipient is compliant, not who they are.
import { compliantTokenAbi } from '@custos/contracts';
import { devApproveKyc } from '@custos/sdk/dev';
import { CustosHolderClient, createIdentity, proveCredential } from '@custos/sdk/holder';
import { mintWithProof } from '@custos/sdk/viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { config, minter, reader } from './chain.js';

const token = config.contracts.CompliantToken;
const customer = privateKeyToAccount(generatePrivateKey()).address;
await devApproveKyc(customer, config);

// The identity's secret stays with the holder; Custos sees only its commitment. The dApp's key requests the credential.
const identity = createIdentity();
const custos = new CustosHolderClient({ url: config.url, apiKey: config.apiKey });
const credential = await custos.requestCredential(identity, { subject: customer, policy: 'kyc-basic' });
const request = await custos.proofRequest(credential, { recipient: customer });
const proof = await proveCredential(identity, request, await custos.artifacts());

const receipt = await mintWithProof(minter, { token, to: customer, amount: 500n, proof });
const balance = await reader.readContract({
  address: token,
  abi: compliantTokenAbi,
  functionName: 'balanceOf',
  args: [customer],
});
// No process.exit: the prover's threads are released after the proof, so the script ends by itself.
console.log(JSON.stringify({ customer, transaction: receipt.transactionHash, balance: balance.toString() }));
