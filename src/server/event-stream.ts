// GET /events: the bus as Server-Sent Events. One bus subscription (`ordinis.*`, taken while
// at least one client listens) fans every event out to the clients whose topic patterns
// match it. The handler only writes to sockets, so it never makes the bus wait:
//
// - A client that reads too slowly is dropped, not waited for: once more than
//   `maxBufferedBytes` of its stream sits unsent in the socket, the connection is destroyed
//   and counted (`dropped`). The engine and the other clients carry on.
// - A comment line (`: heartbeat`) every `heartbeatMs` keeps proxies from closing a quiet
//   stream and lets a client tell a stalled server from a quiet one.
// - close() ends every stream, so the server can stop at once instead of waiting out its
//   grace period.
//
// Each event is `id: <event_id>`, `event: <event_type>`, `data: <the envelope as JSON>`.

import type { ServerResponse } from 'node:http';
import type { Bus, EventEnvelope } from '../bus/contract.ts';
import { ALL_EVENTS_PATTERN, type TopicPattern } from '../bus/topic-pattern.ts';

export const DEFAULT_EVENT_STREAM_HEARTBEAT_MS = 15_000;
/** About a thousand cycle events; a client that far behind is not keeping up. */
export const DEFAULT_EVENT_STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;

export interface EventStreamOptions {
  heartbeatMs?: number;
  maxBufferedBytes?: number;
}

export interface EventStreamStats {
  clients: number;
  /** Events written to clients (one per client per event). */
  sent: number;
  /** Clients dropped for falling more than maxBufferedBytes behind. */
  dropped: number;
}

interface Client {
  patterns: readonly TopicPattern[];
  res: ServerResponse;
}

export class EventStreamHub {
  private readonly clients = new Set<Client>();
  private subscription: string | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly heartbeatMs: number;
  private readonly maxBufferedBytes: number;
  private sent = 0;
  private dropped = 0;

  constructor(
    private readonly bus: Bus,
    options: EventStreamOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_EVENT_STREAM_HEARTBEAT_MS;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_EVENT_STREAM_MAX_BUFFERED_BYTES;
  }

  /** Starts a stream on `res`: writes the headers and an opening comment, then events until either side ends it. */
  attach(res: ServerResponse, patterns: readonly TopicPattern[]): void {
    const client: Client = { patterns, res };
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // The stream is the whole exchange: when it ends, the connection goes with it.
      connection: 'close',
    });
    // The first bytes tell the client the stream is open before any event exists.
    res.write(': open\n\n');
    this.clients.add(client);
    res.on('close', () => this.detach(client));
    if (this.subscription === undefined) {
      this.subscription = this.bus.subscribe({ topic: ALL_EVENTS_PATTERN, name: 'ops-api.events' }, (event) => this.fanOut(event));
      this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  stats(): EventStreamStats {
    return { clients: this.clients.size, sent: this.sent, dropped: this.dropped };
  }

  /** Ends every stream and lets go of the bus. */
  close(): void {
    for (const client of [...this.clients]) client.res.end();
    this.clients.clear();
    this.release();
  }

  private fanOut(event: EventEnvelope): void {
    let frame: string | undefined;
    for (const client of this.clients) {
      if (!client.patterns.some((p) => p.matches(event.event_type))) continue;
      frame ??= `id: ${event.event_id}\nevent: ${event.event_type}\ndata: ${JSON.stringify(event)}\n\n`;
      this.write(client, frame);
      this.sent++;
    }
  }

  private beat(): void {
    for (const client of this.clients) this.write(client, ': heartbeat\n\n');
  }

  private write(client: Client, frame: string): void {
    if (client.res.writableLength > this.maxBufferedBytes) {
      this.dropped++;
      this.clients.delete(client);
      client.res.destroy();
      this.releaseIfIdle();
      return;
    }
    client.res.write(frame);
  }

  private detach(client: Client): void {
    this.clients.delete(client);
    this.releaseIfIdle();
  }

  private releaseIfIdle(): void {
    if (this.clients.size === 0) this.release();
  }

  private release(): void {
    if (this.subscription !== undefined) this.bus.unsubscribe(this.subscription);
    this.subscription = undefined;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
