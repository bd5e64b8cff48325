import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMetrics } from '@brevity/core';
import { loadCheckpoint } from '@brevity/trainer';
import { runTrain } from '../packages/trainer/src/rl/train.js';
import { tinyCheckpoint, tinyConfig, tmp } from './train-helpers.js';

let base: string;
beforeAll(async () => {
  base = await tinyCheckpoint();
});

async function train(overrides: string[], extra: Record<string, unknown> = {}) {
  const config = tinyConfig(base, overrides, extra);
  const runDir = join(tmp('brevity-run-'), 'run');
  const summary = await runTrain({ config, runDir, policyPath: base, quiet: true });
  return { summary, runDir, metrics: readMetrics(join(runDir, 'metrics.jsonl')) };
}

function noNaN(rows: Record<string, unknown>[]) {
  for (const r of rows)
    for (const [k, v] of Object.entries(r)) {
      // rollout/length_correct_mean is NaN (written as null) when no rollout was correct: that is data, not a bug.
      if (k.includes('correct_mean')) continue;
      expect(v, k).not.toBeNull();
      if (typeof v === 'number') expect(Number.isFinite(v), k).toBe(true);
    }
}

describe('brevity train smoke runs (tiny model, seconds)', () => {
  // Each case exercises a group of config options; together they cover every option of TrainConfig.
  it.each<[string, string[], Record<string, unknown>?]>([
    ['GRPO, token-mean, cosine', []],
    [
      'laser + cosine via sum',
      [
        'reward.name=sum',
        'reward.params={terms: [{reward: laser, params: {targetLength: 10}}, {reward: cosine, weight: 0.5}]}',
      ],
    ],
    [
      'Dr.GRPO, seq-mean-token-sum-norm, clip-higher, dual-clip',
      [
        'advantage.estimator=dr-grpo',
        'loss.aggregation=seq-mean-token-sum-norm',
        'loss.clipHigh=0.28',
        'loss.dualClip=3',
      ],
    ],
    [
      'RLOO, seq-mean-token-mean, KL k3 + entropy bonus',
      [
        'advantage.estimator=rloo',
        'loss.aggregation=seq-mean-token-mean',
        'loss.klCoef=0.1',
        'loss.klEstimator=k3',
        'loss.entropyCoef=0.01',
      ],
    ],
    [
      'KL k1 and k2, AdamW with decay, cosine + warmup, no grad clip',
      [
        'loss.klCoef=0.05',
        'loss.klEstimator=k1',
        'optim.weightDecay=0.1',
        'optim.schedule=cosine',
        'optim.warmupSteps=1',
        'optim.gradClip=null',
      ],
    ],
    [
      'KL k2, linear warmup, top-p, temperature',
      [
        'loss.klCoef=0.05',
        'loss.klEstimator=k2',
        'optim.schedule=linear-warmup',
        'optim.warmupSteps=2',
        'rollout.topP=0.9',
        'rollout.temperature=0.8',
      ],
    ],
    [
      'mini-batches x epochs x micro-batches, overlong filter',
      [
        'optim.miniBatches=2',
        'optim.epochs=2',
        'optim.microBatch=2',
        'filter.overlong=true',
        'advantage.epsilon=1e-4',
      ],
    ],
    [
      'dynamic sampling with refill',
      [
        'filter.dynamicSampling=true',
        'filter.refill=true',
        'filter.maxRefillRounds=1',
        'reward.name=kimi',
        'reward.params={}',
      ],
    ],
    // Rewards that are flat for an all-wrong tiny policy get a cosine term through `sum` (which forwards needs and observe).
    [
      'LASER-D monitoring',
      [
        'reward.name=sum',
        'reward.params={terms: [{reward: laser-d, params: {lowerBound: 4, upperBound: 32, interval: 4}}, {reward: cosine}]}',
        'monitor.prompts=2',
        'monitor.every=1',
      ],
    ],
    [
      'PEAR (entropies, </think>)',
      ['reward.name=sum', 'reward.params={terms: [{reward: pear}, {reward: cosine}]}'],
    ],
    [
      'PPO: value head, GAE, value clipping',
      [
        'algorithm=ppo',
        'advantage.estimator=gae',
        'ppo.gamma=0.99',
        'ppo.lambda=0.9',
        'ppo.valueCoef=0.5',
        'ppo.valueClip=0.2',
      ],
    ],
    [
      'stages: reward switch, shrinking cap, clip-higher',
      [],
      {
        stages: [
          {
            fromStep: 1,
            reward: { name: 'sum', params: { terms: [{ reward: 'conciser' }, { reward: 'cosine' }] } },
            maxNewTokens: 24,
            dynamicSampling: false,
            clipHigh: 0.3,
          },
        ],
      },
    ],
    [
      'eval and seed and name',
      ['eval.every=1', 'eval.samples=2', 'eval.temperature=0.5', 'seed=3', 'name=x'],
    ],
  ])('%s: metrics finite, parameters change', async (_c, overrides, extra = {}) => {
    const before = loadCheckpoint(base).policy;
    const w0 = await before.weights();
    before.dispose();
    const { metrics, runDir, summary } = await train(overrides as string[], extra as Record<string, unknown>);
    expect(summary.steps).toBe(2);
    const rows = metrics.filter((r) => (r.step as number) >= 0);
    expect(rows.map((r) => r.step)).toEqual([0, 1]);
    noNaN(rows);
    expect(existsSync(join(runDir, 'summary.json'))).toBe(true);
    const after = loadCheckpoint(join(runDir, 'checkpoints', 'step-2')).policy;
    const w1 = await after.weights();
    after.dispose();
    for (const [name, v] of w0) {
      const u = w1.get(name)!;
      const changed = v.some((x, i) => x !== u[i]);
      expect(changed, `parameter ${name} changed`).toBe(true);
    }
  });

  it('logs each reward state and the stage', async () => {
    const { metrics } = await train([
      'reward.name=laser-d',
      'reward.params={lowerBound: 4, upperBound: 12, interval: 4}',
    ]);
    expect(metrics[0]['state/laser-d/target.easy']).toBeTypeOf('number');
    expect(metrics[0].stage).toBe(-1);
    const saved = JSON.parse(readFileSync(join(base, 'config.json'), 'utf8'));
    expect(saved.format).toBe('brevity-checkpoint');
  });
});
