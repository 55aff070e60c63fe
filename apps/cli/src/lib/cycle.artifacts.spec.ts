import { operationRecord } from '../../../../tools/testing/operation.fixture';
import type { ArtifactList, OperationInfo } from '@ktrdr/api-contract';
import { ApiError } from './api.error';
import { cycleArtifactListLines } from './artifact.format';
import { childArtifactsJson, childWithArtifact, gatherCycleArtifacts, type CycleArtifactsSource } from './cycle.artifacts';

const CYCLE = 'op_agent_research_20261125_143022_ab12cd34';
const OLD_CYCLE = 'op_agent_research_20261124_090000_00000000';
const DESIGN = 'op_agent_design_20261125_143022_11111111';
const TRAIN = 'op_training_20261125_143035_22222222';
const BACKTEST = 'op_backtesting_20261125_143100_33333333';
const ASSESS = 'op_agent_assessment_20261125_143110_44444444';
const OLD_DESIGN = 'op_agent_design_20261124_090000_55555555';

function record(id: string, type: string, fields: Partial<Record<string, unknown>> = {}): OperationInfo {
  return operationRecord({
    operation_id: id,
    operation_type: type,
    status: 'completed',
    parent_operation_id: CYCLE,
    progress: { percentage: 100, current_step: null },
    ...fields,
  });
}

/** An API that knows these records, children and artifact lists, and records what was asked. */
function fakeApi(
  records: OperationInfo[],
  children: Record<string, string[]>,
  artifacts: Record<string, string[]>,
): CycleArtifactsSource & { calls: string[] } {
  const byId = new Map(records.map((r) => [r.operation_id, r]));
  const calls: string[] = [];
  const find = (id: string): OperationInfo => {
    const r = byId.get(id);
    if (!r) throw new ApiError('OPERATION_NOT_FOUND', 404, `Operation not found: ${id}`);
    return r;
  };
  return {
    calls,
    listChildren: async (id) => (calls.push(`children ${id}`), (children[id] ?? []).map(find)),
    getOperation: async (id) => (calls.push(`get ${id}`), find(id)),
    listArtifacts: async (id): Promise<ArtifactList> => (calls.push(`artifacts ${id}`), { operation_id: id, artifacts: artifacts[id] ?? [] }),
  };
}

const cycle = (parameters: Record<string, unknown> = {}, status = 'completed') =>
  record(CYCLE, 'agent_research', { parent_operation_id: null, status, metadata: { parameters } });

describe("gathering a research cycle's artifacts", () => {
  const children = [record(DESIGN, 'agent_design'), record(TRAIN, 'training'), record(BACKTEST, 'backtesting'), record(ASSESS, 'agent_assessment')];
  const artifacts = { [DESIGN]: ['strategy'], [TRAIN]: ['history'], [BACKTEST]: ['equity'], [ASSESS]: ['assessment'] };

  it('lists each child with its artifacts, in phase order, as text and as the --json rows', async () => {
    const api = fakeApi(children, { [CYCLE]: [DESIGN, TRAIN, BACKTEST, ASSESS] }, artifacts);
    const entries = await gatherCycleArtifacts(api, cycle({ design_op_id: DESIGN, training_op_id: TRAIN, backtest_op_id: BACKTEST, assessment_op_id: ASSESS }));
    expect(cycleArtifactListLines(CYCLE, entries)).toEqual([
      `Artifacts of research cycle ${CYCLE}, by child operation:`,
      `  designing    ${DESIGN}`,
      '    strategy',
      `  training     ${TRAIN}`,
      '    history',
      `  backtesting  ${BACKTEST}`,
      '    equity',
      `  assessing    ${ASSESS}`,
      '    assessment',
      `Show one with: npx ktrdr operations artifacts ${CYCLE} <name> [--json]`,
    ]);
    expect(childArtifactsJson(entries)).toEqual([
      { operation_id: DESIGN, operation_type: 'agent_design', artifacts: ['strategy'] },
      { operation_id: TRAIN, operation_type: 'training', artifacts: ['history'] },
      { operation_id: BACKTEST, operation_type: 'backtesting', artifacts: ['equity'] },
      { operation_id: ASSESS, operation_type: 'agent_assessment', artifacts: ['assessment'] },
    ]);
    // Only the children are read: the ids the cycle names are all among them.
    expect(api.calls.filter((c) => c.startsWith('get '))).toEqual([]);
  });

  it('includes the finished phase a resumed cycle took over from an older one, marked as reused', async () => {
    const oldDesign = record(OLD_DESIGN, 'agent_design', { parent_operation_id: OLD_CYCLE });
    const failedTraining = record(TRAIN, 'training', { status: 'failed' });
    const api = fakeApi([oldDesign, failedTraining], { [CYCLE]: [TRAIN] }, { [OLD_DESIGN]: ['strategy'] });
    const entries = await gatherCycleArtifacts(api, cycle({ design_op_id: OLD_DESIGN, training_op_id: TRAIN, resumed_from: OLD_CYCLE }, 'failed'));
    expect(cycleArtifactListLines(CYCLE, entries)).toEqual([
      `Artifacts of research cycle ${CYCLE}, by child operation:`,
      `  designing  ${OLD_DESIGN} (reused from ${OLD_CYCLE})`,
      '    strategy',
      `  training   ${TRAIN} (failed)`,
      '    (none)',
      `Show one with: npx ktrdr operations artifacts ${CYCLE} <name> [--json]`,
    ]);
    expect(childWithArtifact(CYCLE, entries, 'strategy').operation_id).toBe(OLD_DESIGN);
  });

  it('skips a reused child whose record is gone, but lets any other failure through', async () => {
    const api = fakeApi([record(TRAIN, 'training')], { [CYCLE]: [TRAIN] }, {});
    const entries = await gatherCycleArtifacts(api, cycle({ design_op_id: OLD_DESIGN, training_op_id: TRAIN }));
    expect(entries.map((e) => e.child.operation_id)).toEqual([TRAIN]);

    const broken = { ...api, getOperation: async () => Promise.reject(new ApiError('http_500', 500, 'boom')) };
    await expect(gatherCycleArtifacts(broken, cycle({ design_op_id: OLD_DESIGN }))).rejects.toThrow('boom');
  });

  it('says why there is nothing: no children yet, or children that published none', async () => {
    expect(cycleArtifactListLines(CYCLE, [])).toEqual([`No artifacts for ${CYCLE}: the research cycle has no child operations yet.`]);
    const running = record(DESIGN, 'agent_design', { status: 'running' });
    expect(cycleArtifactListLines(CYCLE, [{ child: running, artifacts: [] }])).toEqual([
      `No artifacts for ${CYCLE}: none of its 1 child operation(s) published any.`,
      `  designing  ${DESIGN} (running)`,
      '    (none)',
    ]);
  });

  it('finds the child holding a name (the newest when several do), or fails with the not-found error naming the cycle', () => {
    const retried = record('op_backtesting_20261125_143200_66666666', 'backtesting');
    const entries = [
      { child: record(BACKTEST, 'backtesting'), artifacts: ['equity'] },
      { child: retried, artifacts: ['equity'] },
    ];
    expect(childWithArtifact(CYCLE, entries, 'equity')).toBe(retried);
    let error: unknown;
    try {
      childWithArtifact(CYCLE, entries, 'history');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toJSON()).toEqual({
      code: 'ARTIFACT_NOT_FOUND',
      status: 404,
      message: `Artifact not found: history (no child operation of ${CYCLE} published one)`,
      details: { operation_id: CYCLE, artifact: 'history' },
    });
  });
});
