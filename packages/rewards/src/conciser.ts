/**
 * conciser: L-GRPO, the second stage of ConciseR (Song & Zheng, "Walk Before You Run! Concise LLM Reasoning
 * via Reinforcement Learning", arXiv 2505.21178): 0/1 accuracy plus a remaining-length bonus
 * gamma * (maxLength - L) / maxLength, given only when every rollout of the group is correct. The bonus form
 * is reconstructed (research/pear-conciser-grpolambda.md Sec. 2); under std-normalised GRPO its scale cancels.
 */
import { z } from 'zod';
import { isCorrect, mapGroups, resolveMaxLength, tokenLength } from './common.js';
import type { RewardDefinition } from './types.js';

export const conciserParams = z.strictObject({
  gamma: z.number().default(1).describe('Scale of the length bonus of all-correct groups.'),
  maxLength: tokenLength().optional().describe('L_max of the bonus (tokens); unset = the generation cap.'),
});
export type ConciserParams = z.output<typeof conciserParams>;

export const conciser: RewardDefinition<typeof conciserParams> = {
  name: 'conciser',
  summary: '0/1 accuracy plus a remaining-length bonus, only in groups where every rollout is correct.',
  source: 'ConciseR L-GRPO (arXiv 2505.21178), stage 2; bonus form reconstructed.',
  schema: conciserParams,
  create: (params) => {
    let last = { gated: 0, groups: 0 };
    return {
      name: 'conciser',
      params,
      needs: params.maxLength === undefined ? ['maxLength'] : [],
      score(batch, ctx) {
        const M = resolveMaxLength('conciser', params.maxLength, ctx);
        last = { gated: 0, groups: batch.groups.length };
        return mapGroups(batch, (g) => {
          const rs = g.rollouts;
          const all = rs.length > 0 && rs.every(isCorrect);
          if (all) last.gated++;
          const out = new Float64Array(rs.length);
          for (let i = 0; i < rs.length; i++)
            out[i] = (isCorrect(rs[i]) ? 1 : 0) + (all ? (params.gamma * (M - rs[i].length)) / M : 0);
          return out;
        });
      },
      metrics: () => ({ gatedFraction: last.groups ? last.gated / last.groups : 0 }),
    };
  },
};
