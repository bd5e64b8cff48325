/**
 * Fused versions of the model's small-op hot spots, used when the active backend registers the kernel
 * (kernels/fused-names.ts; the cpu backend does with the native addon), with the tfjs composition of the
 * same math as the fallback everywhere else. Equality with the composition is tested (test/model-fused).
 */
import * as tf from '@tensorflow/tfjs';
import { ATTENTION_LIMITS, FUSED_KERNELS } from '../kernels/fused-names.js';

type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

/** Whether the active backend has the kernel `name` (a fused kernel is then used instead of composing). */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** RMSNorm over the last axis from tfjs ops: x / sqrt(mean(x^2) + eps) * g. x [N, D], g [D]. */
export function rmsNormComposite(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): tf.Tensor2D {
  const ms = tf.mean(tf.square(x), -1, true); // [N, 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), g);
}

/**
 * RMSNorm as one fused kernel forward and one backward (the backend must have both). Where the backend has
 * rmsNormTrain (webgpu), the forward also keeps the rows' inverse norms, which the backward then reuses.
 */
export function rmsNormFused(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): tf.Tensor2D {
  const keepsInverse = hasKernel(FUSED_KERNELS.rmsNormTrain);
  const f = tf.customGrad(((xs: tf.Tensor2D, gs: tf.Tensor1D, save: tf.GradSaveFunc) => {
    let value: tf.Tensor2D;
    if (keepsInverse) {
      const [y, inv] = tf.engine().runKernel(FUSED_KERNELS.rmsNormTrain, { x: xs, g: gs }, { eps }) as [
        tf.Tensor2D,
        tf.Tensor1D,
      ];
      save([xs, gs, inv]);
      value = y;
    } else {
      save([xs, gs]);
      value = tf.engine().runKernel(FUSED_KERNELS.rmsNorm, { x: xs, g: gs }, { eps }) as tf.Tensor2D;
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf
          .engine()
          .runKernel(
            FUSED_KERNELS.rmsNormGrad,
            { x: saved[0], g: saved[1], dy, ...(saved[2] ? { inv: saved[2] } : {}) },
            { eps },
          ) as [tf.Tensor2D, tf.Tensor1D],
    };
  }) as unknown as CustomGradientFunc);
  return f(x, g) as tf.Tensor2D;
}

/** RMSNorm, fused where the backend can. */
export function rmsNorm(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): tf.Tensor2D {
  return hasKernel(FUSED_KERNELS.rmsNorm) ? rmsNormFused(x, g, eps) : rmsNormComposite(x, g, eps);
}

/**
 * [rmsNorm(x, g), x] for a pre-norm block whose residual connection adds x back: the caller uses the second
 * tensor (the same values) for the residual. Where the backend has rmsNormPass (webgpu) both come from one
 * kernel, whose gradient sums the residual's gradient of x into the norm's dx program; elsewhere tfjs'
 * backprop adds x's two gradients (a launch a norm on webgpu, 2 a block).
 */
export function rmsNormPass(x: tf.Tensor2D, g: tf.Tensor1D, eps: number): [tf.Tensor2D, tf.Tensor2D] {
  if (!hasKernel(FUSED_KERNELS.rmsNormPass)) return [rmsNorm(x, g, eps), x];
  const [y, , pass] = tf.engine().runKernel(FUSED_KERNELS.rmsNormPass, { x, g }, { eps }) as tf.Tensor[];
  return [y as tf.Tensor2D, pass as tf.Tensor2D];
}

tf.registerGradient({
  kernelName: FUSED_KERNELS.rmsNormPass,
  inputsToSave: ['x', 'g'],
  outputsToSave: [false, true, false],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: unknown) => {
    // dys: the gradients of [y, inv, x]; inv has none of its own (tfjs passes zeros).
    const [dy, , dres] = dys as tf.Tensor[];
    const [x, g, inv] = saved;
    const [dx, dg] = tf
      .engine()
      .runKernel(
        FUSED_KERNELS.rmsNormGrad,
        { x: x!, g: g!, dy: dy!, inv: inv!, dres: dres! },
        attrs as tf.NamedAttrMap,
      ) as tf.Tensor[];
    return { x: () => dx!, g: () => dg! };
  },
});

/**
 * sum_i w_i * -log softmax(logits_i)[target_i] as one fused kernel, its gradient as another (the backend must
 * have both); the composition is softmaxCrossEntropy in ops.ts.
 */
export function crossEntropyFused(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const f = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const [loss, probs] = tf.engine().runKernel(FUSED_KERNELS.crossEntropy, {
      logits: z,
      targets,
      weights,
    }) as [tf.Scalar, tf.Tensor2D];
    save([probs, targets, weights]);
    return {
      value: loss,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) =>
        tf.engine().runKernel(FUSED_KERNELS.crossEntropyGrad, {
          probs: saved[0],
          targets: saved[1],
          weights: saved[2],
          dy,
        }) as tf.Tensor2D,
    };
  }) as unknown as CustomGradientFunc);
  return f(logits) as tf.Scalar;
}

