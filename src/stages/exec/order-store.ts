// The order book's storage port. An intent is persisted (unique idempotency key) in one
// transaction before it is submitted, and the broker's answer in another after it: a crash
// between the two leaves an intent with no answer, which recovery resolves by querying the
// broker, never by resubmitting blindly.

import type { ExecutionReport, OrderIntent, OrderStatus } from '../../domain/order.ts';

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

export interface OrderStore {
  /** Inserts the intent or returns the existing record with that idempotency key. */
  insertIntent(intent: OrderIntent): InsertIntentResult;
  /** Records the broker's latest answer for the order. */
  recordReport(clientOrderId: string, report: ExecutionReport): void;
  setAuditRef(clientOrderId: string, auditRef: number): void;
  findByIdempotencyKey(key: string): OrderRecord | undefined;
  findByClientOrderId(clientOrderId: string): OrderRecord | undefined;
  /** Orders with no final status: pending (no answer) or submitted/partially filled. */
  listOpen(): OrderRecord[];
  /** Every order in insertion order. */
  listAll(): OrderRecord[];
}

export const FINAL_ORDER_STATUSES: ReadonlySet<OrderRecordStatus> = new Set(['filled', 'rejected', 'canceled']);
