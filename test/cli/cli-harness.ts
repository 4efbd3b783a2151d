// Runs the real `ordinis` CLI from the sources (bin/ordinis-dev.js; bin/ordinis.js runs the
// same program built) as a child process, from the repository root, with an environment
// cleared of ORDINIS_* variables (each test passes its own), and collects exit code, stdout
// and stderr. Each spawn costs about half a second (tsx compiles on load), so tests batch
// their assertions per spawn and start independent spawns together.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'ordinis-dev.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to the cleaned environment. */
  env?: Record<string, string>;
}

/** The parent's environment without ORDINIS_* (an unknown one is an error) and the test runner's own variables. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('ORDINIS_') || k.startsWith('NODE_TEST') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export function cli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: cleanEnv(options.env), maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`ordinis ${args.join(' ')} did not run: ${err.message}`, { cause: err }));
          return;
        }
        resolvePromise({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** A fresh temp directory, removed after the test; returns the path of a database file in it. */
export function tempDbPath(t: TestContext, name = 'ordinis.db'): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ordinis-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, db: join(dir, name) };
}

const show = (r: CliResult): string => `exit ${r.code}\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`;

/** Exit 0 and stdout is exactly one JSON value (and a newline); returns it. */
export function okJson(r: CliResult): any {
  assert.equal(r.code, 0, show(r));
  assert.ok(r.stdout.endsWith('\n'), 'stdout ends with a newline');
  assert.equal(r.stdout.trimEnd().split('\n').length, 1, `one line of JSON on stdout\n${show(r)}`);
  return JSON.parse(r.stdout);
}

/** Exit 0 and human output: text, not a JSON dump, no trailing spaces. */
export function okText(r: CliResult): string {
  assert.equal(r.code, 0, show(r));
  assert.ok(!/^\s*[{[]/.test(r.stdout), `readable output, not JSON\n${show(r)}`);
  for (const line of r.stdout.split('\n')) assert.equal(line, line.trimEnd(), `trailing spaces in ${JSON.stringify(line)}`);
  return r.stdout;
}

/**
 * Exit 1, nothing on stdout, and an `error: CODE: ...` line on stderr matching `message`
 * with no stack trace. Returns that line.
 */
export function failsWith(r: CliResult, code: string, message?: RegExp, options: { stdout?: 'empty' | 'any' } = {}): string {
  assert.equal(r.code, 1, show(r));
  if ((options.stdout ?? 'empty') === 'empty') assert.equal(r.stdout, '', show(r));
  const line = r.stderr.split('\n').find((l) => l.startsWith('error: '));
  assert.ok(line, `an error line on stderr\n${show(r)}`);
  assert.ok(line.startsWith(`error: ${code}: `), `expected ${code}\n${show(r)}`);
  if (message) assert.match(line, message);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return line;
}

/** The column in which `header` starts in a table's header line. */
export function columnOf(headerLine: string, header: string): number {
  const i = headerLine.indexOf(header);
  assert.ok(i >= 0, `no ${header} column in ${JSON.stringify(headerLine)}`);
  return i;
}
