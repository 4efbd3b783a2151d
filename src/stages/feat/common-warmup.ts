// The common warm-up (backtrader's rule for a strategy over several datas): the strategy's
// `next` runs only once every data has reached its minimum period, and from then on for
// every data. In our terms: no vector is warm until every symbol of the run has had a warm
// vector (at this timestamp or before); from that timestamp on, warm is each symbol's own.
// The gate is opened by a whole timestamp's vectors at once, since backtrader's first `next`
// sees every data of the bar that completes the warm-up, whatever their order within it.

import type { FeatureVector } from '../../domain/features.ts';

/** How a multi-symbol run warms up: `per-symbol` (each symbol alone) or `common` (all together). */
export const WARMUP_MODES = ['per-symbol', 'common'] as const;
export type WarmupMode = (typeof WARMUP_MODES)[number];

/** The gate of the common warm-up over a run's symbols. */
export class CommonWarmup {
  /** Symbols not warm yet; the gate is open once it is empty. */
  private readonly waiting: Set<string>;

  constructor(symbols: Iterable<string>) {
    this.waiting = new Set(symbols);
  }

  get open(): boolean {
    return this.waiting.size === 0;
  }

  /**
   * One timestamp's vectors as SIG sees them: as they are once the gate is open (it may open
   * with these), otherwise each marked not warm. The vectors given are not changed.
   */
  admit(vectors: FeatureVector[]): FeatureVector[] {
    if (this.waiting.size === 0) return vectors;
    for (const v of vectors) if (v.warm) this.waiting.delete(v.symbol);
    if (this.waiting.size === 0) return vectors;
    return vectors.map((v) => (v.warm ? { ...v, warm: false } : v));
  }
}
