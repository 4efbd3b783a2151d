// The `ordinis` CLI: one commander program, a file per command group. commands/*.ts declare
// each command's options; its work (actions/*.ts) is imported only when it runs, so --help
// and flag errors start fast (lazy-action.ts). Errors print their
// stable code and message on stderr (never a stack trace unless ORDINIS_OBS_LOG_LEVEL is debug or trace) and set a
// non-zero exit code.

import { Command, CommanderError } from 'commander';
import { OrdinisError, toOrdinisError } from '../errors.ts';
import { registerBacktest } from './commands/backtest.ts';
import { registerPaper } from './commands/paper.ts';
import { registerLive } from './commands/live.ts';
import { registerServe } from './commands/serve.ts';
import { registerRuns } from './commands/ops-runs.ts';
import { registerKill } from './commands/ops-kill.ts';
import { registerAudit } from './commands/ops-audit.ts';
import { registerConfig } from './commands/ops-config.ts';
import { registerDb } from './commands/ops-db.ts';
import { registerInit } from './commands/init.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerWorker } from './commands/worker.ts';
import { registerWalkForward } from './commands/walkforward.ts';

export function buildProgram(): Command {
  const program = new Command('ordinis')
    .description('Ordinis ORCH: the orchestration engine for algorithmic trading')
    .option('--profile <name>', 'configuration profile: dev | paper | prod')
    .option('--config <file>', 'JSON file of configuration keys (a profile file)')
    .option('--log-level <level>', 'trace | debug | info | warn | error | fatal | silent')
    .showHelpAfterError()
    .exitOverride();
  registerBacktest(program);
  registerSweep(program);
  registerWorker(program);
  registerWalkForward(program);
  registerPaper(program);
  registerLive(program);
  registerServe(program);
  registerRuns(program);
  registerKill(program);
  registerAudit(program);
  registerConfig(program);
  registerDb(program);
  registerInit(program);
  return program;
}

/**
 * `ordinis ... | head`: when the reader closes the pipe, writes fail with EPIPE, which Node
 * raises as an unhandled 'error' event (a stack trace and exit 1). The reader has all it
 * wanted, so the command ends quietly; the work itself (a run row, a kill change) has been
 * committed or finishes normally. Any other stream error is reported like a command error.
 */
const guardedStreams = new WeakSet<NodeJS.WriteStream>();

export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (guardedStreams.has(stream)) return;
  guardedStreams.add(stream);
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    if (stream !== process.stderr) process.stderr.write(`error: E_INTERNAL: writing output failed: ${e.message}\n`);
    process.exitCode = 1;
  });
}

function detailsText(details: Record<string, unknown>): string {
  try {
    return JSON.stringify(details);
  } catch (e) {
    // A cyclic or absurdly deep value must not turn a clear error into a crash.
    return `(not printable: ${e instanceof Error ? e.message : String(e)})`;
  }
}

export async function main(argv: string[]): Promise<number> {
  // URI filenames, so read-only commands can open a quiescent database `immutable` and
  // create no side files (persistence/database.ts). better-sqlite3 reads this once, when its
  // addon loads, i.e. at the first database opened; it is process-wide and harmless to
  // plain paths, which never start with "file:" once resolved.
  process.env.SQLITE_USE_URI ??= '1';
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    const err = e instanceof OrdinisError ? e : toOrdinisError(e);
    process.stderr.write(`error: ${err.message}\n`);
    if (err.details) process.stderr.write(`details: ${detailsText(err.details)}\n`);
    // Stacks are for developers: shown only at debug/trace log level.
    const level = process.env.ORDINIS_OBS_LOG_LEVEL;
    if ((level === 'debug' || level === 'trace') && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
