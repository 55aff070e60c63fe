import {
  CYCLE_OPERATION_TYPE,
  checkBacktestGate,
  checkTrainingGate,
  campaignVerdict,
  chooseFinalists,
  holdoutStrategy,
  ideaFamily,
  readCycleParameters,
  stopReason,
  strategyContentHash,
  unproductiveStreak,
  type CampaignThresholds,
  type GateThresholds,
  type CycleParametersPatch,
  type StrategyConfig,
} from '@ktrdr/agent-domain';
import {
  pendingHoldoutResult,
  readCampaignParameters,
  type CampaignParameters,
  type CampaignParametersPatch,
  type HoldoutResult,
  type ReturnsArtifact,
  type TrialOutcome,
  type TrialRecord,
} from '@ktrdr/api-contract';
import { campaignPbo, perBarSharpe, scoreTrials, type SelectionTrial } from '@ktrdr/backtest';
import { ErrorCode, messageOf } from '@ktrdr/errors';
import {
  AtCapacityError,
  OperationExistsError,
  OperationNotFoundError,
  ParentMovedError,
  ParentNotRunningError,
  newOperationId,
  type ArtifactStore,
  type CampaignLedger,
  type NewTrial,
  type OperationInfo,
  type OperationsStore,
  type TrialReturns,
} from '@ktrdr/operations';
import type { QueueProducer } from '@ktrdr/queues';
import type { Logger } from '@ktrdr/runtime';
import type { StrategyStore } from '@ktrdr/strategies';
import type { WorkerMetrics } from './worker.metrics.js';

const ACTIVE = new Set(['pending', 'running']);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export interface CampaignDriverOptions {
  /** KTRDR_MAX_CONCURRENT_CYCLES: a campaign's cycles share it with manual ones. */
  maxConcurrentCycles: number;
  thresholds: CampaignThresholds;
  /** The cycle gates each trial is judged against (its cycle runs in full whatever they say). */
  gates: GateThresholds;
}

/** A trial of the ledger with its returns, as selection reads it. */
function selectionOf(trials: readonly TrialRecord[], returns: ReadonlyMap<string, TrialReturns>): SelectionTrial[] {
  return trials.map((t) => ({ key: t.cycle_id, counted: t.strategy_hash !== null && t.outcome !== 'cancelled', returns: returns.get(t.cycle_id) ?? null }));
}

/**
 * A trial's outcome and reason: a completed cycle (its gates were bypassed so it ran in full) is
 * judged against the training and backtest gates here, with the messages a gated cycle fails with.
 */
function outcomeOf(cycle: OperationInfo, gates: GateThresholds): { outcome: TrialOutcome; reason: string | null } {
  if (cycle.status === 'cancelled') return { outcome: 'cancelled', reason: cycle.cancellation_reason ?? cycle.error_message ?? null };
  if (cycle.status !== 'completed') return { outcome: cycle.failure_code === ErrorCode.GateFailed ? 'gate_failed' : 'failed', reason: cycle.error_message };
  const p = readCycleParameters(cycle.metadata.parameters);
  const failed: string[] = [];
  const training = checkTrainingGate(p.training_result ?? {}, gates.training);
  if (!training.passed) failed.push(`Training gate failed: ${training.reason}`);
  const backtest = checkBacktestGate(p.backtest_result ?? {}, gates.backtest);
  if (!backtest.passed) failed.push(`Backtest gate failed: ${backtest.reason}`);
  return failed.length ? { outcome: 'gate_failed', reason: failed.join('; ') } : { outcome: 'passed', reason: null };
}

/**
 * Drives research campaigns: records each cycle that ends as a trial, applies the stop rules,
 * starts the next cycles (under the campaign's concurrency and the deployment's cycle capacity),
 * evaluates the finalists on the sealed holdout once each, and ends the campaign with its verdict.
 * Every step reads the records and the ledger afresh and every write is atomic and guarded, so a
 * step run twice, by two orchestrators, or after a crash, does what one step would have done.
 */
export class CampaignDriver {
  constructor(
    private readonly store: OperationsStore,
    private readonly ledger: CampaignLedger,
    private readonly artifacts: ArtifactStore,
    private readonly producer: QueueProducer,
    private readonly strategies: StrategyStore,
    private readonly log: Logger,
    private readonly opts: CampaignDriverOptions,
    private readonly metrics?: Pick<WorkerMetrics, 'campaigns' | 'campaignTrials'>,
  ) {}

