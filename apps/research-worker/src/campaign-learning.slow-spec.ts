import type { CampaignView, Trial } from '@ktrdr/api-contract';
import { eventually, startStack, type Stack } from '../../../tools/testing/stack.harness';
import { OPEN_GATES_ENV } from '../../../tools/testing/research.fixtures';

/**
 * Does a campaign learn, and does it say "nothing found" when there is nothing? Measured on real
 * processes, real offline designs and real walk-forward trials, over five seeds:
 * - on a seeded synthetic market with a planted, learnable edge (SYNTH_EDGE_*), a 20-trial campaign
 *   of the directed search reaches a higher best walk-forward DSR than a 20-trial campaign of random
 *   designs, in at least 4 of 5 seeds;
 * - on a pure random walk (SYNTH_WALK_*), a 20-trial campaign ends `nothing_found` in at least 4 of 5.
 * The gates are open (every trial may be a finalist), so the verdict rests on DSR, PBO and the
 * holdout alone. The figures are printed and recorded in docs/RESEARCH.md (Campaign learning).
 */

const SEEDS = [1, 2, 3, 4, 5];
const TRIALS = 20;
const TERMINAL = ['completed', 'failed', 'cancelled'];

interface Outcome {
  view: CampaignView;
  bestDsr: number;
  trials: number;
}

async function campaign(stack: Stack, symbol: string, search: 'directed' | 'random', seed: number): Promise<Outcome> {
  const res = await stack.request<{ operation_id: string }>('POST', '/agent/campaigns', {
    scope: { symbols: [symbol], timeframe: '1d' },
    max_cycles: TRIALS,
    stop_after_unproductive: TRIALS,
    finalists: 1,
    concurrency: 2,
    search,
    seed,
  });
  expect(res.status).toBe(202);
  const id = res.body.operation_id;
  const view = await eventually(
    async () => {
      const v = (await stack.request<{ data: CampaignView }>('GET', `/agent/campaigns/${id}`)).body.data;
      return TERMINAL.includes(v.status) ? v : undefined;
    },
    `campaign ${id} (${symbol}, ${search}) terminal`,
    900_000,
    500,
  );
  const trials = (await stack.request<{ data: Trial[] }>('GET', `/agent/campaigns/${id}/trials`)).body.data;
  const dsrs = trials.map((t) => t.dsr).filter((d): d is number => d !== null);
  return { view, bestDsr: dsrs.length ? Math.max(...dsrs) : 0, trials: trials.length };
}

describe('campaign learning (slow tier)', () => {
  let stack: Stack;
  beforeAll(async () => {
    const env = { KTRDR_STUB_WORKERS: 'false', ANTHROPIC_API_KEY: '', KTRDR_MAX_CONCURRENT_CYCLES: '2', ...OPEN_GATES_ENV };
    stack = await startStack({
      workers: ['research,design,assessment', 'training,backtest,fold', 'training,backtest,fold'],
      workerEnv: env,
      apiEnv: { KTRDR_MAX_CONCURRENT_CYCLES: '2', KTRDR_RATE_LIMIT: '0' },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('on a planted edge the directed search beats random designs in at least 4 of 5 seeds', async () => {
    const rows: string[] = [];
    let wins = 0;
    for (const seed of SEEDS) {
      const symbol = `SYNTH_EDGE_L${seed}`;
      const directed = await campaign(stack, symbol, 'directed', seed);
      const random = await campaign(stack, symbol, 'random', seed);
      expect(directed.view.status).toBe('completed');
      expect(random.view.status).toBe('completed');
      expect(directed.trials).toBe(TRIALS);
      expect(random.trials).toBe(TRIALS);
      if (directed.bestDsr > random.bestDsr) wins++;
      rows.push(
        `seed ${seed}: best DSR directed ${directed.bestDsr.toFixed(3)} vs random ${random.bestDsr.toFixed(3)} (${directed.view.verdict}; ${random.view.verdict})`,
      );
    }
    process.stdout.write(`campaign learning, planted edge: directed wins ${wins}/5\n${rows.join('\n')}\n`);
    expect(wins).toBeGreaterThanOrEqual(4);
  }, 3_600_000);

  it('on a pure random walk a campaign ends nothing_found in at least 4 of 5 seeds', async () => {
    const rows: string[] = [];
    let nothing = 0;
    for (const seed of SEEDS) {
      const out = await campaign(stack, `SYNTH_WALK_L${seed}`, 'directed', seed);
      expect(out.view.status).toBe('completed');
      if (out.view.verdict === 'nothing_found') nothing++;
      rows.push(`seed ${seed}: ${out.view.verdict} (${out.view.verdict_reason}); best DSR ${out.bestDsr.toFixed(3)}, PBO ${out.view.pbo?.toFixed(2) ?? 'n/a'}`);
    }
    process.stdout.write(`campaign learning, random walk: nothing_found ${nothing}/5\n${rows.join('\n')}\n`);
    expect(nothing).toBeGreaterThanOrEqual(4);
  }, 3_600_000);
});
