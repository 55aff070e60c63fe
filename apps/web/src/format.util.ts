/** Display formatting shared by the views. */
import type { CycleParameters } from './api.types';

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

export function signedPct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${x > 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
}

export function num(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** 75 → "1m 15s"; 3725 → "1h 02m". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Seconds between two ISO times (the second defaulting to now). */
export function secondsBetween(from: string | null, to: string | null, now = Date.now()): number | null {
  if (!from) return null;
  return ((to ? Date.parse(to) : now) - Date.parse(from)) / 1000;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** Every phase the contract knows, in the page's words (a phase added there fails to compile here). */
const PHASE_LABEL: Record<CycleParameters['phase'], string> = {
  idle: 'Starting',
  designing: 'Designing',
  training: 'Training',
  backtesting: 'Backtesting',
  assessing: 'Assessing',
};
export const phaseLabel = (phase: unknown): string => (typeof phase === 'string' ? (PHASE_LABEL[phase as CycleParameters['phase']] ?? phase) : '—');

/** A cycle's phase as a reader wants it: the parameter keeps the last active phase after the cycle ends. */
export function cyclePhaseLabel(status: string, phase: unknown): string {
  if (status === 'completed') return 'Done';
  if (status === 'failed') return `Failed while ${phaseLabel(phase).toLowerCase()}`;
  if (status === 'cancelled') return `Cancelled while ${phaseLabel(phase).toLowerCase()}`;
  return phaseLabel(phase);
}

const TYPE_LABEL: Record<string, string> = {
  agent_research: 'Research cycle',
  agent_design: 'Design',
  training: 'Training',
  backtesting: 'Backtest',
  agent_assessment: 'Assessment',
};
export const typeLabel = (type: string): string => TYPE_LABEL[type] ?? type;
