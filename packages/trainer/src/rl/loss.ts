/**
 * The clipped policy-gradient loss of GRPO/PPO on one micro-batch, with KL to a frozen reference, an entropy
 * bonus and (PPO) a clipped value loss. Per-token weights come from `miniBatchWeights`, so the micro-batch
 * losses of a mini-batch add up to the mini-batch loss (gradient accumulation is exact).
 */
import * as tf from '@tensorflow/tfjs';
import type { KlEstimator } from '@brevity/core';
import type { Policy } from '../model/policy.js';
import { FUSED_KERNELS } from '../kernels/fused-names.js';
import type { PgLossAttrs } from '../kernels/webgpu-pg-loss.js';
import { hasKernel } from '../model/fused.js';
import { tokenLogprobs } from '../model/ops.js';
import type { UpdateSample } from './batch.js';

/** Host arrays of one micro-batch; token arrays are [B*(T-1)], position t scoring ids[:, t+1]. */
export interface PackedMicro {
  B: number;
  T: number;
  ids: Int32Array;
  targets: Int32Array;
  /** Loss weight of each position (0 outside responses and for masked rollouts). */
  weights: Float32Array;
  /** 1 at response positions of rollouts in the loss (for unweighted statistics). */
  mask: Float32Array;
  advantages: Float32Array;
  oldLogprobs: Float32Array;
  returns: Float32Array;
  oldValues: Float32Array;
}

/** Right-padded packing of samples: row i = prompt + response, weights from `seqWeights` [B]. */
export function packMicro(
  samples: UpdateSample[],
  seqWeights: ArrayLike<number>,
  padId: number,
): PackedMicro {
  const B = samples.length;
  const T = Math.max(...samples.map((s) => s.prompt.length + s.response.length));
  const N = B * (T - 1);
  const p: PackedMicro = {
    B,
    T,
    ids: new Int32Array(B * T).fill(padId),
    targets: new Int32Array(N).fill(padId),
    weights: new Float32Array(N),
    mask: new Float32Array(N),
    advantages: new Float32Array(N),
    oldLogprobs: new Float32Array(N),
    returns: new Float32Array(N),
    oldValues: new Float32Array(N),
  };
  samples.forEach((s, i) => {
    const P = s.prompt.length;
    p.ids.set(s.prompt, i * T);
    p.ids.set(s.response, i * T + P);
    for (let j = 0; j < s.response.length; j++) {
      const at = i * (T - 1) + P - 1 + j; // position predicting response token j
      p.targets[at] = s.response[j];
      p.oldLogprobs[at] = s.oldLogprobs[j];
      p.advantages[at] = s.tokenAdvantages ? s.tokenAdvantages[j] : s.advantage;
      if (s.returns) p.returns[at] = s.returns[j];
      if (s.oldValues) p.oldValues[at] = s.oldValues[j];
      if (s.inLoss) {
        p.weights[at] = seqWeights[i];
        p.mask[at] = 1;
      }
    }
  });
  return p;
}

export interface LossOptions {
  clipLow: number;
  clipHigh: number;
  dualClip: number | null;
  klCoef: number;
  klEstimator: KlEstimator;
  entropyCoef: number;
  temperature: number;
  valueCoef: number;
  valueClip: number | null;
}

/** A value head on the policy's final hidden state (PPO): V = h . w + b. */
export interface ValueHead {
  w: tf.Variable; // [D, 1]
  b: tf.Variable; // [1]
}

/** Order of the statistics vector the loss returns (sums over masked tokens; divide by `tokens`). */
export const STAT_KEYS = [
  'pg_loss',
  'kl',
  'entropy',
  'clip_frac',
  'value_loss',
  'vf_clip_frac',
  'tokens',
] as const;

function klTensor(kind: KlEstimator, logp: tf.Tensor, ref: tf.Tensor): tf.Tensor {
  const lr = tf.sub(logp, ref);
  if (kind === 'k1') return lr;
  if (kind === 'k2') return tf.mul(tf.square(lr), 0.5);
  return tf.add(tf.sub(tf.exp(tf.neg(lr)), 1), lr); // k3 (core klTerm)
}

