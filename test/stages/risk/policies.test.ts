import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrdinisError } from '../../../src/errors.ts';
import { cashCheckPolicy, pseudoExecuteCash } from '../../../src/stages/risk/policies/cash-check.ts';
import { killSwitchPolicy } from '../../../src/stages/risk/policies/kill-switch.ts';
import { drawdownFraction, maxDrawdownPolicy } from '../../../src/stages/risk/policies/max-drawdown.ts';
import { isReversal, positionMappingPolicy } from '../../../src/stages/risk/policies/position-mapping.ts';
import { sizingPolicy } from '../../../src/stages/risk/policies/sizing.ts';
import { staleDataPolicy } from '../../../src/stages/risk/policies/stale-data.ts';
import { symbolCapPolicy } from '../../../src/stages/risk/policies/symbol-cap.ts';
import { workingOrderPolicy } from '../../../src/stages/risk/policies/working-order.ts';
import { normalizeRiskConfig, type RiskConfigInput, type RiskPolicyContext } from '../../../src/stages/risk/policy.ts';
import { sizeOrder } from '../../../src/stages/risk/sizing.ts';
import { T0, signal } from '../exec/support.ts';

function pctx(over: Partial<Omit<RiskPolicyContext, 'config'>> & { config?: RiskConfigInput } = {}): RiskPolicyContext {
  const { config, ...rest } = over;
  return {
    config: normalizeRiskConfig(config),
    nowMs: T0,
    killActive: false,
    stale: undefined,
    account: { cash: 10000, positions: new Map() },
    prices: new Map([['X', 10]]),
    equity: 10000,
    peakEquity: 10000,
    workingSymbols: new Set(),
    runningCash: 10000,
    order: undefined,
    ...rest,
  };
}

const long = signal('X', 'LONG', T0);
const flat = signal('X', 'FLAT', T0);

test('kill switch: RISK.KILL.ACTIVE for every signal while active', () => {
  assert.deepEqual(killSwitchPolicy.evaluate(long, pctx()), { verdict: 'pass' });
  const r = killSwitchPolicy.evaluate(flat, pctx({ killActive: true }));
  assert.equal(r.verdict, 'deny');
  assert.equal(r.verdict === 'deny' && r.reason, 'RISK.KILL.ACTIVE');
});

test('stale data: a stale snapshot or an expired signal is RISK.DATA.STALE', () => {
  assert.equal(staleDataPolicy.evaluate(long, pctx()).verdict, 'pass');
  const r = staleDataPolicy.evaluate(long, pctx({ stale: { reason: 'lag', lagMs: 5000 } }));
  assert.ok(r.verdict === 'deny' && r.reason === 'RISK.DATA.STALE');
  const old = signal('X', 'LONG', T0 - 10_000, { ttlMs: 5000 });
  const r2 = staleDataPolicy.evaluate(old, pctx());
  assert.ok(r2.verdict === 'deny' && r2.reason === 'RISK.DATA.STALE');
  assert.equal(staleDataPolicy.evaluate(old, pctx({ config: { enforceSignalTtl: false } })).verdict, 'pass');
  assert.equal(staleDataPolicy.evaluate(signal('X', 'LONG', T0 - 10_000, { ttlMs: 0 }), pctx()).verdict, 'pass', 'ttl 0 = no ttl');
});

