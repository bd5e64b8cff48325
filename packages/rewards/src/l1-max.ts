/**
 * l1-max: LCPO-Max (Aggarwal & Welleck, arXiv 2503.04697): r = 1{correct} * clip(alpha * (n_gold - L) + delta,
 * 0, 1). The LASER paper (arXiv 2505.15612, Table 2, App. D) prints alpha * (L - n_gold); the sign is fixed
 * here to the L1 paper's, so only responses over the budget lose reward.
 */
import { z } from 'zod';
import { isCorrect, mapRollouts, resolveTarget, tokenLength } from './common.js';
import type { RewardDefinition } from './types.js';

export const l1MaxParams = z.strictObject({
  alpha: z
    .number()
    .min(0)
    .default(0.0003)
    .describe('Slope per token under/over the target (LASER runs: 0.01).'),
  delta: z
    .number()
    .default(0.5)
    .describe('Offset: the reward of a correct answer exactly at the target (L1: 0.5).'),
  targetLength: tokenLength()
    .optional()
    .describe("Fixed target length (tokens); when unset, each group's `budget` is the target."),
});
export type L1MaxParams = z.output<typeof l1MaxParams>;

/** correct ? clip(alpha * (target - L) + delta, 0, 1) : 0. */
export function l1MaxValue(
  correct: boolean,
  length: number,
  target: number,
  alpha: number,
  delta: number,
): number {
  if (!correct) return 0;
  return Math.min(1, Math.max(0, alpha * (target - length) + delta));
}

export const l1Max: RewardDefinition<typeof l1MaxParams> = {
  name: 'l1-max',
  summary: 'Correct answers earn a clipped linear score that falls once the length passes the target.',
  source: 'L1 / LCPO-Max (arXiv 2503.04697); LASER paper Table 2 with the sign fixed.',
  schema: l1MaxParams,
  create: (params) => ({
    name: 'l1-max',
    params,
    needs: params.targetLength === undefined ? ['budget'] : [],
    score: (batch) =>
      batch.groups.map((g) => {
        const target = resolveTarget('l1-max', params.targetLength, g);
        const { alpha, delta } = params;
        return mapRollouts({ groups: [g] }, (r) =>
          l1MaxValue(isCorrect(r), r.length, target, alpha, delta),
        )[0];
      }),
  }),
};
