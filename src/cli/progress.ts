// A progress bar for terminals: redrawn in place on stderr, never on stdout (which may be
// piped JSON), and only when stderr is a TTY.

export interface ProgressBar {
  update(done: number, total: number | undefined): void;
  finish(): void;
}

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr, label = 'backtest'): ProgressBar {
  if (!stream.isTTY) return { update() {}, finish() {} };
  let drawn = false;
  return {
    update(done, total) {
      const width = 30;
      const frac = total ? Math.min(1, done / total) : 0;
      const fill = Math.round(frac * width);
      const bar = total ? `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}%` : '';
      stream.write(`\r${label} ${bar} ${done}${total ? `/${total}` : ''} bars`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}
