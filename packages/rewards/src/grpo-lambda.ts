/**
 * grpo-lambda: GRPO-lambda (Dai, Liu, Si, "Stable Reinforcement Learning for Efficient Reasoning",
 * arXiv 2505.18086): per batch, rank the groups by accuracy c_b; the selected ones (LP) get the 0/1 reward
 * plus the Kimi k1.5 length term, the rest plain 0/1, so prompts the model cannot yet solve are not pushed to
 * be short. LP = the ceil(lambda * B) groups with the largest c_b (stable on ties) or {b : c_b >= lambda};
 * with requireCorrect an all-wrong group never joins LP. No public code; see research/pear-conciser-grpolambda.md.
 */
import { z } from 'zod';
import { isCorrect } from './common.js';
import { kimiTerms } from './kimi.js';
import type { RewardDefinition, RewardGroup } from './types.js';

export const grpoLambdaParams = z.strictObject({
  lambda: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('Fraction of groups (top-fraction) or accuracy threshold.'),
  selection: z
    .enum(['top-fraction', 'threshold'])
    .default('top-fraction')
    .describe(
      '"top-fraction": the ceil(lambda B) most accurate groups of the batch get the length term (paper ' +
        'summary: batch-wise top-lambda); "threshold": every group with accuracy >= lambda.',
    ),
  weight: z.number().default(1).describe('Weight of the Kimi length term in selected groups.'),
  requireCorrect: z
    .boolean()
    .default(true)
    .describe('Groups with no correct rollout never get the length term.'),
});
export type GrpoLambdaParams = z.output<typeof grpoLambdaParams>;

/** Share of correct rollouts of each group. */
export function groupAccuracies(groups: readonly RewardGroup[]): Float64Array {
  const acc = new Float64Array(groups.length);
  groups.forEach((g, b) => {
    let c = 0;
    for (const r of g.rollouts) if (isCorrect(r)) c++;
    acc[b] = g.rollouts.length ? c / g.rollouts.length : 0;
  });
  return acc;
}

/** 1 for the groups that get the length penalty. ceil(lambda B) tolerates float noise (0.3 * 10 -> 3). */
export function selectLengthPenaltyGroups(acc: Float64Array, p: GrpoLambdaParams): Uint8Array {
  const B = acc.length;
  const lp = new Uint8Array(B);
  if (p.selection === 'threshold') {
    for (let b = 0; b < B; b++) lp[b] = acc[b] >= p.lambda ? 1 : 0;
  } else {
    const k = Math.min(B, Math.ceil(p.lambda * B - 1e-9));
    const order = Array.from({ length: B }, (_, b) => b).sort((x, y) => acc[y] - acc[x] || x - y);
    for (let j = 0; j < k; j++) lp[order[j]] = 1;
  }
  if (p.requireCorrect) for (let b = 0; b < B; b++) if (acc[b] === 0) lp[b] = 0;
  return lp;
}

export const grpoLambda: RewardDefinition<typeof grpoLambdaParams> = {
  name: 'grpo-lambda',
  summary: 'Kimi length term only for the most accurate groups of the batch, 0/1 reward for the rest.',
  source: 'GRPO-lambda (arXiv 2505.18086), batch-wise top-lambda switch; Kimi k1.5 term (arXiv 2501.12599).',
  schema: grpoLambdaParams,
  create: (params) => {
    let last = { selected: 0, groups: 0, accSelected: 0, accOther: 0 };
    return {
      name: 'grpo-lambda',
      params,
      needs: [],
      score(batch) {
        const acc = groupAccuracies(batch.groups);
        const lp = selectLengthPenaltyGroups(acc, params);
        last = { selected: 0, groups: acc.length, accSelected: 0, accOther: 0 };
        return batch.groups.map((g, b) => {
          const term = lp[b] ? kimiTerms(g) : null;
          if (lp[b]) {
            last.selected++;
            last.accSelected += acc[b];
          } else last.accOther += acc[b];
          const out = new Float64Array(g.rollouts.length);
          for (let i = 0; i < out.length; i++)
            out[i] = (isCorrect(g.rollouts[i]) ? 1 : 0) + (term ? params.weight * term[i] : 0);
          return out;
        });
      },
      metrics: () => ({
        lengthPenaltyFraction: last.groups ? last.selected / last.groups : 0,
        accuracySelected: last.selected ? last.accSelected / last.selected : 0,
        accuracyOther: last.groups > last.selected ? last.accOther / (last.groups - last.selected) : 0,
      }),
    };
  },
};
