import { Rng } from '@brevity/core';
import { describe, expect, it } from 'vitest';
import {
  groupAdvantages,
  groupsWithSignal,
  miniBatchWeights,
  splitBatches,
  type UpdateSample,
} from './batch.js';

const sample = (len: number, inLoss = true): UpdateSample => ({
  prompt: new Int32Array([1]),
  response: new Int32Array(len),
  oldLogprobs: new Float32Array(len),
  advantage: 0,
  inLoss,
});

describe('groupAdvantages', () => {
  it.each([
    // [estimator, rewards of one group, expected]
    ['grpo', [1.5, 1.25, 1.0, 0.5], [1.0247, 0.4392, -0.1464, -1.3175]],
    ['dr-grpo', [1, 0, 0, 1], [0.5, -0.5, -0.5, 0.5]],
    ['rloo', [1, 0, 0, 1], [2 / 3, -2 / 3, -2 / 3, 2 / 3]],
  ] as const)('%s', (estimator, rewards, want) => {
    const [a] = groupAdvantages([[...rewards]], estimator, 1e-6);
    want.forEach((w, i) => expect(a[i]).toBeCloseTo(w, 4));
  });
});

describe('groupsWithSignal', () => {
  it('drops zero-variance groups but keeps all-correct groups whose length rewards differ', () => {
    expect(
      groupsWithSignal([
        [1, 1, 1],
        [1, 0, 1],
        [0, 0, 0],
        [1.5, 1.25, 1],
      ]),
    ).toEqual([1, 3]);
  });
});

describe('splitBatches', () => {
  it('splits into equal mini-batches and micro-batches, covering every sample once', () => {
    const xs = Array.from({ length: 8 }, (_, i) => i);
    const b = splitBatches(xs, 2, 2);
    expect(b).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
    ]);
    const shuffled = splitBatches(xs, 1, null, Rng.from(1));
    expect(shuffled[0][0].slice().sort()).toEqual(xs);
  });
});

describe('miniBatchWeights', () => {
  it.each([
    // lengths 2 and 6, third masked out (overlong): only two sequences count
    ['token-mean', [1 / 8, 1 / 8, 0]],
    ['seq-mean-token-mean', [1 / 4, 1 / 12, 0]],
    ['seq-mean-token-sum-norm', [1 / 20, 1 / 20, 0]],
  ] as const)('%s with a masked rollout', (mode, want) => {
    const w = miniBatchWeights([sample(2), sample(6), sample(5, false)], mode, 10);
    want.forEach((x, i) => expect(w[i]).toBeCloseTo(x, 12));
  });

  it('is all zeros when every rollout is masked', () => {
    expect(Array.from(miniBatchWeights([sample(3, false)], 'token-mean', 10))).toEqual([0]);
  });
});
