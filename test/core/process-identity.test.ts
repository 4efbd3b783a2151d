// Process identity: pid + kernel start time (+ boot id), so an owner check is not fooled by a
// reused pid. The parser and the owner decision are pure; the reader is checked against real
// child processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  currentProcess,
  ownerState,
  parseProcStat,
  readProcessStart,
  startToken,
  systemProcessTable,
  type ProcessTable,
} from '../../src/core/process-identity.ts';

const LINUX = existsSync('/proc/self/stat');

/** A stat line as the kernel writes it: 52 fields, the command name in parentheses. */
function statLine(comm: string, state: string, startTicks: string): string {
  const fields = ['4242', `(${comm})`, state, ...Array.from({ length: 18 }, (_, i) => String(i + 1)), startTicks, ...Array.from({ length: 30 }, () => '0')];
  return `${fields.join(' ')}\n`;
}

test('parseProcStat reads the state (field 3) and start time (field 22), counting fields after the last parenthesis', () => {
  assert.deepEqual(parseProcStat(statLine('node', 'S', '123456')), { state: 'S', startTicks: '123456' });
  // A command name may hold spaces and parentheses.
  assert.deepEqual(parseProcStat(statLine('my (odd) prog) x', 'R', '98765432101')), { state: 'R', startTicks: '98765432101' });
  assert.deepEqual(parseProcStat(statLine('z', 'Z', '7')), { state: 'Z', startTicks: '7' });
  for (const bad of ['', 'garbage', '4242 (node) S 1 2 3', statLine('node', 'S', '12x')]) assert.equal(parseProcStat(bad), undefined, JSON.stringify(bad));
});

test('startToken joins the ticks with the boot they count from', () => {
  assert.equal(startToken('123', 'b00t-1d'), '123@b00t-1d');
  assert.equal(startToken('123', undefined), '123');
});

test('ownerState: gone only when no live process has the pid or it started at another time', () => {
  const table = (procs: Record<number, string | null>): ProcessTable => ({ host: 'h1', startOf: (pid) => procs[pid] });
  const t = table({ 10: '500@b', 11: null });
  assert.equal(ownerState(null, t), 'unrecorded');
  assert.equal(ownerState({ pid: 10, startedAt: '500@b', host: 'h2' }, t), 'other_host');
  assert.equal(ownerState({ pid: 10, startedAt: '500@b', host: 'h1' }, t), 'alive');
  assert.equal(ownerState({ pid: 10, startedAt: '400@b', host: 'h1' }, t), 'gone', 'the pid was reused');
  assert.equal(ownerState({ pid: 10, startedAt: '500@a', host: 'h1' }, t), 'gone', 'another boot');
  assert.equal(ownerState({ pid: 12, startedAt: '500@b', host: 'h1' }, t), 'gone', 'no such process');
  assert.equal(ownerState({ pid: 11, startedAt: '500@b', host: 'h1' }, t), 'alive', 'runs, start unreadable: may be the owner');
  assert.equal(ownerState({ pid: 10, startedAt: null, host: 'h1' }, t), 'alive', 'no start recorded: may be the owner');
});

test('currentProcess: this pid, this host, and (on Linux) the start time the kernel reports', { skip: !LINUX && 'no /proc' }, () => {
  const me = currentProcess();
  assert.equal(me.pid, process.pid);
  assert.equal(me.host, hostname());
  const ticks = parseProcStat(readFileSync('/proc/self/stat', 'utf8'))!.startTicks;
  assert.match(me.startedAt ?? '', new RegExp(`^${ticks}(@[0-9a-f-]+)?$`));
  assert.equal(currentProcess(), me, 'read once');
  assert.equal(ownerState(me, systemProcessTable), 'alive');
});

test('a real child: alive while it runs, gone once killed; the same pid with another start time is gone', { skip: !LINUX && 'no /proc' }, async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const pid = child.pid!;
    const started = readProcessStart(pid);
    assert.equal(typeof started, 'string');
    assert.equal(readProcessStart(pid), started, 'stable while it runs');
    const owner = { pid, startedAt: started as string, host: hostname() };
    assert.equal(ownerState(owner, systemProcessTable), 'alive');
    assert.equal(ownerState({ ...owner, startedAt: `1${owner.startedAt}` }, systemProcessTable), 'gone', 'pid reused by another process');
    child.kill('SIGKILL');
    await exited;
    assert.equal(readProcessStart(pid), undefined);
    assert.equal(ownerState(owner, systemProcessTable), 'gone');
  } finally {
    child.kill('SIGKILL');
  }
});

test('readProcessStart never probes pid 0 or negative pids (process groups to kill(2))', () => {
  for (const pid of [0, -1, -process.pid, 1.5, Number.NaN]) assert.equal(readProcessStart(pid), undefined, String(pid));
});
