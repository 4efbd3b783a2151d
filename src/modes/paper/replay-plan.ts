// CSV files replayed as paper: the cycle time is the bar time, on a replay clock that
// staleness is measured against; `speed` bars (time steps) per second, 0 = as fast as
// possible. A restart skips, through FEAT and SIG only, the bars up to the resume point.

import { ManualClock } from '../../core/clock.ts';
import type { OrdinisConfig } from '../../config/schema.ts';
import type { Bar } from '../../domain/market.ts';
import { FileReplaySource } from '../../adapters/data/file-replay-source.ts';
import { fingerprintFile } from './paper-book.ts';
import type { Cadence } from './cycle-scheduler.ts';
import type { BookData, DataPlan, NextCycle } from './data-plan.ts';

export interface ReplayData {
  kind: 'replay';
  files: string[];
  /** Symbol names for the files (default: file stems); also the order within a bar. */
  symbols?: string[];
  from?: string;
  to?: string;
  /** Bars (time steps) per second; 0 = as fast as possible. */
  speed: number;
}

/** Opens the files (headers and window checked here, before anything is written). */
export function openReplaySource(data: ReplayData, config: OrdinisConfig): FileReplaySource {
  return new FileReplaySource({
    files: data.files,
    ...(data.symbols ? { symbols: data.symbols } : {}),
    ...(data.from ? { from: data.from } : {}),
    ...(data.to ? { to: data.to } : {}),
    policy: config.ING_BAD_ROW_POLICY,
  });
}

/** The files, fingerprinted: another file under the same name is another book. */
export function replayBookData(data: ReplayData, source: FileReplaySource): BookData {
  const symbols = [...source.symbols];
  return { data: data.files.map((f, i) => fingerprintFile(symbols[i]!, f)), symbols };
}

export class ReplayPlan implements DataPlan {
  readonly kind = 'replay';
  readonly clock: ManualClock;
  readonly buffer = undefined;
  readonly tickAtStart = true;

  constructor(
    private readonly data: ReplayData,
    readonly source: FileReplaySource,
    /** The resume point (undefined: from the first bar). */
    private readonly resumeTs: number | undefined,
  ) {
    this.clock = new ManualClock(resumeTs ?? source.peekTs() ?? 0);
  }

  cadence(): Cadence {
    return this.data.speed > 0 ? { kind: 'interval', ms: 1000 / this.data.speed } : { kind: 'continuous' };
  }

  async warmUp(feed: (bars: readonly Bar[], asOf: number) => void): Promise<void> {
    if (this.resumeTs === undefined) return;
    for (let ts = this.source.peekTs(); ts !== undefined && ts <= this.resumeTs; ts = this.source.peekTs()) {
      const batch = this.source.next()!;
      feed(batch.bars, batch.ts);
    }
  }

  next(): NextCycle | 'done' {
    const ts = this.source.peekTs();
    if (ts === undefined) return 'done';
    this.clock.set(ts);
    return { trigger: { kind: 'timer', at: ts }, barTs: ts };
  }

  reached(barTs: number | undefined): number | undefined {
    return barTs;
  }

  leftBehind(barTs: number | undefined): boolean {
    return barTs !== undefined && this.source.peekTs() === barTs;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.source.close();
  }
}
