// SIGINT/SIGTERM for long-running commands: the first signal asks for a graceful stop (stop
// scheduling, let the running cycle finish or hit its budget, flush, close); a second one
// only says that a stop is already under way. The handlers are removed by the returned
// function, so nothing keeps the process alive once the command is done.

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

export interface ShutdownWatch {
  /** Resolves with the first signal received. */
  readonly signalled: Promise<ShutdownSignal>;
  /** The first signal received so far, if any. */
  readonly received: ShutdownSignal | undefined;
  /** Removes the handlers. */
  dispose(): void;
}

export function watchShutdownSignals(onFirst: (signal: ShutdownSignal) => void, onRepeat?: (signal: ShutdownSignal) => void): ShutdownWatch {
  let received: ShutdownSignal | undefined;
  let resolve!: (s: ShutdownSignal) => void;
  const signalled = new Promise<ShutdownSignal>((r) => (resolve = r));
  const handler = (signal: ShutdownSignal): void => {
    if (received) {
      onRepeat?.(signal);
      return;
    }
    received = signal;
    resolve(signal);
    onFirst(signal);
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signalled,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
