// Drawdown periods of an equity curve: from a peak, down to the trough, back to the peak's
// value (recovery) or still under water at the end. The report lists the deepest few with
// their length, so a reader sees how long the strategy took to earn a loss back, not only
// how deep it went.

export interface DrawdownPeriod {
  /** Time of the peak the drawdown is measured from. */
  peakTs: number;
  peakValue: number;
  troughTs: number;
  troughValue: number;
  /** The first time the value is back at the peak's; null when the curve ends under water. */
  recoveryTs: number | null;
  /** Percent below the peak at the trough (positive). */
  depthPct: number;
  /** Bars from the peak to the trough. */
  barsToTrough: number;
  /** Bars from the trough to the recovery; null when not recovered. */
  barsToRecovery: number | null;
  /** Bars from the peak to the recovery, or to the curve's last bar when not recovered. */
  lengthBars: number;
}

/**
 * Every drawdown period of the curve, in time order. A period opens on the first bar below
 * the running peak and closes on the first bar at or above it again.
 */
export function drawdownPeriods(ts: ArrayLike<number>, value: ArrayLike<number>): DrawdownPeriod[] {
  const n = Math.min(ts.length, value.length);
  const out: DrawdownPeriod[] = [];
  if (n === 0) return out;
  let peakIdx = 0;
  let troughIdx = -1; // -1: not in a drawdown
  const close = (recoveryIdx: number | null): void => {
    const peakValue = value[peakIdx]!;
    const troughValue = value[troughIdx]!;
    const end = recoveryIdx ?? n - 1;
    out.push({
      peakTs: ts[peakIdx]!,
      peakValue,
      troughTs: ts[troughIdx]!,
      troughValue,
      recoveryTs: recoveryIdx === null ? null : ts[recoveryIdx]!,
      depthPct: peakValue !== 0 ? ((peakValue - troughValue) / peakValue) * 100 : 0,
      barsToTrough: troughIdx - peakIdx,
      barsToRecovery: recoveryIdx === null ? null : recoveryIdx - troughIdx,
      lengthBars: end - peakIdx,
    });
  };
  for (let i = 1; i < n; i++) {
    const v = value[i]!;
    if (troughIdx < 0) {
      if (v >= value[peakIdx]!) peakIdx = i;
      else troughIdx = i;
      continue;
    }
    if (v >= value[peakIdx]!) {
      close(i);
      peakIdx = i;
      troughIdx = -1;
    } else if (v < value[troughIdx]!) {
      troughIdx = i;
    }
  }
  if (troughIdx >= 0) close(null);
  return out;
}

/** The `count` deepest periods, deepest first (ties: the earlier first). */
export function worstDrawdowns(periods: readonly DrawdownPeriod[], count: number = 5): DrawdownPeriod[] {
  return [...periods].sort((a, b) => b.depthPct - a.depthPct || a.peakTs - b.peakTs).slice(0, count);
}
