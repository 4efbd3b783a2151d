// What the closed trades say beyond a win rate: the average win and loss, the expectancy (the
// mean net result of a trade), how long trades were held, the longest runs of wins and
// losses, and the same figures per symbol. A trade's result is its net P&L (after
// commission); a trade that made exactly nothing counts as neither a win nor a loss and ends
// a streak.

/** The fields of a closed trade these figures read. */
export interface TradeOutcome {
  symbol: string;
  openTs: number;
  closeTs: number;
  pnlNet: number;
}

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  /** Percent of trades that won; null with no trade. */
  winRatePct: number | null;
  /** Mean net P&L of the winning trades; null with none. */
  averageWin: number | null;
  /** Mean net P&L of the losing trades (negative); null with none. */
  averageLoss: number | null;
  /** averageWin / |averageLoss|; null when either is missing. */
  payoffRatio: number | null;
  /** Mean net P&L per trade: what a trade is worth on average. Null with no trade. */
  expectancy: number | null;
  largestWin: number | null;
  largestLoss: number | null;
  netPnl: number;
  /** Mean and median time a trade was open, ms; null with no trade. */
  averageHoldingMs: number | null;
  medianHoldingMs: number | null;
  /** Most consecutive winning / losing trades, in closing order. */
  longestWinStreak: number;
  longestLossStreak: number;
}

/** The figures of `trades` (in closing order, as ANA closes them). */
export function tradeStats(trades: readonly TradeOutcome[]): TradeStats {
  let wins = 0;
  let losses = 0;
  let winSum = 0;
  let lossSum = 0;
  let net = 0;
  let largestWin: number | null = null;
  let largestLoss: number | null = null;
  const holding: number[] = [];
  const streaks = longestStreaks(trades.map((t) => t.pnlNet));
  for (const t of trades) {
    net += t.pnlNet;
    holding.push(t.closeTs - t.openTs);
    if (t.pnlNet > 0) {
      wins++;
      winSum += t.pnlNet;
      if (largestWin === null || t.pnlNet > largestWin) largestWin = t.pnlNet;
    } else if (t.pnlNet < 0) {
      losses++;
      lossSum += t.pnlNet;
      if (largestLoss === null || t.pnlNet < largestLoss) largestLoss = t.pnlNet;
    }
  }
  const n = trades.length;
  const averageWin = wins > 0 ? winSum / wins : null;
  const averageLoss = losses > 0 ? lossSum / losses : null;
  holding.sort((a, b) => a - b);
  return {
    trades: n,
    wins,
    losses,
    winRatePct: n > 0 ? (wins / n) * 100 : null,
    averageWin,
    averageLoss,
    payoffRatio: averageWin !== null && averageLoss !== null ? averageWin / -averageLoss : null,
    expectancy: n > 0 ? net / n : null,
    largestWin,
    largestLoss,
    netPnl: net,
    averageHoldingMs: n > 0 ? holding.reduce((a, b) => a + b, 0) / n : null,
    medianHoldingMs: n > 0 ? (n % 2 === 1 ? holding[n >> 1]! : (holding[(n >> 1) - 1]! + holding[n >> 1]!) / 2) : null,
    longestWinStreak: streaks.wins,
    longestLossStreak: streaks.losses,
  };
}

/** The longest runs of results > 0 and < 0 in order; a zero ends both. */
export function longestStreaks(results: readonly number[]): { wins: number; losses: number } {
  let wins = 0;
  let losses = 0;
  let runW = 0;
  let runL = 0;
  for (const r of results) {
    runW = r > 0 ? runW + 1 : 0;
    runL = r < 0 ? runL + 1 : 0;
    if (runW > wins) wins = runW;
    if (runL > losses) losses = runL;
  }
  return { wins, losses };
}

/** The fields of a fill the per-symbol breakdown reads. */
export interface FillOutcome {
  symbol: string;
  commission: number;
}

export interface SymbolBreakdown {
  symbol: string;
  stats: TradeStats;
  fills: number;
  commission: number;
}

/** Trade figures, fills and commission per symbol, in `symbols` order (then any other symbol met, by name). */
export function bySymbol(symbols: readonly string[], trades: readonly TradeOutcome[], fills: readonly FillOutcome[]): SymbolBreakdown[] {
  const names = [...symbols];
  const known = new Set(names);
  const extra = new Set<string>();
  for (const x of [...trades, ...fills]) if (!known.has(x.symbol)) extra.add(x.symbol);
  names.push(...[...extra].sort());
  return names.map((symbol) => {
    let count = 0;
    let commission = 0;
    for (const f of fills) {
      if (f.symbol !== symbol) continue;
      count++;
      commission += f.commission;
    }
    return { symbol, stats: tradeStats(trades.filter((t) => t.symbol === symbol)), fills: count, commission };
  });
}
