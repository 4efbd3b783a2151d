// Runs `node bin/ordinis-dev.js ...` (the CLI from the sources) as a real child process (the
// crash and lifecycle tests).

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'ordinis-dev.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when a stderr line matches (rejects after the timeout or if the process ends first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<Finished>;
}

/** Environment for a child: ours without ORDINIS_* keys (they would leak config into it), plus `env`. */
export function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORDINIS_')) base[k] = v;
  return { ...base, ...env };
}

export interface CliStart {
  /** Modules loaded before the CLI (`node --import tsx --import <each>`), e.g. the crash seams. */
  preload?: readonly string[];
}

export function startCli(args: string[], env: Record<string, string> = {}, start: CliStart = {}): Running {
  const preload = start.preload && start.preload.length > 0 ? ['--import', 'tsx', ...start.preload.flatMap((m) => ['--import', m])] : [];
  const child = spawn(process.execPath, [...preload, BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const w of [...waiters]) {
      const m = err.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const done = new Promise<Finished>((res) => child.on('close', (code, signal) => res({ code, signal, stdout: out, stderr: err })));
  return {
    child,
    stderr: () => err,
    done,
    waitFor(re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
      const m = err.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no stderr line matched ${re} within ${timeoutMs} ms; stderr:\n${err.slice(-2000)}`)), timeoutMs);
        void done.then((f) => {
          clearTimeout(timer);
          rej(new Error(`process ended (code ${f.code}, signal ${f.signal}) before a stderr line matched ${re}; stderr:\n${err.slice(-2000)}`));
        });
        waiters.push({
          re,
          resolve: (x) => {
            clearTimeout(timer);
            res(x);
          },
        });
      });
    },
  };
}

export function runCli(args: string[], env: Record<string, string> = {}, start: CliStart = {}): Promise<Finished> {
  return startCli(args, env, start).done;
}
