// How many shares a buy gets: a fixed quantity, or a weight of portfolio value at the
// decision bar's close floored to whole shares, floor(weight * value / close).

import { OrdinisError } from '../../errors.ts';

/** How RISK sizes an entry: a fixed number of shares, or a weight of the portfolio's value. */
export type SizingConfig =
  /** Always this many shares (backtrader's FixedSize stake). */
  | { kind: 'fixed'; qty: number }
  /** floor(weight * portfolio value / close) whole shares. */
  | { kind: 'weight'; weight: number };

const DEFAULT_SIZING: SizingConfig = { kind: 'fixed', qty: 1 };

/** Shares for a buy; 0 means "too small to trade". */
export function sizeOrder(sizing: SizingConfig, portfolioValue: number, close: number): number {
  if (sizing.kind === 'fixed') return sizing.qty;
  if (!(close > 0) || !Number.isFinite(portfolioValue) || portfolioValue <= 0) return 0;
  return Math.floor((sizing.weight * portfolioValue) / close);
}

export function normalizeSizing(input: SizingConfig | undefined): SizingConfig {
  if (input === undefined) return DEFAULT_SIZING;
  if (input.kind === 'fixed') {
    if (!(Number.isInteger(input.qty) && input.qty > 0)) throw new OrdinisError('E_CFG_INVALID', `sizing: fixed qty must be a whole number > 0 (got ${input.qty})`);
    return { kind: 'fixed', qty: input.qty };
  }
  if (input.kind === 'weight') {
    if (!(input.weight > 0 && input.weight <= 1)) throw new OrdinisError('E_CFG_INVALID', `sizing: weight must be in (0, 1] (got ${input.weight})`);
    return { kind: 'weight', weight: input.weight };
  }
  throw new OrdinisError('E_CFG_INVALID', `sizing: unknown kind '${(input as { kind?: unknown }).kind}'`);
}
