// `ordinis live` (its options: commands/live.ts): the paper command's durable loop with a real
// broker. What differs is decided in one place each: the refusal (LIVE_ENABLED and the prod
// invariants, modes/live/live-settings.ts), the broker and feed (the venue table,
// modes/live/venue-table.ts, through cli/trading-venue.ts), the order caps and
// reconciliation (the runtime's `live` option). Everything else (recovery, the owner lease,
// the resume cursor, the kill switch, the ops API, the summary) is paper's.

import type { Command } from 'commander';
import { runPaperCommand } from './paper.ts';

export async function runLiveCommand(flags: Parameters<typeof runPaperCommand>[0], cmd: Command): Promise<void> {
  await runPaperCommand(flags, cmd, 'live');
}
