// The order book's storage port. An intent is persisted (unique idempotency key) in one
// transaction before it is submitted, and the broker's answer in another after it: a crash
// between the two leaves an intent with no answer, which recovery resolves by querying the
// broker, never by resubmitting blindly.

import type { ExecutionReport, Fill, OrderIntent, OrderStatus } from '../../domain/order.ts';

export type OrderRecordStatus = 'pending' | OrderStatus;

export interface OrderRecord {
  intent: OrderIntent;
  /** 'pending' = persisted, no broker answer recorded yet. */
  status: OrderRecordStatus;
  brokerOrderId: string | null;
  lastReport: ExecutionReport | null;
  /** Audit reference (seq) of the submission's audit record. */
  auditRef: number | null;
}

export type InsertIntentResult =
  | { inserted: true; record: OrderRecord }
  | { inserted: false; record: OrderRecord };

/** The port where EXEC keeps order intents and the broker's answers (in memory for a backtest, SQLite for paper). */
export interface OrderStore {
  /** Inserts the intent or returns the existing record with that idempotency key. */
  insertIntent(intent: OrderIntent): InsertIntentResult;
  /** Records the broker's latest answer for the order. */
  recordReport(clientOrderId: string, report: ExecutionReport): void;
  /** Stores the seq of the order's audit record. */
  setAuditRef(clientOrderId: string, auditRef: number): void;
  /**
   * Runs `appendRecord` (which appends the order's exec.submit audit record and returns its
   * seq) and stores that seq as the order's audit ref, in one transaction where the store is
   * durable (the SQLite audit and order stores share one connection). A crash between the
   * two then leaves neither, never a record the order does not point at, which recovery
   * would audit a second time. Returns the ref.
   */
  attachAuditRecord(clientOrderId: string, appendRecord: () => number): number;
  /** The order with this idempotency key, if any. */
  findByIdempotencyKey(key: string): OrderRecord | undefined;
  /** The order with this client order id, if any. */
  findByClientOrderId(clientOrderId: string): OrderRecord | undefined;
  /** Orders with no final status: pending (no answer) or submitted/partially filled. */
  listOpen(): OrderRecord[];
  /** Every order in insertion order. */
  listAll(): OrderRecord[];
}

export const FINAL_ORDER_STATUSES: ReadonlySet<OrderRecordStatus> = new Set(['filled', 'rejected', 'canceled']);

/**
 * A copy of a report that shares nothing with it, as stores and venues hand reports out. A
 * plain clone (`{ ...r }`, V8's fast object copy) with the fills replaced, rather than a
 * spread with an extra field, V8's slow path: same keys in the same order either way.
 */
export function copyReport(r: ExecutionReport): ExecutionReport {
  const c = { ...r };
  c.fills = copyFills(r.fills);
  return c;
}

function copyFills(fills: readonly Fill[]): Fill[] {
  const out: Fill[] = [];
  for (const f of fills) out.push({ ...f });
  return out;
}
