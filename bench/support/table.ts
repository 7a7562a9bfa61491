/** The one table printer every benchmark uses: GitHub-flavoured markdown, numbers right-aligned. */

export type Cell = string | number | undefined;

export interface Table {
  title: string;
  /** One line under the title: what was measured, under which settings. */
  setup: string;
  columns: string[];
  rows: Cell[][];
  /** Lines after the table: targets met or missed, caveats. */
  notes?: string[];
}

function format(cell: Cell): string {
  if (cell === undefined) return '–';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell)) return String(cell);
  if (Number.isInteger(cell)) return cell.toLocaleString('en-US');
  return Math.abs(cell) >= 100 ? Math.round(cell).toLocaleString('en-US') : cell.toFixed(Math.abs(cell) >= 10 ? 1 : 2);
}

export function renderTable(table: Table): string {
  const cells = table.rows.map((row) => table.columns.map((_, i) => format(row[i])));
  const widths = table.columns.map((c, i) => Math.max(c.length, 3, ...cells.map((r) => r[i]!.length)));
  const numeric = table.columns.map((_, i) => table.rows.every((r) => typeof r[i] === 'number' || r[i] === undefined));
  const line = (parts: string[]) => `| ${parts.map((p, i) => (numeric[i] ? p.padStart(widths[i]!) : p.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [
    `### ${table.title}`,
    '',
    table.setup,
    '',
    line(table.columns),
    rule,
    ...cells.map(line),
    ...(table.notes?.length ? ['', ...table.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}

/** `✅ met` / `❌ missed` against a target, for the notes under a table. */
export function verdict(label: string, met: boolean, detail: string): string {
  return `${met ? '✅' : '❌'} ${label}: ${detail}`;
}
