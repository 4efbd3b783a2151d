// Never trade through a kill switch: when it is activated, orders still resting at the
// broker are canceled and the cancellations recorded in the order book, so none of them can
// fill at the next bar while the order path is blocked. (An order the broker already filled
// is not undone; its fill is captured and posted as usual: an answer carrying fills our
// record lacks is left for EXEC's capture, which hands fills to PORT. Recorded here, the
// order would look final and its fill would never reach the ledger.)

import { toOrdinisError } from '../../errors.ts';
import type { ExecutionReport } from '../../domain/order.ts';
import type { BrokerAdapter } from '../../stages/exec/broker-adapter.ts';
import type { OrderStore } from '../../stages/exec/order-store.ts';
import { isPromiseLike } from '../../core/maybe-async.ts';

export interface CancelOutcome {
  canceled: string[];
  failed: { clientOrderId: string; error: string }[];
}

export async function cancelWorkingOrders(broker: BrokerAdapter, orders: OrderStore): Promise<CancelOutcome> {
  const out: CancelOutcome = { canceled: [], failed: [] };
  for (const rec of orders.listOpen()) {
    if (rec.status === 'pending') continue; // unknown outcome: recovery resolves it by query
    const id = rec.intent.clientOrderId;
    try {
      // A synchronous broker (the paper venue) is answered in the same tick, before the next
      // bar can reach it; only a real promise is awaited.
      const answer = broker.cancel(id);
      const report: ExecutionReport = isPromiseLike(answer) ? await answer : answer;
      if (report.fills.length > (rec.lastReport?.fills.length ?? 0)) continue;
      orders.recordReport(id, report);
      if (report.status === 'canceled') out.canceled.push(id);
    } catch (e) {
      out.failed.push({ clientOrderId: id, error: toOrdinisError(e).message });
    }
  }
  return out;
}
