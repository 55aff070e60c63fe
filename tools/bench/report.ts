import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BacktestBenchResult } from './backtest.bench.js';
import type { CancelResult } from './cancel-latency.bench.js';
import type { TransitionResult } from './cycle-transitions.bench.js';
import { PHASE_TRANSITIONS, TRANSITIONS } from './cycle-transitions.bench.js';
import type { MachineInfo } from './machine.js';
import type { Summary } from './stats.js';
import type { TrainingCancelResult } from './training-cancel.bench.js';
import { numpyCell, ratioCell, type TrainingBenchResult } from './training.bench.js';
import { PHASES, type Anomaly } from './util.js';

export interface RunResult {
  run: number;
  transitions: TransitionResult;
  cancels: CancelResult;
  /** The same cancel benchmark with phases that burn CPU (null when BENCH_CPU_CANCELS=0). */
  cpuCancels: CancelResult | null;
  backtest: BacktestBenchResult;
  training: TrainingBenchResult;
  /** Cancels during real training across processes (null when BENCH_TRAINING_CANCELS=0). */
  trainingCancels: TrainingCancelResult | null;
  loadBefore: string;
  loadAfter: string;
}

export const TARGETS = { transitionP99: 20, recordedP99: 25, stoppedP99: 100, backtestBarsPerSec: 10_000_000 } as const;

const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');
const cells = (s: Summary): string => `${s.n} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${f(s.max)}`;
const HEAD = '| n | p50 | p95 | p99 | max |';
const RULE = '|---:|---:|---:|---:|---:|';

interface Verdict {
  name: string;
  limit: number;
  value: number;
  where: string;
}

function verdicts(r: RunResult): Verdict[] {
  const t = r.transitions;
  const worstTransition = PHASE_TRANSITIONS.reduce((w, k) => (t.rows[k].p99 > t.rows[w].p99 ? k : w), PHASE_TRANSITIONS[0]!);
  const worstPhase = (pick: 'recorded' | 'stopped') =>
    PHASES.reduce((w, p) => {
      const v = r.cancels.perPhase[p][pick];
      return v.n === 0 || v.p99 > r.cancels.perPhase[w][pick].p99 || Number.isNaN(r.cancels.perPhase[w][pick].p99) ? p : w;
    }, PHASES[0]);
  const wr = worstPhase('recorded');
  const ws = worstPhase('stopped');
  const cpu = r.cpuCancels;
  const cpuWorst = cpu ? PHASES.reduce((w, p) => (cpu.perPhase[p].stopped.p99 > cpu.perPhase[w].stopped.p99 ? p : w), PHASES[0]) : null;
  const cpuVerdict: Verdict[] =
    cpu && cpuWorst
      ? [
          {
            name: `(b) compute stopped p99 ≤ ${TARGETS.stoppedP99} ms in every phase, CPU-bound phases`,
            limit: TARGETS.stoppedP99,
            value: cpu.perPhase[cpuWorst].stopped.p99,
            where: `worst phase: ${cpuWorst}`,
          },
        ]
      : [];
  const tc = r.trainingCancels;
  const research: Verdict[] = tc
    ? [
        {
          name: `(b) compute stopped p99 ≤ ${TARGETS.stoppedP99} ms during real training`,
          limit: TARGETS.stoppedP99,
          value: tc.stopped.p99,
          where: `${tc.stopped.n} samples`,
        },
      ]
    : [];
  return [
    { name: `Transition overhead p99 ≤ ${TARGETS.transitionP99} ms (pooled)`, limit: TARGETS.transitionP99, value: t.pooled.p99, where: 'all four hand-overs' },
    {
      name: `Transition overhead p99 ≤ ${TARGETS.transitionP99} ms (worst single transition)`,
      limit: TARGETS.transitionP99,
      value: t.rows[worstTransition].p99,
      where: worstTransition,
    },
    {
      name: `(a) records cancelled p99 ≤ ${TARGETS.recordedP99} ms in every phase`,
      limit: TARGETS.recordedP99,
      value: r.cancels.perPhase[wr].recorded.p99,
      where: `worst phase: ${wr}`,
    },
    {
      name: `(b) compute stopped p99 ≤ ${TARGETS.stoppedP99} ms in every phase`,
      limit: TARGETS.stoppedP99,
      value: r.cancels.perPhase[ws].stopped.p99,
      where: `worst phase: ${ws}`,
    },
    ...cpuVerdict,
    ...research,
  ];
}

