/** The eval table for the terminal: one row per difficulty and an overall row. */
import type { EvalReport, EvalStats } from './evaluate.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** Column header and cell of each column. */
const COLUMNS: [string, (s: EvalStats, k: number) => string][] = [
  ['difficulty', (s) => (s.difficulty === null ? 'all' : String(s.difficulty))],
  ['problems', (s) => String(s.problems)],
  ['acc', (s) => pct(s.acc)],
  ['pass@k', (s) => pct(s.passAtK)],
  ['length', (s) => num(s.lengthMean)],
  ['len correct', (s) => num(s.lengthCorrectMean)],
  ['think', (s) => num(s.thinkMean)],
  ['checks', (s) => pct(s.checkShare)],
  ['redundant', (s) => pct(s.redundantShare)],
  ['truncated', (s) => pct(s.truncatedFrac)],
];

/** Plain-text table; `markdown` gives a GitHub table (for READMEs). */
export function formatEvalTable(r: EvalReport, markdown = false): string {
  const head = COLUMNS.map(([h]) => (h === 'pass@k' ? `pass@${r.k}` : h));
  const rows = [...r.byDifficulty, r.overall].map((s) => COLUMNS.map(([, f]) => f(s, r.k)));
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
