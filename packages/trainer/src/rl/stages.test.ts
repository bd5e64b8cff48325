import { resolveConfigObject } from '@brevity/core';
import { describe, expect, it } from 'vitest';
import { TrainConfig } from './config.js';
import { stageAt } from './stages.js';

const config = resolveConfigObject(TrainConfig, {
  policy: { checkpoint: 'x' },
  reward: { name: 'accuracy' },
  rollout: { maxNewTokens: 96 },
  stages: [
    { fromStep: 10, reward: { name: 'conciser', params: { gamma: 1 } }, dynamicSampling: true },
    { fromStep: 20, maxNewTokens: 48 },
  ],
});

describe('stageAt', () => {
  it.each([
    // [step, stage index, reward, cap, dynamic sampling]
    [0, -1, 'accuracy', 96, false], // before any stage: the run's own settings
    [10, 0, 'conciser', 96, true], // first stage switches the reward
    [25, 1, 'conciser', 48, true], // a later stage inherits the earlier stage and overrides only the cap
  ])('step %d', (step, index, reward, cap, ds) => {
    const s = stageAt(config, step);
    expect([s.index, s.reward.name, s.maxNewTokens, s.dynamicSampling]).toEqual([index, reward, cap, ds]);
  });

  it('rejects stages out of order and batches that do not split', () => {
    const bad = () =>
      resolveConfigObject(TrainConfig, {
        policy: { checkpoint: 'x' },
        reward: { name: 'accuracy' },
        rollout: { prompts: 3, groupSize: 3 },
        optim: { miniBatches: 2 },
        stages: [{ fromStep: 5 }, { fromStep: 5 }],
      });
    expect(bad).toThrow(/stages\.1\.fromStep: stages must be in increasing fromStep order/);
    expect(bad).toThrow(/9 rollouts do not split into 2 equal mini-batches/);
  });
});
