// An application that embeds the engine and drives its cycles itself: it owns the bar
// stream, the clock and the moment each cycle runs; the engine runs the eight stages.
//
// Shows: `assemblePipeline` in paper mode with in-memory stores (`memoryStores()`), a
// `BarSource` of the application's own that it pushes bars into as they arrive, a
// `ManualClock` it moves to each bar's time (so a rerun is identical), `engine.runCycle`
// per bar with the `CycleResult` read back stage by stage, `engine.status()`, and a clean
// `engine.stop()` after which the engine refuses cycles (E_ORCH_NOT_RUNNING).
//
// Run:  node --import tsx examples/embedded-engine.ts

import { fileURLToPath } from 'node:url';
import {
  ManualClock,
  SeededRandom,
  assemblePipeline,
  isOrdinisError,
  loadConfig,
  memoryStores,
  readBarsFile,
  resolvePack,
  smaCross,
  type Bar,
  type BarBatch,
  type BarSource,
  type CycleResult,
} from 'ordinis-orch';

/** Bars the application hands over one at a time; ING takes those at or before the cycle's time. */
class PushBarSource implements BarSource {
  private readonly queue: Bar[] = [];
  constructor(readonly symbols: readonly string[]) {}
  push(bar: Bar): void {
    this.queue.push(bar);
  }
  peekTs(): number | undefined {
    return this.queue[0]?.ts;
  }
  next(): BarBatch | undefined {
    const first = this.queue[0];
    if (first === undefined) return undefined;
    const bars: Bar[] = [];
    while (this.queue[0]?.ts === first.ts) bars.push(this.queue.shift()!);
    return { ts: first.ts, bars };
  }
  close(): void {
    this.queue.length = 0;
  }
}

/** The application's own feed: here the 2014 bars of the ORCL sample, as if they came in one by one. */
async function* feed(): AsyncGenerator<Bar> {
  const orcl = fileURLToPath(new URL('samples/orcl-1995-2014.txt', import.meta.resolve('ordinis-orch/package.json')));
  for (const bar of readBarsFile(orcl, { symbol: 'ORCL', from: '2014-01-01' }).bars) yield bar;
}

const source = new PushBarSource(['ORCL']);
const clock = new ManualClock(Date.UTC(2014, 0, 1));
const { engine, broker } = assemblePipeline({
  mode: 'paper',
  config: loadConfig({ env: {} }).config,
  source,
  strategy: resolvePack(smaCross, { fast: 10, slow: 30 }),
  sizing: { kind: 'fixed', qty: 100 },
  startingCash: 50_000,
  commission: { kind: 'none' },
  stores: memoryStores(),
  clock,
  random: new SeededRandom(7),
});

engine.start();
const summary = (r: CycleResult, stage: 'SIG' | 'RISK' | 'EXEC'): Record<string, unknown> => r.stageResults.find((s) => s.stage === stage)?.output ?? {};
let cycles = 0;
for await (const bar of feed()) {
  source.push(bar);
  clock.set(bar.ts);
  const result = await engine.runCycle({ kind: 'manual', at: bar.ts });
  cycles++;
  if (result.status !== 'ok') throw new Error(`cycle ${result.correlationId} ended ${result.status}: ${JSON.stringify(result.errors)}`);
  // Each stage's summary is in the result: SIG counts directions, RISK its reason codes, EXEC its orders.
  const sig = summary(result, 'SIG');
  if (Number(sig.signals ?? 0) > 0) {
    const direction = ['LONG', 'FLAT', 'SHORT'].find((d) => d in sig);
    const exec = summary(result, 'EXEC');
    console.log(`${new Date(bar.ts).toISOString().slice(0, 10)} close ${bar.close.toFixed(2)}: SIG ${direction}, RISK ${JSON.stringify(summary(result, 'RISK').reasons)}, EXEC submitted ${String(exec.submitted)} (it fills at the next bar's open)`);
  }
}

const status = engine.status();
const account = await broker.fetchAccount();
console.log(`${cycles} cycles: ${JSON.stringify(status.counts)}; cash ${account.cash.toFixed(2)}, ORCL position ${account.positions.get('ORCL') ?? 0}`);
await engine.stop();
try {
  await engine.runCycle({ kind: 'manual', at: clock.now() + 86_400_000 });
  throw new Error('a stopped engine ran a cycle');
} catch (e) {
  if (!isOrdinisError(e) || e.code !== 'E_ORCH_NOT_RUNNING') throw e;
  console.log(`stopped: engine ${engine.status().state}, a further cycle is refused with ${e.code}`);
}
if (status.counts.ok !== cycles) throw new Error(`expected every cycle ok, got ${JSON.stringify(status.counts)}`);
