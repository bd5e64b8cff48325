/** `brevity sweep SPEC`: load the spec, expand it into runs, then print them (--dry-run) or execute them. */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { childArgs } from './child.js';
import { expandSweep, type PlannedRun } from './expand.js';
import { runAction } from './folder.js';
import { childSpec, executeSweep, type SweepOutcome, type SweepRunOptions } from './run.js';
import { loadSweepSpec } from './spec.js';
import type { ProgressSink } from './progress.js';

export { SweepSpec, loadSweepSpec } from './spec.js';
export { expandSweep, splitRunName, type PlannedRun } from './expand.js';
export { executeSweep } from './run.js';

export interface SweepArgs {
  spec: string;
  jobs: number;
  dryRun: boolean;
  out?: ProgressSink;
}

/** The built brevity CLI: next to this module in dist, or in dist when running from the sources. */
function brevityCli(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return [join(here, '..', 'cli.js'), join(here, '..', '..', 'dist', 'cli.js')].find((p) => existsSync(p));
}

/** The planned runs and how each child would be started, for --dry-run. */
function dryRunText(runs: readonly PlannedRun[], o: SweepRunOptions): string {
  const rel = (p: string) => {
    if (!p) return '<brevity cli>';
    const r = isAbsolute(p) ? relative(process.cwd(), p) : p;
    return r.startsWith('..') ? p : r || '.';
  };
  const width = Math.max(3, ...runs.map((r) => r.name.length));
  const lines = runs.map((r) => {
    const action = runAction(join(o.runsDir, r.name));
    const cmd =
      action === 'skip'
        ? '(complete)'
        : `node ${childArgs(childSpec(r, action, o))
            .map(rel)
            .join(' ')}`;
    return `${r.name.padEnd(width)}  ${action.padEnd(6)}  ${cmd}`;
  });
  return [`${runs.length} runs in ${rel(o.runsDir)}:`, ...lines].join('\n') + '\n';
}

/** Runs the sweep; returns its outcome (undefined for --dry-run). */
export async function sweep(a: SweepArgs): Promise<SweepOutcome | undefined> {
  if (!Number.isInteger(a.jobs) || a.jobs < 1)
    throw new UserError(`--jobs ${a.jobs}: expected a whole number >= 1`);
  const loaded = loadSweepSpec(a.spec);
  const runs = expandSweep(loaded.spec, loaded.file);
  const o: SweepRunOptions = {
    cli: loaded.cli ?? brevityCli() ?? '',
    command: loaded.spec.command,
    args: loaded.spec.args,
    runsDir: loaded.runsDir,
    configPath: (c) => loaded.paths.get(c) ?? c,
    jobs: a.jobs,
    out: a.out,
  };
  if (a.dryRun) {
    process.stdout.write(dryRunText(runs, o));
    return undefined;
  }
  if (!o.cli)
    throw new UserError(
      'the brevity CLI is not built (run `npm run build`), or name a script with `cli:` in the spec',
    );
  return executeSweep(runs, o);
}