test('max drawdown: entries denied beyond the limit (default 20%), exits always allowed', () => {
  assert.equal(normalizeRiskConfig().maxDrawdown, 0.2);
  assert.equal(drawdownFraction(10000, 8000), 0.2);
  assert.equal(maxDrawdownPolicy.evaluate(long, pctx({ peakEquity: 10000, equity: 8000 })).verdict, 'pass', 'exactly at the limit is not a breach');
  const r = maxDrawdownPolicy.evaluate(long, pctx({ peakEquity: 10000, equity: 7999 }));
  assert.ok(r.verdict === 'deny' && r.reason === 'RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH');
  assert.equal(maxDrawdownPolicy.evaluate(flat, pctx({ peakEquity: 10000, equity: 5000 })).verdict, 'pass');
  assert.equal(maxDrawdownPolicy.evaluate(long, pctx({ peakEquity: 10000, equity: 8500, config: { maxDrawdown: 0.1 } })).verdict, 'deny');
  // A short entry is new exposure too; the close of a reversal is an exit.
  const deep = { peakEquity: 10000, equity: 5000 };
  assert.equal(maxDrawdownPolicy.evaluate(signal('X', 'SHORT', T0), pctx(deep)).verdict, 'deny');
  assert.equal(maxDrawdownPolicy.evaluate(signal('X', 'SHORT', T0), pctx({ ...deep, account: { cash: 0, positions: new Map([['X', 5]]) } })).verdict, 'pass');
  assert.equal(maxDrawdownPolicy.evaluate(long, pctx({ ...deep, account: { cash: 0, positions: new Map([['X', -5]]) } })).verdict, 'pass');
});

test('working order: RISK.ORDER.WORKING while the symbol has an unresolved order', () => {
  assert.equal(workingOrderPolicy.evaluate(long, pctx()).verdict, 'pass');
  const r = workingOrderPolicy.evaluate(long, pctx({ workingSymbols: new Set(['X']) }));
  assert.ok(r.verdict === 'deny' && r.reason === 'RISK.ORDER.WORKING');
});

test('position mapping: from flat LONG buys and SHORT sells short (unsized); FLAT closes either side; a reversal closes first; the same side is RISK.POSITION.NO_CHANGE', () => {
  const short = signal('X', 'SHORT', T0);
  const order = (side: 'buy' | 'sell', qty: number) => ({ verdict: 'order', order: { side, qty, referencePrice: 10 } });
  assert.deepEqual(positionMappingPolicy.evaluate(long, pctx()), order('buy', Number.POSITIVE_INFINITY));
  assert.deepEqual(positionMappingPolicy.evaluate(short, pctx()), order('sell', Number.POSITIVE_INFINITY));
  const held = pctx({ account: { cash: 0, positions: new Map([['X', 7]]) } });
  const shorted = pctx({ account: { cash: 0, positions: new Map([['X', -7]]) } });
  assert.deepEqual(positionMappingPolicy.evaluate(flat, held), order('sell', 7));
  assert.deepEqual(positionMappingPolicy.evaluate(flat, shorted), order('buy', 7));
  // Reversals: the close here; RISK decides the opening order against the flat account after it.
  assert.deepEqual(positionMappingPolicy.evaluate(short, held), order('sell', 7));
  assert.deepEqual(positionMappingPolicy.evaluate(long, shorted), order('buy', 7));
  assert.equal(isReversal('SHORT', 7), true);
  assert.equal(isReversal('LONG', -7), true);
  assert.equal(isReversal('FLAT', -7), false);
  assert.equal(isReversal('LONG', 0), false);
  for (const [sig, c] of [
    [long, held],
    [short, shorted],
    [flat, pctx()],
  ] as const) {
    const r = positionMappingPolicy.evaluate(sig, c);
    assert.ok(r.verdict === 'deny' && r.reason === 'RISK.POSITION.NO_CHANGE');
  }
  const noPrice = positionMappingPolicy.evaluate(signal('Q', 'LONG', T0), pctx());
  assert.ok(noPrice.verdict === 'deny' && noPrice.reason === 'RISK.PRICE.MISSING');
});

