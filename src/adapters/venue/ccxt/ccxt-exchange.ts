// Opening a ccxt exchange for the adapter: the exchange by id, its credentials, sandbox
// (testnet) mode, a request timeout, and optionally another origin for every REST url (a
// local venue in tests, a proxy). Per-exchange options keep the adapter on spot: without
// them binance's loadMarkets also asks its futures and margin endpoints, which a spot key
// may not reach and a spot adapter never needs.

import type { Exchange } from 'ccxt';
import { OrdinisError } from '../../../errors.ts';

export interface CcxtCredentials {
  apiKey: string;
  secret: string;
  /** Some venues (okx, kucoin, ...) also want a passphrase. */
  password?: string;
}

export interface CcxtExchangeSettings {
  /** ccxt's exchange id, e.g. "binance". */
  exchangeId: string;
  credentials?: CcxtCredentials;
  /** The venue's sandbox/testnet. Refused for an exchange that has none. */
  sandbox: boolean;
  /** Every REST url's origin replaced by this one (scheme, host, port), paths kept. */
  apiUrl?: string;
  timeoutMs: number;
}

/** What the adapter knows about a venue beyond ccxt's unified API. */
interface VenueProfile {
  options: Record<string, unknown>;
  /** fetchOrder finds an order by `{ clientOrderId }` alone. */
  fetchByClientOrderId: boolean;
}

const VENUE_PROFILES: Readonly<Record<string, VenueProfile>> = {
  binance: {
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false },
    fetchByClientOrderId: true,
  },
};

export interface OpenedExchange {
  exchange: Exchange;
  fetchByClientOrderId: boolean;
}

/** A ccxt exchange configured for the adapter. Throws E_CFG_INVALID naming what is wrong. */
export async function openCcxtExchange(s: CcxtExchangeSettings): Promise<OpenedExchange> {
  const ccxt = (await import('ccxt')).default;
  if (!ccxt.exchanges.includes(s.exchangeId)) {
    throw new OrdinisError('E_CFG_INVALID', `ccxt exchange "${s.exchangeId}" is not one ccxt ${ccxt.version} knows (e.g. binance, kraken, coinbase, okx)`);
  }
  const profile = VENUE_PROFILES[s.exchangeId];
  const Ctor = (ccxt as unknown as Record<string, new (config: Record<string, unknown>) => Exchange>)[s.exchangeId]!;
  const exchange = new Ctor({
    timeout: s.timeoutMs,
    // Our GuardedBroker limits the request rate; ccxt's own throttle would queue silently.
    enableRateLimit: false,
    ...(s.credentials ? { apiKey: s.credentials.apiKey, secret: s.credentials.secret, ...(s.credentials.password ? { password: s.credentials.password } : {}) } : {}),
    options: { ...(profile?.options ?? {}) },
  });
  if (s.sandbox) {
    if (!exchange.urls?.['test']) throw new OrdinisError('E_CFG_INVALID', `CCXT_SANDBOX: ccxt exchange "${s.exchangeId}" has no sandbox/testnet; set CCXT_SANDBOX=false only to trade on the live venue`);
    exchange.setSandboxMode(true);
  }
  if (s.apiUrl !== undefined) exchange.urls['api'] = rebaseUrls(exchange.urls['api'], s.apiUrl);
  return { exchange, fetchByClientOrderId: profile?.fetchByClientOrderId ?? false };
}

/** Every absolute http(s) url in `urls` (a string or nested object) with its origin replaced by `origin`'s. */
export function rebaseUrls<T>(urls: T, origin: string): T {
  const o = new URL(origin);
  const rebase = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!/^https?:\/\//.test(v)) return v;
      const u = new URL(v);
      return `${o.protocol}//${o.host}${o.pathname.replace(/\/$/, '')}${u.pathname}${u.search}`;
    }
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rebase(x)]));
    return v;
  };
  return rebase(urls) as T;
}
