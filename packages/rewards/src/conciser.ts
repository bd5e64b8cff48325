/**
 * conciser: L-GRPO, the second stage of ConciseR (Song & Zheng, "Walk Before You Run! Concise LLM Reasoning
 * via Reinforcement Learning", arXiv 2505.21178): 0/1 accuracy plus a remaining-length bonus
 * gamma * (maxLength - L) / maxLength, given only when every rollout of the group is correct. The bonus form
 * is reconstructed (research/pear-conciser-grpolambda.md Sec. 2); under std-normalised GRPO its scale cancels.
 * `gate: none` is the ablation without the all-correct gate: every correct rollout gets the bonus.
 */
import { z } from 'zod';
import { isCorrect, mapGroups, resolveMaxLength, tokenLength } from './common.js';
import type { RewardDefinition } from './types.js';

export const conciserParams = z.strictObject({
  gamma: z.number().default(1).describe('Scale of the length bonus of all-correct groups.'),
  maxLength: tokenLength().optional().describe('L_max of the bonus (tokens); unset = the generation cap.'),
  gate: z
    .enum(['all-correct', 'none'])
    .default('all-correct')
    .describe(
      '"all-correct" = the paper: only groups whose rollouts are all correct get the length bonus; ' +
        '"none" = ablation without the gate: every correct rollout gets it, whatever its siblings scored.',
    ),
});
export type ConciserParams = z.output<typeof conciserParams>;

export const conciser: RewardDefinition<typeof conciserParams> = {
  name: 'conciser',
  summary: '0/1 accuracy plus a remaining-length bonus, only in groups where every rollout is correct.',
  source: 'ConciseR L-GRPO (arXiv 2505.21178), stage 2; bonus form reconstructed.',
  schema: conciserParams,
  create: (params) => {
    let last = { gated: 0, groups: 0, bonus: 0, rollouts: 0 };
    return {
      name: 'conciser',
      params,
      needs: params.maxLength === undefined ? ['maxLength'] : [],
      score(batch, ctx) {
        const M = resolveMaxLength('conciser', params.maxLength, ctx);
        last = { gated: 0, groups: batch.groups.length, bonus: 0, rollouts: 0 };
        return mapGroups(batch, (g) => {
          const rs = g.rollouts;
          const all = rs.length > 0 && rs.every(isCorrect);
          if (all) last.gated++;
          const out = new Float64Array(rs.length);
          for (let i = 0; i < rs.length; i++) {
            const ok = isCorrect(rs[i]);
            const bonus = ok && (all || params.gate === 'none');
            if (bonus) last.bonus++;
            out[i] = (ok ? 1 : 0) + (bonus ? (params.gamma * (M - rs[i].length)) / M : 0);
          }
          last.rollouts += rs.length;
          return out;
        });
      },
      metrics: () => ({
        gatedFraction: last.groups ? last.gated / last.groups : 0,
        bonusFraction: last.rollouts ? last.bonus / last.rollouts : 0,
      }),
    };
  },
};