/** Per-token clipped surrogate (to minimise) and whether clipping bound it. */
function surrogate(logp: tf.Tensor, old: tf.Tensor, adv: tf.Tensor, o: LossOptions) {
  const ratio = tf.exp(tf.clipByValue(tf.sub(logp, old), -20, 20));
  const pg1 = tf.mul(tf.neg(adv), ratio);
  const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - o.clipLow, 1 + o.clipHigh));
  let pg = tf.maximum(pg1, pg2);
  const clipped = tf.cast(tf.greater(pg2, pg1), 'float32');
  if (o.dualClip !== null) {
    // Dual-clip (Ye et al. 2020): for A < 0 the loss is bounded by -A * c.
    const bound = tf.mul(tf.neg(adv), o.dualClip);
    pg = tf.where(tf.less(adv, 0), tf.minimum(pg, bound), pg);
  }
  return { pg, clipped };
}

function valueLoss(values: tf.Tensor, ret: tf.Tensor, oldV: tf.Tensor, clip: number | null) {
  const l1 = tf.square(tf.sub(values, ret));
  if (clip === null) return { vl: tf.mul(l1, 0.5), vclipped: tf.zerosLike(l1) };
  const vc = tf.add(oldV, tf.clipByValue(tf.sub(values, oldV), -clip, clip));
  const l2 = tf.square(tf.sub(vc, ret));
  return { vl: tf.mul(tf.maximum(l1, l2), 0.5), vclipped: tf.cast(tf.greater(l2, l1), 'float32') };
}

/**
 * microLoss without a value head where the backend has the pgLoss kernels (webgpu): the loss in one launch
 * with its gradient in one more, and the statistics in a third, instead of ~40 launches of tfjs ops. With
 * entropyCoef 0 the entropies get no gradient, as in the composition (tfjs then skips their backward).
 */
