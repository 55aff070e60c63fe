import { campaignReport, familyLessons, holdoutWindow, isModelId, resolveModel, DEFAULT_MODEL, type ScoredTrial } from '@ktrdr/agent-domain';
import {
  CAMPAIGN_OPERATION_TYPE,
  CancelSource,
  durationSeconds,
  pendingHoldoutResult,
  readCampaignParameters,
  type CampaignParametersPatch,
  type CampaignRequest,
  type CampaignView,
  type HoldoutResult,
  type HoldoutWindow,
  type ListCampaignsQuery,
  type Trial,
  type TrialRecord,
} from '@ktrdr/api-contract';
import { ErrorCode, KtrdrError } from '@ktrdr/errors';
import { MarketDataRepository, isSyntheticSymbol } from '@ktrdr/market-data';
import { CampaignLedger, OperationFinishedError, isOperationIdShape, type LedgerScores, type OperationInfo } from '@ktrdr/operations';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Backend } from './backend.service.js';

const CAMPAIGN = CAMPAIGN_OPERATION_TYPE;
const ACTIVE = new Set(['pending', 'running']);
const DEFAULT_SCOPE = { symbols: ['SP500'], timeframe: '1d' };

const refusal = (code: ErrorCode, reason: string, message: string, details: Record<string, unknown> = {}): KtrdrError =>
  new KtrdrError(code, message, { reason, ...details });

/** A trial's DSR among every trial of the ledger, as the last step scored it. */
const currentDsr = (r: LedgerRead, trial: number): number | null => {
  const t = r.trials.find((x) => x.trial === trial);
  return t ? (r.scores?.dsr[t.cycle_id] ?? null) : null;
};

const badField = (field: string, message: string): KtrdrError =>
  new KtrdrError(ErrorCode.ValidationFailed, `Invalid body: ${field}: ${message}`, { errors: [{ field, message }] });

/** A campaign's ledger read once: the trials, the holdout looks and the scores its last step computed. */
interface LedgerRead {
  trials: TrialRecord[];
  looks: Map<number, HoldoutResult>;
  scores: LedgerScores | null;
}

/**
 * The campaign routes: start (the sealed holdout is fixed here, from the data the scope has), list,
 * one campaign with its report, its trials and leaderboard, cancel (the whole tree in one atomic
 * step) and resume (a new campaign on the same ledger and holdout).
 */
@Injectable()
export class CampaignsService {
  private readonly ledger: CampaignLedger;

  constructor(
    private readonly backend: Backend,
    private readonly data: MarketDataRepository,
  ) {
    this.ledger = new CampaignLedger(backend.redis, backend.config.prefix);
  }

  async start(body: CampaignRequest) {
    const model =
      body.model === undefined ? resolveModel(DEFAULT_MODEL, this.backend.config.modelAliases)! : resolveModel(body.model, this.backend.config.modelAliases);
    if (!model || (body.model !== undefined && !isModelId(model))) throw badField('model', `invalid model "${body.model}"`);
    const concurrency = body.concurrency ?? 1;
    const limit = this.backend.config.maxConcurrentCycles;
    if (concurrency > limit) throw badField('concurrency', `must be at most KTRDR_MAX_CONCURRENT_CYCLES (${limit}): the campaign's cycles count against it`);
    const scope = body.scope ?? DEFAULT_SCOPE;
    const holdout = await this.holdoutFor(scope, body.holdout_fraction ?? 0.2);
    const parameters: CampaignParametersPatch = {
      stage: 'searching',
      brief: body.brief ?? null,
      model,
      scope,
      max_cycles: body.max_cycles ?? 20,
      max_duration_seconds: body.max_duration === undefined ? null : durationSeconds(body.max_duration),
      budget_usd: body.budget_usd ?? null,
      concurrency,
      stop_after_unproductive: body.stop_after_unproductive ?? 5,
      target_dsr: body.target_dsr ?? null,
      holdout_fraction: body.holdout_fraction ?? 0.2,
      finalists: body.finalists ?? 3,
      search: body.search ?? 'directed',
      holdout,
      cycles_started: 0,
    };
    return this.createAndQueue(parameters, body.seed ?? null, null);
  }

