/**
 * Executes a planned sweep: up to `jobs` runs at once, each a child process. All state lives in the run
 * folders, so a sweep killed at any point continues where it stopped when the same command is run again.
 * SIGINT / SIGTERM stop the sweep: children get SIGTERM, then SIGKILL after `graceMs`.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { startChild, type ChildSpec, type RunningChild } from './child.js';
import type { PlannedRun } from './expand.js';
import { clearStaleRun, lastStep, livePid, runAction } from './folder.js';
import { ProgressDisplay, type ProgressSink, type RunRow } from './progress.js';

export interface SweepRunOptions {
  /** Node script each run executes. */
  cli: string;
  command: string;
  args: readonly string[];
  runsDir: string;
  /** Absolute config path of each config as written in the spec. */
  configPath: (config: string) => string;
  jobs: number;
  /** Where progress goes (stderr by default). */
  out?: ProgressSink;
  /** Time children get to exit after SIGTERM before SIGKILL. */
  graceMs?: number;
  /** Refresh period of the live table and of the step column. */
  refreshMs?: number;
}

export interface SweepOutcome {
  rows: RunRow[];
  failed: number;
  /** The signal that stopped the sweep, if one did. */
  interrupted: NodeJS.Signals | undefined;
}

/** Builds the child command of a run, given the action its folder calls for. */
export function childSpec(run: PlannedRun, action: ChildSpec['action'], o: SweepRunOptions): ChildSpec {
  return {
    cli: o.cli,
    command: o.command,
    config: o.configPath(run.config),
    set: run.set,
    args: o.args,
    dir: join(o.runsDir, run.name),
    action,
  };
}

/** Fails early if an earlier (killed) sweep left a child still running in one of the folders. */
function checkNoLiveChildren(runs: readonly PlannedRun[], runsDir: string): void {
  for (const r of runs) {
    const pid = livePid(join(runsDir, r.name));
    if (pid !== undefined)
      throw new UserError(
        `run ${r.name} is still running as pid ${pid} (left by an earlier sweep?); stop it (kill ${pid}) and run the sweep again`,
      );
  }
}

export async function executeSweep(runs: readonly PlannedRun[], o: SweepRunOptions): Promise<SweepOutcome> {
  checkNoLiveChildren(runs, o.runsDir);
  const rows: RunRow[] = runs.map((r) => {
    const action = runAction(join(o.runsDir, r.name));
    const step = action === 'skip' ? lastStep(join(o.runsDir, r.name)) : undefined;
    return { name: r.name, action, status: action === 'skip' ? 'skipped' : 'pending', step };
  });
  const display = new ProgressDisplay(o.out ?? process.stderr, rows);
  const running = new Map<number, RunningChild>();
  let interrupted: NodeJS.Signals | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      // A second Ctrl-C: no more waiting.
      for (const c of running.values()) c.process.kill('SIGKILL');
      return;
    }
    interrupted = sig;
    display.event(`${sig}: stopping ${running.size} running run(s); run the same command again to continue`);
    for (const c of running.values()) c.process.kill('SIGTERM');
    killTimer = setTimeout(() => {
      for (const c of running.values()) c.process.kill('SIGKILL');
    }, o.graceMs ?? 10_000);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ticker = setInterval(() => {
    for (const [i, c] of running) {
      rows[i].step = lastStep(join(o.runsDir, runs[i].name));
      rows[i].seconds = (Date.now() - c.startedAt) / 1000;
    }
    display.redraw();
  }, o.refreshMs ?? 1000);
  try {
    display.redraw();
    const waiting: Promise<void>[] = [];
    const next = () => rows.findIndex((r) => r.status === 'pending');
    const launch = (i: number): Promise<void> => {
      const dir = join(o.runsDir, runs[i].name);
      const action = runAction(dir) === 'resume' ? 'resume' : 'start';
      if (action === 'start') clearStaleRun(dir);
      Object.assign(rows[i], { status: 'running', action });
      display.event(`${action === 'resume' ? 'resume' : 'start '} ${runs[i].name}`);
      const child = startChild(childSpec(runs[i], action, o));
      running.set(i, child);
      return child.done.then((res) => {
        running.delete(i);
        finishRow(rows[i], dir, res, interrupted);
        display.event(
          `${rows[i].status.padEnd(6)} ${runs[i].name}${rows[i].note ? ` (${rows[i].note})` : ''}`,
        );
      });
    };
    const pump = async (): Promise<void> => {
      for (let i = next(); i >= 0 && !interrupted; i = next()) await launch(i);
    };
    for (let j = 0; j < Math.max(1, o.jobs); j++) waiting.push(pump());
    await Promise.all(waiting);
  } finally {
    clearInterval(ticker);
    if (killTimer) clearTimeout(killTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  display.final();
  return { rows, failed: rows.filter((r) => r.status === 'failed').length, interrupted };
}

/** Marks a finished run done or failed: success needs exit code 0 and a summary.json. */
function finishRow(
  row: RunRow,
  dir: string,
  res: { code: number | null; signal: NodeJS.Signals | null; seconds: number },
  interrupted: NodeJS.Signals | undefined,
): void {
  row.seconds = res.seconds;
  row.step = lastStep(dir) ?? row.step;
  const complete = runAction(dir) === 'skip';
  if (res.code === 0 && complete) row.status = 'done';
  else if (interrupted) {
    row.status = 'pending';
    row.note = `stopped by ${interrupted}`;
  } else {
    row.status = 'failed';
    row.note =
      res.code === 0
        ? 'exited 0 without writing summary.json'
        : `${res.signal ? `killed by ${res.signal}` : `exit code ${res.code}`}; see log.txt`;
  }
}
