/**
 * Pure bookkeeping between scoring and the update: advantages per rollout, dynamic-sampling and overlong
 * filters, mini/micro-batch split and per-sequence loss weights. No tfjs here, so it is unit-tested alone.
 */
import {
  grpoAdvantages,
  offsetsFromSizes,
  rlooAdvantages,
  sequenceTokenWeights,
  type LossAggregation,
  type Rng,
} from '@brevity/core';

/** What the update needs of one rollout. */
export interface UpdateSample {
  /** Prompt token ids (with BOS). */
  prompt: Int32Array;
  /** Response token ids (with EOS when generated). */
  response: Int32Array;
  /** Behaviour-policy log-probs of the response tokens. [R] */
  oldLogprobs: Float32Array;
  /** Sequence-level advantage (GRPO family), broadcast to every token. */
  advantage: number;
  /** Per-token advantages (PPO/GAE) overriding `advantage` when present. [R] */
  tokenAdvantages?: Float32Array;
  /** Value targets (PPO). [R] */
  returns?: Float32Array;
  /** Old value predictions (PPO value clipping). [R] */
  oldValues?: Float32Array;
  /** False when the rollout is masked out of the loss (overlong filtering). */
  inLoss: boolean;
}

export type AdvantageEstimator = 'grpo' | 'dr-grpo' | 'rloo';

/** Sequence-level advantages for groups of rewards, one array per group (input order). */
export function groupAdvantages(
  rewards: number[][],
  estimator: AdvantageEstimator,
  epsilon: number,
): Float64Array[] {
  const flat = rewards.flat();
  const offsets = offsetsFromSizes(rewards.map((r) => r.length));
  const adv =
    estimator === 'rloo'
      ? rlooAdvantages(flat, offsets)
      : grpoAdvantages(flat, offsets, { normalizeStd: estimator === 'grpo', epsilon });
  return rewards.map((_, g) => adv.slice(offsets[g], offsets[g + 1]));
}

/** Indices of groups whose rewards are not all equal (DAPO dynamic sampling keeps only these). */
export function groupsWithSignal(rewards: number[][], tolerance = 1e-12): number[] {
  const keep: number[] = [];
  rewards.forEach((r, g) => {
    const lo = Math.min(...r);
    const hi = Math.max(...r);
    if (hi - lo > tolerance) keep.push(g);
  });
  return keep;
}

/**
 * Splits samples into `miniBatches` optimizer steps of equal size, each into micro-batches of `microBatch`
 * (null = one micro-batch). The order is shuffled with `rng` when given (epochs > 1 see new orders).
 */
export function splitBatches<T>(
  samples: T[],
  miniBatches: number,
  microBatch: number | null,
  rng?: Rng,
): T[][][] {
  const order = samples.map((_, i) => i);
  if (rng) rng.shuffle(order);
  const per = Math.ceil(samples.length / miniBatches);
  const out: T[][][] = [];
  for (let m = 0; m < miniBatches; m++) {
    const mini = order.slice(m * per, (m + 1) * per).map((i) => samples[i]);
    if (mini.length === 0) continue;
    const size = microBatch ?? mini.length;
    const micros: T[][] = [];
    for (let k = 0; k < mini.length; k += size) micros.push(mini.slice(k, k + size));
    out.push(micros);
  }
  return out;
}

/**
 * Loss weight of every token of each sample of one mini-batch (the same for all tokens of a sample), so that
 * the mini-batch loss is sum_i w_i * sum_t l_{i,t}. Computed over the whole mini-batch, so splitting it into
 * micro-batches and summing their gradients gives exactly the mini-batch gradient.
 */
export function miniBatchWeights(
  mini: UpdateSample[],
  mode: LossAggregation,
  normLength: number,
): Float64Array {
  const lengths = mini.map((s) => (s.inLoss ? s.response.length : 0));
  const inLoss = lengths.filter((l) => l > 0).length;
  if (inLoss === 0) return new Float64Array(mini.length);
  // Sequence means count only sequences that enter the loss.
  const kept = lengths.filter((l) => l > 0);
  const w = sequenceTokenWeights(mode, kept, normLength);
  const out = new Float64Array(mini.length);
  let k = 0;
  lengths.forEach((l, i) => {
    if (l > 0) out[i] = w[k++];
  });
  return out;
}