  /** The span every scope symbol has bars in, on the scope's timeframe; its last part is the holdout. */
  private async holdoutFor(scope: { symbols: string[]; timeframe: string }, fraction: number): Promise<HoldoutWindow> {
    const sets = (await this.data.list()).filter((d) => !d.error && d.timeframe === scope.timeframe);
    let start = '';
    let end = '9999';
    for (const symbol of scope.symbols) {
      const set = sets.find((d) => d.symbol === symbol || (d.symbol === 'SYNTH_*' && isSyntheticSymbol(symbol)));
      if (!set) throw badField('scope.symbols', `no market data for ${symbol} ${scope.timeframe}; GET /api/v1/data lists what there is`);
      if (set.start > start) start = set.start;
      if (set.end < end) end = set.end;
    }
    if (!(Date.parse(end) - Date.parse(start) > 60 * 86_400_000))
      throw badField('scope', `the symbols share too short a span of ${scope.timeframe} bars (${start.slice(0, 10)} to ${end.slice(0, 10)})`);
    return holdoutWindow(start, end, scope.timeframe, fraction);
  }

  private async createAndQueue(parameters: CampaignParametersPatch, seed: number | null, resumedFrom: string | null) {
    const { store, producer } = this.backend;
    const op = await store.create({ type: CAMPAIGN, parameters });
    // The seed defaults to one drawn from the id, so two campaigns search differently unless told otherwise.
    const patch: CampaignParametersPatch = { seed: seed ?? createHash('sha256').update(op.operation_id).digest().readUInt32BE(0) % 2 ** 31 };
    if (!parameters.ledger_id) patch.ledger_id = op.operation_id;
    await store.update(op.operation_id, { parameters: patch });
    try {
      await producer.enqueue('research', { name: 'campaign-start', data: { campaign_operation_id: op.operation_id } });
    } catch (e) {
      await store.fail(op.operation_id, `Could not queue the campaign: ${(e as Error).message}`);
      throw e;
    }
    return {
      triggered: true as const,
      operation_id: op.operation_id,
      holdout: parameters.holdout!,
      ...(resumedFrom ? { resumed_from: resumedFrom } : {}),
      message: resumedFrom ? 'Research campaign resumed' : 'Research campaign started',
    };
  }

  /** A campaign by id, or the refusal a campaign route gives (404 unknown, 422 another type). */
  private async campaign(id: string): Promise<OperationInfo> {
    const notFound = refusal(ErrorCode.OperationNotFound, 'not_found', `Operation not found: ${id.slice(0, 120)}`);
    if (!isOperationIdShape(id)) throw notFound;
    const op = await this.backend.store.get(id);
    if (!op) throw notFound;
    if (op.operation_type !== CAMPAIGN) {
      throw refusal(ErrorCode.NotCampaign, 'not_campaign', `Operation ${id} (${op.operation_type}) is not a research campaign`);
    }
    return op;
  }

  private async read(op: OperationInfo): Promise<LedgerRead> {
    const ledgerId = readCampaignParameters(op.metadata.parameters).ledger_id ?? op.operation_id;
    const [all, looks, scores] = await Promise.all([this.ledger.trials(ledgerId), this.ledger.holdouts(ledgerId), this.ledger.scores(ledgerId)]);
    // A campaign that ended shows the ledger as it stood then (and its own cycles a resume recorded
    // later), not the trials of the campaigns resumed from it.
    const end = op.completed_at ? Date.parse(op.completed_at) : Number.POSITIVE_INFINITY;
    const trials = all.filter((t) => t.campaign_id === op.operation_id || Date.parse(t.recorded_at) <= end);
    return { trials, looks, scores };
  }

  private trialsOf(r: LedgerRead): Trial[] {
    // A trial recorded after the last scoring step reads null until the next one.
    return r.trials.map((t) => ({ ...t, dsr: r.scores?.dsr[t.cycle_id] ?? null, holdout_result: r.looks.get(t.trial) ?? null }));
  }

