/**
 * Reads run folders (docs/metrics.md) for the report: config.json, metrics.jsonl and summary.json, each
 * optional, so unfinished and killed runs are reported too (marked incomplete).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readMetrics, type Metrics } from '@brevity/core';
import { UserError } from '../errors.js';
import { splitRunName } from '../sweep/expand.js';

export interface RunData {
  /** Display name: the folder name (prefixed by its parent's when two folders share a name). */
  name: string;
  dir: string;
  /** Runs sharing a label differ only by seed and are aggregated. */
  label: string;
  seed: number | undefined;
  /** summary.json present. */
  complete: boolean;
  config: Record<string, unknown> | undefined;
  rows: Metrics[];
}

const RUN_FILES = ['config.json', 'metrics.jsonl', 'summary.json'];
const isRunDir = (d: string) => RUN_FILES.some((f) => existsSync(join(d, f)));
const isDir = (d: string) => existsSync(d) && statSync(d).isDirectory();

/** Orders names as people read them: `lt64` before `lt128`. */
export const natural = new Intl.Collator('en', { numeric: true }).compare;

/** Run folders named on the command line; a folder of runs (a sweep's runsDir) stands for its runs. */
export function findRunDirs(paths: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!isDir(abs)) throw new UserError(`${p}: no such folder`);
    if (isRunDir(abs)) dirs.push(abs);
    else {
      const subs = readdirSync(abs)
        .map((e) => join(abs, e))
        .filter((d) => isDir(d) && isRunDir(d))
        .sort(natural);
      if (subs.length === 0)
        throw new UserError(
          `${p}: neither a run folder (config.json, metrics.jsonl or summary.json) nor a folder of runs`,
        );
      dirs.push(...subs);
    }
  }
  return [...new Set(dirs)];
}

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch (e) {
    throw new UserError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

function readRows(file: string): Metrics[] {
  try {
    return readMetrics(file);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

/**
 * Loads runs; `labels` maps a run name to its label (default: the name without its `__seed<k>` suffix).
 * Runs come back ordered by label, then seed, then name.
 */
export function loadRuns(
  dirs: readonly string[],
  labels: ReadonlyMap<string, string> = new Map(),
): RunData[] {
  const count = new Map<string, number>();
  for (const d of dirs) count.set(basename(d), (count.get(basename(d)) ?? 0) + 1);
  const runs = dirs.map((dir): RunData => {
    const base = basename(dir);
    const name = count.get(base)! > 1 ? `${basename(dirname(dir))}/${base}` : base;
    const config = readJson(join(dir, 'config.json'));
    const split = splitRunName(name);
    const seed = typeof config?.seed === 'number' ? config.seed : split.seed;
    return {
      name,
      dir,
      label: labels.get(name) ?? labels.get(base) ?? split.label,
      seed,
      complete: existsSync(join(dir, 'summary.json')),
      config,
      rows: readRows(join(dir, 'metrics.jsonl')),
    };
  });
  return runs.sort(
    (a, b) =>
      natural(a.label, b.label) || (a.seed ?? -Infinity) - (b.seed ?? -Infinity) || natural(a.name, b.name),
  );
}

/** Parses `--label NAME=LABEL` flags. */
export function parseLabels(specs: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1)
      throw new UserError(`--label ${s}: expected RUN=LABEL, e.g. --label laser-lt64__seed1=LASER`);
    m.set(s.slice(0, eq), s.slice(eq + 1));
  }
  return m;
}
