// The benchmark suite runs end to end (`npm run bench -- --quick --json FILE`) and writes one
// JSON object with every figure as a number. No timing is asserted here: targets are checked
// only in the benchmark's own output, on a machine chosen for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const ROOT = join(import.meta.dirname, '..', '..');
// The JSON contract, written out here rather than imported from bench/run.ts's KEYS:
// a key dropped or renamed there must fail this test, not change what it expects.
const EXPECTED = {
  cycleOverheadUs: ['p50', 'p95', 'p99', 'n'],
  cycleOverheadBareUs: ['p50', 'p95', 'p99', 'n'],
  backtestSingle: ['barsPerSec', 'bars', 'runs'],
  backtestUniverse: ['symbolBarsPerSec', 'symbols', 'barsPerSymbol', 'peakRssMb'],
  busDispatchUs: ['ratePerSec', 'p95'],
  killBlockUs: ['p95'],
  paperCycleUs100kOrders: ['p50', 'p95', 'orders'],
  auditVerifyLoad: ['loadedShare', 'loadedShareUnlimited', 'healthzShare', 'duringFullWalkShare', 'fullVerifyMs', 'records'],
  backtestMemory: ['peakRssMb', 'bars'],
  csvReadRowsPerSec: ['rowsPerSec', 'cpuRowsPerSec', 'rows'],
  mainJobMs: ['backtestMs', 'helpMs', 'runs'],
  startupHelpMs: ['median', 'nodeBareMs', 'runs'],
  sweep: ['backtestsPerSec1', 'backtestsPerSec2', 'speedup', 'queueOverheadMsPerJob', 'backtests'],
};

test('bench/run.ts --quick --json writes every figure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-smoke-'));
  try {
    const out = join(dir, 'bench.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--quick', '--json', out], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    assert.equal(r.status, 0, `bench exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /machine: \d+ cores, .+, Node v\d+/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(json), Object.keys(EXPECTED));
    for (const [key, fields] of Object.entries(EXPECTED)) {
      assert.deepEqual(Object.keys(json[key]!), fields, key);
      for (const f of fields) assert.ok(typeof json[key]![f] === 'number' && Number.isFinite(json[key]![f]), `${key}.${f} = ${String(json[key]![f])}`);
    }
    assert.ok((json.cycleOverheadUs!.n as number) > 0 && (json.backtestSingle!.bars as number) > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
