import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Transform, type TransformCallback } from 'node:stream';

const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `100kb` → bytes. The configuration already checked the shape (digits, then b/kb/mb). */
export function sizeInBytes(size: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(size);
  if (!m) throw new Error(`not a size: ${size}`);
  return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
}

/** JSON and the `+json` family (application/merge-patch+json, …), whatever the parameters. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface BodyLimits {
  /** Every route but the import. */
  bytes: number;
  /** POST /data/import: a whole CSV file. */
  importBytes: number;
}

/** The import route as registered: the limit follows the route the request reaches, however its path is spelled. */
const IMPORT_ROUTE = '/api/v1/data/import';

function limitFor(req: FastifyRequest, limits: BodyLimits): number {
  return req.routeOptions.url === IMPORT_ROUTE ? limits.importBytes : limits.bytes;
}

/**
 * Where the text stops being JSON, in JSON.parse's words (`… at position 1`): fastify's own message
 * only says the body is not JSON. Called on the failure path only.
 */
function syntaxErrorOf(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : null;
  }
}

class PayloadTooLargeError extends KtrdrError {
  constructor(limit: number) {
    super(ErrorCode.PayloadTooLarge, `Request body too large: the limit of this route is ${limit} bytes`, { limit_bytes: limit });
  }
}

/**
 * How far past its limit a chunked body is still read (and dropped) so that the client, still
 * sending, gets its 413 as an answer: a connection closed under a client that is still writing
 * often reaches it as a reset instead. Beyond this the connection is closed at once.
 */
const DRAIN_ALLOWANCE_BYTES = 1024 * 1024;

/**
 * Counts a body that declares no length (chunked) as it streams, whatever its content type, and
 * stops at the route's limit: without it a non-JSON body on a small-body route was read up to the
 * largest limit of any route before being ignored. Past the limit nothing more is kept; the rest
 * is dropped up to the drain allowance (then 413), and beyond it the request ends at once.
 */
class BodyLimiter extends Transform {
  private seen = 0;

  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen <= this.limit) return callback(null, chunk);
    if (this.seen <= this.limit + DRAIN_ALLOWANCE_BYTES) return callback();
    this.onOverflow();
    callback(new PayloadTooLargeError(this.limit));
  }

  override _flush(callback: TransformCallback): void {
    callback(this.seen > this.limit ? new PayloadTooLargeError(this.limit) : null);
  }
}

/**
 * The API's body parsing on fastify: JSON bodies (an empty one reads as `{}`), refused with the
 * envelope's codes — malformed → 400 MALFORMED_JSON, over the route's limit → 413 — and every other
 * content type read and ignored (the route then sees no body and says which field is missing).
 * The import route has its own, larger limit; a declared Content-Length over a route's limit is
 * refused before a byte of the body is read.
 */
export function registerJsonBodyParser(instance: FastifyInstance, limits: BodyLimits): void {
  const ceiling = Math.max(limits.bytes, limits.importBytes);
  // Proto-poisoning keys are dropped the way fastify's own parser would.
  const parseJson = instance.getDefaultJsonParser('remove', 'remove');
  instance.removeAllContentTypeParsers();
  instance.addHook('preParsing', (req, reply, payload, done) => {
    const length = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    // Reads (no declared body) pass straight through: this hook runs on every request.
    if (length === undefined && !chunked) return done(null, payload);
    const limit = limitFor(req, limits);
    if (length !== undefined && Number(length) > limit) return done(new PayloadTooLargeError(limit), payload);
    if (!chunked) return done(null, payload);
    // Far past the limit the 413 closes the connection, so the rest of the body is never read.
    done(null, payload.pipe(new BodyLimiter(limit, () => void reply.header('connection', 'close'))));
  });
  instance.addContentTypeParser(JSON_TYPE, { parseAs: 'string', bodyLimit: ceiling }, (req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, {});
    parseJson(req, text, (err, value) => {
      if (err) done(new KtrdrError(ErrorCode.MalformedJson, `Malformed JSON body: ${syntaxErrorOf(text) ?? err.message}`), undefined);
      else done(null, value);
    });
  });
  // Any other content type is read (up to the route's limit, see above) and ignored.
  instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ceiling }, (_req, _body, done) => done(null, undefined));
}
