import { ACTIVE_PHASES, DEFAULT_GATE_THRESHOLDS, isActivePhase, type ActivePhase, type GateThresholds, type StubOptions } from '@ktrdr/agent-domain';
import { QUEUE_PHASE, parseQueueList, type QueueName } from '@ktrdr/queues';
import { llmConfigFromEnv, llmEnvShape, type LlmConfig } from '@ktrdr/llm';
import {
  artifactLimits,
  campaignThresholds,
  envBoolean,
  envJsonObject,
  parseEnv,
  researchDirs,
  sharedEnvSchema,
  type ArtifactLimits,
  type ResearchDirs,
} from '@ktrdr/runtime';
import { z } from 'zod';

const num = (def: number) => z.coerce.number().finite().default(def);
const int = (def: number, min: number) => z.coerce.number().int().min(min).default(def);
const jsonObject = envJsonObject.optional();

const t = DEFAULT_GATE_THRESHOLDS;
const schema = sharedEnvSchema.extend({
  KTRDR_WORKER_QUEUES: z.string().default('all'),
  KTRDR_STUB_WORKERS: envBoolean.default(false),
  KTRDR_STUB_PHASES: z.string().default(''),
  KTRDR_STUB_DELAY_MS: int(30000, 0),
  KTRDR_STUB_CPU: envBoolean.default(false),
  KTRDR_STUB_RESULTS: jsonObject,
  KTRDR_STUB_FAILURES: jsonObject,
  KTRDR_PHASE_CONCURRENCY: int(4, 1),
  // Walk-forward folds are CPU-bound on the process's one thread: more than one at a time per
  // process only interleaves them. Run more worker processes to run more folds at once.
  KTRDR_FOLD_CONCURRENCY: int(1, 1),
  KTRDR_ORCHESTRATOR_CONCURRENCY: int(16, 1),
  KTRDR_JOB_LOCK_MS: int(30000, 500),
  KTRDR_RECONCILE_INTERVAL_MS: int(5000, 100),
  KTRDR_CANCEL_POLL_MS: int(250, 10),
  // How long a stop (SIGTERM/SIGINT) may take before the worker exits anyway. Below docker's default
  // stop timeout (10 s) and compose's stop_grace_period for workers (20 s), so the worker's own
  // exit line, not the engine's SIGKILL, ends it.
  KTRDR_SHUTDOWN_GRACE_MS: int(8000, 100),
  // Deadline of every phase ("worker timeout after 30 minutes"), and per-phase overrides as
  // JSON by queue or phase name, e.g. {"training": 3600000, "design": 300000}.
  KTRDR_PHASE_TIMEOUT_MS: int(30 * 60_000, 100),
  KTRDR_PHASE_TIMEOUTS: jsonObject,
  // The worker's health port: GET /health (compose's healthcheck) and GET /metrics. 0 = none.
  KTRDR_WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // Loopback unless told otherwise, like the API: /metrics says what runs and how much; compose opens it for its scraper.
  KTRDR_WORKER_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  /** Fixed seed for the offline designer (same seed + brief → same strategy); unset: one per cycle. */
  KTRDR_DESIGN_SEED: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  ...llmEnvShape,
  TRAINING_GATE_MIN_ACCURACY: num(t.training.minAccuracy),
  TRAINING_GATE_MAX_LOSS: num(t.training.maxLoss),
  TRAINING_GATE_MIN_LOSS_DECREASE: num(t.training.minLossDecrease),
  TRAINING_GATE_MIN_SKILL: num(t.training.minSkill),
  BACKTEST_GATE_MIN_WIN_RATE: num(t.backtest.minWinRate),
  BACKTEST_GATE_MAX_DRAWDOWN: num(t.backtest.maxDrawdown),
  BACKTEST_GATE_MIN_SHARPE: num(t.backtest.minSharpe),
  BACKTEST_GATE_MIN_TRADES: num(t.backtest.minTrades),
  BACKTEST_GATE_MAX_P_VALUE: num(t.backtest.maxPValue),
});

export interface WorkerConfig extends ResearchDirs {
  redisUrl: string;
  prefix: string;
  logLevel: string;
  queues: QueueName[];
  /** Phases that run as stubs (sleep, canned results marked `stub: true`); the others are real. */
  stubPhases: ActivePhase[];
  stub: StubOptions;
  phaseConcurrency: number;
  /** Fold jobs run at once by this process. */
  foldConcurrency: number;
  orchestratorConcurrency: number;
  /** BullMQ lock duration: how long a job of a killed worker looks alive before it counts as lost. */
  jobLockMs: number;
  reconcileIntervalMs: number;
  /** How often running jobs re-read their durable status, in case a pub/sub cancel was missed. */
  cancelPollMs: number;
  /** How long a stop may take, from the first SIGTERM/SIGINT to the exit (shutdown.signals.ts). */
  shutdownGraceMs: number;
  /** Deadline per phase, in ms (KTRDR_PHASE_TIMEOUT_MS with KTRDR_PHASE_TIMEOUTS overrides). */
  phaseTimeouts: Record<ActivePhase, number>;
  /** Health/metrics HTTP port; 0 = not served. */
  health: { port: number; host: string };
  gates: GateThresholds;
  llm: LlmConfig;
  designSeed: number | null;
  artifacts: ArtifactLimits;
  /** Cycles at once (KTRDR_MAX_CONCURRENT_CYCLES): a campaign's driver starts a cycle only under it. */
  maxConcurrentCycles: number;
  campaign: { minDsr: number; maxPbo: number };
}

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

