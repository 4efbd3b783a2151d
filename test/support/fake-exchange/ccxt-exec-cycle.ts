// One EXEC cycle through the ccxt adapter with its orders in a SQLite file: what the crash
// test runs in a child process (killed mid-submit) and again in the test after the restart.
// The cycle's decision and correlation id are fixed, so both runs derive the same client
// order id, as a restarted run re-deciding the same cycle does.

import { ManualClock } from '../../../src/core/clock.ts';
import type { ExecutionBatch } from '../../../src/domain/order.ts';
import type { RiskDecision } from '../../../src/domain/risk.ts';
import { openDatabase, type OrdinisDatabase } from '../../../src/persistence/database.ts';
import { ExecStage } from '../../../src/stages/exec/exec-stage.ts';
import { CcxtBroker } from '../../../src/adapters/venue/ccxt/ccxt-broker.ts';
import { openCcxtExchange } from '../../../src/adapters/venue/ccxt/ccxt-exchange.ts';
import { FakeGovernance, makeCtx } from '../../stages/exec/support.ts';
import { API_KEY, SECRET, T0 } from './ccxt-venue.ts';

export const CYCLE_ID = 'c-ccxt-crash-1';

export const DECISION: RiskDecision = {
  signalId: 'sig-btc-1',
  symbol: 'BTC/USDT',
  ts: T0,
  allowed: true,
  reasons: ['RISK.OK'],
  policyVersion: 'risk_v1',
  order: { side: 'buy', qty: 0.5, referencePrice: 50_000 },
};

export interface ExecProcess {
  db: OrdinisDatabase;
  broker: CcxtBroker;
  run(correlationId?: string, decisions?: RiskDecision[]): Promise<ExecutionBatch>;
}

/** A fresh "process": the database reopened, a new ccxt exchange and adapter, a new EXEC. */
export async function startExecProcess(dbPath: string, venueUrl: string): Promise<ExecProcess> {
  const db = openDatabase({ path: dbPath });
  const { exchange, fetchByClientOrderId } = await openCcxtExchange({ exchangeId: 'binance', credentials: { apiKey: API_KEY, secret: SECRET }, sandbox: true, apiUrl: venueUrl, timeoutMs: 5000 });
  const broker = new CcxtBroker({ exchange, symbols: ['BTC/USDT', 'ETH/USDT'], quoteCurrency: 'USDT', clock: new ManualClock(T0), fetchByClientOrderId });
  const exec = new ExecStage({ broker, orderStore: db.orders, governance: new FakeGovernance() });
  return {
    db,
    broker,
    run: async (correlationId = CYCLE_ID, decisions = [DECISION]) =>
      (await exec.run(makeCtx({ stage: 'EXEC', correlationId, cycleTime: T0, data: { RISK: decisions } }))) as ExecutionBatch,
  };
}
