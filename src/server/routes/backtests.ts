// POST /backtests: start a backtest in this process. A mutating route: the bearer token, like
// the kill switch. The body is the backtest request exactly as `ordinis.ops.run.backtest.
// requested` carries it (modes/backtest/backtest-request.ts validates both); the answer is
// 202 with the request id, and the outcome comes as `ordinis.ops.run.backtest.completed`
// (with the run id) or `.failed` (with the error code) on GET /events, correlated by it.

import { OrdinisError } from '../../errors.ts';
import { parseBacktestRequest } from '../../modes/backtest/backtest-request.ts';
import { ApiError } from '../error-status.ts';
import type { ApiReply, ApiRequest, OpsServerDeps, Route } from '../contract.ts';

async function requestBacktest(req: ApiRequest, deps: OpsServerDeps): Promise<ApiReply> {
  const body = await req.readJson();
  try {
    parseBacktestRequest(body);
  } catch (e) {
    if (e instanceof OrdinisError && e.code === 'E_CFG_INVALID') {
      throw new ApiError('E_API_BAD_REQUEST', `invalid request body: ${e.message.replace(/^E_CFG_INVALID: /, '')}`, { details: e.details ?? {} });
    }
    throw e;
  }
  if (deps.backtests === undefined) throw new OrdinisError('E_SB_UNAVAILABLE', 'this process runs no backtests');
  const submitted = deps.backtests.submit(body as Record<string, unknown>);
  return { status: 202, json: { requestId: submitted.requestId, eventId: submitted.eventId, topic: 'ordinis.ops.run.backtest.requested' } };
}

export const backtestRoutes: readonly Route[] = [{ pattern: '/backtests', methods: { POST: requestBacktest } }];