function fusedPgLoss(
  logprobs: tf.Tensor1D,
  entropies: tf.Tensor1D,
  t: LossTokens,
  o: LossOptions,
): { loss: tf.Scalar; stats: tf.Tensor1D } {
  const attrs: PgLossAttrs = {
    clipLow: o.clipLow,
    clipHigh: o.clipHigh,
    dualClip: o.dualClip,
    kl: o.klEstimator,
    klCoef: o.klCoef,
    entropyCoef: o.entropyCoef,
  };
  const named = attrs as unknown as tf.NamedAttrMap;
  const ref: tf.NamedTensorMap = t.ref ? { refLp: t.ref } : {};
  const run = (lp: tf.Tensor, ent: tf.Tensor) =>
    tf
      .engine()
      .runKernel(
        FUSED_KERNELS.pgLoss,
        { logp: lp, ent, old: t.old, adv: t.adv, weights: t.weights, ...ref },
        named,
      ) as tf.Scalar;
  const grads = (dy: tf.Tensor, lp: tf.Tensor) =>
    tf
      .engine()
      .runKernel(
        FUSED_KERNELS.pgLossGrad,
        { logp: lp, old: t.old, adv: t.adv, weights: t.weights, dy, ...ref },
        named,
      ) as tf.Tensor[];
  // With entropyCoef 0 only the log-probs are the custom gradient's inputs (the entropies' gradient is 0).
  const inputs = o.entropyCoef !== 0 ? [logprobs, entropies] : [logprobs];
  const loss = tf.customGrad(((...args: [tf.Tensor, tf.Tensor | tf.GradSaveFunc, tf.GradSaveFunc?]) => {
    const save = args[inputs.length] as tf.GradSaveFunc;
    const lp = args[0];
    save([lp]);
    return {
      value: run(lp, inputs.length > 1 ? (args[1] as tf.Tensor) : entropies),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dlogp, dent] = grads(dy, saved[0]);
        if (inputs.length > 1) return [dlogp, dent];
        dent.dispose();
        return [dlogp];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0])(...inputs) as tf.Scalar;
  const stats = tf.keep(
    tf
      .engine()
      .runKernel(
        FUSED_KERNELS.pgStats,
        { logp: logprobs, ent: entropies, old: t.old, adv: t.adv, mask: t.mask, ...ref },
        named,
      ) as tf.Tensor1D,
  );
  return { loss, stats };
}

/**
 * The micro-batch loss (a scalar to differentiate) and its statistics [STAT_KEYS], kept outside any tidy
 * so the caller can read them after the gradient step. `refLogprobs` [B*(T-1)] is needed when klCoef > 0.
 */
export function microLoss(
  policy: Policy,
  t: LossTokens & { ids: tf.Tensor2D; targets: tf.Tensor1D },
  o: LossOptions,
  valueHead: ValueHead | null,
): { loss: tf.Scalar; stats: tf.Tensor1D } {
  const [B, T] = t.ids.shape;
  const N = B * (T - 1);
  const { hidden, logits } = policy.forward(tf.slice(t.ids, [0, 0], [B, T - 1]) as tf.Tensor2D);
  const flat = tf.reshape(logits, [N, policy.config.vocab]) as tf.Tensor2D;
  const { logprobs, entropies } = tokenLogprobs(flat, t.targets, o.temperature);
  const values = valueHead
    ? (tf.reshape(tf.add(tf.matMul(tf.reshape(hidden, [N, policy.config.d]), valueHead.w), valueHead.b), [
        N,
      ]) as tf.Tensor1D)
    : null;
  return tokenLoss(logprobs, entropies, values, t, o);
}

/** The per-token tensors of a micro-batch the loss takes (besides the policy's log-probs and entropies). */
export interface LossTokens {
  weights: tf.Tensor1D;
  mask: tf.Tensor1D;
  adv: tf.Tensor1D;
  old: tf.Tensor1D;
  returns: tf.Tensor1D;
  oldValues: tf.Tensor1D;
  ref: tf.Tensor1D | null;
}

/**
 * microLoss from the tokens' log-probs and entropies (and the value head's values, PPO): the fused kernels
 * where the backend has them and there is no value loss, else tfjs ops.
 */
export function tokenLoss(
  logprobs: tf.Tensor1D,
  entropies: tf.Tensor1D,
  values: tf.Tensor1D | null,
  t: LossTokens,
  o: LossOptions,
): { loss: tf.Scalar; stats: tf.Tensor1D } {
  if (!values && hasKernel(FUSED_KERNELS.pgLoss)) return fusedPgLoss(logprobs, entropies, t, o);
  const { pg, clipped } = surrogate(logprobs, t.old, t.adv, o);
  let perToken = pg;
  const kl = t.ref ? klTensor(o.klEstimator, logprobs, t.ref) : tf.zerosLike(pg);
  if (t.ref && o.klCoef > 0) perToken = tf.add(perToken, tf.mul(kl, o.klCoef));
  if (o.entropyCoef !== 0) perToken = tf.sub(perToken, tf.mul(entropies, o.entropyCoef));
  let vl: tf.Tensor = tf.zerosLike(pg);
  let vclipped: tf.Tensor = tf.zerosLike(pg);
  if (values) {
    ({ vl, vclipped } = valueLoss(values, t.returns, t.oldValues, o.valueClip));
    perToken = tf.add(perToken, tf.mul(vl, o.valueCoef));
  }
  const loss = tf.sum(tf.mul(perToken, t.weights)) as tf.Scalar;
  const m = t.mask;
  const msum = (x: tf.Tensor) => tf.sum(tf.mul(x, m));
  const stats = tf.keep(
    tf.stack([
      msum(pg),
      msum(kl),
      msum(entropies),
      msum(clipped),
      msum(vl),
      msum(vclipped),
      tf.sum(m),
    ]) as tf.Tensor1D,
  );
  return { loss, stats };
}
