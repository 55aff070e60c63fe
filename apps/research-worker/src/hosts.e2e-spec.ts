import { manifestHashOf, manifestModels, walkForwardManifestSchema, type OperationInfo } from '@ktrdr/api-contract';
import { BlobStore } from '@ktrdr/operations';
import { bullPrefix, type QueueName } from '@ktrdr/queues';
import { Queue } from 'bullmq';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startStack, type ManagedProcess, type Stack } from '../../../tools/testing/stack.harness';
import { childrenOf, getOp, triggerCycle, untilPhase, waitTerminal } from '../../../tools/testing/stack.requests';
import { OPEN_GATES_ENV } from '../../../tools/testing/research.fixtures';

/**
 * Every worker as if on a host of its own: each process runs in an empty working directory of its
 * own, with its own (empty) strategies and data directories, and shares nothing with the others or
 * with the API but REDIS_URL. Every phase is real. A cycle completes only if everything one phase
 * hands the next — the designed strategy, the trained models, the walk-forward manifest — is in
 * Redis. Which process ran a job is read from BullMQ's processedBy (`<host>:<pid>`).
 */

let stack: Stack;
const dirs: string[] = [];
/** The processes by role, started by `host`. */
const procs = new Map<string, ManagedProcess>();
/** Each role's working directory ("its host's disk"). */
const dirOf = new Map<string, string>();

// Open gates: the campaign below needs a gate-passing trial to take its holdout look (the cycles bypass them anyway).
const REAL = { KTRDR_STUB_WORKERS: 'false', KTRDR_DESIGN_SEED: '7', ANTHROPIC_API_KEY: '', ...OPEN_GATES_ENV };

/** A worker process on "its own host": a fresh empty directory as working directory, strategies and data dirs inside it. */
async function host(role: string, queues: string): Promise<ManagedProcess> {
  const dir = await mkdtemp(join(tmpdir(), `ktrdr-host-${role}-`));
  dirs.push(dir);
  const env = { ...REAL, KTRDR_STRATEGIES_DIR: join(dir, 'strategies'), KTRDR_DATA_DIR: join(dir, 'data') };
  const proc = await stack.startWorker(queues, env, dir);
  procs.set(role, proc);
  dirOf.set(role, dir);
  return proc;
}

const nameOf = (p: ManagedProcess): string => `${hostname()}:${p.child.pid}`;

async function stop(role: string): Promise<void> {
  const p = procs.get(role)!;
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}

/** Which worker process took each job (by operation id), from BullMQ's record of it. */
async function processedBy(queue: QueueName, ids: string[]): Promise<string[]> {
  const q = new Queue(queue, { connection: { url: stack.redisUrl }, prefix: bullPrefix(stack.prefix) });
  try {
    return await Promise.all(ids.map(async (id) => (await q.getJob(id))?.processedBy ?? `<no job ${id}>`));
  } finally {
    await q.close();
  }
}

