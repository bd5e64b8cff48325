/**
 * Host-side sampling from one row of logits: temperature, nucleus (top-p) truncation, the log-probability
 * of the drawn token and the entropy of the full distribution. Pure, over typed arrays; the uniform comes
 * from the caller's seeded Rng, so sampling is reproducible on every backend.
 *
 * Conventions: the log-prob and the entropy are those of softmax(logits / temperature) over the whole
 * vocabulary (before top-p truncation), so they match `Policy.logprobs` at the same temperature, which is
 * what importance ratios in GRPO/PPO compare against. Temperature 0 means greedy (argmax), with log-prob and
 * entropy taken at temperature 1.
 */
export interface SamplingOptions {
  /** Softmax temperature; 0 = greedy. */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 = no truncation. */
  topP: number;
}

export interface SampledToken {
  token: number;
  logprob: number;
  entropy: number;
}

/** Log-softmax of row `logits[offset .. offset+V)` at temperature t into `out` (length V). */
export function logSoftmaxRow(
  logits: ArrayLike<number>,
  offset: number,
  V: number,
  t: number,
  out: Float64Array,
): void {
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[offset + i] / t);
  let sum = 0;
  for (let i = 0; i < V; i++) sum += Math.exp(logits[offset + i] / t - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < V; i++) out[i] = logits[offset + i] / t - lse;
}

/** Entropy (nats) of a distribution given by its log-probs. */
export function entropyOf(lp: Float64Array, V: number): number {
  let h = 0;
  for (let i = 0; i < V; i++) if (lp[i] > -Infinity) h -= Math.exp(lp[i]) * lp[i];
  return h;
}

function argmax(lp: Float64Array, V: number): number {
  let best = 0;
  for (let i = 1; i < V; i++) if (lp[i] > lp[best]) best = i;
  return best;
}

/** Inverse-CDF draw over tokens `order[0..n)` (probabilities `p`) whose probabilities sum to `mass`. */
function drawAmong(p: Float64Array, order: ArrayLike<number>, n: number, mass: number, u: number): number {
  let r = u * mass;
  for (let j = 0; j < n; j++) {
    r -= p[order[j]];
    if (r < 0) return order[j];
  }
  return order[n - 1];
}

/** Smallest set of most likely tokens whose mass reaches topP (at least one token), and that mass. */
function nucleus(lp: Float64Array, p: Float64Array, V: number, topP: number, order: Int32Array) {
  for (let i = 0; i < V; i++) order[i] = i;
  order.sort((a, b) => lp[b] - lp[a] || a - b);
  let mass = 0;
  let n = 0;
  while (n < V) {
    mass += p[order[n]];
    n++;
    if (mass >= topP) break;
  }
  return { n, mass };
}

/** Reusable buffers for one vocabulary size (avoids allocating per row). */
export class RowSampler {
  private readonly lp: Float64Array;
  /** The probabilities, computed once per row (the entropy, the mass and the draw all read them). */
  private readonly p: Float64Array;
  private readonly order: Int32Array;
  private readonly identity: Int32Array;

  constructor(readonly vocab: number) {
    this.lp = new Float64Array(vocab);
    this.p = new Float64Array(vocab);
    this.order = new Int32Array(vocab);
    this.identity = Int32Array.from({ length: vocab }, (_, i) => i);
  }

  /**
   * Log-probs (as logSoftmaxRow) and probabilities of one row, one exp per entry: p = exp(z - max) / sum
   * (equal to exp(lp) up to rounding). Returns the entropy (as entropyOf).
   */
  private distribution(logits: ArrayLike<number>, offset: number, t: number): number {
    const { vocab: V, lp, p } = this;
    let max = -Infinity;
    for (let i = 0; i < V; i++) {
      lp[i] = t === 1 ? logits[offset + i] : logits[offset + i] / t;
      max = Math.max(max, lp[i]);
    }
    let sum = 0;
    for (let i = 0; i < V; i++) sum += p[i] = Math.exp(lp[i] - max);
    const lse = max + Math.log(sum);
    let entropy = 0;
    for (let i = 0; i < V; i++) {
      lp[i] -= lse;
      p[i] /= sum;
      if (lp[i] > -Infinity) entropy -= p[i] * lp[i];
    }
    return entropy;
  }

  /** Samples from row `offset/V` of `logits` with the uniform `u` in [0, 1). */
  sample(logits: ArrayLike<number>, offset: number, o: SamplingOptions, u: number): SampledToken {
    const { vocab: V, lp, p } = this;
    const entropy = this.distribution(logits, offset, o.temperature > 0 ? o.temperature : 1);
    let token: number;
    if (o.temperature <= 0) token = argmax(lp, V);
    else if (o.topP >= 1) {
      let mass = 0; // ~1; summed so rounding never biases the draw towards the last token
      for (let i = 0; i < V; i++) mass += p[i];
      token = drawAmong(p, this.identity, V, mass, u);
    } else {
      const { n, mass } = nucleus(lp, p, V, o.topP, this.order);
      token = drawAmong(p, this.order, n, mass, u);
    }
    return { token, logprob: lp[token], entropy };
  }
}