  async start(campaignId: string): Promise<void> {
    const started = await this.store.start(campaignId).catch((e: unknown) => {
      if (e instanceof OperationNotFoundError) return null;
      throw e;
    });
    if (started?.applied) {
      await this.store.update(campaignId, { parameters: { started_search_at: new Date().toISOString() } });
      this.log.info({ operation_id: campaignId }, 'campaign started');
    }
    await this.step(campaignId);
  }

  /** One step: record what ended, then decide and act. A campaign that is not running is left alone. */
  async step(campaignId: string): Promise<void> {
    const campaign = await this.store.get(campaignId);
    if (!campaign || campaign.status !== 'running') return;
    try {
      await this.advance(campaign);
    } catch (e) {
      this.log.warn({ operation_id: campaignId, err: messageOf(e) }, 'campaign step failed; the reconcile pass will retry it');
      throw e;
    }
  }

  private async advance(campaign: OperationInfo): Promise<void> {
    const id = campaign.operation_id;
    const p = readCampaignParameters(campaign.metadata.parameters);
    const ledgerId = p.ledger_id ?? id;
    const cycles = await this.store.children(id);
    await this.recordEnded(id, ledgerId, cycles);
    // The cycles a cancel ended with the campaign it resumes were never recorded there: they are trials too.
    if (p.resumed_from) await this.recordEnded(p.resumed_from, ledgerId, await this.store.children(p.resumed_from).catch(() => []));

    const [trials, returns, looks] = await Promise.all([this.ledger.trials(ledgerId), this.ledger.returns(ledgerId), this.ledger.holdouts(ledgerId)]);
    const selection = selectionOf(trials, returns);
    const scores = scoreTrials(selection);
    const pbo = campaignPbo(selection);
    // What the API shows: it may not run the compute libs, so it reads the scores of the last step.
    await this.ledger.writeScores(ledgerId, {
      dsr: Object.fromEntries(scores.dsr),
      expected_max_sharpe: scores.expectedMaxSharpe,
      trials: scores.trials,
      pbo: pbo.pbo,
      pbo_trials: pbo.trials,
      pbo_bars: pbo.bars,
      computed_at: new Date().toISOString(),
    });
    // Only a trial that passed every gate can be the best or a finalist. The unproductive streak reads
    // each one's DSR as it was when recorded; the best so far is the leaderboard's top one, by its DSR
    // among every trial now.
    const streak = unproductiveStreak(trials.map((t) => ({ trial: t.trial, dsr_at_record: t.outcome === 'passed' ? t.dsr_at_record : null })));
    const eligible = trials.filter((t) => t.outcome === 'passed').map((t) => ({ ...t, dsr: scores.dsr.get(t.cycle_id) ?? null }));
    const best = chooseFinalists(eligible, 1)[0];
    const spent = cycles.reduce((sum, c) => sum + (readCycleParameters(c.metadata.parameters).llm_usage?.cost_usd ?? 0), 0);
    const searchCycles = cycles.filter((c) => readCycleParameters(c.metadata.parameters).holdout_of === undefined);
    const running = searchCycles.filter((c) => ACTIVE.has(c.status));
    const mine = trials.length;
    const state: CampaignParametersPatch = {
      best: best ? { trial: best.trial, dsr: best.dsr!, sharpe: best.metrics.sharpe_ratio ?? 0, strategy_name: best.strategy_name } : null,
      unproductive_streak: streak.streak,
      spent_usd: Math.round(spent * 1e6) / 1e6,
    };

    if (p.stage === 'searching') {
      const elapsed = p.started_search_at ? (Date.now() - Date.parse(p.started_search_at)) / 1000 : 0;
      // Cycle limits count the whole ledger (a resumed campaign goes on to the same total); time and
      // spend count this campaign's own run.
      const reason = stopReason(p, {
        started: trials.length + running.length,
        elapsedSeconds: elapsed,
        spentUsd: spent,
        unproductiveStreak: streak.streak,
        bestDsr: streak.best,
      });
      if (!reason) {
        await this.store.update(id, { parameters: state, progress: this.progressOf(p, mine, running.length, state) });
        await this.startSearchCycles(campaign, p, running.length, trials, ledgerId);
        return;
      }
      if (running.length > 0) {
        // The rule stops new trials; the running ones finish and count.
        await this.store.update(id, {
          parameters: state,
          progress: this.progressOf(p, mine, running.length, state, `Stopping (${reason}): waiting for ${running.length} cycle(s)`),
        });
        return;
      }
      const finalists = chooseFinalists(eligible, p.finalists).map((t) => t.trial);
      const moved = await this.store.update(id, {
        parameters: { ...state, stage: 'holdout', stop_reason: reason, finalist_trials: finalists },
        progress: {
          percentage: 90,
          current_step: `Evaluating ${finalists.length} finalist(s) on the holdout`,
          steps_completed: mine,
          steps_total: p.max_cycles,
        },
      });
      if (!moved.applied) return;
      this.log.info({ operation_id: id, stop_reason: reason, finalists }, 'campaign search stopped');
      return this.advance(moved.operation);
    }

    if (p.stage === 'holdout') {
      const finalists = (p.finalist_trials ?? []).map((n) => trials.find((t) => t.trial === n)).filter((t): t is TrialRecord => t !== undefined);
      const pending = finalists.filter((t) => {
        const look = looks.get(t.trial);
        return !look || ACTIVE.has(look.status);
      });
      if (pending.length > 0) return this.evaluateHoldout(campaign, p, ledgerId, pending, looks, cycles);
      const verdict = campaignVerdict(
        finalists.map((t) => ({
          trial: t.trial,
          dsr: scores.dsr.get(t.cycle_id) ?? null,
          strategy_name: t.strategy_name,
          holdout: looks.get(t.trial) ?? null,
        })),
        pbo.pbo,
        this.opts.thresholds,
      );
      const result = {
        verdict: verdict.verdict,
        verdict_reason: verdict.reason,
        stop_reason: p.stop_reason ?? null,
        trials: trials.length,
        best: state.best ?? null,
        pbo: pbo.pbo,
        finalists: finalists.map((t) => looks.get(t.trial) ?? null),
        spent_usd: state.spent_usd,
      };
      const done = await this.store.complete(id, result, {
        parameters: { ...state, stage: 'done', verdict: verdict.verdict, verdict_reason: verdict.reason, pbo: pbo.pbo },
        progress: { percentage: 100, current_step: verdict.verdict === 'found' ? 'Found' : 'Nothing found', steps_completed: mine, steps_total: mine },
      });
      if (done.applied) this.metrics?.campaigns.inc({ verdict: verdict.verdict });
      if (done.applied) this.log.info({ operation_id: id, verdict: verdict.verdict, reason: verdict.reason, trials: trials.length }, 'campaign completed');
    }
  }

