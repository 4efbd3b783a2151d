// The text of `ordinis paper`'s live status line (terminal-status-line.ts draws it): where the
// replay is, how the cycles went, and the book, in one line.

import type { TradingView } from '../observability/trading-metrics.ts';

export interface PaperStatusFacts {
  /** The runtime's state (running, stopping, ...). */
  state: string;
  /** RFC 3339 of the last bar whose cycle finished; null before the first. */
  lastBarTime: string | null;
  cycles: { ok: number; degraded: number; failed: number; blocked: number };
  kill: string;
  /** undefined before the first cycle. */
  view: TradingView | undefined;
}

const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function paperStatusLine(f: PaperStatusFacts): string {
  const c = f.cycles;
  const total = c.ok + c.degraded + c.failed + c.blocked;
  const problems = (['failed', 'blocked', 'degraded'] as const).filter((k) => c[k] > 0).map((k) => `${k} ${c[k]}`);
  const v = f.view;
  const held = v ? v.positions.filter((p) => p.qty !== 0).map((p) => `${p.symbol} ${p.qty}`) : [];
  return [
    `paper ${f.state}`,
    `bar ${f.lastBarTime === null ? '—' : f.lastBarTime.replace(/T00:00:00(\.000)?Z$/, '')}`,
    `cycles ${total}${problems.length > 0 ? ` (${problems.join(', ')})` : ''}`,
    `equity ${v?.equity == null ? '—' : money(v.equity)}`,
    held.length > 0 ? held.join(' ') : 'flat',
    `orders ${v?.orders.submitted ?? 0}`,
    `fills ${v?.fills ?? 0}`,
    `kill ${f.kill}`,
  ].join(' · ');
}
