/**
 * How much of a backtest's result survives higher costs: the same signals re-run with commission
 * and slippage multiplied by 0, 1, 2 and 3, and the multiple at which the return reaches zero.
 * The caller supplies the re-run (one portfolio simulation per multiple, asynchronous so a long
 * backtest stays interruptible by a cancel), so this stays a search over it.
 */

export interface CostRun {
  multiple: number;
  total_return: number;
  sharpe_ratio: number;
}

export interface CostSensitivity {
  runs: CostRun[];
  /** The cost multiple where the return reaches 0: 0 when it is not positive even without costs, null when still positive at `maxMultiple`. */
  break_even_cost: number | null;
  /** The return the costs took: return at 0× minus return at 1×. */
  cost_drag: number;
}

export interface CostSensitivityOptions {
  multiples?: readonly number[];
  /** Where the search for the break-even multiple gives up (default 10). */
  maxMultiple?: number;
  /** Bisection steps for the break-even multiple (default 24: well below 10⁻⁶ of the bracket). */
  steps?: number;
}

export async function costSensitivity(
  runAt: (multiple: number) => Promise<Omit<CostRun, 'multiple'>> | Omit<CostRun, 'multiple'>,
  opts: CostSensitivityOptions = {},
): Promise<CostSensitivity> {
  const multiples = opts.multiples ?? [0, 1, 2, 3];
  const maxMultiple = opts.maxMultiple ?? 10;
  const runs: CostRun[] = [];
  for (const multiple of multiples) runs.push({ multiple, ...(await runAt(multiple)) });
  const at = async (m: number): Promise<number> => runs.find((r) => r.multiple === m)?.total_return ?? (await runAt(m)).total_return;
  const free = await at(0);
  const drag = free - (await at(1));
  if (free <= 0) return { runs, break_even_cost: 0, cost_drag: drag };
  // Returns fall as costs rise (same trades, every fill dearer): bracket the zero, then bisect.
  const listed = runs.find((r) => r.multiple > 0 && r.total_return <= 0)?.multiple;
  if (listed === undefined && (await at(maxMultiple)) > 0) return { runs, break_even_cost: null, cost_drag: drag };
  let hi: number = listed ?? maxMultiple;
  let lo = Math.max(0, ...runs.filter((r) => r.multiple < hi && r.total_return > 0).map((r) => r.multiple));
  for (let i = 0; i < (opts.steps ?? 24); i++) {
    const mid: number = (lo + hi) / 2;
    if ((await runAt(mid)).total_return > 0) lo = mid;
    else hi = mid;
  }
  return { runs, break_even_cost: (lo + hi) / 2, cost_drag: drag };
}
