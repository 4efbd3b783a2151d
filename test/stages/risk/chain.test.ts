import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY_CHAIN, evaluateChain } from '../../../src/stages/risk/chain.ts';
import { PASS, deny, normalizeRiskConfig, type RiskPolicy, type RiskPolicyContext } from '../../../src/stages/risk/policy.ts';
import { T0, signal } from '../exec/support.ts';

const base: Omit<RiskPolicyContext, 'order'> = {
  config: normalizeRiskConfig({ sizing: { kind: 'fixed', qty: 10 } }),
  nowMs: T0,
  killActive: false,
  stale: undefined,
  account: { cash: 10000, positions: new Map() },
  prices: new Map([['X', 10]]),
  equity: 10000,
  peakEquity: 10000,
  workingSymbols: new Set(),
  runningCash: 10000,
};

const long = signal('X', 'LONG', T0);

test('the default chain runs hard blocks first and ends with the cash check', () => {
  assert.deepEqual(
    DEFAULT_POLICY_CHAIN.map((p) => p.id),
    ['kill-switch', 'stale-data', 'max-drawdown', 'working-order', 'position-mapping', 'sizing', 'symbol-cap', 'cash-check'],
  );
});

test('an allowed signal carries its order and RISK.OK', () => {
  assert.deepEqual(evaluateChain(DEFAULT_POLICY_CHAIN, long, base), { allowed: true, reasons: ['RISK.OK'], order: { side: 'buy', qty: 10, referencePrice: 10 }, notes: [] });
});

test('the earliest deny wins', () => {
  const everything = { ...base, killActive: true, stale: { reason: 'old', lagMs: 9e9 }, equity: 1, workingSymbols: new Set(['X']) };
  assert.deepEqual(evaluateChain(DEFAULT_POLICY_CHAIN, long, everything).reasons, ['RISK.KILL.ACTIVE']);
  assert.deepEqual(evaluateChain(DEFAULT_POLICY_CHAIN, long, { ...everything, killActive: false }).reasons, ['RISK.DATA.STALE']);
  assert.deepEqual(evaluateChain(DEFAULT_POLICY_CHAIN, long, { ...everything, killActive: false, stale: undefined }).reasons, ['RISK.DRAWDOWN.MAX_DRAWDOWN_BREACH']);
  assert.deepEqual(evaluateChain(DEFAULT_POLICY_CHAIN, long, { ...base, workingSymbols: new Set(['X']), runningCash: -1 }).reasons, ['RISK.ORDER.WORKING']);
});

test('an exception in a policy is a deny (RISK.EXCEPTION), with the message as a note', () => {
  const broken: RiskPolicy = {
    id: 'broken',
    evaluate: () => {
      throw new Error('division by zero');
    },
  };
  const out = evaluateChain([DEFAULT_POLICY_CHAIN[4], broken, ...DEFAULT_POLICY_CHAIN.slice(5)], long, base);
  assert.equal(out.allowed, false);
  assert.deepEqual(out.reasons, ['RISK.EXCEPTION']);
  assert.equal(out.order, undefined);
  assert.match(out.notes[0], /broken failed: division by zero/);
  assert.equal(out.deniedBy, 'broken');
});

test('adjustments take the minimum: a later policy cannot widen an order', () => {
  const widen: RiskPolicy = { id: 'widen', evaluate: (_s, c) => (c.order ? { verdict: 'order', order: { ...c.order, qty: 1000 } } : PASS) };
  const shrink: RiskPolicy = { id: 'shrink', evaluate: (_s, c) => (c.order ? { verdict: 'order', order: { ...c.order, qty: 4 }, note: 'to 4' } : PASS) };
  const chain = [...DEFAULT_POLICY_CHAIN.slice(0, 6), widen, shrink, widen, ...DEFAULT_POLICY_CHAIN.slice(6)];
  const out = evaluateChain(chain, long, base);
  assert.equal(out.order?.qty, 4);
  assert.deepEqual(out.notes, ['to 4']);
});

test('a policy flipping the side is treated as an exception', () => {
  const flip: RiskPolicy = { id: 'flip', evaluate: (_s, c) => (c.order ? { verdict: 'order', order: { ...c.order, side: 'sell' } } : PASS) };
  const out = evaluateChain([...DEFAULT_POLICY_CHAIN.slice(0, 6), flip], long, base);
  assert.deepEqual(out.reasons, ['RISK.EXCEPTION']);
});

test('a chain that proposes no order, or an unsized one, does not allow the signal', () => {
  assert.deepEqual(evaluateChain([{ id: 'p', evaluate: () => PASS }], long, base).reasons, ['RISK.POSITION.NO_CHANGE']);
  assert.deepEqual(evaluateChain(DEFAULT_POLICY_CHAIN.slice(0, 5), long, base).reasons, ['RISK.SIZE.ZERO']);
  assert.deepEqual(evaluateChain([{ id: 'd', evaluate: () => deny('RISK.PRICE.MISSING') }], long, base), { allowed: false, reasons: ['RISK.PRICE.MISSING'], notes: [], deniedBy: 'd' });
});
