/**
 * pear: PEAR, Phase Entropy Aware Reward (Huang, Lu, Zhang, arXiv 2510.08026, Eqs. 5-7): for a correct
 * response r = min(1, s - max(0, Hthink - alpha * Hanswer)), Hthink / Hanswer the mean token entropy before /
 * after the `</think>` token (the tag itself in neither phase); otherwise r = formatScore. No tag: Hthink over
 * all tokens and Hanswer = 0; an empty phase has mean 0. Entropies past the response length are ignored.
 */
import { z } from 'zod';
import { at, isCorrect, mapRollouts } from './common.js';
import { RewardInputError } from './errors.js';
import type { RewardDefinition, RewardGroup, RewardRollout } from './types.js';

export const pearParams = z.strictObject({
  alpha: z
    .number()
    .default(1)
    .describe('Weight of the answer-phase entropy baseline (paper ablation: 1 is best).'),
  score: z.number().default(1).describe('s: reward of a correct answer before the entropy penalty.'),
  formatScore: z.number().default(0).describe('r_fmt: reward of every response that is not correct.'),
});
export type PearParams = z.output<typeof pearParams>;

function meanRange(x: ArrayLike<number>, a: number, b: number): number {
  if (b <= a) return 0;
  let s = 0;
  for (let i = a; i < b; i++) s += x[i];
  return s / (b - a);
}

/** Mean entropy of the thinking and answer phases; the `</think>` token belongs to neither. */
export function phaseEntropies(
  entropies: ArrayLike<number>,
  thinkEnd: number,
  length: number,
): { think: number; answer: number } {
  const n = Math.min(entropies.length, length);
  if (thinkEnd < 0 || thinkEnd >= n) return { think: meanRange(entropies, 0, n), answer: 0 };
  return { think: meanRange(entropies, 0, thinkEnd), answer: meanRange(entropies, thinkEnd + 1, n) };
}

/** PEAR's penalty P = max(0, Hthink - alpha Hanswer). */
export function pearPenalty(r: RewardRollout, alpha: number, group: RewardGroup, i: number): number {
  if (r.entropies === undefined) throw new RewardInputError(`pear: ${at(group, i)} has no entropies`);
  if (r.thinkEnd === undefined) throw new RewardInputError(`pear: ${at(group, i)} has no thinkEnd`);
  const h = phaseEntropies(r.entropies, r.thinkEnd, r.length);
  return Math.max(0, h.think - alpha * h.answer);
}

export const pear: RewardDefinition<typeof pearParams> = {
  name: 'pear',
  summary: 'Correct answers lose the excess of thinking-phase entropy over alpha times answer-phase entropy.',
  source: 'PEAR (arXiv 2510.08026), Eqs. 5-7.',
  schema: pearParams,
  create: (params) => {
    let last = { penalty: 0, correct: 0 };
    return {
      name: 'pear',
      params,
      needs: ['entropies', 'thinkEnd'],
      score(batch) {
        last = { penalty: 0, correct: 0 };
        return mapRollouts(batch, (r, g, i) => {
          if (!isCorrect(r)) return params.formatScore;
          const P = pearPenalty(r, params.alpha, g, i);
          last.penalty += P;
          last.correct++;
          return Math.min(1, params.score - P);
        });
      },
      metrics: () => ({ penaltyMean: last.correct ? last.penalty / last.correct : 0 }),
    };
  },
};
