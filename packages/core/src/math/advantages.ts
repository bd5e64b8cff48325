/**
 * Advantage estimators over flat reward arrays grouped by prompt (`offsets`, see stats.ts).
 * All return one advantage per rollout, in input order (Float64Array of length N).
 */
import { mean, unbiasedStd, populationStd } from './stats.js';

export interface GrpoOptions {
  /** Divide by the group std (GRPO, DeepSeekMath Eq. 3); false gives Dr.GRPO (Liu et al. 2025, Sec. 3.1). */
  normalizeStd: boolean;
  /** Added to the std before dividing (verl: 1e-6). */
  epsilon: number;
  /** Which std: 'unbiased' as torch.std in verl/TRL, or 'population'. */
  std: 'unbiased' | 'population';
}

export const defaultGrpoOptions: GrpoOptions = { normalizeStd: true, epsilon: 1e-6, std: 'unbiased' };

/**
 * GRPO outcome advantage (Shao et al. 2024, DeepSeekMath Eq. 3; verl compute_grpo_outcome_advantage):
 * A_i = (r_i - mean(r_g)) / (std(r_g) + eps), or r_i - mean(r_g) without std normalisation (Dr.GRPO).
 * A group of one rollout gets advantage 0 (verl sets mean 0, std 1 for it; the deviation is then 0 only when
 * r = 0, so we follow TRL and give 0: a lone rollout carries no relative signal).
 * rewards: [N]; offsets: [G+1]. Returns [N].
 */
export function grpoAdvantages(
  rewards: ArrayLike<number>,
  offsets: ArrayLike<number>,
  options: Partial<GrpoOptions> = {},
): Float64Array {
  const o = { ...defaultGrpoOptions, ...options };
  const out = new Float64Array(rewards.length);
  for (let g = 0; g + 1 < offsets.length; g++) {
    const a = offsets[g];
    const b = offsets[g + 1];
    if (b - a < 2) continue;
    const m = mean(rewards, a, b);
    const s = o.std === 'unbiased' ? unbiasedStd(rewards, a, b) : populationStd(rewards, a, b);
    const scale = o.normalizeStd ? 1 / (s + o.epsilon) : 1;
    for (let i = a; i < b; i++) out[i] = (rewards[i] - m) * scale;
  }
  return out;
}

/**
 * RLOO (Ahmadian et al. 2024, Eq. 5): A_i = r_i - mean_{j != i} r_j = G/(G-1) * (r_i - mean(r_g)).
 * A group of one rollout gets 0. rewards: [N]; offsets: [G+1]. Returns [N].
 */
export function rlooAdvantages(rewards: ArrayLike<number>, offsets: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rewards.length);
  for (let g = 0; g + 1 < offsets.length; g++) {
    const a = offsets[g];
    const b = offsets[g + 1];
    const n = b - a;
    if (n < 2) continue;
    const m = mean(rewards, a, b);
    const k = n / (n - 1);
    for (let i = a; i < b; i++) out[i] = k * (rewards[i] - m);
  }
  return out;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016, Eq. 16) for one sequence of T steps:
 * delta_t = r_t + gamma * V_{t+1} - V_t (V_T = lastValue), A_t = delta_t + gamma * lambda * A_{t+1}.
 * Returns advantages [T] and returns [T] = A_t + V_t (the value-head targets).
 */
export function gae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  gamma: number,
  lambda: number,
  lastValue = 0,
): { advantages: Float64Array; returns: Float64Array } {
  const T = rewards.length;
  if (values.length !== T)
    throw new RangeError(`gae: rewards has ${T} steps but values has ${values.length}`);
  const adv = new Float64Array(T);
  const ret = new Float64Array(T);
  let next = 0;
  for (let t = T - 1; t >= 0; t--) {
    const vNext = t === T - 1 ? lastValue : values[t + 1];
    const delta = rewards[t] + gamma * vNext - values[t];
    next = delta + gamma * lambda * next;
    adv[t] = next;
    ret[t] = next + values[t];
  }
  return { advantages: adv, returns: ret };
}

/**
 * Whitening of token advantages (PPO practice; verl masked_whiten): (x - mean) / (std + eps) over the
 * masked entries, population std. x and mask: [N]. Entries with mask 0 are returned unchanged.
 */
export function whiten(x: ArrayLike<number>, mask: ArrayLike<number>, epsilon = 1e-8): Float64Array {
  let n = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (!mask[i]) continue;
    s += x[i];
    n++;
  }
  const out = Float64Array.from(x as ArrayLike<number>);
  if (n === 0) return out;
  const m = s / n;
  let v = 0;
  for (let i = 0; i < x.length; i++) if (mask[i]) v += (x[i] - m) * (x[i] - m);
  const sd = Math.sqrt(v / n);
  for (let i = 0; i < x.length; i++) if (mask[i]) out[i] = (x[i] - m) / (sd + epsilon);
  return out;
}
