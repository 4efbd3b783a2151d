// A Server-Sent Events reader over node:http (no EventSource in node 20): frames as they
// arrive, comment lines kept apart, and how the stream ended.

import { request, type IncomingMessage } from 'node:http';

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
}

export interface SseStream {
  status: number;
  headers: IncomingMessage['headers'];
  frames: SseFrame[];
  /** Comment lines (`: heartbeat`), without the colon. */
  comments: string[];
  /** 'end': the server ended the stream; 'error': the connection broke. */
  ended: Promise<'end' | 'error'>;
  /** Resolves with the first frames satisfying `done` (rejects when the stream ends first or after timeoutMs). */
  waitFor(done: (frames: SseFrame[]) => boolean, timeoutMs?: number): Promise<SseFrame[]>;
  close(): void;
}

export function openSse(url: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      const frames: SseFrame[] = [];
      const comments: string[] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      let settledEnd: ((how: 'end' | 'error') => void) | undefined;
      const ended = new Promise<'end' | 'error'>((r) => (settledEnd = r));
      let over = false;
      const finish = (how: 'end' | 'error'): void => {
        if (over) return;
        over = true;
        settledEnd!(how);
        for (const w of waiters.splice(0)) w();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const frame: SseFrame = {};
          let isFrame = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(': ');
              const key = line.slice(0, i) as keyof SseFrame;
              frame[key] = line.slice(i + 2);
              isFrame = true;
            }
          }
          if (isFrame) frames.push(frame);
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('end', () => finish('end'));
      res.on('error', () => finish('error'));
      res.on('close', () => finish(res.complete ? 'end' : 'error'));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        comments,
        ended,
        waitFor(done, timeoutMs = 20_000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`SSE: condition not met within ${timeoutMs} ms; ${frames.length} frames`)), timeoutMs);
            const check = (): void => {
              if (done(frames)) {
                clearTimeout(timer);
                ok(frames);
              } else if (over) {
                clearTimeout(timer);
                fail(new Error(`SSE: stream ended before the condition was met; ${frames.length} frames`));
              } else waiters.push(check);
            };
            check();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
