// @custos/sdk: the API contract, and (to come) the dApp client, chain helpers and the holder API.
export * from './api/index.js';
