/**
 * repetition: n-gram repetition penalty (Yeo et al., arXiv 2502.03373, Sec. 4 and App. C, sparse form as
 * shipped by TRL `get_repetition_penalty_reward` and open-r1): maxPenalty * (1 - unique n-grams / total n-grams)
 * over the response token ids; 0 when the response has fewer than n tokens.
 */
import { z } from 'zod';
import { at, mapRollouts } from './common.js';
import { RewardInputError } from './errors.js';
import type { RewardDefinition } from './types.js';

export const repetitionParams = z.strictObject({
  n: z.number().int().positive().default(3).describe('n-gram size (TRL default 3).'),
  maxPenalty: z.number().max(0).default(-1).describe('Penalty when every n-gram is a repeat (<= 0).'),
});
export type RepetitionParams = z.output<typeof repetitionParams>;

function sameNgram(t: ArrayLike<number>, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (t[a + k] !== t[b + k]) return false;
  return true;
}

/** Number of distinct n-grams of `t`: an open-addressing hash set of start positions, compared exactly. */
export function uniqueNgrams(t: ArrayLike<number>, n: number): number {
  const total = t.length - n + 1;
  if (total <= 0) return 0;
  let size = 16;
  while (size < 2 * total) size <<= 1;
  const table = new Int32Array(size); // start + 1, 0 = empty
  const mask = size - 1;
  let unique = 0;
  for (let s = 0; s < total; s++) {
    let h = 0x811c9dc5;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ (t[s + k] | 0), 0x01000193);
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const e = table[slot];
      if (e === 0) {
        table[slot] = s + 1;
        unique++;
        break;
      }
      if (sameNgram(t, e - 1, s, n)) break;
      slot = (slot + 1) & mask;
    }
  }
  return unique;
}

/** maxPenalty * (1 - unique / total); 0 with fewer than n tokens. */
export function repetitionValue(tokens: ArrayLike<number>, n: number, maxPenalty: number): number {
  const total = tokens.length - n + 1;
  if (total <= 0) return 0;
  return maxPenalty * (1 - uniqueNgrams(tokens, n) / total) + 0; // + 0 turns -0 into 0
}

export const repetition: RewardDefinition<typeof repetitionParams> = {
  name: 'repetition',
  summary: 'Penalty proportional to the share of repeated token n-grams in the response.',
  source:
    'Yeo et al. (arXiv 2502.03373), Sec. 4 / App. C repetition penalty; TRL get_repetition_penalty_reward.',
  schema: repetitionParams,
  create: (params) => ({
    name: 'repetition',
    params,
    needs: ['tokens'],
    score: (batch) =>
      mapRollouts(batch, (r, g, i) => {
        if (r.tokens === undefined) throw new RewardInputError(`repetition: ${at(g, i)} has no tokens`);
        return repetitionValue(r.tokens, params.n, params.maxPenalty);
      }),
  }),
};
