/**
 * laser: LASER step length reward (Liu et al., "Learn to Reason Efficiently with Adaptive Length-based Reward
 * Shaping", arXiv 2505.15612, Sec. 4.3; unified form Eq. 2 with C = R, lambda = I(R), S = alpha * 1[L <= L_T]):
 * R^ = R + I(R) * alpha * [L <= L_T]. Code: hkust-nlp/Laser length_penalty.py compute_length_reward_larse.
 */
import { z } from 'zod';
import { baseOutcome, isCorrect, mapRollouts, outcome, tokenLength, type BaseOutcome } from './common.js';
import type { RewardDefinition, RewardRollout } from './types.js';

export const laserParams = z.strictObject({
  alpha: z
    .number()
    .default(0.5)
    .describe('Bonus of a correct response within the target (paper: 0.5, not tuned).'),
  targetLength: tokenLength().describe('L_T (tokens): a correct response with L <= L_T earns the bonus.'),
  base: baseOutcome(1, -0.5, -1),
});
export type LaserParams = z.output<typeof laserParams>;

/** R + I(R) * alpha * [L <= target]. */
export function laserValue(r: RewardRollout, target: number, alpha: number, base: BaseOutcome): number {
  const R = outcome(r, base);
  return isCorrect(r) && r.length <= target ? R + alpha : R;
}

export const laser: RewardDefinition<typeof laserParams> = {
  name: 'laser',
  summary: 'R plus alpha for a correct response no longer than targetLength.',
  source: 'LASER (arXiv 2505.15612), Sec. 4.3, Eq. 2 with S = alpha 1[L <= L_T].',
  schema: laserParams,
  create: (params) => ({
    name: 'laser',
    params,
    needs: [],
    score: (batch) =>
      mapRollouts(batch, (r) => laserValue(r, params.targetLength, params.alpha, params.base)),
  }),
};
