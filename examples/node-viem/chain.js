// Where the example's Custos and chain are, and the minter's viem client. devCredentials() reads what `npm start`
// wrote (.custos/dev-credentials.json here or in a folder above); CUSTOS_URL, CUSTOS_API_KEY, CUSTOS_RPC_URL,
// CUSTOS_CHAIN_ID, CUSTOS_TOKEN, ... override it.
import { devCredentials } from '@custos/sdk/dev';
import { createPublicClient, createWalletClient, defineChain, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export const config = devCredentials();

/** CompliantToken mints only for its minters: on `npm start`'s chain, anvil's second account is one. */
const DEVELOPMENT_MINTER = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

const chain = defineChain({
  id: config.chainId,
  name: 'Custos development chain',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [config.rpcUrl] } },
});

export const minter = createWalletClient({
  account: privateKeyToAccount(process.env.MINTER_PRIVATE_KEY ?? DEVELOPMENT_MINTER),
  chain,
  transport: http(),
});
export const reader = createPublicClient({ chain, transport: http() });
