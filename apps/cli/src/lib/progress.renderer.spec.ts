import { PassThrough } from 'node:stream';
import { OperationInfoSchema, type OperationInfo } from '@ktrdr/api-contract';
import { chooseRenderMode, createRenderer, progressLine } from './progress.renderer';

function op(fields: Record<string, unknown>): OperationInfo {
  // The fields every record has (the API always writes them); each test sets what it is about.
  const base = { operation_id: 'op_1', operation_type: 'agent_research', status: 'running', created_at: '2026-11-25T14:30:22Z' };
  return OperationInfoSchema.parse({ ...base, progress: { percentage: 0, current_step: null }, metadata: { parameters: {} }, ...fields });
}

describe('progressLine', () => {
  it('shows percentage and step of the operation and of its child', () => {
    const parent = op({ progress: { percentage: 20, current_step: 'Training model...' } });
    const child = op({ operation_id: 'op_t', operation_type: 'training', progress: { percentage: 30, current_step: 'Epoch 3/10' } });
    expect(progressLine({ op: parent, child: null })).toBe('[  20%] Training model...');
    expect(progressLine({ op: parent, child })).toBe('[  20%] Training model... | training op_t: 30% Epoch 3/10');
  });

  it('falls back to the status when there is no step', () => {
    expect(progressLine({ op: op({ status: 'pending', progress: { percentage: 0, current_step: null } }), child: null })).toBe('[   0%] pending');
  });
});

describe('renderers', () => {
  it('chooses bars on a TTY, lines when piped, nothing for piped --json', () => {
    expect(chooseRenderMode({ isTTY: true }, true)).toBe('bar');
    expect(chooseRenderMode({ isTTY: false }, false)).toBe('lines');
    expect(chooseRenderMode({}, true)).toBe('silent');
  });

  it('writes a plain line only when the progress changes', () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const r = createRenderer('lines', stream);
    const a = op({ progress: { percentage: 5, current_step: 'Designing strategy...' } });
    const b = op({ progress: { percentage: 20, current_step: 'Training model...' } });
    r.update({ op: a, child: null });
    r.update({ op: a, child: null });
    r.update({ op: b, child: null });
    r.stop();
    expect(chunks.join('')).toBe('[   5%] Designing strategy...\n[  20%] Training model...\n');
  });
});
