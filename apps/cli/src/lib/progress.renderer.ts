/**
 * Draws the progress of a followed operation on stderr.
 *
 * - TTY: cli-progress bars redrawn in place: one for the operation (the cycle), and one for its
 *   active child while there is one.
 * - not a TTY (piped, CI, tests): one plain line each time the percentage or step changes.
 * - silent: nothing (--json with a non-TTY stderr, so scripts get clean output).
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { OperationInfo } from '@ktrdr/api-contract';
import { formatPercentage } from './output.format.js';

export interface ProgressSnapshot {
  op: OperationInfo;
  /** The active child of a cycle, when there is one. */
  child: OperationInfo | null;
}

export interface ProgressRenderer {
  update(snapshot: ProgressSnapshot): void;
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
      return { update: () => undefined, stop: () => undefined };
  }
}

/** `[ 20%] Training model... | training: 30% Epoch 3/10` — the plain-line form of a snapshot. */
export function progressLine({ op, child }: ProgressSnapshot): string {
  const pct = formatPercentage(op.progress.percentage).padStart(5);
  let line = `[${pct}] ${stepOf(op)}`;
  if (child) {
    line += ` | ${child.operation_type} ${child.operation_id}: ${formatPercentage(child.progress.percentage)} ${stepOf(child)}`;
  }
  return line.trimEnd();
}

function stepOf(op: OperationInfo): string {
  return op.progress.current_step || op.status;
}

class LineRenderer implements ProgressRenderer {
  private last = '';

  constructor(private readonly stream: NodeJS.WritableStream) {}

  update(snapshot: ProgressSnapshot): void {
    const line = progressLine(snapshot);
    if (line === this.last) return;
    this.last = line;
    this.stream.write(`${line}\n`);
  }

  stop(): void {
    // nothing to tear down: every line is already complete
  }
}

const LABEL_WIDTH = 18;

class BarRenderer implements ProgressRenderer {
  private readonly multibar: MultiBar;
  private main: SingleBar | null = null;
  private childBar: SingleBar | null = null;
  private childId: string | null = null;
  private stopped = false;

  constructor(stream: NodeJS.WritableStream) {
    this.multibar = new MultiBar(
      {
        stream,
        format: '{label} |{bar}| {pct} {step}',
        barsize: 30,
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

  update({ op, child }: ProgressSnapshot): void {
    if (this.stopped) return;
    const mainPayload = payload(op.operation_type === 'agent_research' ? 'cycle' : op.operation_type, op);
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

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.multibar.stop();
  }
}

function payload(label: string, op: OperationInfo): { label: string; pct: string; step: string } {
  return {
    label: label.padEnd(LABEL_WIDTH).slice(0, LABEL_WIDTH),
    pct: formatPercentage(op.progress.percentage).padStart(5),
    step: stepOf(op),
  };
}

function clamp(pct: number): number {
  return Number.isFinite(pct) ? Math.max(0, Math.min(100, pct)) : 0;
}
