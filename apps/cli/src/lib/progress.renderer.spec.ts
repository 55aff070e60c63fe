import { operationRecord } from '../../../../tools/testing/operation.fixture';
import { PassThrough } from 'node:stream';
import type { OperationInfo } from '@ktrdr/api-contract';
import { chooseRenderMode, createRenderer, fitToWidth, followHeader, FollowNotes, progressLine } from './progress.renderer';

function op(fields: Record<string, unknown>): OperationInfo {
  // Each test sets what it is about.
  return operationRecord({ operation_id: 'op_1', status: 'running', created_at: '2026-11-25T14:30:22Z', ...fields });
}

describe('progressLine', () => {
  it('shows percentage and step of the operation and of its child', () => {
    const parent = op({ progress: { percentage: 20, current_step: 'Training model...' } });
    const child = op({ operation_id: 'op_t', operation_type: 'training', progress: { percentage: 30, current_step: 'Epoch 3/10' } });
    expect(progressLine({ op: parent, child: null })).toBe('[  20%] Training model...');
    expect(progressLine({ op: parent, child })).toBe('[  20%] Training model... | training op_t: 30% Epoch 3/10');
  });

  it("shows the child's step once, from the child, not the cycle's lagging copy of it", () => {
    const parent = op({ progress: { percentage: 25.9, current_step: 'Training model... (Epoch 1/30)' } });
    const child = op({ operation_id: 'op_t', operation_type: 'training', progress: { percentage: 16, current_step: 'Epoch 2/30' } });
    const line = progressLine({ op: parent, child });
    expect(line).toBe('[25.9%] Training model... | training op_t: 16% Epoch 2/30');
    expect(line.match(/Epoch/g)).toHaveLength(1);
    // Without a child the cycle's own step is all there is, and is shown whole.
    expect(progressLine({ op: parent, child: null })).toBe('[25.9%] Training model... (Epoch 1/30)');
  });

  it('says where a failed or cancelled operation stopped instead of a live-looking percentage', () => {
    expect(progressLine({ op: op({ status: 'failed', progress: { percentage: 90, current_step: 'Assessing results...' } }), child: null })).toBe(
      '[failed at 90%] Assessing results...',
    );
    expect(progressLine({ op: op({ status: 'cancelled', progress: { percentage: 20, current_step: 'Training model...' } }), child: null })).toBe(
      '[cancelled at 20%] Training model...',
    );
    expect(progressLine({ op: op({ status: 'completed', progress: { percentage: 100, current_step: 'Complete' } }), child: null })).toBe('[ 100%] Complete');
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

describe('FollowNotes', () => {
  it('names the designer once the record knows it, and only once', () => {
    const notes = new FollowNotes();
    expect(notes.next({ op: op({ metadata: { parameters: { phase: 'designing', model: 'claude-sonnet-5-5' } } }), child: null })).toEqual([]);
    const designed = op({ metadata: { parameters: { phase: 'training', designer: 'offline', model: 'claude-sonnet-5-5' } } });
    expect(notes.next({ op: designed, child: null })).toEqual(['Designer: offline']);
    expect(notes.next({ op: designed, child: null })).toEqual([]);
    const claude = new FollowNotes();
    expect(claude.next({ op: op({ metadata: { parameters: { designer: 'claude', model: 'claude-sonnet-5-5' } } }), child: null })).toEqual([
      'Designer: Claude (claude-sonnet-5-5)',
    ]);
    const given = new FollowNotes();
    expect(given.next({ op: op({ metadata: { parameters: { phase: 'idle', strategy: 'v3_minimal' } } }), child: null })).toEqual([
      'Designer: none (strategy v3_minimal given)',
    ]);
  });

  it('says training stopped early, with the configured epochs seen on the training child', () => {
    const notes = new FollowNotes();
    const child = op({
      operation_id: 'op_t',
      operation_type: 'training',
      progress: { percentage: 50, current_step: 'Epoch 14/30', steps_completed: 14, steps_total: 30 },
    });
    notes.next({ op: op({ metadata: { parameters: { phase: 'training', designer: 'offline' } } }), child });
    const after = op({
      metadata: {
        parameters: { phase: 'backtesting', designer: 'offline', training_result: { epochs_run: 14, best_epoch: 4, history: { loss: [1], val_loss: [1] } } },
      },
    });
    expect(notes.next({ op: after, child: null })).toEqual([
      'Training: stopped at epoch 14/30 (early stop: validation loss did not improve for 10 epochs; kept epoch 4)',
    ]);
    expect(notes.planned).toBe(30);
  });

  it('writes notes as their own lines', () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const r = createRenderer('lines', stream);
    r.note('Designer: offline');
    r.update({ op: op({ progress: { percentage: 20, current_step: 'Training model...' } }), child: null });
    expect(chunks.join('')).toBe('Designer: offline\n[  20%] Training model...\n');
  });
});

describe('width and first line', () => {
  const long = op({ progress: { percentage: 20, current_step: `Training model... ${'x'.repeat(150)}` } });

  function capture(columns: number | undefined): { stream: PassThrough; text: () => string } {
    const stream = new PassThrough();
    if (columns !== undefined) Object.assign(stream, { columns, isTTY: true });
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    return { stream, text: () => chunks.join('') };
  }

  it('fits each line to the terminal width, wider than 80 when the terminal is', () => {
    const { stream, text } = capture(120);
    const r = createRenderer('lines', stream);
    r.update({ op: long, child: null });
    const line = text().replace(/\n$/, '');
    expect(line).toHaveLength(120);
    expect(line.endsWith('…')).toBe(true);
  });

  it('keeps the whole line when the stream is a pipe (no width to fit)', () => {
    const { stream, text } = capture(undefined);
    const r = createRenderer('lines', stream);
    r.update({ op: long, child: null });
    expect(text()).toBe(`${progressLine({ op: long, child: null })}\n`);
  });

  it('cuts only what does not fit', () => {
    expect(fitToWidth('abcdef', 6)).toBe('abcdef');
    expect(fitToWidth('abcdefg', 6)).toBe('abcde…');
    expect(fitToWidth('abcdefg', undefined)).toBe('abcdefg');
  });

  it('starts every follow with the same header line', () => {
    const { stream, text } = capture(undefined);
    const r = createRenderer('lines', stream);
    r.begin(followHeader('op_1', false));
    r.update({ op: op({ progress: { percentage: 5, current_step: 'Designing strategy...' } }), child: null });
    expect(text().split('\n')[0]).toBe('Following op_1 (Ctrl+C detaches; it keeps running)');
    expect(followHeader('op_1', true)).toBe('Following op_1 (Ctrl+C cancels it)');
  });

  it('prints nothing at all in silent mode', () => {
    const { stream, text } = capture(undefined);
    const r = createRenderer('silent', stream);
    r.begin('x');
    r.update({ op: long, child: null });
    expect(text()).toBe('');
  });
});
