// Which book a paper start trades, around recovery (the rules are paper-book.ts's, pure):
//
//   before recovery  the start's identity is compared with the book's first; a difference
//                    is refused here (E_PAPER_BOOK_MISMATCH), before recovery or anything
//                    else writes; a first start records the identity.
//   after recovery   --adopt takes the book over and --new-book starts a fresh one (flat
//                    books only), each audited, with what was taken over as recovery left it
//                    (reconciled with the venue).

import { OrdinisError } from '../../errors.ts';
import type { Governance } from '../../governance/contract.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import type { SqlitePaperVenueStore } from '../../persistence/sqlite-paper-venue-store.ts';
import type { SqliteRuntimeStateStore } from '../../persistence/sqlite-runtime-state-store.ts';
import { BOOK_KEY, describeBook, planBook, type BookAction, type BookChoice, type BookIdentity, type BookState } from './paper-book.ts';
import { CURSOR_KEY } from './resume-cursor.ts';
import type { PaperBookReport } from './paper-summary.ts';

export interface BookStart {
  identity: BookIdentity;
  stored: BookIdentity | undefined;
  action: BookAction;
  differences: string[];
}

/** Plans the book before recovery: refuses a mismatch, records a first identity (unless a precondition failed). */
export function planBookStart(o: {
  state: SqliteRuntimeStateStore;
  identity: BookIdentity;
  choice: BookChoice;
  current: BookState;
  /** A precondition failed (another owner): nothing may be written. */
  blocked: boolean;
}): BookStart {
  const stored = o.state.get<BookIdentity>(BOOK_KEY)?.value;
  const plan = planBook(stored, o.identity, o.choice, o.current);
  if ('refusal' in plan) {
    throw new OrdinisError('E_PAPER_BOOK_MISMATCH', plan.refusal, {
      details: { differences: plan.differences, ...(stored ? { stored: describeBook(stored) } : {}), requested: describeBook(o.identity) },
    });
  }
  if ((plan.action === 'create' || plan.action === 'record') && !o.blocked) o.state.set(BOOK_KEY, o.identity);
  return { identity: o.identity, stored, action: plan.action, differences: plan.differences };
}

/** After a recovery that passed: adopt or start the new book (audited); returns the report and notes for the operator. */
export function settleBook(
  start: BookStart,
  o: { db: OrdinisDatabase; state: SqliteRuntimeStateStore; venueStore: SqlitePaperVenueStore; governance: Governance; sessionId: string; cash: number; recovered: boolean },
): { report: PaperBookReport; notes: string[] } {
  const report: PaperBookReport = { identity: describeBook(start.identity), action: start.action, differences: start.differences, positionsTakenOver: {}, workingOrdersTakenOver: 0 };
  const notes: string[] = [];
  if (start.action === 'record') notes.push(`book identity recorded for a book kept before identities were: ${report.identity}`);
  if (!o.recovered || (start.action !== 'adopt' && start.action !== 'new')) return { report, notes };
  // Recovery has reconciled the book with the venue: what is taken over is what it holds now.
  const venueNow = o.venueStore.load();
  const held = bookStateOf(venueNow, o.db.orders.listOpen().length, true);
  if (start.action === 'adopt') {
    report.positionsTakenOver = held.positions;
    report.workingOrdersTakenOver = held.workingOrders;
  }
  o.db.transaction(() => {
    o.state.set(BOOK_KEY, start.identity);
    if (start.action === 'new') o.state.delete(CURSOR_KEY);
    o.governance.audit({
      kind: `paper.book.${start.action}`,
      componentId: 'orch',
      action: `book.${start.action}`,
      actor: 'operator',
      correlationId: o.sessionId,
      decision: 'allow',
      payload: { previous: start.stored ?? null, current: start.identity, differences: start.differences, positions: held.positions, workingOrders: held.workingOrders, cash: venueNow?.cash ?? null },
    });
  });
  const positions = Object.entries(held.positions).map(([s, q]) => `${s} ${q}`).join(', ') || 'none';
  notes.push(
    start.action === 'adopt'
      ? `book adopted (${start.differences.join('; ') || 'same settings'}): positions taken over: ${positions}; working orders taken over: ${held.workingOrders}`
      : `new book started: ${report.identity}; the replay starts from the first bar of its data; the account keeps its cash (${venueNow?.cash ?? o.cash}); the old book's orders, fills, ledger and audit records stay in the file`,
  );
  return { report, notes };
}

/** Positions and working orders (ours or the venue's) of a book, for the rules of paper-book.ts. */
export function bookStateOf(venue: { positions: readonly { symbol: string; qty: number }[]; orders: readonly { resting: boolean }[] } | undefined, ourOpenOrders: number, exists: boolean): BookState {
  const positions = Object.fromEntries((venue?.positions ?? []).filter((p) => p.qty !== 0).map((p) => [p.symbol, p.qty]));
  const resting = (venue?.orders ?? []).filter((o) => o.resting).length;
  return { exists, positions, workingOrders: Math.max(resting, ourOpenOrders) };
}