test('sizing: fixed qty, or floor(weight * value / close) whole shares', () => {
  assert.equal(sizeOrder({ kind: 'fixed', qty: 10 }, 1, 1), 10);
  assert.equal(sizeOrder({ kind: 'weight', weight: 0.1 }, 10000, 33), 30); // 1000 / 33 = 30.3
  assert.equal(sizeOrder({ kind: 'weight', weight: 0.5 }, 10000, 50), 100); // exact: no off-by-one
  assert.equal(sizeOrder({ kind: 'weight', weight: 0.01 }, 1000, 50), 0);
  const unsized = { side: 'buy', qty: Number.POSITIVE_INFINITY, referencePrice: 33 } as const;
  assert.deepEqual(sizingPolicy.evaluate(long, pctx({ order: unsized, config: { sizing: { kind: 'weight', weight: 0.1 } } })), { verdict: 'order', order: { ...unsized, qty: 30 } });
  const zero = sizingPolicy.evaluate(long, pctx({ order: { ...unsized, referencePrice: 20000 }, config: { sizing: { kind: 'weight', weight: 0.1 } } }));
  assert.ok(zero.verdict === 'deny' && zero.reason === 'RISK.SIZE.ZERO');
  assert.equal(sizingPolicy.evaluate(flat, pctx({ order: { side: 'sell', qty: 7, referencePrice: 10 } })).verdict, 'pass', 'sells keep the whole position');
  assert.throws(() => normalizeRiskConfig({ sizing: { kind: 'weight', weight: 1.5 } }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
  assert.throws(() => normalizeRiskConfig({ sizing: { kind: 'fixed', qty: 2.5 } }), (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID');
});

test('symbol cap: off by default; a buy is cut to the cap, no room left is RISK.EXPOSURE.SYMBOL_CAP', () => {
  const buy = { side: 'buy', qty: 100, referencePrice: 10 } as const;
  assert.equal(symbolCapPolicy.evaluate(long, pctx({ order: buy })).verdict, 'pass');
  const capped = symbolCapPolicy.evaluate(long, pctx({ order: buy, config: { maxSymbolWeight: 0.05 } })); // 500 / 10 = 50 shares
  assert.ok(capped.verdict === 'order' && capped.order.qty === 50 && /capped 100 -> 50/.test(capped.note!));
  const held = pctx({ order: buy, account: { cash: 0, positions: new Map([['X', 30]]) }, config: { maxSymbolQty: 30 } });
  const full = symbolCapPolicy.evaluate(long, held);
  assert.ok(full.verdict === 'deny' && full.reason === 'RISK.EXPOSURE.SYMBOL_CAP');
  const sell = { side: 'sell', qty: 30, referencePrice: 10 } as const;
  assert.equal(symbolCapPolicy.evaluate(flat, pctx({ order: sell, account: { cash: 0, positions: new Map([['X', 30]]) }, config: { maxSymbolQty: 0 } })).verdict, 'pass');
  // A short is capped by its size too; buying it back passes.
  const shortCapped = symbolCapPolicy.evaluate(signal('X', 'SHORT', T0), pctx({ order: sell, config: { maxSymbolQty: 20 } }));
  assert.ok(shortCapped.verdict === 'order' && shortCapped.order.qty === 20 && shortCapped.order.side === 'sell');
  const shortFull = symbolCapPolicy.evaluate(signal('X', 'SHORT', T0), pctx({ order: sell, account: { cash: 0, positions: new Map([['X', -20]]) }, config: { maxSymbolQty: 20 } }));
  assert.ok(shortFull.verdict === 'deny' && shortFull.reason === 'RISK.EXPOSURE.SYMBOL_CAP');
  assert.equal(symbolCapPolicy.evaluate(long, pctx({ order: { side: 'buy', qty: 20, referencePrice: 10 }, account: { cash: 0, positions: new Map([['X', -20]]) }, config: { maxSymbolQty: 0 } })).verdict, 'pass');
});

test('cash check: pseudo-execution at the decision close with commission; a deny keeps the order', () => {
  const buy = { side: 'buy', qty: 100, referencePrice: 10 } as const;
  assert.equal(pseudoExecuteCash(1000, buy, { kind: 'none' }), 0);
  assert.equal(pseudoExecuteCash(1000, buy, { kind: 'fixed', perFill: 1 }), -1);
  assert.equal(pseudoExecuteCash(0, { side: 'sell', qty: 10, referencePrice: 10 }, { kind: 'fixed', perFill: 1 }), 99);
  assert.equal(cashCheckPolicy.evaluate(long, pctx({ order: buy, runningCash: 1000 })).verdict, 'pass');
  const r = cashCheckPolicy.evaluate(long, pctx({ order: buy, runningCash: 1000, config: { commission: { kind: 'percent', percent: 0.1 } } }));
  assert.ok(r.verdict === 'deny' && r.reason === 'RISK.CASH.INSUFFICIENT' && r.keepOrder === true);
});