  private async view(op: OperationInfo, r?: LedgerRead): Promise<CampaignView> {
    const p = readCampaignParameters(op.metadata.parameters);
    const ledger = r ?? (await this.read(op));
    const children = await this.backend.store.children(op.operation_id);
    const { thresholds } = this;
    const scored: ScoredTrial[] = this.trialsOf(ledger).map((t) => ({
      trial: t.trial,
      outcome: t.outcome,
      family: t.idea?.family ?? null,
      strategy_name: t.strategy_name,
      sharpe_ratio: t.metrics.sharpe_ratio,
      dsr: t.dsr,
      dsr_at_record: t.dsr_at_record,
    }));
    const lessons = familyLessons(scored);
    const stop = p.stop_reason ?? (op.status === 'cancelled' ? 'cancelled' : null);
    const pbo = p.pbo !== undefined ? p.pbo : (ledger.scores?.pbo ?? null);
    const finalists = (p.finalist_trials ?? []).map((trial) => ledger.looks.get(trial) ?? pendingHoldoutResult(trial));
    return {
      operation_id: op.operation_id,
      status: op.status,
      stage: p.stage,
      created_at: op.created_at,
      started_at: op.started_at,
      completed_at: op.completed_at,
      error_message: op.error_message,
      brief: p.brief,
      scope: p.scope,
      limits: {
        max_cycles: p.max_cycles,
        max_duration_seconds: p.max_duration_seconds,
        budget_usd: p.budget_usd,
        concurrency: p.concurrency,
        stop_after_unproductive: p.stop_after_unproductive,
        target_dsr: p.target_dsr,
        finalists: p.finalists,
        search: p.search,
        seed: p.seed,
      },
      holdout: p.holdout ?? null,
      ledger_id: p.ledger_id ?? op.operation_id,
      resumed_from: p.resumed_from ?? null,
      trials: ledger.trials.length,
      active_cycles: children.filter((c) => ACTIVE.has(c.status)).map((c) => c.operation_id),
      // The record's best as its campaign's last step scored it, its DSR as the leaderboard shows it now.
      best: p.best ? { ...p.best, dsr: currentDsr(ledger, p.best.trial) ?? p.best.dsr } : null,
      spent_usd: p.spent_usd ?? 0,
      stop_reason: stop,
      verdict: p.verdict ?? null,
      verdict_reason: p.verdict_reason ?? null,
      pbo,
      finalists,
      lessons,
      report: campaignReport({
        trials: scored,
        lessons,
        stop_reason: stop,
        verdict: p.verdict ?? null,
        verdict_reason: p.verdict_reason ?? null,
        pbo,
        thresholds,
      }),
    };
  }

  private get thresholds() {
    return this.backend.config.campaign;
  }

  async get(id: string) {
    return { success: true as const, data: await this.view(await this.campaign(id)) };
  }

  async list(q: ListCampaignsQuery) {
    const page = await this.backend.store.list({
      operation_type: CAMPAIGN,
      limit: q.limit,
      offset: q.offset,
      active_only: false,
      ...(q.status ? { status: q.status } : {}),
    });
    return { success: true as const, data: await Promise.all(page.operations.map((op) => this.view(op))), total_count: page.total_count };
  }

  async trials(id: string) {
    const r = await this.read(await this.campaign(id));
    return {
      success: true as const,
      data: this.trialsOf(r),
      total_count: r.trials.length,
      dsr_threshold: this.thresholds.minDsr,
      expected_max_sharpe: r.scores?.expected_max_sharpe ?? null,
    };
  }

  async leaderboard(id: string) {
    const r = await this.read(await this.campaign(id));
    const ranked = this.trialsOf(r)
      .filter((t) => t.dsr !== null)
      .sort((a, b) => b.dsr! - a.dsr! || a.trial - b.trial)
      .map((t, i) => ({ ...t, rank: i + 1 }));
    return {
      success: true as const,
      data: ranked,
      trials: r.trials.length,
      pbo: r.scores?.pbo ?? null,
      pbo_trials: r.scores?.pbo_trials ?? 0,
      pbo_bars: r.scores?.pbo_bars ?? 0,
      dsr_threshold: this.thresholds.minDsr,
      pbo_threshold: this.thresholds.maxPbo,
    };
  }

