/**
 * l1-exact: LCPO-Exact (Aggarwal & Welleck, "L1: Controlling How Long a Reasoning Model Thinks with RL",
 * arXiv 2503.04697): r = 1{correct} - alpha * |L - n_gold|, n_gold the target length (the group's budget,
 * given in the prompt as "Think for n tokens", or a fixed targetLength). Code: cmu-l3/l1 math_reward.py.
 */
import { z } from 'zod';
import { isCorrect, mapRollouts, resolveTarget, tokenLength } from './common.js';
import type { RewardDefinition } from './types.js';

export const l1ExactParams = z.strictObject({
  alpha: z
    .number()
    .min(0)
    .default(0.0003)
    .describe('Penalty per token of distance from the target (paper: 0.0003).'),
  targetLength: tokenLength()
    .optional()
    .describe("Fixed target length (tokens); when unset, each group's `budget` is the target."),
});
export type L1ExactParams = z.output<typeof l1ExactParams>;

/** (correct ? 1 : 0) - alpha * |L - target|. */
export function l1ExactValue(correct: boolean, length: number, target: number, alpha: number): number {
  return (correct ? 1 : 0) - alpha * Math.abs(length - target);
}

export const l1Exact: RewardDefinition<typeof l1ExactParams> = {
  name: 'l1-exact',
  summary: '0/1 correctness minus alpha times the distance of the length from the target.',
  source: 'L1 / LCPO-Exact (arXiv 2503.04697), r = 1{correct} - alpha |n_gold - n_y|.',
  schema: l1ExactParams,
  create: (params) => ({
    name: 'l1-exact',
    params,
    needs: params.targetLength === undefined ? ['budget'] : [],
    score: (batch) =>
      batch.groups.map((g) => {
        const target = resolveTarget('l1-exact', params.targetLength, g);
        return mapRollouts({ groups: [g] }, (r) =>
          l1ExactValue(isCorrect(r), r.length, target, params.alpha),
        )[0];
      }),
  }),
};
