/**
 * Run folders (docs/metrics.md): `config.json` (the resolved config), `metrics.jsonl`,
 * `checkpoints/step-<N>/` (resumable) and `summary.json` once the run completes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export const runFiles = (dir: string) => ({
  config: join(dir, 'config.json'),
  metrics: join(dir, 'metrics.jsonl'),
  checkpoints: join(dir, 'checkpoints'),
  summary: join(dir, 'summary.json'),
});

/** Creates a fresh run folder and saves the resolved config; refuses to overwrite an existing run. */
export function createRunDir(dir: string, config: unknown): void {
  const f = runFiles(dir);
  if (existsSync(f.metrics) || existsSync(f.checkpoints))
    throw new UserError(
      `run folder ${dir} already holds a run; resume it with --resume ${dir} or pick another name/--out`,
    );
  mkdirSync(dir, { recursive: true });
  writeFileSync(f.config, JSON.stringify(config, null, 2) + '\n');
}

/** Checkpoint folders of a run as [step, path], oldest first. */
export function listCheckpoints(dir: string): [number, string][] {
  const root = runFiles(dir).checkpoints;
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => /^step-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m): [number, string] => [Number(m[1]), join(root, m[0])])
    .sort((a, b) => a[0] - b[0]);
}

/** The newest checkpoint of a run, or an error that says what is missing. */
export function latestCheckpoint(dir: string): { step: number; path: string } {
  if (!existsSync(runFiles(dir).config))
    throw new UserError(`--resume ${dir}: not a run folder (no config.json)`);
  const all = listCheckpoints(dir);
  if (all.length === 0)
    throw new UserError(`--resume ${dir}: the run has no checkpoint yet (checkpoints/step-N)`);
  const [step, path] = all[all.length - 1];
  return { step, path };
}

/** The resolved config a run was started with. */
export function readRunConfig(dir: string): unknown {
  const file = runFiles(dir).config;
  if (!existsSync(file)) throw new UserError(`--resume ${dir}: not a run folder (no config.json)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Deletes all but the newest `keep` step checkpoints. */
export function pruneCheckpoints(dir: string, keep: number): void {
  const all = listCheckpoints(dir);
  for (const [, path] of all.slice(0, Math.max(0, all.length - keep)))
    rmSync(path, { recursive: true, force: true });
}
