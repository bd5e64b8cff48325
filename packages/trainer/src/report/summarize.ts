/**
 * Pure summaries of metrics rows: the final and best eval of a run, and mean ± std over the runs of a
 * label (the seeds). Lengths are in tokens, accuracies in [0, 1].
 */
import { mean, unbiasedStd, type Metrics } from '@brevity/core';

export interface DifficultyEval {
  acc: number | undefined;
  length: number | undefined;
}

export interface RunSummary {
  /** Optimisation steps logged: last step + 1 (0 without metrics). */
  steps: number;
  /** `time/elapsed_s` of the last row. */
  wallS: number | undefined;
  /** Step of the last eval row. */
  evalStep: number | undefined;
  finalAcc: number | undefined;
  finalLength: number | undefined;
  finalCorrectLength: number | undefined;
  bestAcc: number | undefined;
  /** First step reaching bestAcc. */
  bestStep: number | undefined;
  /** Final eval per difficulty k (`eval/d<k>/*`), keyed by k. */
  byDifficulty: Map<number, DifficultyEval>;
}

export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** Rows holding an eval (`eval/acc` a number). */
export const evalRows = (rows: readonly Metrics[]) => rows.filter((r) => num(r['eval/acc']) !== undefined);

/** Difficulty levels present in a row, ascending. */
export function difficulties(row: Metrics | undefined): number[] {
  if (!row) return [];
  const ks = new Set<number>();
  for (const key of Object.keys(row)) {
    const m = /^eval\/d(\d+)\/(acc|length_mean)$/.exec(key);
    if (m) ks.add(Number(m[1]));
  }
  return [...ks].sort((a, b) => a - b);
}

export function summarizeRun(rows: readonly Metrics[]): RunSummary {
  const last = rows[rows.length - 1];
  const evals = evalRows(rows);
  const fin = evals[evals.length - 1];
  let best: Metrics | undefined;
  for (const r of evals) if (!best || num(r['eval/acc'])! > num(best['eval/acc'])!) best = r;
  const byDifficulty = new Map<number, DifficultyEval>();
  for (const k of difficulties(fin))
    byDifficulty.set(k, { acc: num(fin[`eval/d${k}/acc`]), length: num(fin[`eval/d${k}/length_mean`]) });
  const lastStep = num(last?.step);
  return {
    steps: lastStep === undefined ? 0 : lastStep + 1,
    wallS: num(last?.['time/elapsed_s']),
    evalStep: num(fin?.step),
    finalAcc: num(fin?.['eval/acc']),
    finalLength: num(fin?.['eval/length_mean']),
    finalCorrectLength: num(fin?.['eval/length_correct_mean']),
    bestAcc: num(best?.['eval/acc']),
    bestStep: num(best?.step),
    byDifficulty,
  };
}

/** Mean and unbiased (n - 1) standard deviation over the defined values; undefined when there are none. */
export interface Aggregate {
  mean: number;
  std: number;
  n: number;
}

export function aggregate(values: readonly (number | undefined)[]): Aggregate | undefined {
  const xs = values.filter((v): v is number => v !== undefined);
  if (xs.length === 0) return undefined;
  return { mean: mean(xs), std: unbiasedStd(xs), n: xs.length };
}

/**
 * Dotted paths where two resolved configs differ, ignoring `ignore` (top-level keys such as seed and name):
 * runs aggregated under one label should differ only there.
 */
export function configDiff(
  a: unknown,
  b: unknown,
  ignore: readonly string[] = ['seed', 'name'],
  prefix = '',
): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(a) || !isObj(b)) return [prefix || '(root)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys
    .filter((k) => !(prefix === '' && ignore.includes(k)))
    .flatMap((k) => configDiff(a[k], b[k], ignore, prefix ? `${prefix}.${k}` : k));
}
