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

/** Prompt + response tokens of a sample: the width of its row in a packed micro-batch. */
export const sampleLength = (s: UpdateSample): number => s.prompt.length + s.response.length;

/** Micro-batches by padded size: at most `tokens` slots (rows x longest length) each. */
export interface TokenBudget<T> {
  tokens: number;
  lengthOf: (x: T) => number;
}

/**
 * Cuts one mini-batch into micro-batches of similar length: samples sorted by `lengthOf` (stable, shortest
 * first) and cut greedily so that rows x the longest length of each micro-batch stays within `tokens`; a
 * sample longer than the budget is a micro-batch of its own. Every sample appears exactly once.
 */
export function tokenBudgetMicros<T>(mini: T[], budget: TokenBudget<T>): T[][] {
  const lengths = mini.map(budget.lengthOf);
  const order = mini.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const micros: T[][] = [];
  let cur: T[] = [];
  for (const i of order) {
    // Sorted ascending, so the new sample is the longest of the micro-batch it joins.
    if (cur.length > 0 && (cur.length + 1) * lengths[i] > budget.tokens) {
      micros.push(cur);
      cur = [];
    }
    cur.push(mini[i]);
  }
  if (cur.length > 0) micros.push(cur);
  return micros;
}

/**
 * Splits samples into `miniBatches` optimizer steps of equal size, each into micro-batches: of `micro` rows
 * (null = one micro-batch) or, given a token budget, sorted by length and cut by padded size
 * (tokenBudgetMicros). The order is shuffled with `rng` when given (epochs > 1 see new orders).
 */
export function splitBatches<T>(
  samples: T[],
  miniBatches: number,
  micro: number | null | TokenBudget<T>,
  rng?: Rng,
): T[][][] {
  const order = samples.map((_, i) => i);
  if (rng) rng.shuffle(order);
  const per = Math.ceil(samples.length / miniBatches);
  const out: T[][][] = [];
  for (let m = 0; m < miniBatches; m++) {
    const mini = order.slice(m * per, (m + 1) * per).map((i) => samples[i]);
    if (mini.length === 0) continue;
    if (micro !== null && typeof micro === 'object') {
      out.push(tokenBudgetMicros(mini, micro));
      continue;
    }
    const size = micro ?? mini.length;
    const micros: T[][] = [];
    for (let k = 0; k < mini.length; k += size) micros.push(mini.slice(k, k + size));
    out.push(micros);
  }
  return out;
}

/** Token slots of packed micro-batches (rows x longest length, summed) and how many hold a real token. */
export function paddedSlots<T>(micros: T[][], lengthOf: (x: T) => number): { slots: number; tokens: number } {
  let slots = 0;
  let tokens = 0;
  for (const micro of micros) {
    const lengths = micro.map(lengthOf);
    slots += micro.length * Math.max(0, ...lengths);
    tokens += lengths.reduce((a, b) => a + b, 0);
  }
  return { slots, tokens };
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