/** Attention weights from tfjs ops: softmax(x + bias) over the last axis. */
export function maskedSoftmaxComposite(x: tf.Tensor4D, bias: tf.Tensor): tf.Tensor4D {
  return tf.softmax(tf.add(x, bias)) as tf.Tensor4D;
}

/**
 * softmax(x + bias) as one fused kernel forward and one backward (the backend must have both). x
 * [B, H, T, S]; bias [T, S] or [B, 1, T, S] gets no gradient (it is a mask).
 */
export function maskedSoftmaxFused(x: tf.Tensor4D, bias: tf.Tensor): tf.Tensor4D {
  const f = tf.customGrad(((xs: tf.Tensor4D, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel(FUSED_KERNELS.maskedSoftmax, { x: xs, bias }) as tf.Tensor4D;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) =>
        tf.engine().runKernel(FUSED_KERNELS.softmaxGrad, { y: saved[0], dy }) as tf.Tensor4D,
    };
  }) as unknown as CustomGradientFunc);
  return f(x) as tf.Tensor4D;
}

/** softmax(x + bias) over the last axis (attention weights), fused where the backend can. */
export function maskedSoftmax(x: tf.Tensor4D, bias: tf.Tensor): tf.Tensor4D {
  return hasKernel(FUSED_KERNELS.maskedSoftmax)
    ? maskedSoftmaxFused(x, bias)
    : maskedSoftmaxComposite(x, bias);
}

/**
 * One decode step of attention as one fused kernel: writes the new keys and values from qkv [B, 3D] IN PLACE
 * into the caches (keys transposed [B, H, Dh, C], values [B, H, C, Dh]) at `slot`, and returns
 * softmax(q * scale . K^T + bias) . V over slots 0..slot as [B, D]. bias [B, 1, 1, >= slot + 1]. Only for
 * caches made by kv-cache.ts.
 */
export function attendDecodeFused(
  qkv: tf.Tensor2D,
  kCacheT: tf.Tensor4D,
  vCache: tf.Tensor4D,
  bias: tf.Tensor4D,
  slot: number,
  scale: number,
): tf.Tensor2D {
  return tf
    .engine()
    .runKernel(FUSED_KERNELS.attendDecode, { qkv, kCacheT, vCache, bias }, { slot, scale }) as tf.Tensor2D;
}

/**
 * Causal self-attention of a training forward from qkv [B*T, 3D] (queries, keys, values; head h at columns
 * h*Dh of each) to y [B*T, D]: softmax(q k^T * scale + bias) v per head, bias [T, T] or [B, 1, T, T] (a mask:
 * no gradient). One fused kernel forward and one backward; the backend must have both.
 */
export function attentionFused(qkv: tf.Tensor2D, bias: tf.Tensor, heads: number, scale: number): tf.Tensor2D {
  const attrs = { heads, scale };
  const f = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.engine().runKernel(FUSED_KERNELS.attention, { qkv: x, bias }, attrs) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.engine().runKernel(FUSED_KERNELS.attentionGrad, { qkv: saved[0], bias, dy }, attrs) as tf.Tensor2D,
    };
  }) as unknown as CustomGradientFunc);
  return f(qkv) as tf.Tensor2D;
}

/** Whether attentionFused can run here: the backend has the kernels and the shape is within their limits. */
export function canFuseAttention(T: number, headWidth: number): boolean {
  return (
    T <= ATTENTION_LIMITS.maxT && headWidth <= ATTENTION_LIMITS.maxDh && hasKernel(FUSED_KERNELS.attention)
  );
}

/**
 * The same attention from tfjs ops, also returning each head's keys and values [B, H, T, Dh] (the prefill
 * keeps them for the KV cache).
 */
export function attentionComposite(
  qkv: tf.Tensor2D,
  bias: tf.Tensor,
  B: number,
  T: number,
  heads: number,
  scale: number,
): { y: tf.Tensor2D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const D = qkv.shape[1] / 3;
  const heads4 = tf.transpose(tf.reshape(qkv, [B, T, 3 * heads, D / heads]), [0, 2, 1, 3]); // [B, 3H, T, Dh]
  const [q, k, v] = tf.split(heads4, 3, 1) as tf.Tensor4D[]; // each [B, H, T, Dh]
  const att = maskedSoftmax(tf.matMul(tf.mul(q, scale), k, false, true), bias); // [B, H, T, T]
  const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, D]) as tf.Tensor2D;
  return { y, k, v };
}

/** Causal self-attention qkv [B*T, 3D] -> [B*T, D] (see attentionFused), fused where the backend can. */
export function attention(
  qkv: tf.Tensor2D,
  bias: tf.Tensor,
  B: number,
  T: number,
  heads: number,
  scale: number,
): tf.Tensor2D {
  return canFuseAttention(T, qkv.shape[1] / 3 / heads)
    ? attentionFused(qkv, bias, heads, scale)
    : attentionComposite(qkv, bias, B, T, heads, scale).y;
}
