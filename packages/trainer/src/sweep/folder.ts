/**
 * What a run folder says about its run (docs/metrics.md): `summary.json` marks it complete, a
 * `checkpoints/step-<N>/` folder makes it resumable, anything else is started over.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type RunAction = 'skip' | 'resume' | 'start';

/** Newest checkpoint step in `<dir>/checkpoints`, or undefined when there is none. */
export function latestCheckpoint(dir: string): number | undefined {
  const ckpts = join(dir, 'checkpoints');
  if (!existsSync(ckpts)) return undefined;
  let best: number | undefined;
  for (const entry of readdirSync(ckpts)) {
    const m = /^step-(\d+)$/.exec(entry);
    if (m && statSync(join(ckpts, entry)).isDirectory()) best = Math.max(best ?? -1, Number(m[1]));
  }
  return best;
}

/** The action a sweep takes for a run folder: skip a complete run, resume from a checkpoint, else start. */
export function runAction(dir: string): RunAction {
  if (existsSync(join(dir, 'summary.json'))) return 'skip';
  return latestCheckpoint(dir) === undefined ? 'start' : 'resume';
}

/** Files of an unfinished run with no checkpoint: removed before starting over (the log is kept). */
const STALE = ['config.json', 'metrics.jsonl', 'checkpoints'];

export function clearStaleRun(dir: string): void {
  for (const f of STALE) rmSync(join(dir, f), { recursive: true, force: true });
}

/** Last `step` written to `<dir>/metrics.jsonl` (progress display); undefined before the first line. */
export function lastStep(dir: string): number | undefined {
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 2; i--) {
    try {
      const step = (JSON.parse(lines[i]) as { step?: unknown }).step;
      if (typeof step === 'number') return step;
    } catch {
      // A torn last line (the run is writing it): look at the one before.
    }
  }
  return undefined;
}

const PID_FILE = '.sweep-pid';

/** Records the pid of the process running in `dir`, so a later sweep can tell it is still alive. */
export const pidFile = (dir: string) => join(dir, PID_FILE);

/**
 * The pid of a process still running this run (left over by a sweep that was killed), or undefined.
 * On Linux the process must also name the folder on its command line, so a reused pid is not mistaken.
 */
export function livePid(dir: string): number | undefined {
  const file = pidFile(dir);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline)) {
    const args = readFileSync(cmdline, 'utf8').split('\0');
    if (!args.some((a) => resolve(a) === resolve(dir))) return undefined;
  }
  return pid;
}
