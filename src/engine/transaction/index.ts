/**
 * RFC 3261 §17 transactions with RFC 6026: see docs/engine-transactions.md.
 */
export { TransactionLayer } from './transaction-layer.js';
export { newBranch } from './branch.js';
export { serverKey, clientKey, responseKey } from './matching.js';
export { TIMER_C_MS } from './client-transaction.js';
export * from './types.js';
