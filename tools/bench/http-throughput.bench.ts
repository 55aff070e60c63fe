import { OperationsStore } from '@ktrdr/operations';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startStack } from '../testing/stack.harness.js';
import { summarize, type Summary } from './stats.js';

/**
 * API read throughput beside a bare baseline: autocannon against the real built API
 * (Nest on fastify, the token check, the request logger, the error filter) and against a bare node:http +
 * ioredis handler (its own process, like the API) doing the same Redis reads through the same store code. The ratio is what the
 * framework and middleware cost; the target is ≥ 0.6.
 */

export interface ThroughputRow {
  route: string;
  apiRps: number;
  bareRps: number;
  ratio: number;
  apiP99Ms: number;
  bareP99Ms: number;
  apiNon2xx: number;
  /** Each round's API/bare ratio; `ratio` is their median. */
  ratios: number[];
}

export interface HttpThroughputResult {
  seconds: number;
  connections: number;
  rows: ThroughputRow[];
  /** One request at a time on fresh pending operations: GET /operations/{id}, then DELETE it. */
  cancelVsRead: { samples: number; get: Summary; del: Summary; ratioP50: number };
}

export const CANCEL_TO_READ_TARGET = 1.5;
const CANCEL_SAMPLES = 300;

/**
 * The cancel's cost against a read of the same record (the target: DELETE within 1.5× of a GET): the
 * cancel script returns the cancelled record itself and the announcement is pipelined behind it,
 * so a DELETE is one Redis round trip like the GET.
 */
async function cancelVsRead(apiUrl: string, store: OperationsStore): Promise<HttpThroughputResult['cancelVsRead']> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const get: number[] = [];
  const del: number[] = [];
  for (let i = 0; i < CANCEL_SAMPLES + 20; i++) {
    const op = await store.create({ type: 'training', parameters: {} });
    const url = `${apiUrl}/api/v1/operations/${op.operation_id}`;
    let t = performance.now();
    const g = await fetch(url, { headers });
    await g.arrayBuffer();
    const getMs = performance.now() - t;
    t = performance.now();
    const d = await fetch(url, { method: 'DELETE', headers });
    await d.arrayBuffer();
    const delMs = performance.now() - t;
    if (g.status !== 200 || d.status !== 200) throw new Error(`cancel vs read: GET ${g.status}, DELETE ${d.status}`);
    if (i < 20) continue; // warm-up
    get.push(getMs);
    del.push(delMs);
  }
  const g = summarize(get);
  const d = summarize(del);
  return { samples: CANCEL_SAMPLES, get: g, del: d, ratioP50: d.p50 / g.p50 };
}

export const HTTP_RATIO_TARGET = 0.6;
/** Rounds of API-then-bare (or bare-then-API) per route: the reported figures are medians over them. */
const ROUNDS = 3;

const median = (values: number[]): number => summarize(values).p50;

type Run = Awaited<ReturnType<typeof autocannon>>;
const TOKEN = 'bench-token-0123456789abcdef';

