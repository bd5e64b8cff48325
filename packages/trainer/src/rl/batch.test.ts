import { Rng } from '@brevity/core';
import { describe, expect, it } from 'vitest';
import {
  groupAdvantages,
  groupsWithSignal,
  miniBatchWeights,
  paddedSlots,
  sampleLength,
  splitBatches,
  tokenBudgetMicros,
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

describe('tokenBudgetMicros', () => {
  const byLength = { lengthOf: (x: number) => x };
  it.each([
    // [what it exercises, lengths, budget, expected micro-batches]
    ['sorted and cut greedily by rows x longest', [5, 1, 4, 2, 3], 8, [[1, 2], [3, 4], [5]]],
    ['a roomy budget keeps one sorted micro-batch', [5, 1, 4, 2, 3], 100, [[1, 2, 3, 4, 5]]],
    ['a sample longer than the budget goes alone', [2, 9, 2, 2], 6, [[2, 2, 2], [9]]],
    [
      'ties keep their input order (stable)',
      [3, 3, 3, 3],
      6,
      [
        [3, 3],
        [3, 3],
      ],
    ],
    ['a budget under every length gives single rows', [4, 7], 1, [[4], [7]]],
  ])('%s', (_, lengths, tokens, want) => {
    expect(tokenBudgetMicros(lengths, { tokens, ...byLength })).toEqual(want);
  });

  it('on random lengths: within budget, sorted, every sample exactly once', () => {
    const rng = Rng.from(3);
    for (let trial = 0; trial < 50; trial++) {
      const items = Array.from({ length: 1 + Math.floor(rng.next() * 40) }, (_, id) => ({
        id,
        len: 1 + Math.floor(rng.next() * 100),
      }));
      const tokens = 1 + Math.floor(rng.next() * 600);
      const micros = tokenBudgetMicros(items, { tokens, lengthOf: (x) => x.len });
      const flat = micros.flat();
      expect(flat.map((x) => x.id).sort((a, b) => a - b)).toEqual(items.map((x) => x.id));
      for (let i = 1; i < flat.length; i++) expect(flat[i].len).toBeGreaterThanOrEqual(flat[i - 1].len);
      for (const m of micros) {
        const padded = m.length * Math.max(...m.map((x) => x.len));
        if (m.length > 1) expect(padded).toBeLessThanOrEqual(tokens);
        else expect(m).toHaveLength(1);
      }
    }
  });
});

describe('splitBatches with a token budget', () => {
  const samples = [7, 3, 5, 1, 8, 2, 6, 4].map((len) => sample(len));
  const budget = { tokens: 20, lengthOf: sampleLength };

  it('null and a row count split as before; a budget only reorders within each mini-batch', () => {
    // Mini-batches hold the same samples (same shuffle, same rng draws) whatever the micro split.
    const rows = splitBatches(samples, 2, null, Rng.from(7));
    const tokens = splitBatches(samples, 2, budget, Rng.from(7));
    expect(rows.map((m) => m.length)).toEqual([1, 1]);
    rows.forEach((m, i) => {
      expect(new Set(tokens[i].flat())).toEqual(new Set(m[0]));
      for (const micro of tokens[i]) {
        const padded = micro.length * Math.max(...micro.map(sampleLength));
        expect(micro.length === 1 || padded <= 20).toBe(true);
      }
    });
    expect(splitBatches(samples, 1, null)).toEqual([[samples]]);
  });

  it.each(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const)(
    '%s: weights computed on the sorted order stay with their samples',
    (mode) => {
      const mixed = [...samples, sample(9, false)];
      const before = miniBatchWeights(mixed, mode, 10);
      const [micros] = splitBatches(mixed, 1, budget);
      const after = miniBatchWeights(micros.flat(), mode, 10);
      micros.flat().forEach((s, i) => expect(after[i]).toBe(before[mixed.indexOf(s)]));
    },
  );

  it('counts padded slots: the sorted split pads less than one micro-batch', () => {
    const one = paddedSlots([samples], sampleLength);
    // Lengths are response + 1 prompt token: 2..9, 44 real tokens, 8 rows x 9 slots.
    expect(one).toEqual({ slots: 72, tokens: 44 });
    const [micros] = splitBatches(samples, 1, budget);
    const split = paddedSlots(micros, sampleLength);
    expect(split.tokens).toBe(44);
    expect(split.slots).toBeLessThan(one.slots);
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
