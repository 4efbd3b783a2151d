// Base classes for wrappers around the order and ledger stores that watch some of their calls
// (trade-log.ts: the operator's log lines; durable-write-points.ts: the crash seams): every call
// goes to the wrapped store, and a subclass overrides only the calls it watches.

import type { ExecutionReport, Fill, OrderIntent } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import type { InsertIntentResult, OrderRecord, OrderStore } from '../../stages/exec/order-store.ts';
import type { LedgerEntry, LedgerStore } from '../../stages/port/ledger-store.ts';

/** An order store passing every call to `inner`. */
export class OrderStoreDecorator implements OrderStore {
  constructor(protected readonly inner: OrderStore) {}

  insertIntent(intent: OrderIntent): InsertIntentResult {
    return this.inner.insertIntent(intent);
  }

  recordReport(clientOrderId: string, report: ExecutionReport): void {
    this.inner.recordReport(clientOrderId, report);
  }

  setAuditRef(clientOrderId: string, auditRef: number): void {
    this.inner.setAuditRef(clientOrderId, auditRef);
  }

  attachAuditRecord(clientOrderId: string, appendRecord: () => number): number {
    return this.inner.attachAuditRecord(clientOrderId, appendRecord);
  }

  findByIdempotencyKey(key: string): OrderRecord | undefined {
    return this.inner.findByIdempotencyKey(key);
  }

  findByClientOrderId(id: string): OrderRecord | undefined {
    return this.inner.findByClientOrderId(id);
  }

  listOpen(): OrderRecord[] {
    return this.inner.listOpen();
  }

  listAll(): OrderRecord[] {
    return this.inner.listAll();
  }
}

/** A ledger store passing every call to `inner`. */
export class LedgerStoreDecorator implements LedgerStore {
  constructor(protected readonly inner: LedgerStore) {}

  commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    return this.inner.commitFill(fill, entries, position);
  }

  hasFill(fillId: string): boolean {
    return this.inner.hasFill(fillId);
  }

  appendEntries(entries: LedgerEntry[]): void {
    this.inner.appendEntries(entries);
  }

  loadEntries(): LedgerEntry[] {
    return this.inner.loadEntries();
  }

  loadPositions(): Position[] {
    return this.inner.loadPositions();
  }
}