/** Starts bare-read.server.js as its own process (like the API), on the stack's Redis and prefix. */
async function bareServer(redisUrl: string, prefix: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(__dirname, 'bare-read.server.js')], {
    env: { ...process.env, REDIS_URL: redisUrl, KTRDR_KEY_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** A measured read: its label and its URL path given the id of the finished cycle the bench reads. */
interface ReadTarget {
  label: string;
  route: (operationId: string) => string;
}
const STATUS: ReadTarget = { label: 'GET /api/v1/agent/status', route: () => '/api/v1/agent/status' };
const OPERATION: ReadTarget = { label: 'GET /api/v1/operations/{id}', route: (id) => `/api/v1/operations/${id}` };

/**
 * One API process at `logLevel` beside the bare handler, each route measured API first, then bare.
 * `cancel` also times DELETE against GET on this API.
 */
async function measure(
  logLevel: string,
  targets: readonly ReadTarget[],
  seconds: number,
  connections: number,
  log: (s: string) => void,
  cancel: boolean,
): Promise<{ rows: ThroughputRow[]; cancelVsRead?: HttpThroughputResult['cancelVsRead'] }> {
  // The API as deployed: with a token (every request pays the constant-time check) and no worker.
  const stack = await startStack({ workers: [], apiEnv: { KTRDR_API_TOKEN: TOKEN, LOG_LEVEL: logLevel } });
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  const store = new OperationsStore(redis, stack.prefix);
  const bare = await bareServer(stack.redisUrl, stack.prefix);
  const rows: ThroughputRow[] = [];
  const suffix = logLevel === 'info' ? ' — LOG_LEVEL=info, a line per request' : '';
  try {
    // One finished cycle to read: status answers idle with it as last_cycle.
    const op = await store.create({ type: 'agent_research', parameters: { phase: 'idle', strategy_name: 'bench' } });
    await store.start(op.operation_id);
    await store.complete(op.operation_id, { success: true, strategy_name: 'bench' });
    for (const t of targets) {
      const route = t.route(op.operation_id);
      log(`  http: ${t.label}${suffix}: ${ROUNDS} rounds of api and bare, ${seconds}s each at ${connections} connections`);
      const api: Run[] = [];
      const base: Run[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const hitApi = async (): Promise<void> =>
          void api.push(await autocannon({ url: `${stack.apiUrl}${route}`, connections, duration: seconds, headers: { authorization: `Bearer ${TOKEN}` } }));
        const hitBare = async (): Promise<void> => void base.push(await autocannon({ url: `${bare.url}${route}`, connections, duration: seconds }));
        // Alternating which goes first cancels out a machine that speeds up or slows down over the run.
        if (round % 2 === 0) {
          await hitApi();
          await hitBare();
        } else {
          await hitBare();
          await hitApi();
        }
      }
      const ratios = api.map((a, i) => a.requests.average / base[i]!.requests.average);
      rows.push({
        route: `${t.label}${suffix}`,
        apiRps: median(api.map((a) => a.requests.average)),
        bareRps: median(base.map((a) => a.requests.average)),
        ratio: median(ratios),
        ratios,
        apiP99Ms: median(api.map((a) => a.latency.p99)),
        bareP99Ms: median(base.map((a) => a.latency.p99)),
        apiNon2xx: api.reduce((n, a) => n + a.non2xx + a.errors, 0),
      });
    }
    if (!cancel) return { rows };
    log(`  http: DELETE vs GET of the same record, ${CANCEL_SAMPLES} sequential pairs`);
    return { rows, cancelVsRead: await cancelVsRead(stack.apiUrl, store) };
  } finally {
    bare.child.kill('SIGTERM');
    redis.disconnect();
    await stack.stop();
  }
}

/**
 * The target is judged at LOG_LEVEL=warn, where the API, like the bare handler, writes nothing per
 * request; the same read with a log line per request (the default level) is measured beside it, so
 * what request logging costs is a number too.
 */
export async function benchHttpThroughput(seconds: number, connections: number, log: (s: string) => void): Promise<HttpThroughputResult> {
  const quiet = await measure('warn', [STATUS, OPERATION], seconds, connections, log, true);
  const logged = await measure('info', [OPERATION], seconds, connections, log, false);
  return { seconds, connections, rows: [...quiet.rows, ...logged.rows], cancelVsRead: quiet.cancelVsRead! };
}

export function renderHttpThroughput(r: HttpThroughputResult): string {
  const lines = [
    '### API read throughput vs a bare node:http + ioredis handler',
    '',
    `autocannon, ${r.connections} connections, ${r.seconds} s per target, same machine, same Redis reads (same store code); the API (Nest on fastify) with a token set. ${ROUNDS} rounds per route, API and bare back to back, the order alternating; req/s, p99 and the ratio are medians over the rounds (each round's ratio listed). Target: ratio ≥ ${HTTP_RATIO_TARGET}, judged at LOG_LEVEL=warn, where neither side writes a line per request.`,
    '',
    '| route | API req/s | bare req/s | ratio | rounds | API p99 ms | bare p99 ms | API non-2xx |',
    '|---|---:|---:|---:|---|---:|---:|---:|',
    ...r.rows.map(
      (x) =>
        `| ${x.route} | ${x.apiRps.toFixed(0)} | ${x.bareRps.toFixed(0)} | ${x.ratio.toFixed(2)}${x.ratio >= HTTP_RATIO_TARGET || x.route.includes('LOG_LEVEL=info') ? '' : ' ✗'} | ${x.ratios.map((v) => v.toFixed(2)).join(', ')} | ${x.apiP99Ms} | ${x.bareP99Ms} | ${x.apiNon2xx} |`,
    ),
  ];
  const c = r.cancelVsRead;
  const ms = (v: number): string => v.toFixed(2);
  lines.push(
    '',
    `**DELETE vs GET of the same record** — ${c.samples} sequential pairs on fresh pending operations, one request at a time. Target: DELETE p50 ≤ ${CANCEL_TO_READ_TARGET}× GET p50.`,
    '',
    '| request | p50 ms | p95 ms | p99 ms |',
    '|---|---:|---:|---:|',
    `| GET /api/v1/operations/{id} | ${ms(c.get.p50)} | ${ms(c.get.p95)} | ${ms(c.get.p99)} |`,
    `| DELETE /api/v1/operations/{id} | ${ms(c.del.p50)} | ${ms(c.del.p95)} | ${ms(c.del.p99)} |`,
    `| ratio (p50) | ${c.ratioP50.toFixed(2)}${c.ratioP50 <= CANCEL_TO_READ_TARGET ? '' : ' ✗'} | | |`,
  );
  return lines.join('\n');
}
