// Which process owns something (a run row), in a form another process can check later: pid,
// start time and host. A pid alone is not an identity: the kernel reuses pids, so "pid 4242
// is alive" may be a different program. pid + start time is: a reused pid has a later start.
//
// The start time is the kernel's own: field 22 of /proc/<pid>/stat (clock ticks since boot),
// joined with the boot id (/proc/sys/kernel/random/boot_id), because tick counts start again
// at every boot and a service started early at boot can get the same pid and ticks twice.
// As text: `<ticks>@<boot id>`. Where /proc is not there (macOS, Windows) the start time is
// null and liveness falls back to "some process has that pid" (a reused pid then counts as
// the owner: a stale run is left running rather than a live one aborted).
//
// Pure: parseProcStat, startToken, ownerState. Effectful: readProcessStart, currentProcess,
// systemProcessTable.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  pid: number;
  /** `<ticks since boot>@<boot id>` (Linux), or null where it cannot be read. */
  startedAt: string | null;
  host: string;
}

/** What can be said about a recorded owner from this machine. */
export const OWNER_STATES = ['alive', 'gone', 'other_host', 'unrecorded'] as const;
export type OwnerState = (typeof OWNER_STATES)[number];

/** The machine's processes as an owner check needs them (a port, so the check is pure). */
export interface ProcessTable {
  /** This machine's host name, as owners record it. */
  readonly host: string;
  /**
   * The start token of the live process with this pid: undefined when there is none (or it
   * is a zombie: it has ended), null when one runs but its start cannot be read.
   */
  startOf(pid: number): string | null | undefined;
}

export interface ProcStat {
  /** Field 3: R, S, D, Z (zombie), X (dead), ... */
  state: string;
  /** Field 22: start time in clock ticks after boot, as the decimal text the kernel wrote. */
  startTicks: string;
}

/**
 * Parses the text of /proc/<pid>/stat. Field 2 (the command name, in parentheses) may hold
 * spaces and parentheses itself, so fields are counted from the last ')'. Undefined when the
 * text is not a stat line.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const state = fields[0];
  const startTicks = fields[19];
  if (state === undefined || !/^[A-Za-z]$/.test(state) || startTicks === undefined || !/^\d+$/.test(startTicks)) return undefined;
  return { state, startTicks };
}

/** The start token as stored: ticks, and the boot they count from when it is known. */
export function startToken(startTicks: string, bootId: string | undefined): string {
  return bootId ? `${startTicks}@${bootId}` : startTicks;
}

/**
 * Whether a recorded owner still runs. A run on another host cannot be checked from here
 * and a row without an owner (written before schema v6) has nothing to check: both are
 * reported as such, for the caller to decide. On this host: gone when no live process has
 * the pid or that process started at another time; alive when it matches, or when either
 * start time is unknown and a process with the pid runs (it may be the owner).
 */
export function ownerState(owner: ProcessIdentity | null, table: ProcessTable): OwnerState {
  if (owner === null) return 'unrecorded';
  if (owner.host !== table.host) return 'other_host';
  const now = table.startOf(owner.pid);
  if (now === undefined) return 'gone';
  if (now === null || owner.startedAt === null) return 'alive';
  return now === owner.startedAt ? 'alive' : 'gone';
}

// ---- effectful shell ----------------------------------------------------------------------

let bootIdCache: string | null | undefined;

function bootId(): string | undefined {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache ?? undefined;
}

/** The start token of a live process (see ProcessTable.startOf). */
export function readProcessStart(pid: number): string | null | undefined {
  // 0 and negative pids name process groups to kill(2): never probe them.
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let text: string | undefined;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    text = undefined;
  }
  const stat = text === undefined ? undefined : parseProcStat(text);
  if (stat) return stat.state === 'Z' || stat.state === 'X' ? undefined : startToken(stat.startTicks, bootId());
  // No /proc (or hidden from us): a signal 0 says whether the pid exists, not whose it is.
  return pidExists(pid) ? null : undefined;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let self: ProcessIdentity | undefined;

/** This process's identity, read once (it cannot change while we run). */
export function currentProcess(): ProcessIdentity {
  self ??= { pid: process.pid, startedAt: readProcessStart(process.pid) ?? null, host: hostname() };
  return self;
}

/** The real process table of this machine. */
export const systemProcessTable: ProcessTable = {
  get host(): string {
    return currentProcess().host;
  },
  startOf: readProcessStart,
};
