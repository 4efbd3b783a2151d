// Bytes -> lines for the CSV reader, streaming: a file is pulled in 64 KiB chunks and decoded
// as UTF-8, so a large file never sits in memory whole. Lines are read in place: the current
// line is text[lineStart..lineEnd) of the chunk, cut out as a string only when asked for
// (the fast row path reads it where it is).
//
// Line ends are LF or CRLF (one '\r' before '\n' is not part of the line); the last line
// may lack one.

import { closeSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { OrdinisError } from '../../errors.ts';

const CHUNK_BYTES = 64 * 1024;

export class LineReader {
  private fd: number | undefined;
  private readonly file: string;
  private readonly buf: Buffer | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  // `chunk` holds a chunk's complete lines (or the whole in-memory text); the unread ones are
  // the '\n'-separated segments of chunk[pos..stop] (none when pos > stop).
  private chunk = '';
  private pos = 0;
  private stop = -1;
  private start = 0;
  private end = 0;
  /** Where the first '"' at or after `start` is (chunk.length if none), -1 when not looked for yet. */
  private quoteAt = -1;
  private count = 0;
  private eof = false;

  private constructor(file: string, fd: number | undefined, text: string | undefined) {
    this.file = file;
    this.fd = fd;
    if (text !== undefined) {
      this.setLines(text, text.length);
      this.eof = true;
      this.buf = undefined;
    } else {
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    }
  }

  /** Lines of an open file; the reader owns `fd` from now on and closes it at the end or on close(). `file` names it in errors. */
  static ofFile(fd: number, file: string): LineReader {
    return new LineReader(file, fd, undefined);
  }

  /** Lines of text already in memory. */
  static ofText(text: string, file: string): LineReader {
    return new LineReader(file, undefined, text);
  }

  /** The text holding the current line (a chunk, not the line alone). */
  get text(): string {
    return this.chunk;
  }

  /** Where the current line starts in `text`. */
  get lineStart(): number {
    return this.start;
  }

  /** Where the current line ends in `text` (its line end excluded). */
  get lineEnd(): number {
    return this.end;
  }

  /** 1-based physical line number of the current line. */
  get lineNo(): number {
    return this.count;
  }

  /** Moves to the next physical line; false at the end of the input. */
  next(): boolean {
    for (;;) {
      if (this.pos <= this.stop) {
        const t = this.chunk;
        let nl = t.indexOf('\n', this.pos);
        if (nl < 0 || nl > this.stop) nl = this.stop;
        this.start = this.pos;
        this.end = nl > this.pos && t.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        this.pos = nl + 1;
        this.count++;
        return true;
      }
      if (this.eof) return false;
      this.fill();
    }
  }

  /** The current line as a string. */
  line(): string {
    return this.chunk.slice(this.start, this.end);
  }

  /** Whether the current line is empty or all whitespace (as String.prototype.trim sees it). */
  blank(): boolean {
    if (this.start === this.end) return true;
    const c = this.chunk.charCodeAt(this.start);
    // Printable ASCII other than space is never whitespace: no string is needed to know.
    if (c > 32 && c < 127) return false;
    return this.line().trim() === '';
  }

  /** Whether the current line holds a '"' (then only the strict row path can read it). */
  hasQuote(): boolean {
    // One indexOf per quote-free stretch of the chunk, not one per line: the chunk is a
    // concatenation (carry + new text), and the built-in searches it faster than a loop.
    if (this.quoteAt < this.start) {
      const q = this.chunk.indexOf('"', this.start);
      this.quoteAt = q < 0 ? this.chunk.length : q;
    }
    return this.quoteAt < this.end;
  }

  /** Releases the file handle (also done automatically at the end of the file). Idempotent. */
  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** New lines to read: the segments of text[0..stop] (stop -1: none). */
  private setLines(text: string, stop: number): void {
    this.chunk = text;
    this.pos = 0;
    this.stop = stop;
    this.quoteAt = -1;
  }

  private fill(): void {
    const fd = this.fd;
    if (fd === undefined || this.buf === undefined) {
      this.eof = true;
      return;
    }
    let n: number;
    try {
      n = readSync(fd, this.buf, 0, this.buf.length, null);
    } catch (e) {
      throw new OrdinisError('E_ING_PROVIDER_DOWN', `cannot read ${this.file}: ${(e as Error).message}`, {
        cause: e,
        retryable: false,
        details: { file: this.file },
      });
    }
    if (n === 0) {
      // What is left is one last line without a line end (if anything is left).
      const text = this.carry + this.decoder.end();
      this.carry = '';
      this.eof = true;
      this.close();
      this.setLines(text, text.length > 0 ? text.length : -1);
    } else {
      // Complete lines are read now; the part after the last '\n' waits for the next chunk.
      const text = this.carry + this.decoder.write(this.buf.subarray(0, n));
      const cut = text.lastIndexOf('\n');
      this.carry = cut < 0 ? text : text.slice(cut + 1);
      this.setLines(text, cut);
    }
  }
}
