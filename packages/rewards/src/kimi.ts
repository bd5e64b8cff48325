/**
 * kimi: the Kimi k1.5 length reward (Kimi Team, arXiv 2501.12599, Sec. 2.3.3 "Length Penalty"):
 * lam_i = 0.5 - (L_i - Lmin) / (Lmax - Lmin) over the prompt's group (0 for all when Lmax = Lmin);
 * length term = lam_i for a correct rollout, min(0, lam_i) otherwise; reward = R + weight * term.
 */
import { z } from 'zod';
import { baseOutcome, isCorrect, mapGroups, outcome } from './common.js';
import type { RewardDefinition, RewardGroup } from './types.js';

export const kimiParams = z.strictObject({
  weight: z
    .number()
    .default(1)
    .describe('Weight of the length term (the paper gives none; the LASER repo uses 0.4).'),
  base: baseOutcome(1, 0, 0),
});
export type KimiParams = z.output<typeof kimiParams>;

/** The Kimi length term of every rollout of a group: lam if correct, min(0, lam) otherwise. */
export function kimiTerms(group: RewardGroup): Float64Array {
  const rs = group.rollouts;
  const out = new Float64Array(rs.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rs) {
    if (r.length < lo) lo = r.length;
    if (r.length > hi) hi = r.length;
  }
  if (!(hi > lo)) return out;
  for (let i = 0; i < rs.length; i++) {
    const lam = 0.5 - (rs[i].length - lo) / (hi - lo);
    out[i] = isCorrect(rs[i]) ? lam : Math.min(0, lam);
  }
  return out;
}

export const kimi: RewardDefinition<typeof kimiParams> = {
  name: 'kimi',
  summary: 'R plus the Kimi k1.5 group-relative length term (min-max normalised within the prompt group).',
  source: 'Kimi k1.5 (arXiv 2501.12599), Sec. 2.3.3 "Length Penalty".',
  schema: kimiParams,
  create: (params) => ({
    name: 'kimi',
    params,
    needs: [],
    score: (batch) =>
      mapGroups(batch, (g) => {
        const t = kimiTerms(g);
        for (let i = 0; i < t.length; i++) t[i] = outcome(g.rollouts[i], params.base) + params.weight * t[i];
        return t;
      }),
  }),
};
