import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  DASH,
  decimalsForStep,
  escapeHtml,
  formatMoney,
  formatNumber,
  formatParamValue,
  formatPct,
  formatPrice,
  formatQty,
  formatTimestamp,
  formatUtc,
} from '../../../../src/modes/backtest/report/format.ts';

describe('escapeHtml', () => {
  test('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });
  test('leaves other text, including non-ASCII, alone', () => {
    assert.equal(escapeHtml('BRK.B — 株 €'), 'BRK.B — 株 €');
  });
});

describe('numbers', () => {
  test('money: two decimals, thousands grouped, sign only when non-zero after rounding', () => {
    assert.equal(formatMoney(1234567.891), '1,234,567.89');
    assert.equal(formatMoney(-1234.5), '-1,234.50');
    assert.equal(formatMoney(999.999), '1,000.00');
    assert.equal(formatMoney(-0.001), '0.00');
    assert.equal(formatMoney(0), '0.00');
  });
  test('non-finite values', () => {
    assert.equal(formatNumber(Number.NaN, 2), DASH);
    assert.equal(formatNumber(Infinity, 2), '∞');
    assert.equal(formatNumber(-Infinity, 2), '-∞');
  });
  test('percent: two decimals, four when two would hide a non-zero value', () => {
    assert.equal(formatPct(12.3456), '12.35%');
    assert.equal(formatPct(-8.5), '-8.50%');
    assert.equal(formatPct(0.0012), '0.0012%');
    assert.equal(formatPct(0), '0.00%');
  });
  test('prices: two decimals, four below 1', () => {
    assert.equal(formatPrice(2117.284), '2,117.28');
    assert.equal(formatPrice(0.331234), '0.3312');
  });
  test('quantities: integers grouped, fractions trimmed', () => {
    assert.equal(formatQty(12000), '12,000');
    assert.equal(formatQty(0.125), '0.125');
    assert.equal(formatQty(-1.5), '-1.5');
  });
  test('decimals for an axis step', () => {
    assert.deepEqual([1000, 5, 1, 0.5, 0.2, 0.1, 0.05, 0.01].map(decimalsForStep), [0, 0, 0, 1, 1, 1, 2, 2]);
  });
});

describe('timestamps (UTC)', () => {
  test('midnight shows the date only; intraday adds the time; seconds only when non-zero', () => {
    assert.equal(formatTimestamp(Date.UTC(2006, 0, 2)), '2006-01-02');
    assert.equal(formatTimestamp(Date.UTC(2006, 0, 2, 9, 5)), '2006-01-02 09:05');
    assert.equal(formatTimestamp(Date.UTC(2006, 0, 2, 9, 5, 7)), '2006-01-02 09:05:07');
  });
  test('an invalid timestamp is a dash, not a RangeError', () => {
    assert.equal(formatTimestamp(Number.NaN), DASH);
    assert.equal(formatTimestamp(1e20), DASH);
  });
  test('formatUtc cuts to the asked precision', () => {
    const ts = Date.UTC(2006, 0, 2, 9, 5, 7, 250);
    assert.deepEqual(
      (['year', 'month', 'day', 'minute', 'second'] as const).map((p) => formatUtc(ts, p)),
      ['2006', '2006-01', '2006-01-02', '2006-01-02 09:05', '2006-01-02 09:05:07'],
    );
  });
  test('timestamps before 1970 work too', () => {
    assert.equal(formatTimestamp(Date.UTC(1965, 5, 1)), '1965-06-01');
    assert.equal(formatTimestamp(Date.UTC(1965, 5, 1, 12)), '1965-06-01 12:00');
  });
});

describe('formatParamValue', () => {
  test('strings as-is, everything else as JSON, unserializable values via String()', () => {
    assert.equal(formatParamValue('long-only'), 'long-only');
    assert.equal(formatParamValue(10), '10');
    assert.equal(formatParamValue({ a: [1, 2] }), '{"a":[1,2]}');
    assert.equal(formatParamValue(null), 'null');
    assert.equal(formatParamValue(undefined), 'undefined');
    assert.equal(formatParamValue(10n), '10');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(formatParamValue(cyclic), '[object Object]');
  });
});
