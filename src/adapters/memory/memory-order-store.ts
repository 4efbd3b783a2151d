// The in-memory OrderStore (tests, backtests without a database). Same contract as the
// SQLite store: a unique idempotency key (a second insert returns the record on file), a
// unique client order id (reuse under another key is E_DB_CONSTRAINT), records returned as
// copies so callers cannot mutate the store behind its back.

import type { ExecutionReport, OrderIntent } from '../../domain/order.ts';
import { OrdinisError } from '../../errors.ts';
import { FINAL_ORDER_STATUSES, copyReport, type InsertIntentResult, type OrderRecord, type OrderStore } from '../../stages/exec/order-store.ts';

export class MemoryOrderStore implements OrderStore {
  /** By client order id, in insertion order. */
  private readonly records = new Map<string, OrderRecord>();
  private readonly byKey = new Map<string, string>();
  private readonly open = new Set<string>();

  insertIntent(intent: OrderIntent): InsertIntentResult {
    const existingId = this.byKey.get(intent.idempotencyKey);
    if (existingId !== undefined) return { inserted: false, record: copy(this.records.get(existingId)!) };
    if (this.records.has(intent.clientOrderId)) {
      throw new OrdinisError('E_DB_CONSTRAINT', `client order id ${intent.clientOrderId} is already used by an order with another idempotency key`, {
        details: { clientOrderId: intent.clientOrderId, idempotencyKey: intent.idempotencyKey },
      });
    }
    const rec: OrderRecord = { intent: { ...intent }, status: 'pending', brokerOrderId: null, lastReport: null, auditRef: null };
    this.records.set(intent.clientOrderId, rec);
    this.byKey.set(intent.idempotencyKey, intent.clientOrderId);
    this.open.add(intent.clientOrderId);
    return { inserted: true, record: copy(rec) };
  }

  recordReport(clientOrderId: string, report: ExecutionReport): void {
    const rec = this.get(clientOrderId);
    rec.status = report.status;
    rec.brokerOrderId = report.orderId;
    rec.lastReport = copyReport(report);
    if (FINAL_ORDER_STATUSES.has(report.status)) this.open.delete(clientOrderId);
    else this.open.add(clientOrderId);
  }

  setAuditRef(clientOrderId: string, auditRef: number): void {
    this.get(clientOrderId).auditRef = auditRef;
  }

  /** Nothing to make atomic in memory: the record, then the ref. */
  attachAuditRecord(clientOrderId: string, appendRecord: () => number): number {
    this.get(clientOrderId);
    const ref = appendRecord();
    this.setAuditRef(clientOrderId, ref);
    return ref;
  }

  findByIdempotencyKey(key: string): OrderRecord | undefined {
    const id = this.byKey.get(key);
    return id === undefined ? undefined : copy(this.records.get(id)!);
  }

  findByClientOrderId(clientOrderId: string): OrderRecord | undefined {
    const rec = this.records.get(clientOrderId);
    return rec ? copy(rec) : undefined;
  }

  listOpen(): OrderRecord[] {
    // Set iteration follows first insertion, which is the orders' insertion order here
    // (an order never re-opens once final).
    const out: OrderRecord[] = [];
    for (const id of this.open) out.push(copy(this.records.get(id)!));
    return out;
  }

  listAll(): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const rec of this.records.values()) out.push(copy(rec));
    return out;
  }

  /**
   * Removes every order in a final status (and its idempotency key) and returns them, in
   * insertion order. For a long run that keeps no order history (a backtest harvests their
   * fills between cycles): call it between cycles only, since a retry within a cycle relies
   * on finding that cycle's intents on file.
   */
  releaseFinal(): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const [id, rec] of this.records) {
      if (this.open.has(id)) continue;
      this.records.delete(id);
      this.byKey.delete(rec.intent.idempotencyKey);
      out.push(rec);
    }
    return out;
  }

  private get(clientOrderId: string): OrderRecord {
    const rec = this.records.get(clientOrderId);
    if (!rec) throw new OrdinisError('E_DB_CONSTRAINT', `no order with client order id ${clientOrderId}`, { details: { clientOrderId } });
    return rec;
  }
}

/** The store's records are all made by insertIntent, with these fields in this order. */
function copy(r: OrderRecord): OrderRecord {
  return { intent: { ...r.intent }, status: r.status, brokerOrderId: r.brokerOrderId, lastReport: r.lastReport ? copyReport(r.lastReport) : null, auditRef: r.auditRef };
}
