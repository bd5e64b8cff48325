/**
 * Conformance table: every reward on the same edge-case groups (single rollout, all correct, all wrong, all
 * truncated, equal lengths, empty think phase, zero std). Expected values are worked by hand from the spec's
 * formulas (cosine and repetition values computed independently in Python, 5 decimals). Context: maxLength
 * 4096, step 0. Every rollout carries entropies (think 0.6, `</think>` 5, answer 0.2; `</think>` three tokens
 * from the end unless given), token ids i % 1000 (so n-grams repeat past 1000 tokens) and a text with tags.
 */
import { describe, expect, it } from 'vitest';
import { batch, close, group, ro, type Kind } from '../test/util.js';
import { createReward, rewardNames } from './registry.js';
import type { RewardRollout } from './types.js';

function full(kind: Kind, L: number, thinkEnd = L - 3): RewardRollout {
  const entropies = Array.from({ length: L }, (_, i) => (i < thinkEnd ? 0.6 : i === thinkEnd ? 5 : 0.2));
  const tokens = Array.from({ length: L }, (_, i) => i % 1000);
  return ro(kind, L, { entropies, thinkEnd, tokens, text: '<think>r</think> \\boxed{1}' });
}

const cases = {
  single: [full('c', 1000)],
  allCorrect: [full('c', 1000), full('c', 2000), full('c', 3000)],
  allWrong: [full('w', 1000), full('i', 2000), full('w', 3000)],
  allTruncated: [full('t', 4096), full('t', 4096)],
  equalLengths: [full('c', 1500), full('w', 1500), full('i', 1500)],
  emptyThink: [full('c', 10, 0), full('w', 10, 0)],
  zeroStd: [full('c', 2000), full('c', 2000), full('w', 500)],
};
type Case = keyof typeof cases;

