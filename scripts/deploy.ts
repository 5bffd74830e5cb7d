// Deploys the four Custos contracts to any JSON-RPC endpoint and writes their addresses to a JSON file.
//
//   DEPLOYER_PRIVATE_KEY=0x... npm run deploy -- --rpc-url http://127.0.0.1:8545 \
//     --policy kyc-basic:90d --signer 0xSigner --admin 0xMultisig --out deployments/local.json
//
// Policies found in the policies file (--policies-file, POLICIES_FILE, or the default one) also get their
// zero-knowledge parameters' hash, so credential proofs work for them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { deployCustos, type PolicyDeployment } from '../src/chain/index.js';
import { zkPolicyHashOf } from '../src/credentials/index.js';
import { loadPolicies, type Policy } from '../src/screening/index.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A policy named in the policies file also gets its zero-knowledge parameters' hash, when it has a ZK form. */
function parsePolicy(spec: string, policies: Map<string, Policy>): PolicyDeployment {
  const match = /^([a-z0-9][a-z0-9-]*):(\d+)([smhd])$/.exec(spec);
  if (!match) throw new Error(`--policy ${spec}: expected name:lifetime, for example kyc-basic:90d`);
  const policy = policies.get(match[1]!);
  return {
    name: match[1]!,
    maxLifetimeSeconds: Number(match[2]) * UNITS[match[3]!]!,
    zkPolicyHash: policy && zkPolicyHashOf(policy),
  };
}

function address(flag: string, value: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new Error(`${flag} ${value}: not a valid address`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'rpc-url': { type: 'string', default: process.env.RPC_URL },
      out: { type: 'string' },
      policy: { type: 'string', multiple: true, default: ['kyc-basic:90d'] },
      'policies-file': { type: 'string', default: process.env.POLICIES_FILE },
      signer: { type: 'string', multiple: true, default: [] },
      admin: { type: 'string' },
      'token-name': { type: 'string', default: 'Custos Compliant Token' },
      'token-symbol': { type: 'string', default: 'CCT' },
    },
  });
  const rpcUrl = values['rpc-url'];
  if (!rpcUrl) throw new Error('--rpc-url (or RPC_URL) is required');
  const privateKey = process.env.DEPLOYER_PRIVATE_KEY;
  if (!privateKey)
    throw new Error('DEPLOYER_PRIVATE_KEY is required (the deployer pays gas and hands over roles)');

  const policies = loadPolicies(values['policies-file']);
  const provider = new JsonRpcProvider(rpcUrl);
  try {
    const deployment = await deployCustos({
      deployer: new Wallet(privateKey, provider),
      policies: values.policy.map((spec) => parsePolicy(spec, policies)),
      trustedSigners: values.signer.map((s) => address('--signer', s)),
      admin: values.admin ? address('--admin', values.admin) : undefined,
      token: { name: values['token-name']!, symbol: values['token-symbol']! },
    });
    const out = values.out ?? path.join('deployments', `${deployment.chainId}.json`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(deployment, null, 2) + '\n');
    console.log(JSON.stringify(deployment, null, 2));
    console.error(`deployment written to ${out}`);
  } finally {
    provider.destroy();
  }
}

main().catch((error: Error) => {
  console.error(`deploy failed: ${error.message}`);
  process.exit(1);
});