  private progressOf(p: CampaignParameters, recorded: number, running: number, state: CampaignParametersPatch, step?: string) {
    const best = state.best ? `best DSR ${state.best.dsr.toFixed(2)} (trial ${state.best.trial})` : 'no DSR yet';
    const i = Math.min(p.max_cycles, recorded + running);
    return {
      percentage: Math.min(89, (90 * recorded) / Math.max(1, p.max_cycles)),
      current_step: step ?? `Cycle ${i}/${p.max_cycles} · ${best} · $${(state.spent_usd ?? 0).toFixed(2)} spent`,
      steps_completed: recorded,
      steps_total: p.max_cycles,
    };
  }

  /** Each search cycle that ended and is not in the ledger yet becomes a trial (once: the ledger numbers it atomically). */
  private async recordEnded(campaignId: string, ledgerId: string, cycles: readonly OperationInfo[]): Promise<void> {
    for (const cycle of cycles) {
      const cp = readCycleParameters(cycle.metadata.parameters);
      if (ACTIVE.has(cycle.status) || cp.holdout_of !== undefined) continue;
      if (await this.ledger.has(ledgerId, cycle.operation_id)) continue;
      const [config, returns] = await Promise.all([
        cp.strategy_name ? this.strategies.read(cp.strategy_name).catch(() => null) : Promise.resolve(null),
        cp.backtest_op_id ? this.readReturns(cp.backtest_op_id) : Promise.resolve(null),
      ]);
      const trial = this.trialOf(campaignId, cycle, config, returns);
      // DSR at recording: among the trials so far and this one.
      const [trials, allReturns] = await Promise.all([this.ledger.trials(ledgerId), this.ledger.returns(ledgerId)]);
      const withThis = [
        ...selectionOf(trials, allReturns),
        { key: cycle.operation_id, counted: trial.strategy_hash !== null && trial.outcome !== 'cancelled', returns },
      ];
      trial.dsr_at_record = scoreTrials(withThis).dsr.get(cycle.operation_id) ?? null;
      const out = await this.ledger.record(ledgerId, trial, returns);
      if (out.added)
        this.log.info(
          { operation_id: campaignId, cycle_operation_id: cycle.operation_id, trial: out.trial, outcome: trial.outcome },
          'campaign trial recorded',
        );
    }
  }

