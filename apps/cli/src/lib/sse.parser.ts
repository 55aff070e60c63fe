/**
 * An incremental parser for Server-Sent Events (the WHATWG "event stream" format).
 *
 * Hand-rolled on purpose: no SSE package is installed, the CLI may not add dependencies, and the
 * format is small (line-based fields `event`, `data`, `id`, `retry`; `:` starts a comment; a blank
 * line dispatches). Browsers' EventSource cannot be used from Node 20 without a dependency either.
 */

export interface SseMessage {
  /** `message` when the server named none. */
  event: string;
  data: string;
  id: string | null;
}

export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | null = null;
  private sawCR = false;
  /** Comment lines seen (heartbeats); they dispatch nothing but prove the connection is alive. */
  comments = 0;

  /** Feeds decoded text; returns the messages completed by it. */
  push(text: string): SseMessage[] {
    const out: SseMessage[] = [];
    let chunk = text;
    // A CRLF split across two chunks: the LF was already handled as the end of the CR line.
    if (this.sawCR && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.sawCR = false;
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A lone CR at the very end may be the first half of a CRLF.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) this.sawCR = true;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const msg = this.line(line);
      if (msg) out.push(msg);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.comments++;
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    // `retry` and unknown fields are ignored: reconnection is decided by the caller.
    return null;
  }

  private dispatch(): SseMessage | null {
    const event = this.event || 'message';
    const data = this.data;
    this.event = '';
    this.data = [];
    if (data.length === 0) return null;
    return { event, data: data.join('\n'), id: this.id };
  }
}
