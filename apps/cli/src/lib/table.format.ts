/**
 * A minimal aligned text table. Hand-rolled because @oclif/core 4 dropped the `ux.table` helper
 * that v2/v3 shipped (its ux now only has action/colorize/stdout/stderr/warn), and the
 * replacement (@oclif/table) is not a dependency of this repo.
 */
export interface Column<Row> {
  header: string;
  get: (row: Row) => string;
  /** Right-align (numbers). */
  alignRight?: boolean;
  /** Cut longer cells to this many characters, ending in "…". */
  maxWidth?: number;
}

export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], gap = '  '): string[] {
  const cells = rows.map((row) => columns.map((col) => truncate(clean(col.get(row)), col.maxWidth)));
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    columns
      .map((col, i) => {
        const v = values[i] ?? '';
        const w = widths[i] ?? 0;
        return col.alignRight ? v.padStart(w) : v.padEnd(w);
      })
      .join(gap)
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}

function clean(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ');
}

function truncate(value: string, max: number | undefined): string {
  if (max === undefined || value.length <= max) return value;
  return max <= 1 ? value.slice(0, max) : `${value.slice(0, max - 1)}…`;
}
