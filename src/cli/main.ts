// The `ordinis` CLI: one commander program, a file per command group. Errors print their
// stable code and message on stderr (never a stack trace unless ORDINIS_OBS_LOG_LEVEL is debug or trace) and set a
// non-zero exit code.

import { Command, CommanderError } from 'commander';
import { OrdinisError, toOrdinisError } from '../errors.ts';
import { registerBacktest } from './commands/backtest.ts';
import { registerPaper } from './commands/paper.ts';
import { registerServe } from './commands/serve.ts';
import { registerRuns } from './commands/ops-runs.ts';
import { registerKill } from './commands/ops-kill.ts';
import { registerAudit } from './commands/ops-audit.ts';
import { registerConfig } from './commands/ops-config.ts';

export function buildProgram(): Command {
  const program = new Command('ordinis')
    .description('Ordinis ORCH: the orchestration engine for algorithmic trading')
    .option('--profile <name>', 'configuration profile: dev | paper | prod')
    .option('--config <file>', 'JSON file of configuration keys (a profile file)')
    .option('--log-level <level>', 'trace | debug | info | warn | error | fatal | silent')
    .showHelpAfterError()
    .exitOverride();
  registerBacktest(program);
  registerPaper(program);
  registerServe(program);
  registerRuns(program);
  registerKill(program);
  registerAudit(program);
  registerConfig(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
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
    if (err.details) process.stderr.write(`details: ${JSON.stringify(err.details)}\n`);
    // Stacks are for developers: shown only at debug/trace log level.
    const level = process.env.ORDINIS_OBS_LOG_LEVEL;
    if ((level === 'debug' || level === 'trace') && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
