/**
 * One optimizer step over a mini-batch: gradients of every micro-batch summed (exact accumulation, the
 * weights already span the whole mini-batch), one AdamW update, statistics read once at the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../model/policy.js';
import { ownCopy, sharesBuffer, tidy } from '../model/ops.js';
import { hasKernel } from '../model/fused.js';
import { FUSED_KERNELS } from '../kernels/fused-names.js';
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
 * targets[i] += sources[i] in place with the fused kernel; a target sharing its buffer is replaced by a copy
 * of its own first. Returns the targets (the same tensors, or their copies).
 */
function addInPlace(targets: tf.Tensor[], sources: tf.Tensor[]): tf.Tensor[] {
  const own = targets.map((t) => {
    if (!sharesBuffer(t)) return t;
    const copy = ownCopy(t);
    t.dispose();
    return copy;
  });
  const inputs: tf.NamedTensorMap = {};
  own.forEach((t, i) => {
    inputs[`a${i}`] = t;
    inputs[`b${i}`] = sources[i];
  });
  (tf.engine().runKernel(FUSED_KERNELS.addTensors, inputs) as tf.Tensor).dispose(); // a0, aliased
  return own;
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
    else if (hasKernel(FUSED_KERNELS.addTensors)) {
      // In place (webgpu): a few launches instead of one add per tensor.
      const sum = addInPlace([total.loss, ...total.grads, total.stats], [r.loss, ...r.grads, r.stats]);
      total = {
        loss: sum[0] as tf.Scalar,
        grads: sum.slice(1, -1),
        stats: sum[sum.length - 1] as tf.Tensor1D,
      };
      tf.dispose([r.loss, ...r.grads, r.stats]);
    } else {
      const prev: { loss: tf.Scalar; grads: tf.Tensor[]; stats: tf.Tensor1D } = total;
      total = tidy(() => ({
        loss: tf.add(prev.loss, r.loss) as tf.Scalar,
        grads: prev.grads.map((g, i) => tf.add(g, r.grads[i])),
        stats: tf.add(prev.stats, r.stats) as tf.Tensor1D,
      }));
      tf.dispose([prev.loss, ...prev.grads, prev.stats, r.loss, ...r.grads, r.stats]);
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
