// Small helpers for the Messages client tests: a loopback HTTP server that sends exactly the bytes a
// test chooses, fixture loading, an instant sleep that records waits, and a stream collector.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Message, MessageCreateParams, MessageStream, Sleep, StreamEvent } from '../../src/api';
import { AbortedError } from '../../src/api';

export const REQUEST: MessageCreateParams = {
  model: 'anthropic/claude-sonnet-4-20250514',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello' }],
};

export function readFixture(name: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', 'api', name), 'utf8');
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the connection closes; `closedEarly` then tells whether the response was unfinished. */
  closed: Promise<void>;
  closedEarly: boolean;
}

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void | Promise<void>;

/** An HTTP server on 127.0.0.1 (random port). `handlers[i]` answers request i; the last one answers the rest. */
export async function startServer(...handlers: Handler[]): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let markClosed!: () => void;
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closed: new Promise((resolve) => (markClosed = resolve)),
        closedEarly: false,
      };
      res.on('close', () => {
        seen.closedEarly = !res.writableFinished;
        markClosed();
      });
      const handler = handlers[Math.min(requests.length, handlers.length - 1)]!;
      requests.push(seen);
      Promise.resolve(handler(req, res, seen)).catch((error: unknown) => {
        console.error('test server handler failed', error);
        res.destroy();
      });
    });
  });
  // Long runs of in-memory streams starve timers; a short server keep-alive would then race the client's reuse.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes each piece as its own write and lets the event loop send it before the next, then ends. */
export async function writePieces(res: ServerResponse, pieces: readonly (string | Uint8Array)[]): Promise<void> {
  for (const piece of pieces) {
    if (res.destroyed) return;
    await new Promise<void>((resolve) => res.write(piece, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

/** A handler answering 200 text/event-stream with these pieces. */
export function sse(pieces: readonly (string | Uint8Array)[], headers: Record<string, string> = {}): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...headers });
    res.socket?.setNoDelay(true);
    res.flushHeaders();
    await writePieces(res, pieces);
  };
}

/** A handler answering with a status, headers and a body (JSON-encoded unless a string). */
export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers });
    res.end(text);
  };
}

export function apiErrorBody(type: string, message: string, requestId = 'req_body_1'): unknown {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

/** An SSE event as the API frames it. */
export function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A `fetch` whose response body arrives in exactly these chunks (TCP may merge writes; this cannot). */
export function exactChunksFetch(chunks: readonly Uint8Array[]): typeof fetch {
  return async () => {
    // Let timers and sockets run between the thousands of in-memory streams some tests make.
    await new Promise((resolve) => setImmediate(resolve));
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]!);
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
}

/** A sleep that returns at once and records each wait (rejects like the real one when aborted). */
export function instantSleep(): { sleep: Sleep; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms, signal) => {
      waits.push(ms);
      return signal.aborted ? Promise.reject(new AbortedError('aborted')) : Promise.resolve();
    },
  };
}

export interface Outcome {
  events: StreamEvent[];
  message?: Message;
  error?: unknown;
  /** What finalMessage() rejected with (the same error as the iteration, when it failed). */
  finalError?: unknown;
}

/** Iterates the stream to its end and awaits finalMessage(), capturing rather than throwing errors. */
export async function collect(stream: MessageStream): Promise<Outcome> {
  const outcome: Outcome = { events: [] };
  try {
    for await (const e of stream) outcome.events.push(e);
  } catch (error) {
    outcome.error = error;
  }
  try {
    outcome.message = await stream.finalMessage();
  } catch (error) {
    outcome.finalError = error;
  }
  return outcome;
}

/** Text of all text blocks. */
export function textOf(message: Message | undefined): string {
  return (message?.content ?? []).map((b) => (b.type === 'text' ? b.text : '')).join('');
}
