// A closed bar from the bus (`ordinis.market.bar.closed`): the payload a market-data
// publisher sends, checked field by field before it may reach the buffer ING reads.

import type { Bar } from '../../domain/market.ts';
import { OrdinisError } from '../../errors.ts';

/**
 * A bar from an event payload (`ordinis.market.bar.closed`): `ts` in ms or RFC 3339, OHLCV
 * numbers. Throws E_ING_NORMALIZE_FAILED naming what is wrong.
 */
export function barFromPayload(payload: Record<string, unknown>): Bar {
  const bad = (what: string): never => {
    throw new OrdinisError('E_ING_NORMALIZE_FAILED', `market bar event: ${what}`, { details: { payload } });
  };
  const symbol = payload.symbol;
  if (typeof symbol !== 'string' || symbol.trim() === '') bad('symbol missing');
  const rawTs = payload.ts ?? payload.ts_event;
  const ts = typeof rawTs === 'number' ? rawTs : typeof rawTs === 'string' ? Date.parse(rawTs) : Number.NaN;
  if (!Number.isFinite(ts)) bad(`ts ${String(rawTs)} is not a time`);
  const num = (k: 'open' | 'high' | 'low' | 'close' | 'volume'): number => {
    const v = payload[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${k} ${String(v)} is not a finite number`);
    return v as number;
  };
  return { symbol: symbol as string, ts, open: num('open'), high: num('high'), low: num('low'), close: num('close'), volume: num('volume') };
}

/** The topic a closed bar travels on. */
export const MARKET_BAR_CLOSED = 'ordinis.market.bar.closed';

/** A bar as an event payload (`barFromPayload` reads it back exactly: `ts` in epoch ms). */
export function barToPayload(bar: Bar): Record<string, unknown> {
  return { symbol: bar.symbol, ts: bar.ts, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
}
