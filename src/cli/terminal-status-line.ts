// A one-line live status at the bottom of a terminal, kept there while log lines scroll above
// it: the logger writes through `logDestination`, which clears the status line, writes the log
// line and draws the status again. Only for a TTY (the caller checks `isTTY`): on a pipe or a
// file the escape codes would be noise in the logs.

/** Carriage return, then erase the whole line. */
const CLEAR_LINE = '\r\x1b[2K';

export interface TerminalStream {
  write(chunk: string): boolean;
  /** Terminal width; a longer line would wrap and could no longer be cleared. */
  columns?: number;
}

export class TerminalStatusLine {
  private text = '';
  private closed = false;

  constructor(private readonly out: TerminalStream) {}

  /** A pino destination: log lines go above the status line. */
  readonly logDestination = {
    write: (line: string): void => {
      this.out.write(CLEAR_LINE + line);
      this.draw();
    },
  };

  /** Shows `text` (cut to the terminal's width) as the status. */
  show(text: string): void {
    if (this.closed) return;
    this.text = fitLine(text, this.out.columns);
    this.draw();
  }

  /** Clears the status line for good (before the command's own output). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.text = '';
    this.out.write(CLEAR_LINE);
  }

  private draw(): void {
    if (this.text !== '') this.out.write(CLEAR_LINE + this.text);
  }
}

/** `text` on one line no wider than `columns - 1` (the last column would wrap on some terminals). */
export function fitLine(text: string, columns: number | undefined): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  const width = columns !== undefined && columns > 1 ? columns - 1 : oneLine.length;
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, Math.max(0, width - 1))}…`;
}
