/**
 * Per-token KL estimators between the policy pi and a frozen reference (Schulman 2020, "Approximating KL
 * Divergence"; verl kl_penalty). With log r = log pi(a) - log pi_ref(a) for a sampled a ~ pi:
 * k1 = log r (unbiased, high variance, can be negative);
 * k2 = (log r)^2 / 2 (biased, low variance, always >= 0);
 * k3 = exp(-log r) - 1 + log r (unbiased, low variance, >= 0; verl "low_var_kl", GRPO paper Eq. 4).
 */
export type KlEstimator = 'k1' | 'k2' | 'k3';

/** One token's estimate from the two log-probabilities. */
export function klTerm(kind: KlEstimator, logp: number, refLogp: number): number {
  const lr = logp - refLogp;
  switch (kind) {
    case 'k1':
      return lr;
    case 'k2':
      return 0.5 * lr * lr;
    case 'k3':
      return Math.exp(-lr) - 1 + lr;
  }
}

/** Estimates for every token: logp and refLogp [N] -> [N]. */
export function klPerToken(
  kind: KlEstimator,
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
): Float64Array {
  if (logp.length !== refLogp.length)
    throw new RangeError(`klPerToken: logp has ${logp.length} entries but refLogp has ${refLogp.length}`);
  const out = new Float64Array(logp.length);
  for (let i = 0; i < logp.length; i++) out[i] = klTerm(kind, logp[i], refLogp[i]);
  return out;
}
