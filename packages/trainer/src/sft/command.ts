/** `brevity sft CONFIG` / `brevity sft --resume RUN_DIR`: resolves the config and runs the SFT loop. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveConfigObject } from '@brevity/core';
import type { RunArgs } from '../commands/run-options.js';
import { UserError } from '../errors.js';
import { formatEvalTable } from '../eval/format.js';
import { SftConfig } from './config.js';
import { readRunConfig, runFiles } from './run-dir.js';
import { runSft } from './train.js';

export type SftArgs = RunArgs;

function resolve(a: SftArgs): { config: SftConfig; runDir: string } {
  const overrides = a.set ?? [];
  if (a.resume) {
    // A sweep passes the CONFIG too; the run's saved config wins, overrides apply on top.
    const saved = readRunConfig(a.resume) as Record<string, unknown>;
    const config = resolveConfigObject(SftConfig, saved, overrides);
    // Overrides on resume (e.g. more steps) become part of the run's config.
    if (overrides.length) writeFileSync(runFiles(a.resume).config, JSON.stringify(config, null, 2) + '\n');
    return { config, runDir: a.resume };
  }
  if (!a.config)
    throw new UserError(
      'brevity sft needs a CONFIG file (e.g. experiments/base/sft-modchain.yaml) or --resume RUN_DIR',
    );
  const config = loadConfig(SftConfig, a.config, overrides);
  return { config, runDir: a.out ?? join('runs', config.name) };
}

export async function sftCommand(a: SftArgs): Promise<void> {
  const { config, runDir } = resolve(a);
  const summary = await runSft({
    config,
    runDir,
    resume: Boolean(a.resume),
    backend: a.backend,
    maxSteps: a.maxSteps,
  });
  const done = summary.steps === config.steps;
  process.stderr.write(
    `${done ? 'finished' : 'stopped'} at step ${summary.steps}/${config.steps}; final loss ${summary.finalLoss.toFixed(4)}; ` +
      `${summary.elapsed_s.toFixed(0)} s of training${done ? '' : `; continue with --resume ${runDir}`}\n`,
  );
  if (summary.lastEval) process.stdout.write(formatEvalTable(summary.lastEval) + '\n');
}
