// A bracket child whose intent is on file but which the broker never received: EXEC writes a
// bracket's children with its entry, before the entry is sent, so a process that stops
// between the entry's submission and theirs leaves them pending. Whoever finds one (start-up
// recovery, or EXEC's capture in a later cycle) decides here, from what the broker says of
// the entry, whether to send it now or close it.
//
// Sending it late is the safe choice whenever the entry reached the broker and did not end
// unfilled: the entry may fill (or has filled) and its position must not go unprotected. The
// child was never received (the broker said so by client order id), so sending it is its
// first and only submission; the broker's idempotency on the client order id guards the rest.
// An entry the broker never received, or one that ended without a fill, has nothing to
// protect: the child is closed unsent. (The alternative, cancelling the entry, cannot undo an
// entry that has filled meanwhile, so it is kept for a switch that forbids new orders.)

import type { ExecutionReport } from '../../domain/order.ts';

export type UnsentChildAction = { action: 'send' } | { action: 'close'; reason: string };

/** What to do with an unsent bracket child, given its entry's report at the broker (undefined: never received). */
export function unsentChildAction(entryId: string, entry: ExecutionReport | undefined): UnsentChildAction {
  if (entry === undefined) return { action: 'close', reason: `bracket entry ${entryId} never reached the broker; not sent` };
  if ((entry.status === 'canceled' || entry.status === 'rejected') && entry.filledQty === 0) {
    return { action: 'close', reason: `bracket entry ${entryId} ended ${entry.status} without a fill; not sent` };
  }
  return { action: 'send' };
}