const table: { reward: string; params: object; want: Record<Case, number[]> }[] = [
  {
    reward: 'accuracy',
    params: {},
    want: {
      single: [1],
      allCorrect: [1, 1, 1],
      allWrong: [0, 0, 0],
      allTruncated: [0, 0],
      equalLengths: [1, 0, 0],
      emptyThink: [1, 0],
      zeroStd: [1, 1, 0],
    },
  },
  {
    reward: 'format',
    params: {},
    want: {
      single: [1],
      allCorrect: [1, 1, 1],
      allWrong: [1, 0, 1],
      allTruncated: [0, 0],
      equalLengths: [1, 1, 0],
      emptyThink: [1, 1],
      zeroStd: [1, 1, 1],
    },
  },
  {
    reward: 'truncation',
    params: { targetLength: 2500 },
    want: {
      single: [1],
      allCorrect: [1, 1, 0],
      allWrong: [-0.5, -1, 0],
      allTruncated: [0, 0],
      equalLengths: [1, -0.5, -1],
      emptyThink: [1, -0.5],
      zeroStd: [1, 1, -0.5],
    },
  },
  {
    reward: 'thinkprune',
    params: { schedule: [{ fromStep: 0, limit: 2500 }] },
    want: {
      single: [1],
      allCorrect: [1, 1, 0],
      allWrong: [0, 0, 0],
      allTruncated: [0, 0],
      equalLengths: [1, 0, 0],
      emptyThink: [1, 0],
      zeroStd: [1, 1, 0],
    },
  },
  {
    // A lone correct rollout and equal correct lengths have z = 0: 1 - alpha / 2.
    reward: 'efficient-reasoning',
    params: { alpha: 0.1 },
    want: {
      single: [0.95],
      allCorrect: [0.9773, 0.95, 0.9227],
      allWrong: [0, 0, 0],
      allTruncated: [0, 0],
      equalLengths: [0.95, 0, 0],
      emptyThink: [0.95, 0],
      zeroStd: [0.95, 0.95, 0],
    },
  },
  {
    // Lmax = Lmin (single, all truncated, equal lengths) gives a zero length term.
    reward: 'kimi',
    params: {},
    want: {
      single: [1],
      allCorrect: [1.5, 1, 0.5],
      allWrong: [0, 0, -0.5],
      allTruncated: [0, 0],
      equalLengths: [1, 0, 0],
      emptyThink: [1, 0],
      zeroStd: [0.5, 0.5, 0],
    },
  },
  {
    reward: 'l1-exact',
    params: { targetLength: 2000 },
    want: {
      single: [0.7],
      allCorrect: [0.7, 1, 0.7],
      allWrong: [-0.3, 0, -0.3],
      allTruncated: [-0.6288, -0.6288],
      equalLengths: [0.85, -0.15, -0.15],
      emptyThink: [0.403, -0.597],
      zeroStd: [1, 1, -0.45],
    },
  },
  {
    reward: 'l1-max',
    params: { targetLength: 2000 },
    want: {
      single: [0.8],
      allCorrect: [0.8, 0.5, 0.2],
      allWrong: [0, 0, 0],
      allTruncated: [0, 0],
      equalLengths: [0.65, 0, 0],
      emptyThink: [1, 0],
      zeroStd: [0.5, 0.5, 0],
    },
  },
  {
    reward: 'laser',
    params: { targetLength: 2500 },
    want: {
      single: [1.5],
      allCorrect: [1.5, 1.5, 1],
      allWrong: [-0.5, -1, -0.5],
      allTruncated: [-1, -1],
      equalLengths: [1.5, -0.5, -1],
      emptyThink: [1.5, -0.5],
      zeroStd: [1.5, 1.5, -0.5],
    },
  },
  {
    // No observe yet: every bucket's target is upperBound (4096).
    reward: 'laser-d',
    params: { lowerBound: 1024, upperBound: 4096 },
    want: {
      single: [1.5],
      allCorrect: [1.5, 1.5, 1.5],
      allWrong: [-0.5, -1, -0.5],
      allTruncated: [-1, -1],
      equalLengths: [1.5, -0.5, -1],
      emptyThink: [1.5, -0.5],
      zeroStd: [1.5, 1.5, -0.5],
    },
  },
  {
    // Target 4000: the truncated 4096-token rollouts are past it and get the exploration bonus (paper form).
    reward: 'laser-de',
    params: { lowerBound: 1024, upperBound: 4000 },
    want: {
      single: [1.5],
      allCorrect: [1.5, 1.5, 1.5],
      allWrong: [-0.5, -1, -0.5],
      allTruncated: [-0.5, -0.5],
      equalLengths: [1.5, -0.5, -1],
      emptyThink: [1.5, -0.5],
      zeroStd: [1.5, 1.5, -0.5],
    },
  },
  {
    // One group per batch: ceil(0.5 * 1) = 1 group gets the Kimi term unless it has no correct rollout.
    reward: 'grpo-lambda',
    params: {},
    want: {
      single: [1],
      allCorrect: [1.5, 1, 0.5],
      allWrong: [0, 0, 0],
      allTruncated: [0, 0],
      equalLengths: [1, 0, 0],
      emptyThink: [1, 0],
      zeroStd: [0.5, 0.5, 0],
    },
  },
  {
    // P = max(0, 0.6 - 0.2) = 0.4; an empty think phase has mean 0, so P = 0.
    reward: 'pear',
    params: {},
    want: {
      single: [0.6],
      allCorrect: [0.6, 0.6, 0.6],
      allWrong: [0, 0, 0],
      allTruncated: [0, 0],
      equalLengths: [0.6, 0, 0],
      emptyThink: [1, 0],
      zeroStd: [0.6, 0.6, 0],
    },
  },
  {
    reward: 'conciser',
    params: {},
    want: {
      single: [1.75586],
      allCorrect: [1.75586, 1.51172, 1.26758],
      allWrong: [0, 0, 0],
      allTruncated: [0, 0],
      equalLengths: [1, 0, 0],
      emptyThink: [1, 0],
      zeroStd: [1, 1, 0],
    },
  },
  {
    reward: 'cosine',
    params: {},
    want: {
      single: [1.86],
      allCorrect: [1.86, 1.5184, 1.1665],
      allWrong: [-8.60001, -5.18404, -1.665],
      allTruncated: [-10, -10],
      equalLengths: [1.70402, -7.04022, -7.04022],
      emptyThink: [1.99999, -9.99985],
      zeroStd: [1.5184, 1.5184, -9.63681],
    },
  },
  {
    reward: 'dapo-overlong',
    params: { cache: 1024 },
    want: {
      single: [1],
      allCorrect: [1, 1, 1],
      allWrong: [-1, -1, -1],
      allTruncated: [-2, -2],
      equalLengths: [1, -1, -1],
      emptyThink: [1, -1],
      zeroStd: [1, 1, -1],
    },
  },
  {
    // Token ids i % 1000: unique trigrams = min(L - 2, 1000).
    reward: 'repetition',
    params: {},
    want: {
      single: [0],
      allCorrect: [0, -0.4995, -0.66644],
      allWrong: [0, -0.4995, -0.66644],
      allTruncated: [-0.75574, -0.75574],
      equalLengths: [-0.33244, -0.33244, -0.33244],
      emptyThink: [0, 0],
      zeroStd: [-0.4995, -0.4995, 0],
    },
  },
  {
    reward: 'sum',
    params: {
      terms: [{ reward: 'accuracy' }, { reward: 'laser', params: { targetLength: 2500 }, weight: 0.5 }],
    },
    want: {
      single: [1.75],
      allCorrect: [1.75, 1.75, 1.5],
      allWrong: [-0.25, -0.5, -0.25],
      allTruncated: [-0.5, -0.5],
      equalLengths: [1.75, -0.25, -0.5],
      emptyThink: [1.75, -0.25],
      zeroStd: [1.75, 1.75, -0.25],
    },
  },
];

describe('edge-case conformance table', () => {
  it('covers every reward', () => {
    expect(table.map((t) => t.reward)).toEqual(rewardNames());
  });

  const rows = table.flatMap((t) =>
    (Object.keys(cases) as Case[]).map((c) => ({ ...t, case: c, expected: t.want[c] })),
  );
  it.each(rows)('$reward / $case', ({ reward, params, case: c, expected }) => {
    const out = createReward(reward, params).score(batch(group(cases[c])), { maxLength: 4096, step: 0 });
    expect(out).toHaveLength(1);
    close(out[0], expected);
  });

  it('an empty batch gives no groups, for every reward', () => {
    for (const t of table)
      expect(createReward(t.reward, t.params).score(batch(), { maxLength: 4096, step: 0 })).toEqual([]);
  });
});
