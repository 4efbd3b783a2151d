// Shared by the per-family indicator tests: runs a catalogue kind through the real
// FeatureStage over a backtrader data file and compares every output, every bar, with the
// series backtrader 1.9.78 computed (test/fixtures/backtrader/indicators/, see its README).
//
// Tolerance, stated once: |ours - backtrader| <= 1e-9 * max(1, |backtrader|) on every bar,
// and the warm-up exact (a value exactly where backtrader's is not NaN). Each test reports
// its largest difference (t.diagnostic), so bit-exact series show as 0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FeatureStage } from '../../../src/stages/feat/feature-stage.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';
import type { FeatureSpec } from '../../../src/domain/feature-spec.ts';
import { BT, isoDate } from '../ing/fixtures.ts';

export const TOLERANCE = 1e-9;
const FIXTURES = new URL('../../fixtures/backtrader/indicators/', import.meta.url).pathname;

export const DATA_FILES = ['2006-day-001', 'orcl-1995-2014'] as const;

interface FixtureSet {
  params: Record<string, number | string>;
  default: boolean;
  lines: Record<string, (number | null)[]>;
}

interface Fixture {
  bars: number;
  firstDate: string;
  lastDate: string;
  indicators: Record<string, FixtureSet[]>;
}

const fixtures = new Map<string, Fixture>();

function fixtureOf(stem: string): Fixture {
  let f = fixtures.get(stem);
  if (!f) {
    f = JSON.parse(readFileSync(join(FIXTURES, `${stem}.json`), 'utf8')) as Fixture;
    fixtures.set(stem, f);
  }
  return f;
}

/** backtrader's parameter names to ours (the rest are the same). */
const PARAM_NAMES: Record<string, string> = {
  period_me1: 'fastPeriod',
  period_me2: 'slowPeriod',
  period1: 'fastPeriod',
  period2: 'slowPeriod',
  period_signal: 'signalPeriod',
  period_dfast: 'periodDFast',
  period_dslow: 'periodDSlow',
  senkou_lead: 'senkouLead',
};

/**
 * The specs for one fixture set: the kind under test named `x`, preceded by the features its
 * inputs name in the fixture (`ema(close,12)` becomes a feature `ema_close_12`).
 */
function specsFor(kind: string, params: Record<string, number | string>): FeatureSpec[] {
  const before: FeatureSpec[] = [];
  const spec: Record<string, unknown> = { kind, name: 'x' };
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string' && /^(ema|sma|rsi)\(/.test(v)) {
      const [, ind, src, n] = /^(\w+)\((\w+),(\d+)\)$/.exec(v)!;
      const name = `${ind}_${src}_${n}`;
      before.push({ kind: ind as 'ema', name, period: Number(n), source: src });
      spec[k] = name;
    } else spec[PARAM_NAMES[k] ?? k] = v;
  }
  return [...before, spec as unknown as FeatureSpec];
}

export interface Comparison {
  kind: string;
  stem: string;
  params: Record<string, number | string>;
  default: boolean;
  /** Largest |ours - backtrader| / max(1, |backtrader|) over every output and bar. */
  maxError: number;
  /** First bar (1-based) of each output. */
  warmup: Record<string, number>;
  bars: number;
}

/** Runs every fixture set of `kind` on data file `stem` through FeatureStage; asserts and reports. */
export function compareWithBacktrader(kind: string, stem: string): Comparison[] {
  const fx = fixtureOf(stem);
  const sets = fx.indicators[kind];
  assert.ok(sets && sets.length >= 2, `fixtures hold ${kind} (default and another set)`);
  const bars = readBarsFile(join(BT, `${stem}.txt`)).bars;
  assert.equal(bars.length, fx.bars, `${stem}: bar count as backtrader's`);
  assert.equal(isoDate(bars[0]!.ts), fx.firstDate);
  assert.equal(isoDate(bars.at(-1)!.ts), fx.lastDate);
  return sets.map((set) => {
    const stage = new FeatureStage({ features: specsFor(kind, set.params) });
    const vectors = bars.map((b) => stage.onBar(b));
    let maxError = 0;
    const warmup: Record<string, number> = {};
    for (const [line, want] of Object.entries(set.lines)) {
      const name = line === 'value' ? 'x' : `x_${line}`;
      const label = `${kind} ${JSON.stringify(set.params)} ${name} on ${stem}`;
      assert.ok(name in vectors[0]!.features, `${label}: FEAT exposes ${name}`);
      for (let i = 0; i < bars.length; i++) {
        const got = vectors[i]!.features[name];
        const exp = want[i];
        if (exp === null || exp === undefined) {
          assert.equal(got, undefined, `${label}: bar ${i + 1} (${isoDate(bars[i]!.ts)}) has no value in backtrader, ours ${got}`);
          continue;
        }
        assert.ok(got !== undefined, `${label}: bar ${i + 1} (${isoDate(bars[i]!.ts)}) is ${exp} in backtrader, ours has none yet`);
        const err = Math.abs(got - exp) / Math.max(1, Math.abs(exp));
        assert.ok(err <= TOLERANCE, `${label}: bar ${i + 1} (${isoDate(bars[i]!.ts)}): ours ${got}, backtrader ${exp} (relative error ${err})`);
        if (err > maxError) maxError = err;
      }
      warmup[name] = want.findIndex((v) => v !== null) + 1;
    }
    // The warm-up the strategy sees (first bar every output has a value) is backtrader's too.
    assert.equal(stage.warmupBars, Math.max(...Object.values(warmup)), `${kind} ${JSON.stringify(set.params)}: warmupBars`);
    return { kind, stem, params: set.params, default: set.default, maxError, warmup, bars: bars.length };
  });
}

/** The tests of one family: every kind on every data file, defaults and another set, each reporting its largest error. */
export function describeFamily(family: string, kinds: readonly string[]): void {
  describe(`${family} against backtrader 1.9.78, every bar`, () => {
    for (const kind of kinds) {
      for (const stem of DATA_FILES) {
        test(`${kind} on ${stem}: defaults and a non-default set, warm-up exact, within ${TOLERANCE} relative`, (t) => {
          for (const c of compareWithBacktrader(kind, stem)) t.diagnostic(describeComparison(c));
        });
      }
    }
  });
}

/** One line per comparison, for t.diagnostic. */
export function describeComparison(c: Comparison): string {
  return `${c.kind}${c.default ? ' (defaults)' : ''} ${JSON.stringify(c.params)} on ${c.stem}: ${c.bars} bars, first bars ${JSON.stringify(c.warmup)}, max relative error ${c.maxError}`;
}