  /** Cancels the campaign, its running cycles, their phase children and folds in one atomic step. */
  async cancel(id: string) {
    const op = await this.campaign(id);
    if (!ACTIVE.has(op.status))
      throw refusal(ErrorCode.OperationFinished, 'not_cancellable', `Campaign ${id} is already finished (status: ${op.status})`, { status: op.status });
    try {
      const out = await this.backend.cancel(id, 'Cancelled by user', CancelSource.CampaignCancel);
      return {
        success: true as const,
        operation_id: id,
        status: 'cancelled' as const,
        children_cancelled: out.children_cancelled,
        message: 'Research campaign cancelled',
      };
    } catch (e) {
      if (e instanceof OperationFinishedError)
        throw refusal(ErrorCode.OperationFinished, 'not_cancellable', `Campaign ${id} is already finished (status: ${e.status})`, { status: e.status });
      throw e;
    }
  }

  /**
   * A new campaign that continues a cancelled or failed one's ledger (trial numbers go on, every
   * earlier trial still counts in N) with the same holdout and limits. Refused once any finalist has
   * looked at the holdout: a search resumed after that look would choose with knowledge of it.
   */
  async resume(id: string) {
    const old = await this.campaign(id);
    const p = readCampaignParameters(old.metadata.parameters);
    if (old.status === 'completed' || ACTIVE.has(old.status)) {
      const why = old.status === 'completed' ? 'it completed; start a new campaign' : `it is still ${old.status}; cancel it or wait for it to end`;
      throw refusal(ErrorCode.NotResumable, 'not_resumable', `Cannot resume ${id}: ${why}`, { status: old.status });
    }
    const ledgerId = p.ledger_id ?? id;
    const looks = await this.ledger.holdouts(ledgerId);
    if (looks.size > 0) {
      throw refusal(
        ErrorCode.HoldoutUsed,
        'holdout_used',
        `Cannot resume ${id}: its holdout was already evaluated (trial${looks.size > 1 ? 's' : ''} ${[...looks.keys()].join(', ')}); a second look is refused`,
        {
          trials: [...looks.keys()],
        },
      );
    }
    if (!p.holdout) throw refusal(ErrorCode.NotResumable, 'not_resumable', `Cannot resume ${id}: it has no holdout`);
    // Once only: two campaigns resumed from one would run on one ledger and count its trials twice.
    if (!(await this.ledger.claimResume(ledgerId, id))) {
      const by = await this.ledger.resumedBy(ledgerId, id);
      throw refusal(
        ErrorCode.NotResumable,
        'not_resumable',
        `Cannot resume ${id}: it was already resumed${by && by !== 'pending' ? ` as ${by}` : ''}; resume that campaign instead`,
        {
          resumed_by: by,
        },
      );
    }
    const parameters: CampaignParametersPatch = {
      stage: 'searching',
      brief: p.brief,
      model: p.model,
      scope: p.scope,
      max_cycles: p.max_cycles,
      max_duration_seconds: p.max_duration_seconds,
      budget_usd: p.budget_usd,
      concurrency: Math.min(p.concurrency, this.backend.config.maxConcurrentCycles),
      stop_after_unproductive: p.stop_after_unproductive,
      target_dsr: p.target_dsr,
      holdout_fraction: p.holdout_fraction,
      finalists: p.finalists,
      search: p.search,
      holdout: p.holdout,
      ledger_id: ledgerId,
      resumed_from: id,
      cycles_started: 0,
    };
    try {
      const started = await this.createAndQueue(parameters, p.seed, id);
      await this.ledger.settleResume(ledgerId, id, started.operation_id);
      return started;
    } catch (e) {
      await this.ledger.settleResume(ledgerId, id, null).catch(() => undefined);
      throw e;
    }
  }
}
