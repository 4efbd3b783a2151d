import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineReader } from '../../../src/adapters/data/line-reader.ts';
import { OrdinisError } from '../../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'ordinis-lines-'));
const CHUNK = 64 * 1024;

/** Every line a reader gives, with its number, blankness and quote flag. */
function readAll(r: LineReader): { no: number; line: string; blank: boolean; quote: boolean }[] {
  const out = [];
  while (r.next()) {
    const quote = r.hasQuote();
    out.push({ no: r.lineNo, line: r.line(), blank: r.blank(), quote });
  }
  return out;
}

function fileLines(name: string, text: string): ReturnType<typeof readAll> {
  const path = join(dir, name);
  writeFileSync(path, text);
  return readAll(LineReader.ofFile(openSync(path, 'r'), path));
}

/** The lines of `text` as the reader must give them: split on LF, one CR before it dropped. */
function expected(text: string): string[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
}

test('a file read in chunks gives its lines whole, wherever a chunk ends (LF, CRLF, multi-byte UTF-8 across the cut)', () => {
  // A 4-byte character (U+1D11E) placed on each byte offset around the 64 KiB cut, and a
  // CRLF whose CR is the last byte of a chunk: the decoder and the carry must join them.
  for (let shift = -5; shift <= 5; shift++) {
    const head = 'x'.repeat(CHUNK - 40 + shift);
    const text = `Date,Open\r\n${head}\n"q",1,2\n\u{1D11E}é€ row\r\n\n   \nlast line without end`;
    const got = fileLines(`cut${shift}.csv`, text);
    assert.deepEqual(got.map((l) => l.line), expected(text), `shift ${shift}`);
    assert.deepEqual(got.map((l) => l.no), got.map((_, i) => i + 1));
    assert.deepEqual(got.map((l) => l.blank), expected(text).map((l) => l.trim() === ''));
    assert.deepEqual(got.map((l) => l.quote), expected(text).map((l) => l.includes('"')));
  }
  const crAtCut = `${'y'.repeat(CHUNK - 1)}\r\nnext\n`;
  assert.deepEqual(fileLines('cr-at-cut.csv', crAtCut).map((l) => l.line), ['y'.repeat(CHUNK - 1), 'next']);
});

test('text in memory gives the same lines as the same bytes in a file (save the empty tail after a final line end)', () => {
  const text = 'a,b\r\n"c",d\n\n\ufeff\ne';
  const fromText = readAll(LineReader.ofText(text, '<memory>'));
  assert.deepEqual(fromText, fileLines('same.csv', text));
  assert.deepEqual(readAll(LineReader.ofText('a\n', '<memory>')).map((l) => [l.line, l.blank]), [
    ['a', false],
    ['', true],
  ]);
});

test('a read failure is E_ING_PROVIDER_DOWN naming the file, not retryable', () => {
  // A directory opens but cannot be read: a real read error, not a simulated one.
  const r = LineReader.ofFile(openSync(dir, 'r'), dir);
  assert.throws(
    () => r.next(),
    (e: unknown) => e instanceof OrdinisError && e.code === 'E_ING_PROVIDER_DOWN' && !e.retryable && e.message.includes(dir),
  );
  r.close();
  r.close();
});
