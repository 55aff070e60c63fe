import { artifactListLines, artifactSummaryLines } from './artifact.format';

const ID = 'op_backtesting_20260101_000000_0000abcd';

describe('artifact output', () => {
  it('lists names with a hint, or says there are none', () => {
    expect(artifactListLines({ operation_id: ID, artifacts: ['equity'] })).toEqual([
      `Artifacts of ${ID}:`,
      '  equity',
      `Show one with: npx ktrdr operations artifacts ${ID} <name> [--json]`,
    ]);
    expect(artifactListLines({ operation_id: ID, artifacts: [] })).toEqual([`No artifacts for ${ID}.`]);
  });

  it('summarises an equity curve by series length and first → last value', () => {
    const equity = {
      t: ['2021-01-01', '2021-01-02', '2021-01-03'],
      equity: [100000, 100512.25, 101234.5],
      benchmark: [100000, 99500, 99800.125],
      trades: [{ side: 'long', pnl: 12.5 }],
      stub: false,
    };
    expect(artifactSummaryLines(ID, 'equity', equity)).toEqual([
      `Artifact: equity of ${ID}`,
      '  t: 2021-01-01, 2021-01-02, 2021-01-03',
      '  equity: 3 values (100000 → 101234.50)',
      '  benchmark: 3 values (100000 → 99800.13)',
      '  trades: 1 item',
      '  stub: false',
      'Full content: add --json',
    ]);
  });

  it('shows nested objects by their keys and long string lists by count', () => {
    const lines = artifactSummaryLines(ID, 'history', { loss: [0.91234, 0.45], meta: { a: 1, b: 2 }, ids: ['a', 'b', 'c', 'd', 'e', 'f'], note: null });
    expect(lines.slice(1, -1)).toEqual(['  loss: 2 values (0.9123 → 0.45)', '  meta: {a, b}', '  ids: 6 items (a, b, c, d, e, …)', '  note: -']);
  });

  it('handles a non-object artifact', () => {
    expect(artifactSummaryLines(ID, 'assessment', 'promising')).toEqual([`Artifact: assessment of ${ID}`, '  promising', 'Full content: add --json']);
  });
});
