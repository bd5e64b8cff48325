/**
 * Runs one sweep run as a child process `node <cli> <command> <config> --set ... --out|--resume <dir>`,
 * its stdout and stderr appended to `<dir>/log.txt` (the child writes to the file itself, so its log
 * survives the sweep being killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidFile, type RunAction } from './folder.js';

export interface ChildSpec {
  /** Node script: the brevity CLI or the spec's `cli`. */
  cli: string;
  command: string;
  /** Absolute config path. */
  config: string;
  set: readonly string[];
  args: readonly string[];
  dir: string;
  action: Exclude<RunAction, 'skip'>;
}

/** The argument list after `node`: a fresh run gets `--out <dir>`, an interrupted one `--resume <dir>`. */
export function childArgs(c: ChildSpec): string[] {
  return [
    c.cli,
    c.command,
    c.config,
    ...c.set.flatMap((s) => ['--set', s]),
    ...c.args,
    c.action === 'resume' ? '--resume' : '--out',
    c.dir,
  ];
}

/** Quotes an argument for display so the logged command can be pasted into a shell. */
const shellQuote = (a: string) => (/^[\w./=:@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
}

export interface RunningChild {
  process: ChildProcess;
  /** Date.now() at spawn. */
  startedAt: number;
  done: Promise<ChildResult>;
}

/** Starts the child; `done` resolves when it exits (never rejects: a spawn failure is a failed run). */
export function startChild(c: ChildSpec): RunningChild {
  mkdirSync(c.dir, { recursive: true });
  const log = join(c.dir, 'log.txt');
  const args = childArgs(c);
  const t0 = Date.now();
  appendFileSync(
    log,
    `--- ${new Date(t0).toISOString()} ${c.action}: node ${args.map(shellQuote).join(' ')}\n`,
  );
  const fd = openSync(log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], env: process.env });
  } finally {
    closeSync(fd);
  }
  if (child.pid !== undefined) writeFileSync(pidFile(c.dir), `${child.pid}\n`);
  const done = new Promise<ChildResult>((resolveDone) => {
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, note = '') => {
      if (settled) return;
      settled = true;
      const seconds = (Date.now() - t0) / 1000;
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      appendFileSync(log, `--- ${how} after ${seconds.toFixed(1)} s${note}\n`);
      if (existsSync(pidFile(c.dir))) rmSync(pidFile(c.dir), { force: true });
      resolveDone({ code, signal, seconds });
    };
    child.on('error', (err) => finish(null, null, `: ${err.message}`));
    child.on('exit', (code, signal) => finish(code, signal));
  });
  return { process: child, startedAt: t0, done };
}
