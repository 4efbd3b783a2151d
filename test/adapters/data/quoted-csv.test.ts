// Quoted fields go through csv-parse; a malformed quote is a rejected row naming file and
// line, under either policy, and corrupts nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { OrdinisError } from '../../../src/errors.ts';
import { readBarsFile } from '../../../src/adapters/data/csv-bars.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-quoted-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

test('quoted header and fields are read like plain ones', () => {
  const f = write('q.csv', '"Date","Open","High","Low","Close","Volume"\n"2024-01-02","10.5","11","10","10.75","1000"\n2024-01-03,10.75,11.5,10.5,11,900\n');
  const { bars } = readBarsFile(f, { symbol: 'Q' });
  assert.equal(bars.length, 2);
  assert.deepEqual([bars[0]!.open, bars[0]!.close], [10.5, 10.75]);
});

test('an unclosed quote is a rejected row naming file and line; skip policy counts it', () => {
  const text = 'Date,Open,High,Low,Close\n2024-01-02,10,11,9,10\n2024-01-03,"10,11,9,10\n2024-01-04,10,11,9,10\n';
  const f = write('bad.csv', text);
  assert.throws(() => readBarsFile(f, { symbol: 'B' }), (e: OrdinisError) => e.code === 'E_ING_NORMALIZE_FAILED' && e.message.includes('bad.csv:3') && /malformed CSV row/.test(e.message));
  const skipped = readBarsFile(f, { symbol: 'B', policy: 'skip' });
  assert.equal(skipped.bars.length, 2);
  assert.equal(skipped.skipped[0]!.line, 3);
});
