/**
 * Loss aggregation over a batch of variable-length sequences: per-token weights w with
 * loss = sum_t w_t * l_t. The choice changes the length bias of the gradient (Liu et al. 2025, Dr.GRPO Sec. 3;
 * Yu et al. 2025, DAPO Sec. 3.3; verl agg_loss).
 */
export type LossAggregation = 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum-norm';

/**
 * Weights for tokens laid out sequence after sequence.
 * lengths: [B] tokens per sequence that enter the loss (masked tokens excluded).
 * normLength: the constant divisor of 'seq-mean-token-sum-norm' (Dr.GRPO uses the generation cap).
 * Returns [sum(lengths)] weights.
 * - token-mean (DAPO): 1 / total tokens, every token counts the same.
 * - seq-mean-token-mean (GRPO paper): 1 / (B * L_i), every sequence counts the same.
 * - seq-mean-token-sum-norm (Dr.GRPO): 1 / (B * normLength), no length normalisation.
 */
export function lossWeights(mode: LossAggregation, lengths: ArrayLike<number>, normLength = 1): Float64Array {
  let total = 0;
  for (let i = 0; i < lengths.length; i++) total += lengths[i];
  const out = new Float64Array(total);
  const B = lengths.length;
  let k = 0;
  for (let i = 0; i < B; i++) {
    const L = lengths[i];
    let w: number;
    if (mode === 'token-mean') w = 1 / total;
    else if (mode === 'seq-mean-token-mean') w = 1 / (B * L);
    else w = 1 / (B * normLength);
    for (let t = 0; t < L; t++) out[k++] = w;
  }
  return out;
}

/** Per-sequence weight (the same for each of its tokens) for the three modes; lengths [B] -> [B]. */
export function sequenceTokenWeights(
  mode: LossAggregation,
  lengths: ArrayLike<number>,
  normLength = 1,
): Float64Array {
  let total = 0;
  for (let i = 0; i < lengths.length; i++) total += lengths[i];
  const B = lengths.length;
  const out = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    const L = lengths[i];
    if (L === 0) continue;
    out[i] =
      mode === 'token-mean' ? 1 / total : mode === 'seq-mean-token-mean' ? 1 / (B * L) : 1 / (B * normLength);
  }
  return out;
}
