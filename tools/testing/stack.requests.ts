/**
 * The requests end-to-end specs make against a running stack (tools/testing/stack.harness.ts), in
 * one place: read an operation and its children, trigger a cycle, wait for a terminal status.
 * Records are typed by the wire contract, so a spec reads the fields the API really sends.
 */
import { PHASE_TABLE, type ActivePhase, type OperationInfo } from '@ktrdr/api-contract';
import { eventually, pause, type Stack } from './stack.harness.js';

export const TERMINAL_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled'];

export async function getOp(stack: Stack, id: string): Promise<OperationInfo> {
  return (await stack.request<{ data: OperationInfo }>('GET', `/operations/${id}`)).body.data;
}

export async function childrenOf(stack: Stack, id: string): Promise<OperationInfo[]> {
  return (await stack.request<{ data: OperationInfo[] }>('GET', `/operations/${id}/children`)).body.data;
}

/** POST /agent/trigger, which must start a cycle (202); its operation id. */
export async function triggerCycle(stack: Stack, body: Record<string, unknown> = {}): Promise<string> {
  const res = await stack.request<{ operation_id?: string }>('POST', '/agent/trigger', body);
  if (res.status !== 202 || !res.body.operation_id) throw new Error(`trigger answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.operation_id;
}

/** The operation once it is completed, failed or cancelled. */
export function waitTerminal(stack: Stack, id: string, timeoutMs = 20_000, everyMs = 20): Promise<OperationInfo> {
  return eventually(
    async () => {
      const op = await getOp(stack, id);
      return TERMINAL_STATUSES.includes(op.status) ? op : undefined;
    },
    `${id} to finish`,
    timeoutMs,
    everyMs,
  );
}

/**
 * The cycle's parameters once it is running in `phase` (its child created); fails at once, saying
 * how, if the cycle ends before. For a test that acts while a phase waits or runs.
 */
export function untilPhase(stack: Stack, id: string, phase: ActivePhase, timeoutMs = 180_000): Promise<Record<string, unknown>> {
  return eventually(
    async () => {
      const op = await getOp(stack, id);
      // Pending until an orchestrator takes it: only an ended cycle can no longer get there.
      if (TERMINAL_STATUSES.includes(op.status)) throw new Error(`cycle ${id} ended before ${phase}: ${op.status} ${op.error_message ?? ''}`);
      const p = op.metadata.parameters as Record<string, unknown>;
      return p['phase'] === phase && typeof p[PHASE_TABLE[phase].childKey] === 'string' ? p : undefined;
    },
    `cycle ${id} to reach ${phase}`,
    timeoutMs,
    100,
  );
}

/** A pause that is itself what a spec tests ("nothing happens for N ms"); never a way to wait for a state (wait/wait.ts). */
export { pause };