function computeSection(r: RunResult): string[] {
  const b = r.backtest;
  const t = r.training;
  const m = (v: number): string => `${(v / 1e6).toFixed(1)}M`;
  const out = [
    `**Research compute**`,
    '',
    `| measurement | result |`,
    `|---|---|`,
    `| backtest simulation (costs, equity, drawdown, metrics), ${b.bars.toLocaleString('en-US')} bars, ${b.trades.toLocaleString('en-US')} trades | ${m(b.simulateBarsPerSec)} bars/s (target ≥ ${m(TARGETS.backtestBarsPerSec)}: ${b.simulateBarsPerSec >= TARGETS.backtestBarsPerSec ? 'met' : '**MISSED**'}) |`,
    `| bare typed-array pass over the same bars | ${m(b.barePassBarsPerSec)} bars/s |`,
    `| ratio simulation / bare pass | ${b.simulateToBareRatio.toFixed(3)} |`,
    `| backtest cancel: abort → rejected (in process) | p50 ${f(b.cancelStopMs.p50)} ms, p99 ${f(b.cancelStopMs.p99)} ms |`,
    `| training epoch, ${t.trainRows} rows × ${t.features} features, batch ${t.batchSize}, backend ${t.backend} | p50 ${f(t.epochMs.p50)} ms, p99 ${f(t.epochMs.p99)} ms (${t.epochs} epochs) |`,
    `| numpy reference epoch, same network and step (tools/bench/numpy-epoch.py) | ${numpyCell(t.numpy)} |`,
    `| ratio training epoch / numpy, p50 | ${ratioCell(t)} |`,
    `| event-loop delay during the fit | p99 ${f(t.eventLoopDelayP99Ms)} ms, max ${f(t.eventLoopDelayMaxMs)} ms |`,
    `| training cancel: abort → fit settled (in process) | p50 ${f(t.cancelStopMs.p50)} ms, p99 ${f(t.cancelStopMs.p99)} ms |`,
  ];
  const tc = r.trainingCancels;
  if (tc) {
    out.push(
      `| cancel during real training across processes: (a) DELETE → both records cancelled | ${cells(tc.recorded)} (n, p50, p95, p99, max) |`,
      `| cancel during real training across processes: (b) DELETE → worker's compute stopped | ${cells(tc.stopped)} (n, p50, p95, p99, max) |`,
    );
    for (const a of tc.anomalies) out.push(`| anomaly | ${a} |`);
  }
  out.push('');
  return out;
}

const met = (v: Verdict): boolean => Number.isFinite(v.value) && v.value <= v.limit;
const verdictText = (v: Verdict): string =>
  !Number.isFinite(v.value)
    ? 'NO DATA'
    : met(v)
      ? `met (${f(v.value)} ms, ${v.where})`
      : `**MISSED** by ${f(v.value - v.limit)} ms (${f(v.value)} ms, ${v.where})`;

function runSection(r: RunResult): string {
  const t = r.transitions;
  const c = r.cancels;
  const out: string[] = [];
  out.push(`### Run ${r.run}`, '');
  out.push(`Load average (1/5/15 min) before: ${r.loadBefore}; after: ${r.loadAfter}.`, '');
  out.push(
    `**Cycle transitions** — ${t.rows[TRANSITIONS[0]].n} measured cycles (+${t.warmup} warm-up), KTRDR_STUB_DELAY_MS=0, one cycle at a time; ms, from the records' ms-precision timestamps (${(t.elapsedMs / 1000).toFixed(0)} s).`,
    '',
  );
  out.push(`| interval ${HEAD}`, `|---${RULE}`);
  for (const k of TRANSITIONS) out.push(`| ${k} | ${cells(t.rows[k])} |`);
  out.push(`| **per-phase transitions pooled** | ${cells(t.pooled)} |`);
  out.push(`| _context: child run time (0 ms stub)_ | ${cells(t.childRun)} |`);
  out.push(`| _context: trigger → cycle completed_ | ${cells(t.cycleTotal)} |`, '');
  out.push(...cancelSection(c));
  if (r.cpuCancels) out.push(...cancelSection(r.cpuCancels));
  out.push(...computeSection(r));
  return out.join('\n');
}

