/** What an e2e test sees of a Server-Sent Events stream. */
export interface SseEvent {
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  contentType: string | null;
  /** Events in arrival order; ends when the server closes the stream (or the signal aborts it). */
  events: AsyncGenerator<SseEvent>;
  /** Comment lines (heartbeats) seen so far. */
  comments(): number;
}

/**
 * Splits an SSE body into events, calling `onComment` for each `:` comment line. Deliberately minimal
 * (LF line endings, `event:`/`data:` fields, `:` comments): it reads what the ktrdr API writes, nothing more.
 */
export async function* readSseEvents(body: AsyncIterable<Uint8Array>, onComment: () => void = () => undefined): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev: SseEvent = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) onComment();
        else if (line.startsWith('event: ')) ev.event = line.slice(7);
        else if (line.startsWith('data: ')) ev.data += line.slice(6);
      }
      if (ev.data) yield ev;
    }
  }
}

/** Opens an SSE endpoint with fetch and reads its body with `readSseEvents`. */
export async function openSse(url: string, signal?: AbortSignal): Promise<SseStream> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal });
  let comments = 0;
  async function* events(): AsyncGenerator<SseEvent> {
    if (!res.body) return;
    try {
      yield* readSseEvents(res.body as unknown as AsyncIterable<Uint8Array>, () => comments++);
    } catch (e) {
      if (!signal?.aborted) throw e;
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type'), events: events(), comments: () => comments };
}