  private async readReturns(backtestId: string): Promise<TrialReturns | null> {
    const art = (await this.artifacts.get(backtestId, 'returns').catch(() => null)) as ReturnsArtifact | null;
    return art && Array.isArray(art.r) && Array.isArray(art.t) ? { t: art.t, r: art.r } : null;
  }

  private trialOf(campaignId: string, cycle: OperationInfo, config: StrategyConfig | null, returns: TrialReturns | null): NewTrial {
    const cp = readCycleParameters(cycle.metadata.parameters);
    const tr = cp.training_result;
    const br = cp.backtest_result;
    const types = config ? [...new Set(Object.values(config.indicators).map((i) => i.type))].sort() : [];
    return {
      cycle_id: cycle.operation_id,
      campaign_id: campaignId,
      strategy_name: cp.strategy_name ?? null,
      strategy_hash: config ? strategyContentHash(config) : null,
      idea: config ? { family: ideaFamily(config), hypothesis: config.hypothesis || null } : null,
      params: config
        ? {
            indicators: types,
            label: config.training.labels.source,
            hidden_layers: [...config.model.architecture.hidden_layers],
            confidence_threshold: config.decisions.confidence_threshold ?? null,
            symbol: config.training_data.symbols.join(','),
            timeframe: config.training_data.timeframes[0] ?? null,
          }
        : null,
      ...outcomeOf(cycle, this.opts.gates),
      metrics: {
        accuracy: num(tr?.accuracy),
        majority_baseline: num(tr?.majority_baseline),
        sharpe_ratio: num(br?.sharpe_ratio),
        total_return: num(br?.total_return),
        max_drawdown: num(br?.max_drawdown),
        win_rate: num(br?.win_rate),
        total_trades: num(br?.total_trades),
        random_entry_p_value: num(br?.random_entry_p_value),
        psr: num(br?.psr),
        per_bar_sharpe: returns ? perBarSharpe(returns.r) : null,
        bars: returns?.r.length ?? 0,
      },
      recorded_at: new Date().toISOString(),
      dsr_at_record: null,
    };
  }

  /** Starts search cycles up to the campaign's concurrency; the deployment's capacity may leave it for a later step. */
  private async startSearchCycles(
    campaign: OperationInfo,
    p: CampaignParameters,
    running: number,
    trials: readonly TrialRecord[],
    ledgerId: string,
  ): Promise<void> {
    let started = p.cycles_started;
    let searchStarted = running + trials.length;
    for (let slots = p.concurrency - running; slots > 0 && searchStarted < p.max_cycles; slots--) {
      const id = await this.createCycle(campaign.operation_id, started, {
        phase: 'idle',
        model: p.model,
        brief: p.brief,
        strategy: null,
        // Every trial is evaluated in full, so each one has walk-forward returns to count and compare;
        // the driver judges it against the gates itself (outcomeOf) and records the verdict.
        bypass_gates: true,
        campaign_id: campaign.operation_id,
        ledger_id: ledgerId,
        ...(p.holdout ? { sealed_from: p.holdout.from } : {}),
      });
      if (!id) return;
      started++;
      searchStarted++;
    }
  }

  /**
   * One cycle under the campaign, created only while the campaign runs and only if no other step
   * created one from the same count (`cycles_started` compare-and-set), under the cycle capacity;
   * then its start job. Null when another step won, the campaign ended, or there is no room yet.
   */
  private async createCycle(campaignId: string, started: number, parameters: CycleParametersPatch, id?: string): Promise<string | null> {
    let cycle: OperationInfo;
    try {
      cycle = await this.store.create({
        ...(id ? { id } : {}),
        type: CYCLE_OPERATION_TYPE,
        parentId: campaignId,
        requireParentRunning: true,
        capacity: this.opts.maxConcurrentCycles,
        parentGuard: { parameter: 'cycles_started', value: started },
        parentParameters: { cycles_started: started + 1 },
        parameters,
      });
    } catch (e) {
      // Another step got there first (the count moved, or the look's cycle exists), the campaign ended, or there is no room yet.
      if (e instanceof AtCapacityError || e instanceof ParentMovedError || e instanceof ParentNotRunningError || e instanceof OperationExistsError) {
        this.log.debug({ operation_id: campaignId, why: messageOf(e) }, 'campaign cycle not started');
        return null;
      }
      throw e;
    }
    // Not queued (Redis refused): the reconcile pass queues a pending cycle's start again.
    await this.producer
      .enqueue('research', { name: 'start', data: { parent_operation_id: cycle.operation_id } })
      .catch((e: unknown) =>
        this.log.warn({ operation_id: cycle.operation_id, err: messageOf(e) }, 'campaign cycle start not queued; the reconcile pass will'),
      );
    this.log.info({ operation_id: campaignId, cycle_operation_id: cycle.operation_id }, 'campaign cycle started');
    return cycle.operation_id;
  }

