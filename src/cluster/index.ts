// State every replica must agree on: PostgreSQL LISTEN/NOTIFY channels and the listener that keeps caches in step.
export { CHANNELS, type Channel } from './channels.js';
export { ClusterEvents, type ClusterEventsOptions, type Watcher } from './clusterEvents.js';
export { coalesced } from './coalesce.js';
