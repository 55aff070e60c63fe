import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Anthropic Messages API (POST /v1/messages) on 127.0.0.1, so tests drive
 * the real SDK — its retries, timeouts and aborts — without the network. Replies are scripted in
 * order; the server records every request and when each connection closed before its reply.
 */

export type FakeReply =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Never answers: the request stays open until the client gives up or aborts. */
  | { kind: 'hang' };

export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  receivedAt: number;
  /** Set when the client closed the connection before a reply was sent. */
  closedEarlyAt: number | null;
}

export class FakeAnthropicServer {
  readonly requests: SeenRequest[] = [];
  private readonly queue: FakeReply[] = [];
  private readonly waiters: (() => void)[] = [];
  private fallback: FakeReply | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeAnthropicServer> {
    let fake: FakeAnthropicServer | null = null;
    const server = createServer((req, res) => void fake!.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    fake = new FakeAnthropicServer(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Replies for the next requests, in order. */
  reply(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** The reply for every request once the queue is empty. */
  always(reply: FakeReply): this {
    this.fallback = reply;
    return this;
  }

  reset(): void {
    this.queue.length = 0;
    this.fallback = null;
    this.requests.length = 0;
  }

  /** Resolves once `n` requests have arrived. */
  async waitForRequests(n: number): Promise<void> {
    while (this.requests.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Resolves with the time the `index`th request's connection closed early. */
  async waitForEarlyClose(index: number, timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.requests[index]?.closedEarlyAt;
      if (at) return at;
      if (Date.now() > deadline) throw new Error(`request ${index} was not closed within ${timeoutMs} ms`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const seen: SeenRequest = {
      path: req.url ?? '',
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      receivedAt: Date.now(),
      closedEarlyAt: null,
    };
    this.requests.push(seen);
    res.on('close', () => {
      if (!res.writableFinished) seen.closedEarlyAt = Date.now();
      this.wake();
    });
    this.wake();
    const reply = this.queue.shift() ?? this.fallback ?? { kind: 'json', status: 500, body: errorBody('api_error', 'no scripted reply') };
    if (reply.kind === 'hang') return;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', 'request-id': `req_fake_${this.requests.length}`, ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }
}

export function errorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

let messageSeq = 0;

/** A Messages API reply (JSON) with this content, in the shape the SDK parses. */
function message(content: unknown[], stopReason: string, usage: { input_tokens: number; output_tokens: number }, model = 'claude-sonnet-5-5'): FakeReply {
  messageSeq++;
  return {
    kind: 'json',
    body: { id: `msg_fake_${messageSeq}`, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage },
  };
}

/** A Messages API reply whose content is one tool call. */
export function toolUseMessage(name: string, input: unknown, usage = { input_tokens: 1000, output_tokens: 500 }, model = 'claude-sonnet-5-5'): FakeReply {
  return message([{ type: 'tool_use', id: `toolu_fake_${messageSeq + 1}`, name, input }], 'tool_use', usage, model);
}

/** A Messages API reply with text only (no tool call). */
export function textMessage(text: string, stopReason = 'end_turn', usage = { input_tokens: 900, output_tokens: 40 }): FakeReply {
  return message([{ type: 'text', text }], stopReason, usage);
}
