/**
 * sum: a weighted sum of other rewards, e.g. accuracy + format, or cosine + repetition as in Yeo et al.
 * (arXiv 2502.03373, Sec. 4). Needs, observe, state and metrics are forwarded to the terms.
 */
import { z } from 'zod';
import { RewardParamsError } from './errors.js';
import type { JsonValue, Need, Reward, RewardDefinition } from './types.js';

export const sumParams = z.strictObject({
  terms: z
    .array(
      z.strictObject({
        reward: z.string().describe('Name of the term reward (`brevity score --help` lists them).'),
        params: z.record(z.string(), z.unknown()).default({}).describe("The term's own params."),
        weight: z.number().default(1).describe('Weight of the term.'),
      }),
    )
    .min(1)
    .describe('Terms [{reward, params, weight}] summed in order.'),
});
export type SumParams = z.output<typeof sumParams>;

export const sum: RewardDefinition<typeof sumParams> = {
  name: 'sum',
  summary: 'Weighted sum of other rewards; forwards observe, state and metrics to its terms.',
  source: 'Composite reward (e.g. Yeo et al., arXiv 2502.03373, Sec. 4: cosine + repetition).',
  schema: sumParams,
  create: (raw, make) => {
    const terms: Reward[] = raw.terms.map((t, i) => make(t.reward, t.params, `terms.${i}.`));
    const params: SumParams = {
      terms: raw.terms.map((t, i) => ({ ...t, params: terms[i].params as Record<string, unknown> })),
    };
    const needs = [...new Set(terms.flatMap((t) => t.needs))] as Need[];
    const key = (i: number) => `${i}.${terms[i].name}`;
    return {
      name: 'sum',
      params,
      needs,
      score(batch, ctx) {
        const parts = terms.map((t) => t.score(batch, ctx));
        return parts[0].map((first, g) => {
          const out = new Float64Array(first.length);
          for (let k = 0; k < terms.length; k++) {
            const w = raw.terms[k].weight;
            const v = parts[k][g];
            for (let i = 0; i < out.length; i++) out[i] += w * v[i];
          }
          return out;
        });
      },
      observe(monitor) {
        for (const t of terms) t.observe?.(monitor);
      },
      state: (): JsonValue => ({ terms: terms.map((t) => t.state?.() ?? null) }),
      load(state) {
        const s = state as { terms?: unknown[] } | null;
        if (!s || !Array.isArray(s.terms) || s.terms.length !== terms.length)
          throw new RewardParamsError(
            `sum: state.terms: expected an array of ${terms.length} term states`,
            'sum',
            'state',
          );
        terms.forEach((t, i) => {
          if (t.load && s.terms![i] !== null) t.load(s.terms![i]);
        });
      },
      metrics() {
        const m: Record<string, number> = {};
        terms.forEach((t, i) => {
          for (const [k, v] of Object.entries(t.metrics?.() ?? {})) m[`${key(i)}.${k}`] = v;
        });
        return m;
      },
    };
  },
};
