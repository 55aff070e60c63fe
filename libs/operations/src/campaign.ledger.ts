import type { HoldoutResult, TrialRecord } from '@ktrdr/api-contract';
import type { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys.js';

/** A trial's out-of-sample per-bar returns and the time (ms) of each bar they end on. */
export interface TrialReturns {
  t: number[];
  r: number[];
}

/**
 * The selection statistics over a ledger as its campaign's last step computed them (the compute
 * libs that compute them are the workers'; the API reads them here).
 */
export interface LedgerScores {
  /** Each trial's DSR among all trials of the ledger, by cycle id. */
  dsr: Record<string, number | null>;
  /** SR₀: the per-bar Sharpe the best of N skill-less trials would show. */
  expected_max_sharpe: number | null;
  /** N: trials counted. */
  trials: number;
  pbo: number | null;
  pbo_trials: number;
  pbo_bars: number;
  computed_at: string;
}

/** A trial as recorded, before the ledger numbers it. */
export type NewTrial = Omit<TrialRecord, 'trial'>;

/**
 * Assigns the next trial number and stores the trial and its returns, unless this cycle already has
 * one (then its number is returned and nothing changes): every cycle is recorded once, however many
 * steps see it end. KEYS[1] trials hash; ARGV: cycle id, trial JSON without its number (the script
 * splices `"trial":n` in), returns JSON or '' and the returns hash key.
 */
const RECORD_SCRIPT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {0, cjson.decode(existing).trial} end
local n = redis.call('HLEN', KEYS[1]) + 1
local body = '{"trial":' .. n .. ',' .. string.sub(ARGV[2], 2)
redis.call('HSET', KEYS[1], ARGV[1], body)
if ARGV[3] ~= '' then redis.call('HSET', ARGV[4], ARGV[1], ARGV[3]) end
return {1, n}
`;

/** Returns are kept at 8 significant digits: far below any effect selection could see, a third of the text. */
const compact = (v: number): number => Number(v.toPrecision(8));

/**
 * A campaign's trial ledger in Redis, beside the operation records (same key prefix and `{ops}` hash
 * tag, so it lives on their slot of a clustered Redis and in their AOF): every trial's record, its
 * out-of-sample returns (for PBO and DSR) and each finalist's one look at the sealed holdout. A
 * campaign resumed from another shares its ledger (`ledger_id`), so trial numbers continue. Kept
 * without expiry: a ledger is the campaign's memory and its count of trials.
 */
export class CampaignLedger {
  readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  private key(ledgerId: string, part: 'trials' | 'returns' | 'holdout' | 'scores' | `resumed:${string}`): string {
    return `${this.keys.base}ledger:${ledgerId}:${part}`;
  }

  /** Records a cycle's trial once; answers its trial number and whether this call added it. */
  async record(ledgerId: string, trial: NewTrial, returns: TrialReturns | null): Promise<{ trial: number; added: boolean }> {
    const body = JSON.stringify(trial);
    const series = returns ? JSON.stringify({ t: returns.t, r: returns.r.map(compact) }) : '';
    const [added, n] = (await this.redis.eval(RECORD_SCRIPT, 1, this.key(ledgerId, 'trials'), trial.cycle_id, body, series, this.key(ledgerId, 'returns'))) as [
      number,
      number,
    ];
    return { trial: n, added: added === 1 };
  }

  async has(ledgerId: string, cycleId: string): Promise<boolean> {
    return (await this.redis.hexists(this.key(ledgerId, 'trials'), cycleId)) === 1;
  }

  /** Every trial, in trial order. */
  async trials(ledgerId: string): Promise<TrialRecord[]> {
    const values = await this.redis.hvals(this.key(ledgerId, 'trials'));
    return values.map((v) => JSON.parse(v) as TrialRecord).sort((a, b) => a.trial - b.trial);
  }

  /** Out-of-sample returns by cycle id (trials without a backtest have none). */
  async returns(ledgerId: string): Promise<Map<string, TrialReturns>> {
    const flat = await this.redis.hgetall(this.key(ledgerId, 'returns'));
    return new Map(Object.entries(flat).map(([cycle, json]) => [cycle, JSON.parse(json) as TrialReturns]));
  }

  /**
   * Claims a trial's one look at the holdout: true for the first caller only. The claim is the
   * record of the look, written before the evaluation starts, so a crash mid-evaluation never
   * grants a second one.
   */
  async claimHoldout(ledgerId: string, result: HoldoutResult): Promise<boolean> {
    return (await this.redis.hsetnx(this.key(ledgerId, 'holdout'), String(result.trial), JSON.stringify(result))) === 1;
  }

  /** The look's progress and outcome, for a trial already claimed. */
  async updateHoldout(ledgerId: string, result: HoldoutResult): Promise<void> {
    const key = this.key(ledgerId, 'holdout');
    if (await this.redis.hexists(key, String(result.trial))) await this.redis.hset(key, String(result.trial), JSON.stringify(result));
  }

  /**
   * Claims the resume of campaign `from` on this ledger: true for the first caller only, so a campaign
   * is resumed once (two campaigns on one ledger would count the same trials twice).
   */
  async claimResume(ledgerId: string, from: string): Promise<boolean> {
    return (await this.redis.set(this.key(ledgerId, `resumed:${from}`), 'pending', 'NX')) === 'OK';
  }

  /** Who resumed `from` (the new campaign's id), or null; 'pending' while the claim's campaign is being created. */
  async resumedBy(ledgerId: string, from: string): Promise<string | null> {
    return this.redis.get(this.key(ledgerId, `resumed:${from}`));
  }

  async settleResume(ledgerId: string, from: string, by: string | null): Promise<void> {
    const key = this.key(ledgerId, `resumed:${from}`);
    if (by) await this.redis.set(key, by);
    else await this.redis.del(key);
  }

  async writeScores(ledgerId: string, scores: LedgerScores): Promise<void> {
    await this.redis.set(this.key(ledgerId, 'scores'), JSON.stringify(scores));
  }

  async scores(ledgerId: string): Promise<LedgerScores | null> {
    const json = await this.redis.get(this.key(ledgerId, 'scores'));
    return json ? (JSON.parse(json) as LedgerScores) : null;
  }

  /** Every look taken, by trial number. */
  async holdouts(ledgerId: string): Promise<Map<number, HoldoutResult>> {
    const flat = await this.redis.hgetall(this.key(ledgerId, 'holdout'));
    return new Map(Object.entries(flat).map(([trial, json]) => [Number(trial), JSON.parse(json) as HoldoutResult]));
  }
}
