// The paper runtime's durable-write points, published on the diagnostics channel
// `ordinis:paper:durable-write` (node:diagnostics_channel). Each point sits between two
// durable writes, where a crash of the process leaves the most for start-up recovery:
//
//   exec.after_persist     an order intent was committed ('pending'), the broker not yet called
//   exec.after_submit      the venue accepted and recorded the order; our answer not yet stored
//   exec.before_audit_ref  the order's exec.submit audit record was appended; its audit_ref on
//                          the order not yet set (one transaction: a crash here loses both)
//   port.before_commit     a fill is about to be posted to the ledger (the venue already has it)
//   cycle.mid              RISK has recorded its decisions; EXEC has not run
//
// A subscriber gets `{ point }` synchronously, on the writing call stack, so it observes the
// process exactly between the two writes (the crash tests' preload, test/support/crash-seams.ts,
// SIGKILLs the process there). The runtime composes the publishing store wrappers only when
// the channel has a subscriber at start, so a process nobody observes carries no extra code
// on its write path; subscribe before PaperRuntime.open().

import { channel } from 'node:diagnostics_channel';
import type { Fill, OrderIntent } from '../../domain/order.ts';
import type { Position } from '../../domain/portfolio.ts';
import type { RiskDecision } from '../../domain/risk.ts';
import type { InsertIntentResult } from '../../stages/exec/order-store.ts';
import type { LedgerEntry } from '../../stages/port/ledger-store.ts';
import { LedgerStoreDecorator, OrderStoreDecorator } from './store-decorators.ts';
import type { PaperVenueChange, PaperVenueStore } from '../../adapters/venue/paper-broker.ts';

export const DURABLE_WRITE_CHANNEL = 'ordinis:paper:durable-write';
export const DURABLE_WRITE_POINTS = ['exec.after_persist', 'exec.after_submit', 'exec.before_audit_ref', 'port.before_commit', 'cycle.mid'] as const;
export type DurableWritePoint = (typeof DURABLE_WRITE_POINTS)[number];

/** What a subscriber receives. */
export interface DurableWriteMessage {
  point: DurableWritePoint;
}

const durableWrites = channel(DURABLE_WRITE_CHANNEL);

/** Whether anyone listens now (the runtime asks once, at start). */
export function durableWritesObserved(): boolean {
  return durableWrites.hasSubscribers;
}

function publish(point: DurableWritePoint): void {
  durableWrites.publish({ point } satisfies DurableWriteMessage);
}

/** The order store, publishing exec.after_persist and exec.before_audit_ref. */
export class PublishingOrderStore extends OrderStoreDecorator {
  override insertIntent(intent: OrderIntent): InsertIntentResult {
    const r = this.inner.insertIntent(intent);
    if (r.inserted) publish('exec.after_persist');
    return r;
  }

  override attachAuditRecord(clientOrderId: string, appendRecord: () => number): number {
    return this.inner.attachAuditRecord(clientOrderId, () => {
      const ref = appendRecord();
      publish('exec.before_audit_ref');
      return ref;
    });
  }
}

/** The ledger store, publishing port.before_commit. */
export class PublishingLedgerStore extends LedgerStoreDecorator {
  override commitFill(fill: Fill, entries: LedgerEntry[], position: Position): boolean {
    publish('port.before_commit');
    return this.inner.commitFill(fill, entries, position);
  }
}

/** RISK's decision sink, publishing cycle.mid once the decisions are recorded. */
export function publishingDecisions(inner: { record(c: string, d: RiskDecision[]): void }): { record(c: string, d: RiskDecision[]): void } {
  return {
    record(correlationId: string, decisions: RiskDecision[]): void {
      inner.record(correlationId, decisions);
      publish('cycle.mid');
    },
  };
}

/**
 * exec.after_submit: the venue has accepted and recorded a new order (a higher sequence
 * number), our answer is not stored yet. Inside a transaction (EXEC's durable kill gate
 * holds one around the submit) "recorded" means committed, so the point is published when
 * that transaction has.
 */
export class VenueSubmitPoint {
  private lastSeq: number;
  private owed = false;
  constructor(
    seq: number,
    private readonly inTransaction: () => boolean,
  ) {
    this.lastSeq = seq;
  }
  wrap(inner: PaperVenueStore): PaperVenueStore {
    return {
      commit: (change: PaperVenueChange): void => {
        inner.commit(change);
        if (change.seq > this.lastSeq) {
          this.lastSeq = change.seq;
          if (this.inTransaction()) this.owed = true;
          else publish('exec.after_submit');
        }
      },
    };
  }
  /** Passes a committed transaction's result through, publishing a submit it held back. */
  afterCommit<T>(result: T): T {
    if (this.owed) {
      this.owed = false;
      publish('exec.after_submit');
    }
    return result;
  }
}
