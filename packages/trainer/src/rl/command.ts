/** `brevity train CONFIG` / `--resume RUN_DIR`: resolves and checks the config before any compute, then trains. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveConfigObject } from '@brevity/core';
import type { RunArgs } from '../commands/run-options.js';
import { UserError } from '../errors.js';
import { readRunConfig, runFiles, latestCheckpoint } from '../sft/run-dir.js';
import { TrainConfig } from './config.js';
import { checkRewards, resolvePolicyPath } from './setup.js';
import { runTrain } from './train.js';

export type TrainArgs = RunArgs;

/** The resolved config, run folder and starting checkpoint; every check that needs no compute happens here. */
export function resolveTrain(a: TrainArgs): {
  config: TrainConfig;
  runDir: string;
  policyPath: string;
  resume: boolean;
} {
  const overrides = a.set ?? [];
  if (a.resume) {
    // A sweep passes the CONFIG too; the run's saved config wins, overrides apply on top.
    const saved = readRunConfig(a.resume) as Record<string, unknown>;
    const config = resolveConfigObject(TrainConfig, saved, overrides);
    checkRewards(config);
    latestCheckpoint(a.resume);
    if (overrides.length) writeFileSync(runFiles(a.resume).config, JSON.stringify(config, null, 2) + '\n');
    return { config, runDir: a.resume, policyPath: config.policy.checkpoint, resume: true };
  }
  if (!a.config)
    throw new UserError(
      'brevity train needs a CONFIG file (e.g. experiments/quickstart/laser.yaml) or --resume RUN_DIR',
    );
  const loaded = loadConfig(TrainConfig, a.config, overrides);
  checkRewards(loaded);
  const policyPath = resolvePolicyPath(loaded, a.config);
  // Store the resolved checkpoint path so the saved config resumes from any working directory.
  const config = resolveConfigObject(TrainConfig, {
    ...structuredClone(loaded),
    policy: { checkpoint: policyPath },
  });
  return { config, runDir: a.out ?? join('runs', config.name), policyPath, resume: false };
}

export async function trainCommand(a: TrainArgs): Promise<void> {
  const r = resolveTrain(a);
  const summary = await runTrain({
    config: r.config,
    runDir: r.runDir,
    policyPath: r.policyPath,
    resume: r.resume,
    backend: a.backend,
    maxSteps: a.maxSteps,
  });
  const done = summary.steps === r.config.steps;
  process.stderr.write(
    `${done ? 'finished' : 'stopped'} at step ${summary.steps}/${r.config.steps} in ${summary.elapsed_s.toFixed(0)} s` +
      `${done ? '' : `; continue with --resume ${r.runDir}`}; metrics in ${runFiles(r.runDir).metrics}\n`,
  );
}
