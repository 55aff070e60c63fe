import { DEFAULT_GATE_THRESHOLDS, type Assessment } from '@ktrdr/agent-domain';
import type { AssessInput, TrainingMetrics } from './llm.types.js';

/**
 * What a `promising` verdict needs, whoever gives it (docs/RESEARCH.md, The promising verdict):
 *
 * 1. **skill**: the test accuracy above always predicting the test part's most frequent class
 *    (`majority_baseline`; `baseline_accuracy` on results from before it existed), and
 * 2. **significance**: a `random_entry_p_value` at most the backtest gate's threshold
 *    (`BACKTEST_GATE_MAX_P_VALUE`, 0.10 by default). A result without a p-value shows no
 *    significance, so it cannot be promising either.
 *
 * The offline rubric applies it in its verdict; the Claude assessor is told it in the prompt and
 * it is enforced on Claude's answer (`enforcePromisingRule`), so a claim never exceeds the numbers.
 */

/** The gate's default: the largest random-entry p-value that counts as significant. */
export const DEFAULT_PROMISING_MAX_P_VALUE = DEFAULT_GATE_THRESHOLDS.backtest.maxPValue;

/** The score to beat: the test part's majority-class accuracy (baseline_accuracy on older results). */
export function majorityBaseline(t: TrainingMetrics): number {
  return t.majority_baseline ?? t.baseline_accuracy;
}

export interface PromisingCheck {
  allowed: boolean;
  /** Why not, each quoting its numbers (empty when allowed). */
  reasons: string[];
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function checkPromising(input: Pick<AssessInput, 'training' | 'backtest'>, maxPValue = DEFAULT_PROMISING_MAX_P_VALUE): PromisingCheck {
  const { training: t, backtest: b } = input;
  const reasons: string[] = [];
  const baseline = majorityBaseline(t);
  if (!(t.accuracy > baseline)) reasons.push(`test accuracy ${pct(t.accuracy)} is not above the majority baseline ${pct(baseline)} (no skill)`);
  const p = b.random_entry_p_value;
  if (p === undefined || !Number.isFinite(p)) reasons.push('there is no random-entry p-value, so nothing shows the backtest beat random entries');
  else if (p > maxPValue) reasons.push(`random entries did as well in ${pct(p)} of the runs (p ${p.toFixed(3)} > ${maxPValue.toFixed(2)})`);
  return { allowed: reasons.length === 0, reasons };
}

/** The sentence a downgraded verdict carries as its first weakness. */
export function promisingRuleText(maxPValue: number): string {
  return `a promising verdict needs test accuracy above the majority baseline and a random-entry p-value of at most ${maxPValue.toFixed(2)}`;
}

/**
 * A `promising` verdict the numbers do not support becomes `mediocre`, with a first weakness that
 * says why (the others kept, at most 4 in all); any other assessment is returned as it is.
 */
export function enforcePromisingRule(
  assessment: Assessment,
  input: Pick<AssessInput, 'training' | 'backtest'>,
  maxPValue = DEFAULT_PROMISING_MAX_P_VALUE,
): Assessment {
  if (assessment.verdict !== 'promising') return assessment;
  const check = checkPromising(input, maxPValue);
  if (check.allowed) return assessment;
  const why = `Downgraded from promising: ${check.reasons.join('; ')}; ${promisingRuleText(maxPValue)}`.slice(0, 500);
  return { ...assessment, verdict: 'mediocre', weaknesses: [why, ...assessment.weaknesses].slice(0, 4) };
}
