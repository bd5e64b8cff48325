import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMetrics, Rng } from '@brevity/core';
import { createEnv } from '@brevity/envs';
import { AdamW, loadCheckpoint } from '@brevity/trainer';
import { groupAdvantages, miniBatchWeights, type UpdateSample } from '../packages/trainer/src/rl/batch.js';
import { sampleGroups } from '../packages/trainer/src/rl/rollout.js';
import { runTrain } from '../packages/trainer/src/rl/train.js';
import { updateMiniBatch } from '../packages/trainer/src/rl/update.js';
import { tinyCheckpoint, tinyConfig, tmp } from './train-helpers.js';

let base: string;
beforeAll(async () => {
  base = await tinyCheckpoint();
});

const lossOptions = {
  clipLow: 0.2,
  clipHigh: 0.28,
  dualClip: 3,
  klCoef: 0,
  klEstimator: 'k3' as const,
  entropyCoef: 0.01,
  temperature: 1,
  valueCoef: 0,
  valueClip: null,
};

async function eightSamples(): Promise<UpdateSample[]> {
  const env = createEnv('modchain', { minDifficulty: 1, maxDifficulty: 2 });
  const tok = env.tokenizer!;
  const { policy } = loadCheckpoint(base);
  const rng = Rng.from(5);
  const groups = await sampleGroups(
    policy,
    env,
    tok,
    env.sample(rng, 2, 'train'),
    { groupSize: 4, maxNewTokens: 32, temperature: 1, topP: 1 },
    rng,
  );
  policy.dispose();
  // Rewards that depend on length give non-zero advantages whatever the verdicts.
  const adv = groupAdvantages(
    groups.map((g) => g.rollouts.map((r) => -r.length / 10)),
    'grpo',
    1e-6,
  );
  return groups.flatMap((g, gi) =>
    g.rollouts.map((r, ri) => ({
      prompt: g.promptIds,
      response: r.tokens,
      oldLogprobs: r.logprobs,
      advantage: adv[gi][ri],
      inLoss: true,
    })),
  );
}

async function oneUpdate(
  samples: UpdateSample[],
  split: number[][],
  mode: 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum-norm',
) {
  const { policy } = loadCheckpoint(base);
  const optimizer = new AdamW(
    policy.variables,
    policy.specs.map((s) => s.decay),
    { gradClip: 1 },
  );
  const micros = split.map((idx) => idx.map((i) => samples[i]));
  const w = miniBatchWeights(micros.flat(), mode, 32);
  const r = await updateMiniBatch(
    micros,
    w,
    { policy, valueHead: null, optimizer, loss: lossOptions, padId: 0, refLogprobs: null },
    1e-3,
  );
  const weights = await policy.weights();
  optimizer.dispose();
  policy.dispose();
  return { ...r, weights };
}

describe('gradient accumulation', () => {
  it.each(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const)(
    '%s: one mini-batch of 8 equals two micro-batches of 4',
    async (mode) => {
      const samples = await eightSamples();
      const whole = await oneUpdate(samples, [[0, 1, 2, 3, 4, 5, 6, 7]], mode);
      const split = await oneUpdate(
        samples,
        [
          [0, 1, 2, 3],
          [4, 5, 6, 7],
        ],
        mode,
      );
      expect(Math.abs(whole.loss - split.loss)).toBeLessThan(1e-5);
      expect(Math.abs(whole.gradNorm - split.gradNorm)).toBeLessThan(1e-5);
      expect(whole.gradNorm).toBeGreaterThan(0);
      for (const [name, v] of whole.weights) {
        const u = split.weights.get(name)!;
        let diff = 0;
        for (let i = 0; i < v.length; i++) diff = Math.max(diff, Math.abs(v[i] - u[i]));
        expect(diff, name).toBeLessThan(1e-5);
      }
    },
  );
});

describe('resume', () => {
  const strip = (rows: Record<string, unknown>[]) =>
    rows.map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('perf/') && !k.startsWith('time/'))),
    );

  it('a run killed after its step-2 checkpoint and resumed logs the same metrics as an uninterrupted run', async () => {
    const overrides = [
      'reward.name=sum',
      'reward.params={terms: [{reward: laser-d, params: {lowerBound: 4, upperBound: 32, interval: 4}}, {reward: cosine}]}',
      'monitor.every=2',
      'steps=4',
      'checkpoint.every=2',
      'eval.every=2',
    ];
    const config = tinyConfig(base, overrides);
    const a = join(tmp('brevity-a-'), 'run');
    await runTrain({ config, runDir: a, policyPath: base, quiet: true });

    const b = join(tmp('brevity-b-'), 'run');
    await runTrain({ config, runDir: b, policyPath: base, quiet: true, maxSteps: 3 });
    // The kill: step 3 was logged after the checkpoint, and a line was torn mid-write.
    appendFileSync(join(b, 'metrics.jsonl'), '{"step": 3, "reward/me');
    await runTrain({ config, runDir: b, policyPath: base, quiet: true, resume: true });

    const ra = strip(readMetrics(join(a, 'metrics.jsonl')));
    const rb = strip(readMetrics(join(b, 'metrics.jsonl')));
    expect(rb.map((r) => r.step)).toEqual([-1, 0, 1, 2, 3]);
    expect(rb).toEqual(ra);
  });
});
