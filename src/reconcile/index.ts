// State reconciliation: the contracts' events indexed from a stored cursor (reorg-safe), and the disagreements
// between them and the database.
export { ChainIndexer, type IndexRun, type IndexerOptions } from './chainIndexer.js';
export { reconcile, type Disagreement, type DisagreementKind, type Reconciliation } from './reconcile.js';
