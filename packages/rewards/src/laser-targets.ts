/**
 * LASER-D adaptive target lengths (Liu et al., arXiv 2505.15612, Sec. 5.2, Eq. 3): difficulty buckets from a
 * prompt's accuracy, and per bucket the smallest candidate length l with P(l, d) * |C_d| >= 1, where P(l, d)
 * is the share of ALL monitor rollouts of bucket d with L <= l and |C_d| the fewest correct rollouts a prompt
 * of bucket d can have. Pure functions; the reward files keep the state.
 */
import { isCorrect } from './common.js';
import type { RewardBatch, RewardGroup } from './types.js';

export const buckets = ['easy', 'medium', 'hard'] as const;
export type Bucket = (typeof buckets)[number];
export type Targets = Record<Bucket, number>;

/** How |C_d| is rounded: "ceil" follows the paper (6/3/1 for K = 8), "floor" the code default (5/2/1). */
export type CorrectCountRule = 'ceil' | 'floor';

export interface TargetOptions {
  lowerBound: number;
  upperBound: number;
  interval: number;
  correctCount: CorrectCountRule;
}

/** easy: accuracy >= 2/3; medium: 1/3 <= accuracy < 2/3; hard: below 1/3 (exact integer comparisons). */
export function difficultyBucket(correct: number, total: number): Bucket {
  if (3 * correct >= 2 * total) return 'easy';
  return 3 * correct >= total ? 'medium' : 'hard';
}

/** Bucket of a group from the correctness of its rollouts. */
export function groupBucket(group: RewardGroup): Bucket {
  let c = 0;
  for (const r of group.rollouts) if (isCorrect(r)) c++;
  return difficultyBucket(c, group.rollouts.length);
}

/** lowerBound, lowerBound + interval, ... while <= upperBound. */
export function candidateLengths(lowerBound: number, upperBound: number, interval: number): number[] {
  const out: number[] = [];
  for (let l = lowerBound; l <= upperBound; l += interval) out.push(l);
  return out;
}

/** |C_d| for K rollouts per prompt. */
export function requiredCorrect(bucket: Bucket, K: number, rule: CorrectCountRule): number {
  if (bucket === 'hard') return 1;
  const round = rule === 'ceil' ? Math.ceil : Math.floor;
  // (2K)/3 and K/3 in integers, so ceil(2K/3) is exact for every K.
  return bucket === 'easy' ? round((2 * K) / 3) : round(K / 3);
}

/**
 * Smallest candidate l with P(l) * C >= 1, P(l) = share of `sorted` (ascending) with L <= l; both rules reduce
 * to count * C >= n (floor(P * C) >= 1 iff P * C >= 1). None qualifying -> upperBound.
 */
export function smallestQualifying(sorted: Float64Array, C: number, o: TargetOptions): number {
  const n = sorted.length;
  if (n === 0 || C <= 0) return o.upperBound;
  let count = 0;
  for (const l of candidateLengths(o.lowerBound, o.upperBound, o.interval)) {
    while (count < n && sorted[count] <= l) count++;
    if (count * C >= n) return l;
  }
  return o.upperBound;
}

/** L_A(d) for every bucket from a monitor batch; K = the largest group size of the batch. */
export function adaptiveTargets(monitor: RewardBatch, o: TargetOptions): Targets {
  const lengths: Record<Bucket, number[]> = { easy: [], medium: [], hard: [] };
  let K = 0;
  for (const g of monitor.groups) {
    if (g.rollouts.length === 0) continue;
    K = Math.max(K, g.rollouts.length);
    const into = lengths[groupBucket(g)];
    for (const r of g.rollouts) into.push(r.length);
  }
  const out = {} as Targets;
  for (const b of buckets) {
    const sorted = Float64Array.from(lengths[b]).sort();
    out[b] = smallestQualifying(sorted, requiredCorrect(b, K, o.correctCount), o);
  }
  return out;
}
