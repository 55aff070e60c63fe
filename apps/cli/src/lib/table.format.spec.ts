import { renderTable, type Column } from './table.format';

interface Row {
  id: string;
  n: number;
}

const columns: Column<Row>[] = [
  { header: 'ID', get: (r) => r.id },
  { header: 'COUNT', get: (r) => String(r.n), alignRight: true },
];

describe('renderTable', () => {
  it('aligns columns to the widest cell and right-aligns numbers', () => {
    const lines = renderTable(
      [
        { id: 'a', n: 5 },
        { id: 'longer-id', n: 12345 },
      ],
      columns,
    );
    expect(lines).toEqual(['ID         COUNT', '---------  -----', 'a              5', 'longer-id  12345']);
  });

  it('keeps the header width when cells are narrower', () => {
    expect(renderTable([{ id: 'x', n: 1 }], columns)[0]).toBe('ID  COUNT');
  });

  it('truncates cells beyond maxWidth with an ellipsis and flattens newlines', () => {
    const cols: Column<{ s: string }>[] = [{ header: 'S', get: (r) => r.s, maxWidth: 5 }];
    expect(renderTable([{ s: 'abcdefgh' }, { s: 'a\nb' }], cols).slice(2)).toEqual(['abcd…', 'a b']);
  });

  it('renders only the header for no rows', () => {
    expect(renderTable([], columns)).toEqual(['ID  COUNT', '--  -----']);
  });
});
