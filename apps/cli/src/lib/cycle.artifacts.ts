/**
 * A research cycle publishes no artifacts of its own: each phase's child operation publishes its
 * own (design → strategy, training → history, backtest → equity, assessment → assessment). This
 * gathers them under the cycle, so `ktrdr operations artifacts <cycle id>` answers what a user
 * asking about "the cycle's artifacts" means.
 */
import { ACTIVE_PHASES, PHASE_TABLE, phaseOfOperationType, readCycleParameters, type ArtifactList, type OperationInfo } from '@ktrdr/api-contract';
import { ErrorCode } from '@ktrdr/errors';
import { ApiError } from './api.error.js';

/** What the gathering reads through: the API client's own methods (a fake in the unit specs). */
export interface CycleArtifactsSource {
  listChildren(operationId: string): Promise<OperationInfo[]>;
  getOperation(operationId: string): Promise<OperationInfo>;
  listArtifacts(operationId: string): Promise<ArtifactList>;
}

/** One child operation of a cycle with the names of the artifacts it published. */
export interface ChildArtifacts {
  child: OperationInfo;
  artifacts: string[];
}

/** The `--json` row of a cycle's listing: which operation holds which artifacts. */
export interface ChildArtifactsJson {
  operation_id: string;
  operation_type: string;
  artifacts: string[];
}

/**
 * The cycle's phase children with their artifact names, in phase order (design first). Besides the
 * cycle's own children this includes the finished phases a resumed cycle took over: they are named by
 * its `*_op_id` keys but belong to the older cycle they ran in, so the children route leaves them out.
 */
export async function gatherCycleArtifacts(source: CycleArtifactsSource, cycle: OperationInfo): Promise<ChildArtifacts[]> {
  const own = await source.listChildren(cycle.operation_id);
  const ownIds = new Set(own.map((c) => c.operation_id));
  const params = readCycleParameters(cycle.metadata?.parameters);
  const reusedIds = ACTIVE_PHASES.map((p) => params[PHASE_TABLE[p].childKey]).filter((id): id is string => typeof id === 'string' && !ownIds.has(id));
  const reused = await Promise.all(reusedIds.map((id) => source.getOperation(id).catch(ignoreNotFound)));
  const children = sortByPhase([...reused.filter((c): c is OperationInfo => c !== null), ...own]);
  return Promise.all(children.map(async (child) => ({ child, artifacts: (await source.listArtifacts(child.operation_id)).artifacts })));
}

/** A reused child whose record is gone is simply not listed; any other failure is the command's. */
function ignoreNotFound(error: unknown): null {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
}

/** Phase order, then oldest first within a phase (a stable sort keeps the children route's order). */
function sortByPhase(children: OperationInfo[]): OperationInfo[] {
  const rank = (op: OperationInfo): number => {
    const phase = phaseOfOperationType(op.operation_type);
    return phase ? ACTIVE_PHASES.indexOf(phase) : ACTIVE_PHASES.length;
  };
  return [...children].sort((a, b) => rank(a) - rank(b) || Date.parse(a.created_at) - Date.parse(b.created_at));
}

export function childArtifactsJson(entries: readonly ChildArtifacts[]): ChildArtifactsJson[] {
  return entries.map(({ child, artifacts }) => ({ operation_id: child.operation_id, operation_type: child.operation_type, artifacts }));
}

/**
 * The child that holds the named artifact: the newest one when several do (a phase run again).
 * Throws the API's not-found error, naming the cycle, when none has it.
 */
export function childWithArtifact(cycleId: string, entries: readonly ChildArtifacts[], name: string): OperationInfo {
  const holder = entries.filter((e) => e.artifacts.includes(name)).at(-1);
  if (holder) return holder.child;
  throw new ApiError(ErrorCode.ArtifactNotFound, 404, `Artifact not found: ${name} (no child operation of ${cycleId} published one)`, {
    operation_id: cycleId,
    artifact: name,
  });
}
