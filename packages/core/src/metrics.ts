/**
 * Metrics as JSONL, one object per step. Every line is appended with one synchronous write, so a killed run
 * loses at most the line being written; readers skip a torn last line.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Metrics } from './types.js';

export class MetricsWriter {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Appends one line; non-finite numbers are written as null so the file stays valid JSON. */
  write(row: Metrics): void {
    appendFileSync(
      this.path,
      JSON.stringify(row, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n',
    );
  }
}

/** Reads a metrics file; a torn (unterminated, unparseable) last line is skipped. */
export function readMetrics(path: string): Metrics[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const rows: Metrics[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      rows.push(JSON.parse(line) as Metrics);
    } catch (e) {
      if (i >= lines.length - 2 && !text.endsWith('\n')) break;
      throw new Error(`${path}:${i + 1}: malformed metrics line: ${(e as Error).message}`);
    }
  }
  return rows;
}

/** Keeps only rows whose `step` is below `step` (resume from a checkpoint taken at `step`). */
export function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readMetrics(path).filter((r) => typeof r.step !== 'number' || r.step < step);
  writeFileSync(path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
}
