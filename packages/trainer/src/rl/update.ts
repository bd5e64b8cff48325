/**
 * One optimizer step over a mini-batch: gradients of every micro-batch summed (exact accumulation, the
 * weights already span the whole mini-batch), one AdamW update, statistics read once at the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../model/policy.js';
import { accumulate, tidy } from '../model/ops.js';
import type { AdamW } from '../optim/adamw.js';
import { microLoss, packMicro, STAT_KEYS, type LossOptions, type ValueHead } from './loss.js';
import type { UpdateSample } from './batch.js';

export interface MiniBatchResult {
  loss: number;
  gradNorm: number;
  /** Sums over the mini-batch's response tokens, by STAT_KEYS. */
  stats: Record<(typeof STAT_KEYS)[number], number>;
}

export interface UpdateContext {
  policy: Policy;
  valueHead: ValueHead | null;
  optimizer: AdamW;
  loss: LossOptions;
  padId: number;
  /** Reference log-probs per sample, aligned with `response` (KL term), or null. */
  refLogprobs: Map<UpdateSample, Float32Array> | null;
}

function tensorsOf(samples: UpdateSample[], weights: ArrayLike<number>, c: UpdateContext) {
  const p = packMicro(samples, weights, c.padId);
  let ref: tf.Tensor1D | null = null;
  if (c.refLogprobs) {
    const r = new Float32Array(p.B * (p.T - 1));
    samples.forEach((s, i) => r.set(c.refLogprobs!.get(s)!, i * (p.T - 1) + s.prompt.length - 1));
    ref = tf.tensor1d(r);
  }
  return {
    ids: tf.tensor2d(p.ids, [p.B, p.T], 'int32'),
    targets: tf.tensor1d(p.targets, 'int32'),
    weights: tf.tensor1d(p.weights),
    mask: tf.tensor1d(p.mask),
    adv: tf.tensor1d(p.advantages),
    old: tf.tensor1d(p.oldLogprobs),
    returns: tf.tensor1d(p.returns),
    oldValues: tf.tensor1d(p.oldValues),
    ref,
  };
}

/** Loss and summed gradients of one micro-batch; returns tensors the caller owns. */
function microGrads(
  samples: UpdateSample[],
  weights: ArrayLike<number>,
  c: UpdateContext,
  vars: tf.Variable[],
) {
  let stats: tf.Tensor1D | null = null;
  const out = tidy(() => {
    const t = tensorsOf(samples, weights, c);
    const { value, grads } = tf.variableGrads(() => {
      const r = microLoss(c.policy, t, c.loss, c.valueHead);
      stats = r.stats;
      return r.loss;
    }, vars);
    return { loss: value, grads: vars.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
  });
  return { ...out, stats: stats! as tf.Tensor1D };
}

/**
 * Runs one optimizer step on `micros` (the micro-batches of one mini-batch) with per-sample weights
 * `weights` (aligned with micros.flat()) at learning rate `lr`.
 */
export async function updateMiniBatch(
  micros: UpdateSample[][],
  weights: Float64Array,
  c: UpdateContext,
  lr: number,
): Promise<MiniBatchResult> {
  const vars = c.optimizer.variables;
  let total: { loss: tf.Scalar; grads: tf.Tensor[]; stats: tf.Tensor1D } | null = null;
  let at = 0;
  for (const micro of micros) {
    const w = weights.subarray(at, at + micro.length);
    at += micro.length;
    const r = microGrads(micro, w, c, vars);
    if (!total) total = r;
    else {
      const sum = accumulate([total.loss, ...total.grads, total.stats], [r.loss, ...r.grads, r.stats]);
      total = {
        loss: sum[0] as tf.Scalar,
        grads: sum.slice(1, -1),
        stats: sum[sum.length - 1] as tf.Tensor1D,
      };
    }
  }
  const acc = total!;
  const gradNorm = c.optimizer.apply(acc.grads, lr);
  const packed = tf.concat([tf.stack([acc.loss, gradNorm]), acc.stats]);
  const data = await packed.data();
  tf.dispose([packed, acc.loss, gradNorm, ...acc.grads, acc.stats]);
  const stats = Object.fromEntries(STAT_KEYS.map((k, i) => [k, data[2 + i]])) as MiniBatchResult['stats'];
  return { loss: data[0], gradNorm: data[1], stats };
}
