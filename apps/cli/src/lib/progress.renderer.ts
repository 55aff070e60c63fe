/**
 * Draws the progress of a followed operation on stderr.
 *
 * - TTY: cli-progress bars redrawn in place: one for the operation (the cycle), and one for its
 *   active child while there is one.
 * - not a TTY (piped, CI, tests): one plain line each time the percentage or step changes.
 * - silent: nothing (--json with a non-TTY stderr, so scripts get clean output).
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { readCycleParameters, type OperationInfo } from '@ktrdr/api-contract';
import { designerText, progressStateText, trainingEpochs, trainingEpochsText } from './cycle.facts.js';
import { formatPercentage } from './output.format.js';

export interface ProgressSnapshot {
  op: OperationInfo;
  /** The active child of a cycle, when there is one. */
  child: OperationInfo | null;
}

export interface ProgressRenderer {
  /** The first line of every follow, whichever command started it (see followHeader). */
  begin(header: string): void;
  update(snapshot: ProgressSnapshot): void;
  /** A line that stays above the progress (a fact learnt while following, see FollowNotes). */
  note(line: string): void;
  /** Stops drawing; safe to call more than once. */
  stop(): void;
}

export type RenderMode = 'bar' | 'lines' | 'silent';

export function chooseRenderMode(stream: { isTTY?: boolean }, json: boolean): RenderMode {
  if (stream.isTTY) return 'bar';
  return json ? 'silent' : 'lines';
}

export function createRenderer(mode: RenderMode, stream: NodeJS.WritableStream = process.stderr): ProgressRenderer {
  switch (mode) {
    case 'bar':
      return new BarRenderer(stream);
    case 'lines':
      return new LineRenderer(stream);
    default:
      return { begin: () => undefined, update: () => undefined, note: () => undefined, stop: () => undefined };
  }
}

/**
 * The first progress line of `agent trigger --follow`, `agent resume --follow` and `operations
 * follow` alike: which operation is watched and what Ctrl+C will do.
 */
export function followHeader(operationId: string, cancelOnInterrupt: boolean): string {
  return `Following ${operationId} (Ctrl+C ${cancelOnInterrupt ? 'cancels it' : 'detaches; it keeps running'})`;
}

/** The width of the terminal a progress stream draws on (a TTY without its own size borrows stdout's); undefined for a pipe. */
export function terminalWidth(stream: NodeJS.WritableStream): number | undefined {
  const tty = stream as { columns?: number; isTTY?: boolean };
  const columns = tty.columns ?? (tty.isTTY ? process.stdout.columns : undefined);
  return typeof columns === 'number' && columns > 0 ? columns : undefined;
}

/** Cuts a line to `width` columns with an ellipsis; a line without a known width is left whole. */
export function fitToWidth(line: string, width: number | undefined): string {
  if (width === undefined || line.length <= width) return line;
  return width <= 1 ? line.slice(0, width) : `${line.slice(0, width - 1)}…`;
}

/**
 * `[ 20%] Training model... | training op_…: 30% Epoch 3/10` — the plain-line form of a snapshot.
 * The child's step is shown once, from the child itself: the cycle's own step carries a copy of it
 * that is written later than the child's record and so lags it (`Epoch 1/30` beside `Epoch 2/30`).
 * A failed or cancelled operation says where it stopped instead of a percentage that looks live.
 */
export function progressLine({ op, child }: ProgressSnapshot): string {
  const pct = formatPercentage(op.progress.percentage);
  const head = op.status === 'failed' || op.status === 'cancelled' ? progressStateText(op, pct) : pct.padStart(5);
  let line = `[${head}] ${child ? phaseStepOf(op) : stepOf(op)}`;
  if (child) {
    line += ` | ${child.operation_type} ${child.operation_id}: ${formatPercentage(child.progress.percentage)} ${stepOf(child)}`;
  }
  return line.trimEnd();
}

function stepOf(op: OperationInfo): string {
  return op.progress.current_step || op.status;
}

/** The cycle's phase step without its copy of the child's step (`Training model... (Epoch 1/30)` → `Training model...`). */
export function phaseStepOf(op: OperationInfo): string {
  const step = stepOf(op);
  const open = step.indexOf(' (');
  return open > 0 && step.endsWith(')') ? step.slice(0, open) : step;
}

/**
 * Facts a follow learns on the way, each said once above the progress: who designed the cycle
 * (known when the design has run, or at once for a cycle started from a strategy) and how its
 * training ended (epochs run of those configured, early stop). The configured epochs come from the
 * training child's own progress (`steps_total`), seen while it ran.
 */
export class FollowNotes {
  private designer = false;
  private training = false;
  private plannedEpochs: number | null = null;

  /** The strategy's configured epochs as seen on the training child's progress, if it was seen. */
  get planned(): number | null {
    return this.plannedEpochs;
  }

