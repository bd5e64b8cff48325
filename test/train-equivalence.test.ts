import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMetrics, Rng } from '@brevity/core';
import { createEnv } from '@brevity/envs';
import { AdamW, loadCheckpoint } from '@brevity/trainer';
import {
  groupAdvantages,
  miniBatchWeights,
  sampleLength,
  splitBatches,
  type UpdateSample,
} from '../packages/trainer/src/rl/batch.js';
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

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe('length-sorted micro-batches (optim.microBatchTokens)', () => {
  it.each(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const)(
    '%s: one update over token-budget micro-batches equals one micro-batch',
    async (mode) => {
      const samples = await eightSamples();
      const longest = Math.max(...samples.map(sampleLength));
      // A budget of two longest rows: several sorted micro-batches of 1-3 rows.
      const [micros] = splitBatches(samples, 1, { tokens: 2 * longest, lengthOf: sampleLength });
      expect(micros.length).toBeGreaterThan(2);
      const whole = await oneUpdate(samples, [samples.map((_, i) => i)], mode);
      const sorted = await oneUpdate(
        samples,
        micros.map((m) => m.map((x) => samples.indexOf(x))),
        mode,
      );
      expect(Math.abs(whole.loss - sorted.loss)).toBeLessThan(1e-5);
      expect(Math.abs(whole.gradNorm - sorted.gradNorm)).toBeLessThan(1e-5);
      expect(whole.gradNorm).toBeGreaterThan(0);
      for (const [name, v] of whole.weights)
        expect(maxDiff(v, sorted.weights.get(name)!), name).toBeLessThan(1e-5);
    },
  );

  it('a train step with a token budget logs the same actor metrics and saves the same weights, padding less', async () => {
    const run = async (set: string[]) => {
      const dir = join(tmp('brevity-mbt-'), 'run');
      // Per-sequence weights, so a weight that lost its sample would change the gradient.
      const config = tinyConfig(base, ['steps=1', 'loss.aggregation=seq-mean-token-mean', ...set]);
      await runTrain({ config, runDir: dir, policyPath: base, quiet: true });
      const row = readMetrics(join(dir, 'metrics.jsonl')).find((r) => r.step === 0)!;
      const { policy } = loadCheckpoint(join(dir, 'checkpoints', 'step-1'));
      const weights = await policy.weights();
      policy.dispose();
      return { row, weights };
    };
    const whole = await run([]);
    const sorted = await run(['optim.microBatchTokens=48']);
    const actor = Object.keys(whole.row).filter((k) => k.startsWith('actor/'));
    expect(actor.length).toBeGreaterThan(4);
    expect(Number(whole.row['actor/grad_norm'])).toBeGreaterThan(0);
    for (const k of actor)
      expect(Math.abs(Number(whole.row[k]) - Number(sorted.row[k])), k).toBeLessThan(1e-5);
    for (const [name, v] of whole.weights)
      expect(maxDiff(v, sorted.weights.get(name)!), name).toBeLessThan(1e-5);
    expect(Number(whole.row['perf/pad_fraction'])).toBeGreaterThan(0);
    expect(Number(sorted.row['perf/pad_fraction'])).toBeLessThan(Number(whole.row['perf/pad_fraction']));
  });
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
