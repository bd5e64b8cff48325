/**
 * thinkprune: `truncation` with a length limit that tightens with the training step (Hou et al., ThinkPrune,
 * arXiv 2504.01296: RL under a length limit, pruned iteratively 4k -> 3k -> 2k; LASER paper, arXiv 2505.15612,
 * Table 2 "ThinkPrune" row, rho = 0).
 * The limit at step s is the limit of the last stage whose fromStep <= s; stage 0 must start at step 0.
 */
import { z } from 'zod';
import { baseOutcome, mapRollouts, tokenLength } from './common.js';
import { truncationValue } from './truncation.js';
import type { RewardDefinition } from './types.js';

const stage = z.strictObject({
  fromStep: z.number().int().nonnegative().describe('First step (0-based) of this stage.'),
  limit: tokenLength().describe('Length limit (tokens) during this stage.'),
});

export const thinkpruneParams = z.strictObject({
  schedule: z
    .array(stage)
    .min(1)
    .superRefine((s, ctx) => {
      if (s.length > 0 && s[0].fromStep !== 0)
        ctx.addIssue({
          code: 'custom',
          path: [0, 'fromStep'],
          message: 'the first stage must start at step 0',
        });
      for (let i = 1; i < s.length; i++)
        if (s[i].fromStep <= s[i - 1].fromStep)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'fromStep'],
            message: 'stages must have increasing fromStep',
          });
    })
    .describe('Stages [{fromStep, limit}] in increasing fromStep, first at 0 (paper: 4096, 3072, 2048).'),
  rho: z.number().default(0).describe('Reward of a response over the limit or truncated (paper: 0).'),
  base: baseOutcome(1, 0, 0),
});
export type ThinkpruneParams = z.output<typeof thinkpruneParams>;

/** Index of the stage in force at `step`: the last one whose fromStep <= step. */
export function thinkpruneStage(schedule: ThinkpruneParams['schedule'], step: number): number {
  let k = 0;
  for (let i = 0; i < schedule.length; i++) if (schedule[i].fromStep <= step) k = i;
  return k;
}

export const thinkprune: RewardDefinition<typeof thinkpruneParams> = {
  name: 'thinkprune',
  summary: 'truncation with a step schedule of length limits.',
  source:
    'ThinkPrune (arXiv 2504.01296), iterative length pruning; LASER paper Table 2 "ThinkPrune" (rho = 0).',
  schema: thinkpruneParams,
  create: (params) => {
    let stage = 0;
    return {
      name: 'thinkprune',
      params,
      needs: ['step'],
      score(batch, ctx) {
        stage = thinkpruneStage(params.schedule, ctx.step);
        const limit = params.schedule[stage].limit;
        return mapRollouts(batch, (r) => truncationValue(r, limit, params.rho, params.base));
      },
      metrics: () => ({ limit: params.schedule[stage].limit, stage }),
    };
  },
};
