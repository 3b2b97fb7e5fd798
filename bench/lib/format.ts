import type { BenchRow } from './row.js';

/** `1234567` → `1.23 M`, `12345` → `12.3 k`. */
export function si(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)} k`;
  return value.toPrecision(3);
}

/** Milliseconds, readable: `412 µs`, `12.3 ms`, `4.56 s`. */
export function ms(value: number): string {
  if (value >= 1000) return `${(value / 1000).toPrecision(3)} s`;
  if (value < 1) return `${(value * 1000).toPrecision(3)} µs`;
  return `${value.toPrecision(3)} ms`;
}

/** Bytes as MB with one decimal. */
export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const COUNTED = new Set(['requests', 'files']);

/** A ratio or figure with its unit, e.g. `0.93×`, `12.4 MB`. */
export function figure(value: number | null, unit: string): string {
  if (value === null) return '—';
  const text =
    Number.isInteger(value) && unit !== '×'
      ? String(value)
      : Math.abs(value) >= 100
        ? value.toFixed(0)
        : Math.abs(value) >= 10
          ? value.toFixed(1)
          : value.toFixed(2);
  if (unit === '×') return `${text}×`;
  // "1 request", "1 file"; other units (MB, s) have no plural.
  return `${text} ${value === 1 && COUNTED.has(unit) ? unit.slice(0, -1) : unit}`;
}

/** The columns of the benchmark table. */
export const COLUMNS = ['benchmark', 'measured', 'baseline', 'ratio (median)', 'spread (min–max)', 'target', 'result'] as const;

/** The cells of one row, in {@link COLUMNS} order. */
export function rowCells(row: BenchRow): string[] {
  return [
    row.benchmark,
    row.measured,
    row.baseline,
    figure(row.ratio, row.unit),
    row.spread ? `${figure(row.spread.min, row.unit)} – ${figure(row.spread.max, row.unit)}` : '—',
    row.target,
    row.pass === null ? 'report' : row.pass ? 'pass' : 'FAIL',
  ];
}

/** A Markdown table of `header` and `body` (cells' `|` escaped). */
export function markdownGrid(header: readonly string[], body: readonly (readonly string[])[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((line) => `| ${line.map(escape).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** The rows as a Markdown table (what the terminal prints). */
export function markdownTable(rows: readonly BenchRow[]): string {
  return markdownGrid(COLUMNS, rows.map(rowCells));
}
