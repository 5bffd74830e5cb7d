// @custos/sdk: the dApp client over the API contract, and the contract itself. The holder API is in
// `@custos/sdk/holder`, the circuit's arithmetic in `@custos/sdk/zk`, the schemas in `@custos/sdk/api`.
export { CustosApiError, CustosClient, type CallInput, type CustosClientOptions } from './client.js';
export * from './api/index.js';
