// The ccxt adapter and feed built from the configuration, for `--broker ccxt:EXCHANGE` and
// `--feed ccxt:EXCHANGE`. ccxt (a large package) is imported only when one is built, so no
// other command pays for loading it.

import type { Clock } from '../../../core/clock.ts';
import type { OrdinisConfig } from '../../../config/schema.ts';
import type { LiveBarFeed } from '../../data/live-bar-feed.ts';
import type { BrokerAdapter } from '../../../stages/exec/broker-adapter.ts';
import { OrdinisError } from '../../../errors.ts';
import { ccxtCredentials } from './ccxt-credentials.ts';
import { openCcxtExchange, type OpenedExchange } from './ccxt-exchange.ts';

export type CcxtConfig = Pick<
  OrdinisConfig,
  'CCXT_API_KEY' | 'CCXT_SECRET' | 'CCXT_CREDENTIALS_FILE' | 'CCXT_SANDBOX' | 'CCXT_API_URL' | 'CCXT_QUOTE_CURRENCY' | 'CCXT_TIMEOUT_MS' | 'CCXT_TIMEFRAME' | 'CCXT_POLL_MS'
>;

export interface CcxtTarget {
  /** ccxt's exchange id (the EXCHANGE of ccxt:EXCHANGE). */
  exchangeId: string;
  /** Unified symbols, e.g. BTC/USDT. */
  symbols: readonly string[];
  clock: Clock;
}

async function open(config: CcxtConfig, exchangeId: string, withCredentials: boolean): Promise<OpenedExchange> {
  const credentials = withCredentials ? ccxtCredentials(config) : undefined;
  if (withCredentials && credentials === undefined) {
    throw new OrdinisError('E_CFG_INVALID', `ccxt:${exchangeId} needs its keys to trade: CCXT_API_KEY and CCXT_SECRET are unset (set them in the environment as ORDINIS_CCXT_API_KEY / ORDINIS_CCXT_SECRET, or CCXT_CREDENTIALS_FILE)`);
  }
  return openCcxtExchange({
    exchangeId,
    ...(credentials ? { credentials } : {}),
    sandbox: config.CCXT_SANDBOX,
    ...(config.CCXT_API_URL !== undefined ? { apiUrl: config.CCXT_API_URL } : {}),
    timeoutMs: config.CCXT_TIMEOUT_MS,
  });
}

/** The broker adapter of a ccxt exchange, configured by the CCXT_* keys. */
export async function createCcxtBroker(config: CcxtConfig, target: CcxtTarget): Promise<BrokerAdapter> {
  const [{ exchange, fetchByClientOrderId }, { CcxtBroker }] = await Promise.all([open(config, target.exchangeId, true), import('./ccxt-broker.ts')]);
  return new CcxtBroker({ exchange, symbols: target.symbols, quoteCurrency: config.CCXT_QUOTE_CURRENCY, clock: target.clock, fetchByClientOrderId });
}

/** The bar feed of a ccxt exchange (public market data: no credentials used). */
export async function createCcxtFeed(config: CcxtConfig, target: CcxtTarget): Promise<LiveBarFeed> {
  const [{ exchange }, { CcxtBarFeed }] = await Promise.all([open(config, target.exchangeId, false), import('./ccxt-bar-feed.ts')]);
  return new CcxtBarFeed({ exchange, symbols: target.symbols, timeframe: config.CCXT_TIMEFRAME, pollMs: config.CCXT_POLL_MS, clock: target.clock });
}
