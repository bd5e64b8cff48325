/** Shared fixtures for trainer tests: a tiny real policy checkpoint on modchain, and train configs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfigObject } from '@brevity/core';
import { runSft, SftConfig } from '@brevity/trainer';
import { TrainConfig } from '../packages/trainer/src/rl/config.js';

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/**
 * A tiny policy (d 16, 1 layer) given a few seconds of SFT on modchain levels 1-2, so its rollouts have the
 * answer format and varied lengths and verdicts (a random policy gives all-equal rewards and no gradient).
 */
export async function tinyCheckpoint(seed = 0, steps = 60): Promise<string> {
  const runDir = join(tmp('brevity-ck-'), 'sft');
  const config = resolveConfigObject(SftConfig, {
    seed,
    steps,
    batchSize: 16,
    model: { d: 16, layers: 1, heads: 2, ctx: 64 },
    env: { name: 'modchain', params: { minDifficulty: 1, maxDifficulty: 2, checkWeights: [1, 1] } },
    optim: { lr: 0.02, warmupSteps: 0 },
    eval: { every: 0, problemsPerDifficulty: 1, maxNewTokens: 32 },
    checkpoint: { every: steps },
    backend: 'cpu',
  });
  await runSft({ config, runDir, quiet: true });
  return join(runDir, 'checkpoints', `step-${steps}`);
}

/** A seconds-long train config on the tiny checkpoint; `over` deep-merges through --set style overrides. */
export function tinyConfig(
  checkpoint: string,
  overrides: string[] = [],
  extra: Record<string, unknown> = {},
) {
  return resolveConfigObject(
    TrainConfig,
    {
      policy: { checkpoint },
      // cosine scores wrong answers by length too, so even a weak tiny policy gets a gradient.
      reward: { name: 'cosine', params: {} },
      env: { name: 'modchain', params: { minDifficulty: 1, maxDifficulty: 2 } },
      rollout: { prompts: 2, groupSize: 4, maxNewTokens: 32 },
      optim: { lr: 0.01 },
      steps: 2,
      eval: { every: 0, problemsPerDifficulty: 2 },
      checkpoint: { every: 1 },
      monitor: { prompts: 2, every: 1 },
      backend: 'cpu',
      ...extra,
    },
    overrides,
  );
}