  /**
   * Each pending finalist gets its one look: the look is claimed in the ledger first (so a crash
   * never grants a second), then a cycle trains the design on every bar before the holdout and
   * backtests it on the holdout. A look whose cycle ended is filled in from it.
   */
  private async evaluateHoldout(
    campaign: OperationInfo,
    p: CampaignParameters,
    ledgerId: string,
    pending: readonly TrialRecord[],
    looks: ReadonlyMap<number, HoldoutResult>,
    cycles: readonly OperationInfo[],
  ): Promise<void> {
    const byId = new Map(cycles.map((c) => [c.operation_id, c]));
    let running = cycles.filter((c) => readCycleParameters(c.metadata.parameters).holdout_of !== undefined && ACTIVE.has(c.status)).length;
    let started = p.cycles_started;
    for (const trial of pending) {
      let look = looks.get(trial.trial);
      const cycle = look?.cycle_id ? byId.get(look.cycle_id) : undefined;
      if (look && cycle) {
        if (!ACTIVE.has(cycle.status)) await this.ledger.updateHoldout(ledgerId, holdoutResultOf(trial.trial, cycle));
        continue;
      }
      if (running >= p.concurrency) continue;
      if (!look?.cycle_id) {
        // The look names its cycle before the cycle exists, and the first claim wins: whichever step
        // creates that cycle (this one, or one after a crash), it is the trial's one look.
        const claim = { ...pendingHoldoutResult(trial.trial), cycle_id: newOperationId(CYCLE_OPERATION_TYPE) };
        if (!(await this.ledger.claimHoldout(ledgerId, claim)) && look) await this.ledger.updateHoldout(ledgerId, claim);
        look = (await this.ledger.holdouts(ledgerId)).get(trial.trial) ?? claim;
      }
      const strategy = await this.holdoutStrategyOf(trial, p).catch(async (e: unknown) => {
        await this.ledger.updateHoldout(ledgerId, { ...look!, status: 'failed', error: messageOf(e) });
        return null;
      });
      if (!strategy) continue;
      const id = await this.createCycle(
        campaign.operation_id,
        started,
        {
          phase: 'idle',
          model: p.model,
          brief: null,
          strategy,
          // The look is recorded whatever the gates would say: its numbers are the campaign's to judge.
          bypass_gates: true,
          campaign_id: campaign.operation_id,
          ledger_id: ledgerId,
          holdout_of: trial.trial,
        },
        look.cycle_id!,
      );
      if (!id) return;
      await this.ledger.updateHoldout(ledgerId, { ...look, status: 'running' });
      started++;
      running++;
    }
  }

  /** The finalist's design, one fold on the holdout, saved under a new name for its look. */
  private async holdoutStrategyOf(trial: TrialRecord, p: CampaignParameters): Promise<string> {
    if (!trial.strategy_name) throw new Error(`trial ${trial.trial} has no strategy`);
    if (!p.holdout) throw new Error('the campaign has no holdout');
    const name = `${trial.strategy_name}_holdout`;
    // Saved once: a step that retries the look after a crash reuses it.
    if (await this.strategies.exists(name)) return name;
    const config = await this.strategies.read(trial.strategy_name);
    const saved = await this.strategies.saveNew(name, holdoutStrategy(config, p.holdout, name));
    return saved.name;
  }
}

/** A finalist's look, from the cycle that evaluated it on the holdout. */
function holdoutResultOf(trial: number, cycle: OperationInfo): HoldoutResult {
  const br = readCycleParameters(cycle.metadata.parameters).backtest_result;
  return {
    trial,
    cycle_id: cycle.operation_id,
    status: cycle.status,
    sharpe_ratio: num(br?.sharpe_ratio),
    total_return: num(br?.total_return),
    max_drawdown: num(br?.max_drawdown),
    total_trades: num(br?.total_trades),
    win_rate: num(br?.win_rate),
    benchmark_return: num(br?.benchmark_return),
    error: cycle.status === 'completed' ? null : (cycle.error_message ?? cycle.status),
  };
}
