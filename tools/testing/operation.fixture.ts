import { OperationInfoSchema, type OperationInfo } from '@ktrdr/api-contract';

/**
 * An operation record as the API sends it, for specs that format or read one: the fields every
 * record has, filled with a pending cycle's values, then the spec's own (parsed through the
 * contract, so a record a spec builds is one the API could have sent).
 */
export function operationRecord(fields: Partial<Record<string, unknown>> = {}): OperationInfo {
  return OperationInfoSchema.parse({
    operation_id: 'op_agent_research_20261125_143022_ab12cd34',
    operation_type: 'agent_research',
    status: 'pending',
    parent_operation_id: null,
    created_at: '2026-11-25T14:30:22.000Z',
    started_at: null,
    completed_at: null,
    progress: { percentage: 0, current_step: null },
    metadata: { parameters: {} },
    result_summary: null,
    error_message: null,
    ...fields,
  });
}