/**
 * `KTRDR_STUB_PHASES`: "all", or a comma list of phases by queue name (design, training, backtest,
 * assessment) or phase name (designing, …). Empty: every phase is real.
 */
export function parseStubPhases(value: string): { phases: ActivePhase[]; unknown: string[] } {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.includes('all')) return { phases: [...ACTIVE_PHASES], unknown: [] };
  const phases = new Set<ActivePhase>();
  const unknown: string[] = [];
  for (const part of parts) {
    const phase = isActivePhase(part) ? part : (QUEUE_PHASE as Record<string, ActivePhase | undefined>)[part];
    if (phase) phases.add(phase);
    else unknown.push(part);
  }
  return { phases: ACTIVE_PHASES.filter((p) => phases.has(p)), unknown };
}

/** The default deadline for every phase, overridden per phase by a JSON object keyed by queue or phase name. */
export function parsePhaseTimeouts(
  defaultMs: number,
  overrides: Record<string, unknown> | undefined,
): { timeouts: Record<ActivePhase, number>; problems: string[] } {
  const timeouts = Object.fromEntries(ACTIVE_PHASES.map((p) => [p, defaultMs])) as Record<ActivePhase, number>;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides ?? {})) {
    const phase = isActivePhase(key) ? key : (QUEUE_PHASE as Record<string, ActivePhase | undefined>)[key];
    if (!phase) problems.push(`unknown phase "${key}"; use design, training, backtest, assessment`);
    else if (typeof value !== 'number' || !Number.isInteger(value) || value < 100)
      problems.push(`${key}: expected milliseconds (an integer ≥ 100), got ${JSON.stringify(value)}`);
    else timeouts[phase] = value;
  }
  return { timeouts, problems };
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(
    schema.superRefine((v, ctx) => {
      const { unknown } = parseQueueList(v.KTRDR_WORKER_QUEUES);
      if (unknown.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['KTRDR_WORKER_QUEUES'],
          message: `unknown queue(s) ${unknown.join(', ')}; use all or research,design,training,backtest,assessment`,
        });
      }
      for (const problem of parsePhaseTimeouts(v.KTRDR_PHASE_TIMEOUT_MS, v.KTRDR_PHASE_TIMEOUTS).problems) {
        ctx.addIssue({ code: 'custom', path: ['KTRDR_PHASE_TIMEOUTS'], message: problem });
      }
      const stubbed = parseStubPhases(v.KTRDR_STUB_PHASES);
      if (stubbed.unknown.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['KTRDR_STUB_PHASES'],
          message: `unknown phase(s) ${stubbed.unknown.join(', ')}; use all or design,training,backtest,assessment`,
        });
      }
    }),
    env,
  );
  return {
    redisUrl: e.REDIS_URL,
    prefix: e.KTRDR_KEY_PREFIX,
    logLevel: e.LOG_LEVEL,
    ...researchDirs(e),
    queues: parseQueueList(e.KTRDR_WORKER_QUEUES).queues,
    stubPhases: e.KTRDR_STUB_WORKERS ? [...ACTIVE_PHASES] : parseStubPhases(e.KTRDR_STUB_PHASES).phases,
    stub: {
      delayMs: e.KTRDR_STUB_DELAY_MS,
      cpuBound: e.KTRDR_STUB_CPU,
      results: e.KTRDR_STUB_RESULTS as StubOptions['results'],
      failures: e.KTRDR_STUB_FAILURES as StubOptions['failures'],
    },
    phaseConcurrency: e.KTRDR_PHASE_CONCURRENCY,
    foldConcurrency: e.KTRDR_FOLD_CONCURRENCY,
    orchestratorConcurrency: e.KTRDR_ORCHESTRATOR_CONCURRENCY,
    jobLockMs: e.KTRDR_JOB_LOCK_MS,
    reconcileIntervalMs: e.KTRDR_RECONCILE_INTERVAL_MS,
    cancelPollMs: e.KTRDR_CANCEL_POLL_MS,
    shutdownGraceMs: e.KTRDR_SHUTDOWN_GRACE_MS,
    phaseTimeouts: parsePhaseTimeouts(e.KTRDR_PHASE_TIMEOUT_MS, e.KTRDR_PHASE_TIMEOUTS).timeouts,
    health: { port: e.KTRDR_WORKER_HEALTH_PORT, host: e.KTRDR_WORKER_HEALTH_HOST },
    llm: llmConfigFromEnv(e),
    designSeed: e.KTRDR_DESIGN_SEED ?? null,
    artifacts: artifactLimits(e),
    maxConcurrentCycles: e.KTRDR_MAX_CONCURRENT_CYCLES,
    campaign: campaignThresholds(e),
    gates: {
      training: {
        minAccuracy: e.TRAINING_GATE_MIN_ACCURACY,
        maxLoss: e.TRAINING_GATE_MAX_LOSS,
        minLossDecrease: e.TRAINING_GATE_MIN_LOSS_DECREASE,
        minSkill: e.TRAINING_GATE_MIN_SKILL,
      },
      backtest: {
        minWinRate: e.BACKTEST_GATE_MIN_WIN_RATE,
        maxDrawdown: e.BACKTEST_GATE_MAX_DRAWDOWN,
        minSharpe: e.BACKTEST_GATE_MIN_SHARPE,
        minTrades: e.BACKTEST_GATE_MIN_TRADES,
        maxPValue: e.BACKTEST_GATE_MAX_P_VALUE,
      },
    },
  };
}
