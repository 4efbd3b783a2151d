// A book kept in memory: for an application that embeds the engine without a database, for
// tests, and for engines that only host backtests. Nothing survives the process.

import { MemoryAuditStore } from '../governance/audit-chain.ts';
import { MemoryKillSwitchStore } from '../kill-switch/contract.ts';
import { MemoryOrderStore } from '../adapters/memory/memory-order-store.ts';
import { MemoryLedgerStore } from '../adapters/memory/memory-ledger-store.ts';
import type { PipelineStores } from './assemble.ts';

/**
 * Fresh in-memory stores for `assemblePipeline`: orders, ledger, a hash-chained audit log and
 * the kill switch's state. For a book that must survive a restart use the SQLite stores of
 * `openDatabase(...)` (`db.orders`, `db.ledger`, `db.audit`, `db.killSwitch`, `db.runs`).
 *
 * @example
 * ```ts
 * const pipeline = assemblePipeline({ ...rest, stores: memoryStores() });
 * ```
 */
export function memoryStores(): PipelineStores {
  return { orders: new MemoryOrderStore(), ledger: new MemoryLedgerStore(), audit: new MemoryAuditStore(), killSwitch: new MemoryKillSwitchStore() };
}
