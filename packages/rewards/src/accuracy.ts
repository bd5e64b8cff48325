/**
 * accuracy: the base outcome score R alone (spec rewards.md, "Base outcome score"; the 0/1 verifiable reward
 * of DeepSeek-R1 / RLVR, Guo et al. 2025, arXiv 2501.12948, Sec. 2.2.2).
 */
import { z } from 'zod';
import { baseOutcome, mapRollouts, outcome } from './common.js';
import type { RewardDefinition } from './types.js';

export const accuracyParams = z.strictObject({ base: baseOutcome(1, 0, 0) });
export type AccuracyParams = z.output<typeof accuracyParams>;

export const accuracy: RewardDefinition<typeof accuracyParams> = {
  name: 'accuracy',
  summary: 'The base outcome score R: correct / wrong / invalid.',
  source: 'DeepSeek-R1 rule-based accuracy reward (arXiv 2501.12948, Sec. 2.2.2); spec "Base outcome score".',
  schema: accuracyParams,
  create: (params) => ({
    name: 'accuracy',
    params,
    needs: [],
    score: (batch) => mapRollouts(batch, (r) => outcome(r, params.base)),
  }),
};
