/**
 * dapo-overlong: DAPO soft overlong punishment (Yu et al., arXiv 2503.14476, Eq. 13) added to the base score:
 * 0 while L <= maxLength - cache, then ((maxLength - cache) - L) / cache down to -1 at maxLength, -1 beyond. Code: verl workers/reward_manager/dapo.py (overlong_buffer), TRL get_soft_overlong_punishment.
 */
import { z } from 'zod';
import { baseOutcome, mapRollouts, outcome, resolveMaxLength, tokenLength } from './common.js';
import { RewardInputError } from './errors.js';
import type { RewardDefinition } from './types.js';

export const dapoOverlongParams = z.strictObject({
  maxLength: tokenLength().optional().describe('L_max (tokens); unset = the generation cap (DAPO: 20480).'),
  cache: tokenLength().describe('L_cache: length of the soft punishment zone before L_max (DAPO: 4096).'),
  base: baseOutcome(1, -1, -1),
});
export type DapoOverlongParams = z.output<typeof dapoOverlongParams>;

/** DAPO Eq. 13: the length penalty alone. */
export function overlongPenalty(length: number, maxLength: number, cache: number): number {
  if (length <= maxLength - cache) return 0;
  return length <= maxLength ? (maxLength - cache - length) / cache : -1;
}

export const dapoOverlong: RewardDefinition<typeof dapoOverlongParams> = {
  name: 'dapo-overlong',
  summary: 'R plus a penalty that grows linearly from 0 to -1 over the last `cache` tokens before maxLength.',
  source: 'DAPO (arXiv 2503.14476), Eq. 13 (soft overlong punishment).',
  schema: dapoOverlongParams,
  create: (params) => ({
    name: 'dapo-overlong',
    params,
    needs: params.maxLength === undefined ? ['maxLength'] : [],
    score(batch, ctx) {
      const M = resolveMaxLength('dapo-overlong', params.maxLength, ctx);
      if (params.cache > M)
        throw new RewardInputError(`dapo-overlong: params.cache (${params.cache}) exceeds maxLength (${M})`);
      return mapRollouts(batch, (r) => outcome(r, params.base) + overlongPenalty(r.length, M, params.cache));
    },
  }),
};
