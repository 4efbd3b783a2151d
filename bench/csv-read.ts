// csvReadRowsPerSec: the CSV reader alone (src/adapters/data/csv-bars.ts) on the ORCL sample
// repeated to at least 500 000 rows (every `ordinis backtest` reads its data through it): rows per
// second of wall time (median of the runs) and of CPU time (this process's, so a busy machine
// shows in the first figure more than in the second).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readBarsFile } from '../src/adapters/data/csv-bars.ts';
import { orclDataFile, writeRepeatedCsv } from './lib/repeat-csv.ts';
import { median } from './lib/stats.ts';

export interface CsvReadDetail {
  rowsPerSec: number;
  cpuRowsPerSec: number;
  rows: number;
  runs: number;
}

export function benchCsvRead(quick: boolean, projectRoot: string): CsvReadDetail {
  const minRows = quick ? 5_000 : 500_000;
  const runs = quick ? 1 : 7;
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-bench-csv-'));
  try {
    const csv = join(dir, 'orcl-repeated.csv');
    writeRepeatedCsv(orclDataFile(projectRoot), csv, minRows);
    const wall: number[] = [];
    const cpu: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      rows = readBarsFile(csv, { symbol: 'ORCL' }).bars.length;
      wall.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
    }
    return { rowsPerSec: Math.round(rows / median(wall)), cpuRowsPerSec: Math.round(rows / median(cpu)), rows, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
