/**
 * cosine: cosine length-scaling reward (Yeo et al., "Demystifying Long Chain-of-Thought Reasoning in LLMs",
 * arXiv 2502.03373, Sec. 4 and App. C; code eddycmu/demystify-long-cot openrlhf/reward/cosine.py):
 * if L + margin >= maxLength the reward is `exceed`; else with c = 0.5 (1 + cos(pi L / maxLength)),
 * correct: correctAtMax + (correctAt0 - correctAtMax) c, wrong: wrongAtMax + (wrongAt0 - wrongAtMax) c.
 */
import { z } from 'zod';
import { isCorrect, mapRollouts, resolveMaxLength, tokenLength } from './common.js';
import type { RewardDefinition } from './types.js';

export const cosineParams = z.strictObject({
  maxLength: tokenLength().optional().describe('T (tokens) of the cosine; unset = the generation cap.'),
  correctAt0: z.number().default(2).describe('r_0^c: reward of a correct answer of length 0.'),
  correctAtMax: z.number().default(1).describe('r_L^c: reward of a correct answer of length maxLength.'),
  wrongAt0: z.number().default(-10).describe('r_0^w: reward of a wrong answer of length 0.'),
  wrongAtMax: z.number().default(0).describe('r_L^w: reward of a wrong answer of length maxLength.'),
  exceed: z.number().default(-10).describe('r_e: reward when L + margin >= maxLength, right or wrong.'),
  margin: z
    .number()
    .int()
    .nonnegative()
    .default(16)
    .describe('Tokens short of maxLength that already count as exceeding.'),
});
export type CosineParams = z.output<typeof cosineParams>;

/** The cosine reward of one rollout. */
export function cosineValue(correct: boolean, length: number, T: number, p: CosineParams): number {
  if (length + p.margin >= T) return p.exceed;
  const c = 0.5 * (1 + Math.cos((Math.PI * length) / T));
  return correct
    ? p.correctAtMax + (p.correctAt0 - p.correctAtMax) * c
    : p.wrongAtMax + (p.wrongAt0 - p.wrongAtMax) * c;
}

export const cosine: RewardDefinition<typeof cosineParams> = {
  name: 'cosine',
  summary: 'Short correct answers earn most, short wrong answers lose most; over-long ones get `exceed`.',
  source: 'Yeo et al., Demystifying Long CoT (arXiv 2502.03373), Sec. 4, App. C (CosFn).',
  schema: cosineParams,
  create: (params) => ({
    name: 'cosine',
    params,
    needs: params.maxLength === undefined ? ['maxLength'] : [],
    score(batch, ctx) {
      const T = resolveMaxLength('cosine', params.maxLength, ctx);
      return mapRollouts(batch, (r) => cosineValue(isCorrect(r), r.length, T, params));
    },
  }),
};
