import { ARTIFACT_NAMES, ArtifactNameSchema } from '@ktrdr/api-contract';
import { OperationNotFoundError, isOperationIdShape } from '@ktrdr/operations';
import { z } from 'zod';

/** An id that cannot be an operation id is answered like an unknown one, without touching Redis (as GET /operations/{id}). */
export function checkedOperationId(id: string): string {
  if (!isOperationIdShape(id)) throw new OperationNotFoundError(id.length > 120 ? `${id.slice(0, 120)}…` : id);
  return id;
}

/** The artifact catalogue; anything else is a 422 naming the valid ones. */
export const artifactParamsSchema = z.object({
  name: ArtifactNameSchema,
});

/** Names in catalogue order (strategy, history, equity, assessment), whatever order Redis returns. */
export function catalogueOrder(names: readonly string[]): string[] {
  const rank = (n: string): number => {
    const i = (ARTIFACT_NAMES as readonly string[]).indexOf(n);
    return i < 0 ? ARTIFACT_NAMES.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
