/**
 * laser-d: LASER-D (Liu et al., arXiv 2505.15612, Sec. 5.1-5.2, Eq. 3): R^ = R + I(R) * alpha * [L <= L_A(d)],
 * with the target L_A(d) adapted per difficulty bucket d from a monitor batch (`observe`). Before the first
 * observe every target is upperBound. Code: hkust-nlp/Laser compute_length_reward_larse_d,
 * _choose_target_length. LASER-DE (laser-de.ts) reuses this file with its exploration bonus.
 */
import { z } from 'zod';
import { baseOutcome, isCorrect, isFormatValid, outcome, tokenLength } from './common.js';
import { RewardParamsError } from './errors.js';
import { adaptiveTargets, buckets, groupBucket, type Targets } from './laser-targets.js';
import type { Reward, RewardBatch, RewardDefinition } from './types.js';

const laserDShape = {
  alpha: z.number().default(0.5).describe('Bonus of a correct response within L_A(d) (paper: 0.5).'),
  base: baseOutcome(1, -0.5, -1),
  lowerBound: tokenLength().describe("Smallest candidate target (the paper's L_T: 1024, 2048 or 4096)."),
  upperBound: tokenLength().describe(
    'Largest candidate and the target of an empty bucket (usually the context).',
  ),
  interval: tokenLength().default(1024).describe('Step between candidate targets (paper: 1024).'),
  correctCount: z
    .enum(['ceil', 'floor'])
    .default('ceil')
    .describe(
      '|C_d| rounding: "ceil" = paper (ceil(2K/3), ceil(K/3), 1; test P|C| >= 1); ' +
        '"floor" = code default (floor(2K/3), floor(K/3), 1; test floor(P|C|) >= 1).',
    ),
  capAtBatchMax: z
    .boolean()
    .default(false)
    .describe(
      'Score with min(L_A(d), longest rollout of the scored batch), as the LASER code does. The rewards are ' +
        'the same either way (no rollout is longer than the batch maximum); the logged targets differ.',
    ),
};

const boundsCheck = (p: { lowerBound: number; upperBound: number }, ctx: z.RefinementCtx) => {
  if (p.lowerBound > p.upperBound)
    ctx.addIssue({ code: 'custom', path: ['lowerBound'], message: 'must be <= upperBound' });
};

export const laserDParams = z.strictObject(laserDShape).superRefine(boundsCheck);
export type LaserDParams = z.output<typeof laserDParams>;

export const laserDeParams = z
  .strictObject({
    ...laserDShape,
    exploreInvalid: z
      .boolean()
      .default(true)
      .describe(
        'Which incorrect rollouts over L_A(d) get +alpha: true = all (paper Sec. 5.3), ' +
          'false = well-formatted wrong answers only (code, without its repetition filter).',
      ),
  })
  .superRefine(boundsCheck);
export type LaserDeParams = z.output<typeof laserDeParams>;

const stateSchema = z.strictObject({
  targets: z.strictObject({ easy: z.number(), medium: z.number(), hard: z.number() }),
  observed: z.number().int().nonnegative(),
});

/** Counts from one scoring call, for metrics. */
export interface AdaptiveLaserCounts {
  rollouts: number;
  bonus: number;
  explore: number;
  /** The batch cap applied to the targets (Infinity without capAtBatchMax). */
  cap: number;
}

/**
 * R + I(R) alpha [L <= L_A(d)] for every rollout, plus (LASER-DE, `explore` set) alpha for incorrect rollouts
 * with L > L_A(d): all of them, or with `explore.invalid` false only the well-formatted wrong ones.
 */
export function adaptiveLaserScore(
  batch: RewardBatch,
  targets: Targets,
  params: LaserDParams,
  explore: null | { invalid: boolean },
): { rewards: Float64Array[]; counts: AdaptiveLaserCounts } {
  let cap = Infinity;
  if (params.capAtBatchMax) {
    cap = 0;
    for (const g of batch.groups) for (const r of g.rollouts) cap = Math.max(cap, r.length);
  }
  const counts = { rollouts: 0, bonus: 0, explore: 0, cap };
  const rewards = batch.groups.map((g) => {
    const LA = Math.min(targets[groupBucket(g)], cap);
    const out = new Float64Array(g.rollouts.length);
    g.rollouts.forEach((r, i) => {
      out[i] = outcome(r, params.base);
      counts.rollouts++;
      if (isCorrect(r)) {
        if (r.length > LA) return;
        out[i] += params.alpha;
        counts.bonus++;
      } else if (explore && r.length > LA && (explore.invalid || isFormatValid(r))) {
        out[i] += params.alpha;
        counts.explore++;
      }
    });
    return out;
  });
  return { rewards, counts };
}

/** The LASER-D/DE reward; `explore` = null for LASER-D, else which incorrect rollouts get the DE bonus. */
export function createAdaptiveLaser<P extends LaserDParams>(
  name: string,
  params: P,
  explore: null | { invalid: boolean },
): Reward<P> {
  let targets: Targets = { easy: params.upperBound, medium: params.upperBound, hard: params.upperBound };
  let observed = 0;
  let last: AdaptiveLaserCounts = { rollouts: 0, bonus: 0, explore: 0, cap: Infinity };
  return {
    name,
    params,
    needs: ['monitor'],
    score(batch) {
      const res = adaptiveLaserScore(batch, targets, params, explore);
      last = res.counts;
      return res.rewards;
    },
    observe(monitor) {
      targets = adaptiveTargets(monitor, params);
      observed++;
    },
    state: () => ({ targets: { ...targets }, observed }),
    load(state) {
      const res = stateSchema.safeParse(state);
      if (!res.success) {
        const i = res.error.issues[0];
        throw new RewardParamsError(`${name}: state.${i.path.join('.')}: ${i.message}`, name, 'state');
      }
      targets = { ...res.data.targets };
      observed = res.data.observed;
    },
    metrics() {
      const m: Record<string, number> = { observed };
      for (const b of buckets) m[`target.${b}`] = targets[b];
      if (params.capAtBatchMax)
        for (const b of buckets) m[`scoredTarget.${b}`] = Math.min(targets[b], last.cap);
      m.bonusFraction = last.rollouts ? last.bonus / last.rollouts : 0;
      if (explore) m.exploreFraction = last.rollouts ? last.explore / last.rollouts : 0;
      return m;
    },
  };
}

export const laserD: RewardDefinition<typeof laserDParams> = {
  name: 'laser-d',
  summary: 'LASER with a target per difficulty bucket, adapted on a monitor batch.',
  source: 'LASER-D (arXiv 2505.15612), Sec. 5.2, Eq. 3 (adaptive target L_A(d)).',
  schema: laserDParams,
  create: (params) => createAdaptiveLaser('laser-d', params, null),
};