function cancelSection(c: CancelResult): string[] {
  const kind = c.cpuBound ? 'CPU-bound phases (KTRDR_STUB_CPU=true: each phase burns a core in 8 ms cooperative slices)' : 'sleeping phases';
  return [
    `**Cancel latency, ${kind}** — ${c.samples} samples over the four phases, KTRDR_STUB_DELAY_MS=${c.delayMs}, one cycle at a time; ms from just before DELETE /agent/cancel/{id} (${(c.elapsedMs / 1000).toFixed(0)} s).`,
    '',
    `| phase | (a) n | (a) p50 | (a) p95 | (a) p99 | (a) max | (b) n | (b) p50 | (b) p95 | (b) p99 | (b) max |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
    ...PHASES.map((p) => `| ${p} | ${cells(c.perPhase[p].recorded)} | ${cells(c.perPhase[p].stopped)} |`),
    `| **all phases** | ${cells(c.all.recorded)} | ${cells(c.all.stopped)} |`,
    '',
    '(a) = cancel request → response, with parent and child both read back as `cancelled` right after it',
    `(${c.notCancelledOnResponse} of ${c.all.recorded.n} samples were not yet both cancelled on the response). (b) = cancel request → worker's \`stopped_at\`.`,
    '',
  ];
}

function anomalyLines(runs: RunResult[]): string[] {
  const all: { run: number; a: Anomaly; bench: string }[] = [];
  for (const r of runs) {
    for (const a of r.transitions.anomalies) all.push({ run: r.run, a, bench: 'transitions' });
    for (const a of r.cancels.anomalies) all.push({ run: r.run, a, bench: 'cancel' });
    for (const a of r.cpuCancels?.anomalies ?? []) all.push({ run: r.run, a, bench: 'cancel (CPU-bound)' });
  }
  if (all.length === 0)
    return [
      'None: every cycle completed (transition bench), every cancel returned with both records `cancelled`, every cancelled child reported its compute stopped, and nothing was left active.',
    ];
  return all
    .slice(0, 50)
    .map(({ run, a, bench }) => `- run ${run}, ${bench}, sample ${a.sample}: ${a.what}`)
    .concat(all.length > 50 ? [`- … and ${all.length - 50} more`] : []);
}

export function renderResults(machine: MachineInfo, runs: RunResult[], command: string): string {
  const out: string[] = [];
  out.push(`_Generated by \`${command}\` at ${machine.date}._`, '');
  out.push('**Machine**', '');
  out.push(`| | |`, `|---|---|`);
  out.push(`| nproc | ${machine.nproc} (${machine.cpuModel}) |`);
  out.push(`| memory | ${machine.memory} |`);
  out.push(`| node | ${machine.node} |`);
  out.push(`| redis-server | ${machine.redisServer} (server in use reports ${machine.redisInUse}) |`);
  out.push(`| load average at start | ${machine.loadAverage} |`, '');

  out.push('**Targets**', '');
  out.push(`| target | ${runs.map((r) => `run ${r.run}`).join(' | ')} |`, `|---|${runs.map(() => '---').join('|')}|`);
  const per = runs.map(verdicts);
  per[0]!.forEach((v, i) => out.push(`| ${v.name} | ${per.map((vs) => verdictText(vs[i]!)).join(' | ')} |`));
  out.push('');
  for (const r of runs) out.push(runSection(r));
  out.push('**Product anomalies seen**', '', ...anomalyLines(runs), '');
  return out.join('\n');
}

export const BEGIN = '<!-- bench:results:begin (generated by npm run bench; edits inside are overwritten) -->';
export const END = '<!-- bench:results:end -->';

const TEMPLATE = `# Benchmarks\n\n## Results\n\n${BEGIN}\n${END}\n`;

/** Replaces the generated block of docs/BENCHMARKS.md, keeping the hand-written text around it. */
export function writeDocs(path: string, block: string): void {
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : TEMPLATE;
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  const next =
    b >= 0 && e > b ? `${doc.slice(0, b + BEGIN.length)}\n${block}\n${doc.slice(e)}` : `${doc.trimEnd()}\n\n## Results\n\n${BEGIN}\n${block}\n${END}\n`;
  writeFileSync(path, next);
}
