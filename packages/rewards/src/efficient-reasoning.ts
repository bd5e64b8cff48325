/**
 * efficient-reasoning: Arora & Zanette, "Training Language Models to Reason Efficiently", arXiv 2502.04463:
 * r = 1{correct} * (1 - alpha * sigmoid((L - mu) / (s + 1e-7))), mu and s the mean and population std of the
 * lengths of the correct, finished rollouts of the same prompt (code: Zanette-Labs/efficient-reasoning,
 * reward_server/math_server.py). Wrong or truncated rollouts get 0.
 */
import { z } from 'zod';
import { isCorrect, mapGroups, sigmoid } from './common.js';
import type { RewardDefinition, RewardGroup } from './types.js';

export const efficientReasoningParams = z.strictObject({
  alpha: z
    .number()
    .min(0)
    .default(0.1)
    .describe('Length penalty scale; the paper sweeps 0.05-0.4 to trace a family of models.'),
});
export type EfficientReasoningParams = z.output<typeof efficientReasoningParams>;

/** One group: the sigmoid-normalised length penalty over its correct rollouts. */
export function efficientReasoningGroup(group: RewardGroup, alpha: number): Float64Array {
  const rs = group.rollouts;
  let n = 0;
  let sum = 0;
  for (const r of rs) {
    if (!isCorrect(r)) continue;
    n++;
    sum += r.length;
  }
  const mu = n > 0 ? sum / n : 0;
  let ss = 0;
  for (const r of rs) if (isCorrect(r)) ss += (r.length - mu) * (r.length - mu);
  const s = n > 0 ? Math.sqrt(ss / n) : 0;
  const out = new Float64Array(rs.length);
  for (let i = 0; i < rs.length; i++)
    if (isCorrect(rs[i])) out[i] = 1 - alpha * sigmoid((rs[i].length - mu) / (s + 1e-7));
  return out;
}

export const efficientReasoning: RewardDefinition<typeof efficientReasoningParams> = {
  name: 'efficient-reasoning',
  summary: 'Correct answers earn 1 minus alpha times the sigmoid of their length z-score among correct ones.',
  source: 'Arora & Zanette, arXiv 2502.04463 (reward r = 1{correct}(1 - alpha sigmoid((len - mean)/std))).',
  schema: efficientReasoningParams,
  create: (params) => ({
    name: 'efficient-reasoning',
    params,
    needs: [],
    score: (batch) => mapGroups(batch, (g) => efficientReasoningGroup(g, params.alpha)),
  }),
};
