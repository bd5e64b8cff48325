/**
 * truncation: vanilla length truncation as a reward (Liu et al., LASER, arXiv 2505.15612, Sec. 4.1, Table 2,
 * "Truncation" row; App. D.1): C = 0, lambda = 1, S = R if L <= L_T else rho. A response longer than the
 * target, or one that hit the generation cap without EOS, earns rho (paper: 0).
 */
import { z } from 'zod';
import { baseOutcome, mapRollouts, outcome, tokenLength, type BaseOutcome } from './common.js';
import type { RewardDefinition, RewardRollout } from './types.js';

export const truncationParams = z.strictObject({
  targetLength: tokenLength().describe('L_T: longest response (tokens) that is scored; longer ones get rho.'),
  rho: z
    .number()
    .default(0)
    .describe('Reward of a response over targetLength or truncated (paper App. D.1: 0).'),
  base: baseOutcome(1, -0.5, -1),
});
export type TruncationParams = z.output<typeof truncationParams>;

/** R if L <= target and the response finished, else rho. */
export function truncationValue(r: RewardRollout, target: number, rho: number, base: BaseOutcome): number {
  return r.length <= target && !r.truncated ? outcome(r, base) : rho;
}

export const truncation: RewardDefinition<typeof truncationParams> = {
  name: 'truncation',
  summary: 'R when the response fits in targetLength and finished, else rho.',
  source: 'LASER paper (arXiv 2505.15612), Sec. 4.1, Table 2 "Truncation", App. D.1 (rho = 0).',
  schema: truncationParams,
  create: (params) => ({
    name: 'truncation',
    params,
    needs: [],
    score: (batch) =>
      mapRollouts(batch, (r) => truncationValue(r, params.targetLength, params.rho, params.base)),
  }),
};