  next({ op, child }: ProgressSnapshot): string[] {
    const out: string[] = [];
    for (const o of [op, child]) {
      if (o?.operation_type === 'training' && o.status === 'running' && o.progress.steps_total > 1) this.plannedEpochs = o.progress.steps_total;
    }
    if (op.operation_type !== 'agent_research') return out;
    const params = readCycleParameters(op.metadata?.parameters);
    if (!this.designer) {
      const designer = designerText(params);
      if (designer) {
        this.designer = true;
        out.push(`Designer: ${designer}`);
      }
    }
    if (!this.training) {
      const epochs = trainingEpochs(params.training_result, this.plannedEpochs);
      if (epochs) {
        this.training = true;
        out.push(`Training: ${trainingEpochsText(epochs)}`);
      }
    }
    return out;
  }
}

class LineRenderer implements ProgressRenderer {
  private last = '';

  constructor(private readonly stream: NodeJS.WritableStream) {}

  begin(header: string): void {
    this.stream.write(`${header}\n`);
  }

  update(snapshot: ProgressSnapshot): void {
    // Fitted to the terminal when there is one (never a fixed 80); a pipe gets the whole line.
    const line = fitToWidth(progressLine(snapshot), terminalWidth(this.stream));
    if (line === this.last) return;
    this.last = line;
    this.stream.write(`${line}\n`);
  }

  note(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {
    // nothing to tear down: every line is already complete
  }
}

const LABEL_WIDTH = 18;
const BAR_SIZE = 30;
/** `{label} |{bar}| {pct} ` around the step: what is left of the width is the step's. */
const FIXED_WIDTH = LABEL_WIDTH + 2 + BAR_SIZE + 2 + 5 + 1;

class BarRenderer implements ProgressRenderer {
  private readonly multibar: MultiBar;
  private main: SingleBar | null = null;
  private childBar: SingleBar | null = null;
  private childId: string | null = null;
  private stopped = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    this.multibar = new MultiBar(
      {
        stream,
        format: '{label} |{bar}| {pct} {step}',
        barsize: BAR_SIZE,
        hideCursor: true,
        clearOnComplete: false,
        // We own SIGINT (detach / cancel-on-interrupt) and stop the bars ourselves.
        gracefulExit: false,
        linewrap: true,
        autopadding: true,
      },
      Presets.shades_classic,
    );
  }

  begin(header: string): void {
    this.stream.write(`${fitToWidth(header, terminalWidth(this.stream))}\n`);
  }

  update({ op, child }: ProgressSnapshot): void {
    if (this.stopped) return;
    // Read on every update, so a resized terminal is followed; the step gets what the bar leaves.
    const width = terminalWidth(this.stream);
    const stepWidth = width === undefined ? undefined : Math.max(1, width - FIXED_WIDTH);
    const payload = (label: string, o: OperationInfo, hasChild = false): BarPayload => barPayload(label, o, stepWidth, hasChild);
    const mainPayload = payload(MAIN_LABELS[op.operation_type] ?? op.operation_type, op, child !== null);
    if (!this.main) this.main = this.multibar.create(100, clamp(op.progress.percentage), mainPayload);
    else this.main.update(clamp(op.progress.percentage), mainPayload);

    if (child && child.operation_id !== this.childId) {
      if (this.childBar) this.multibar.remove(this.childBar);
      this.childBar = this.multibar.create(100, clamp(child.progress.percentage), payload(`└ ${child.operation_type}`, child));
      this.childId = child.operation_id;
    } else if (child && this.childBar) {
      this.childBar.update(clamp(child.progress.percentage), payload(`└ ${child.operation_type}`, child));
    } else if (!child && this.childBar) {
      this.multibar.remove(this.childBar);
      this.childBar = null;
      this.childId = null;
    }
  }

  note(line: string): void {
    if (this.stopped) this.stream.write(`${line}\n`);
    // Printed above the bars, which are redrawn below it.
    else this.multibar.log(`${fitToWidth(line, terminalWidth(this.stream))}\n`);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // A note logged since the last redraw is only written by the next one, which stop() does not do.
    this.multibar.update();
    this.multibar.stop();
  }
}

/** The main bar's label: a cycle and a campaign by their names, any other operation by its type. */
const MAIN_LABELS: Readonly<Record<string, string>> = { agent_research: 'cycle', agent_campaign: 'campaign' };

interface BarPayload {
  label: string;
  pct: string;
  step: string;
}

function barPayload(label: string, op: OperationInfo, stepWidth: number | undefined, hasChild: boolean): BarPayload {
  // The child has its own bar with its own step; a stopped operation says so before its last step.
  const step = hasChild ? phaseStepOf(op) : stepOf(op);
  const stopped = op.status === 'failed' || op.status === 'cancelled' ? `${op.status}: ` : '';
  return {
    label: label.padEnd(LABEL_WIDTH).slice(0, LABEL_WIDTH),
    pct: formatPercentage(op.progress.percentage).padStart(5),
    step: fitToWidth(`${stopped}${step}`, stepWidth),
  };
}

function clamp(pct: number): number {
  return Number.isFinite(pct) ? Math.max(0, Math.min(100, pct)) : 0;
}
