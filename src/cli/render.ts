// Terminal output for the ops commands: aligned tables, "label  value" blocks and the few
// number, time and duration formats they share. Pure string functions; the commands write
// the result to stdout. `--json` output does not come through here except via `writeJson`.
//
// Everything shown may come from the database (a kill reason, an actor, an error note), so
// control characters are escaped before they reach the terminal: a stored escape sequence
// must not be able to move the cursor or rewrite earlier lines.

/** What a missing value looks like in a table or field. */
export const NONE = '—';

// C0 and C1 controls and DEL. Printable text (including non-ASCII) passes unchanged.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Escapes control characters (\n → "\n", ESC → "\u001b"), so one value stays on one line. */
export function clean(s: string): string {
  return s.replace(CONTROL, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** A value as table text: null, undefined and '' as "—", everything else cleaned. */
export function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return NONE;
  if (typeof v === 'string') return clean(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return clean(JSON.stringify(v) ?? String(v));
}

/** Display width in code points (so "—" counts as one, like the terminal shows it). */
export function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

export interface Column {
  header: string;
  /** Numbers read best right-aligned. Default left. */
  align?: 'left' | 'right';
}

/**
 * An aligned table: a header row, then one row per entry, columns two spaces apart, no
 * trailing spaces. Cells are used as given (pass them through `cell` first). `indent`
 * prefixes every line.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = ''): string {
  const widths = columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    indent +
    columns
      .map((c, i) => {
        const last = i === columns.length - 1;
        const align = c.align ?? 'left';
        // The last left-aligned column needs no padding: it would only be trailing spaces.
        return last && align === 'left' ? (cells[i] ?? '') : pad(cells[i] ?? '', widths[i], align);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n') + '\n';
}

/**
 * "label  value" lines with the values aligned. A value may span lines; its continuation
 * lines are indented to the value column.
 */
export function renderFields(fields: readonly (readonly [label: string, value: string])[], indent = ''): string {
  const w = Math.max(0, ...fields.map(([label]) => width(label)));
  const out: string[] = [];
  for (const [label, value] of fields) {
    const [first, ...rest] = value.split('\n');
    out.push(`${indent}${pad(label, w, 'left')}  ${first}`.trimEnd());
    for (const more of rest) out.push(`${indent}${' '.repeat(w + 2)}${more}`.trimEnd());
  }
  return out.join('\n') + '\n';
}

/** An RFC 3339 time as "2025-01-06 14:30:00Z" (milliseconds kept only when not zero). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return NONE;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return clean(iso);
  return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z');
}

/** A duration for people: "850 ms", "12.3 s", "4m 05s", "3h 02m", "12d 03h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${formatMs(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const two = (n: number): string => String(Math.floor(n)).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${two((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${two((s % 86400) / 3600)}h`;
}

/** The time between two RFC 3339 stamps; "running" while there is no end. */
export function durationBetween(startIso: string, endIso: string | null): string {
  if (endIso === null) return 'running';
  const a = Date.parse(startIso);
  const b = Date.parse(endIso);
  return Number.isFinite(a) && Number.isFinite(b) ? formatDuration(b - a) : NONE;
}

/** Milliseconds as a plain number: integers as is, fractions to 2 significant-ish places. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return NONE;
  if (Number.isInteger(ms)) return String(ms);
  const a = Math.abs(ms);
  return ms.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0);
}

export function formatMoney(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? NONE : x.toFixed(2);
}

/** A number that is already a percentage (12.5 → "12.50%"). */
export function formatPct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? NONE : `${x.toFixed(2)}%`;
}

/** "1 run", "3 runs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `--json` output: exactly one JSON value and a newline on stdout. */
export function writeJson(value: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(value)}\n`);
}

export function writeText(text: string, out: NodeJS.WritableStream = process.stdout): void {
  out.write(text.endsWith('\n') ? text : `${text}\n`);
}
