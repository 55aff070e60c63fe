import type { ResumeNeeds } from '@ktrdr/agent-domain';
import { KtrdrError } from '@ktrdr/errors';
import { StrategyInvalidError, StrategyNotFoundError, type StrategyStore } from '@ktrdr/strategies';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The files a saved model directory must hold to be loaded (libs/training's model store writes them).
 * Named here rather than imported: the API may not depend on the compute libs (the module boundaries the lint enforces).
 */
export const MODEL_FILES = ['model.json', 'meta.json'] as const;

/**
 * Checks that what a resumed cycle would reuse is still there, before anything starts:
 * the strategy (in the store) for every phase after design, the model directory for the backtest. Returns the
 * reason the cycle cannot be resumed, naming what is gone, or null when everything is in place.
 * Metrics (training_result, backtest_result) live in the record and were checked by planResume.
 */
export async function missingResumeArtifact(needs: ResumeNeeds, strategies: StrategyStore): Promise<string | null> {
  if (needs.strategy) {
    const problem = await strategyProblem(needs.strategy, strategies);
    if (problem) return problem;
  }
  if (needs.model_path && !needs.model_is_stub_placeholder) return modelProblem(needs.model_path);
  return null;
}

async function strategyProblem(name: string, strategies: StrategyStore): Promise<string | null> {
  try {
    await strategies.read(name);
    return null;
  } catch (e) {
    if (e instanceof StrategyNotFoundError) {
      return strategies.storeOfRecord === 'redis' ? `strategy ${name} is gone from the store` : `strategy file is gone: ${strategies.pathOf(name)}`;
    }
    if (e instanceof StrategyInvalidError) return `strategy file is no longer valid: ${e.message}`;
    if (e instanceof KtrdrError) return `strategy ${name} cannot be read: ${e.message}`;
    return `strategy file cannot be read: ${strategies.dir}/${name}.yaml (${(e as Error).message})`;
  }
}

/**
 * A relative path is taken from the working directory, as the backtest worker would take it (real
 * training always records an absolute path under KTRDR_MODELS_DIR).
 */
async function modelProblem(modelPath: string): Promise<string | null> {
  const dir = resolve(modelPath);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) return `model files are gone: ${dir}`;
  const missing: string[] = [];
  for (const file of MODEL_FILES) {
    await access(join(dir, file), constants.R_OK).catch(() => missing.push(file));
  }
  return missing.length ? `model files are gone: ${dir} (no ${missing.join(', ')})` : null;
}
