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

/**
 * Stops the running children on SIGINT / SIGTERM: SIGTERM first, SIGKILL after `graceMs` or at a second
 * signal. `signal` is the first signal received; `dispose` removes the handlers.
 */
function stopOnSignals(
  running: ReadonlyMap<number, RunningChild>,
  graceMs: number,
  say: (t: string) => void,
) {
  const state = { signal: undefined as NodeJS.Signals | undefined, dispose };
  let timer: NodeJS.Timeout | undefined;
  const killAll = (sig: NodeJS.Signals) => {
    for (const c of running.values()) c.process.kill(sig);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (state.signal) return killAll('SIGKILL');
    state.signal = sig;
    say(`${sig}: stopping ${running.size} running run(s); run the same command again to continue`);
    killAll('SIGTERM');
    timer = setTimeout(() => killAll('SIGKILL'), graceMs);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  function dispose() {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return state;
}

export async function executeSweep(runs: readonly PlannedRun[], o: SweepRunOptions): Promise<SweepOutcome> {
  checkNoLiveChildren(runs, o.runsDir);
  const dirOf = (i: number) => join(o.runsDir, runs[i].name);
  const rows: RunRow[] = runs.map((r, i) => {
    const action = runAction(dirOf(i));
    const step = action === 'skip' ? lastStep(dirOf(i)) : undefined;
    return { name: r.name, action, status: action === 'skip' ? 'skipped' : 'pending', step };
  });
  const display = new ProgressDisplay(o.out ?? process.stderr, rows);
  const running = new Map<number, RunningChild>();
  const stop = stopOnSignals(running, o.graceMs ?? 10_000, (t) => display.event(t));
  const ticker = setInterval(() => {
    for (const [i, c] of running)
      Object.assign(rows[i], { step: lastStep(dirOf(i)), seconds: (Date.now() - c.startedAt) / 1000 });
    display.redraw();
  }, o.refreshMs ?? 1000);
  const launch = async (i: number): Promise<void> => {
    const action = runAction(dirOf(i)) === 'resume' ? 'resume' : 'start';
    if (action === 'start') clearStaleRun(dirOf(i));
    Object.assign(rows[i], { status: 'running', action });
    display.event(`${action === 'resume' ? 'resume' : 'start '} ${runs[i].name}`);
    const child = startChild(childSpec(runs[i], action, o));
    running.set(i, child);
    const res = await child.done;
    running.delete(i);
    finishRow(rows[i], dirOf(i), res, stop.signal);
    display.event(`${rows[i].status.padEnd(6)} ${runs[i].name}${rows[i].note ? ` (${rows[i].note})` : ''}`);
  };
  // `jobs` workers, each taking the next pending run until none is left or a signal came.
  const worker = async (): Promise<void> => {
    for (let i = rows.findIndex((r) => r.status === 'pending'); i >= 0 && !stop.signal;) {
      await launch(i);
      i = rows.findIndex((r) => r.status === 'pending');
    }
  };
  try {
    display.redraw();
    await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
  } finally {
    clearInterval(ticker);
    stop.dispose();
  }
  display.final();
  return { rows, failed: rows.filter((r) => r.status === 'failed').length, interrupted: stop.signal };
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