/** Every file below `dir`, relative. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    : [];

const children = (id: string): Promise<OperationInfo[]> => childrenOf(stack, id);

beforeAll(async () => {
  stack = await startStack({ workers: [] });
  await host('research', 'research');
  await host('design', 'design');
  await host('training', 'training,fold');
  await host('training-folds', 'fold');
  await host('backtest', 'backtest,fold');
  await host('backtest-folds', 'fold');
  await host('assessment', 'assessment');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('workers on separate hosts, sharing only Redis', () => {
  it('a real cycle completes with design, training, backtest and assessment each in its own process, folds spread over the processes', async () => {
    const id = await triggerCycle(stack, { brief: 'trend following on daily SP500', bypass_gates: true });
    const cycle = await waitTerminal(stack, id, 240_000, 200);
    expect({ status: cycle.status, error: cycle.error_message }).toEqual({ status: 'completed', error: null });
    const [design, training, backtest, assessment] = await children(id);
    expect([design, training, backtest, assessment].map((c) => c!.operation_type)).toEqual(['agent_design', 'training', 'backtesting', 'agent_assessment']);

    // Each phase ran where its queue is served, a different process each time.
    expect(await processedBy('design', [design!.operation_id])).toEqual([nameOf(procs.get('design')!)]);
    expect(await processedBy('training', [training!.operation_id])).toEqual([nameOf(procs.get('training')!)]);
    expect(await processedBy('backtest', [backtest!.operation_id])).toEqual([nameOf(procs.get('backtest')!)]);
    expect(await processedBy('assessment', [assessment!.operation_id])).toEqual([nameOf(procs.get('assessment')!)]);

    // The folds of both phases were shared between processes.
    const trainingFolds = (await children(training!.operation_id)).map((f) => f.operation_id);
    const backtestFolds = (await children(backtest!.operation_id)).map((f) => f.operation_id);
    expect(trainingFolds.length).toBeGreaterThan(1);
    expect(new Set(await processedBy('fold', trainingFolds)).size).toBeGreaterThan(1);
    expect(new Set(await processedBy('fold', backtestFolds)).size).toBeGreaterThan(1);

    // The models are in the store and no process wrote one to its disk.
    const modelPath = cycle.result_summary!['model_path'] as string;
    const manifest = walkForwardManifestSchema.parse(
      JSON.parse((await new BlobStore(stack.redis, stack.prefix).get(manifestHashOf(modelPath)!))!.toString('utf8')),
    );
    expect(manifestModels(manifest).length).toBe(trainingFolds.length);
    for (const dir of dirs) expect(filesUnder(dir).filter((f) => !f.startsWith('strategies/'))).toEqual([]);
    // The training and backtest hosts hold no strategy file either: they read the design from Redis.
    for (const role of ['training', 'training-folds', 'backtest', 'backtest-folds']) {
      expect(filesUnder(dirOf.get(role)!)).toEqual([]);
    }
  }, 300_000);

  it('a cycle cancelled in backtesting resumes on backtest processes started afterwards, which never saw the training', async () => {
    // No backtest process for now: the cycle waits in backtesting, where it is cancelled.
    await stop('backtest');
    await stop('backtest-folds');
    const id = await triggerCycle(stack, { brief: 'mean reversion on daily SP500', bypass_gates: true });
    const backtestId = (await untilPhase(stack, id, 'backtesting', 240_000))['backtest_op_id'] as string;
    const cancel = await stack.request<{ success: boolean }>('DELETE', `/agent/cancel/${id}`);
    expect(cancel.body.success).toBe(true);
    expect((await getOp(stack, id)).status).toBe('cancelled');
    expect((await getOp(stack, backtestId)).status).toBe('cancelled');

    // The processes that trained are gone; new backtest processes start on fresh hosts.
    await stop('training');
    await stop('training-folds');
    const b1 = await host('backtest-2', 'backtest,fold');
    const b2 = await host('backtest-folds-2', 'fold');

    const res = await stack.request<{ operation_id: string; start_phase: string }>('POST', `/agent/resume/${id}`);
    expect(res.status).toBe(202);
    expect(res.body.start_phase).toBe('backtesting');
    const resumed = await waitTerminal(stack, res.body.operation_id, 240_000, 200);
    expect({ status: resumed.status, error: resumed.error_message }).toEqual({ status: 'completed', error: null });
    const [backtest] = await children(resumed.operation_id);
    expect(backtest!.operation_type).toBe('backtesting');
    expect(await processedBy('backtest', [backtest!.operation_id])).toEqual([nameOf(b1)]);
    const folds = (await children(backtest!.operation_id)).map((f) => f.operation_id);
    const ranOn = await processedBy('fold', folds);
    expect(new Set(ranOn)).toEqual(new Set([nameOf(b1), nameOf(b2)]));
    for (const role of ['backtest-2', 'backtest-folds-2']) expect(filesUnder(dirOf.get(role)!)).toEqual([]);
  }, 400_000);

  it('a campaign runs its trials and its holdout look across the hosts, each phase where its queue is served', async () => {
    // Fresh training and backtest hosts of its own, whatever the test above left running.
    for (const role of ['training', 'training-folds', 'backtest-2', 'backtest-folds-2']) if (procs.has(role)) await stop(role);
    await host('training-3', 'training,fold');
    await host('training-folds-3', 'fold');
    await host('backtest-3', 'backtest,fold');
    const res = await stack.request<{ operation_id: string }>('POST', '/agent/campaigns', {
      scope: { symbols: ['SYNTH_EDGE_DEMO'], timeframe: '1d' },
      max_cycles: 2,
      finalists: 1,
      stop_after_unproductive: 10,
      seed: 2,
    });
    expect(res.status).toBe(202);
    const id = res.body.operation_id;
    type View = { status: string; trials: number; finalists: { status: string; cycle_id: string | null; sharpe_ratio: number | null }[] };
    const done = await eventually(
      async () => {
        const c = (await stack.request<{ data: View }>('GET', `/agent/campaigns/${id}`)).body.data;
        return ['completed', 'failed', 'cancelled'].includes(c.status) ? c : undefined;
      },
      'the campaign to end',
      300_000,
      250,
    );
    expect(done).toMatchObject({ status: 'completed', trials: 2 });
    expect(done.finalists).toHaveLength(1);
    expect(done.finalists[0]).toMatchObject({ status: 'completed', sharpe_ratio: expect.any(Number) });

    // Every cycle's phases, the holdout look's included, ran on the hosts that serve their queue.
    const served: Record<string, [QueueName, string[]]> = {
      agent_design: ['design', ['design']],
      training: ['training', ['training-3']],
      backtesting: ['backtest', ['backtest-3']],
      agent_assessment: ['assessment', ['assessment']],
    };
    const cycles = await children(id);
    expect(cycles.length).toBe(3);
    for (const cycle of cycles) {
      for (const phase of await children(cycle.operation_id)) {
        const [queue, roles] = served[phase.operation_type]!;
        expect(await processedBy(queue, [phase.operation_id])).toEqual(roles.map((r) => nameOf(procs.get(r)!)));
      }
    }
  }, 400_000);
});
