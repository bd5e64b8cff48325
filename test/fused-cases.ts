/**
 * The fused-kernel cases shared by test/kernels-native-fused.test.ts (native addon on cpu) and
 * test/kernels-webgpu.test.ts (WGSL on webgpu): each builds a computation that runs the model's fused entry
 * point (model/fused.ts, ops.ts) and its gradients, so the same computation is evaluated with the fused
 * kernels installed and without them. Not a test file itself.
 */
import * as tf from '@tensorflow/tfjs';

import { attention, maskedSoftmax, rmsNorm, rmsNormPass } from '../packages/trainer/src/model/fused.js';
import { linearRelu, softmaxCrossEntropy, tokenLogprobs } from '../packages/trainer/src/model/ops.js';
import { createDecodeCache } from '../packages/trainer/src/model/kv-cache.js';
import { MASKED } from '../packages/trainer/src/model/policy.js';

let seed = 300;
/** Seeded uniform values in [-scale, scale). */
export const rand = (shape: number[], scale = 1): tf.Tensor =>
  tf.randomUniform(shape, -scale, scale, 'float32', seed++);

/** A computation on fixed inputs, and the inputs to dispose afterwards. */
export interface FusedCase {
  run: () => tf.Tensor[];
  inputs: tf.Tensor[];
}

// [rows, cols, scale of x]
export const NORM_CASES: [number, number, number][] = [
  [1, 1, 1], // a single value
  [3, 16, 2], // one vector block
  [37, 64, 3], // the base model's width
  [5, 100, 1e-4], // tiny values: eps dominates the mean square
  [1100, 24, 1], // more rows than a workgroup: the weight gradient's sums run over them (256 wide on webgpu)
];

/** RMSNorm forward and both gradients of sum(rmsNorm(x, g) * w). */
export function normCase(rows: number, cols: number, scale: number): FusedCase {
  const x = rand([rows, cols], scale) as tf.Tensor2D;
  const g = rand([cols], 2) as tf.Tensor1D;
  const w = rand([rows, cols]);
  return {
    inputs: [x, g, w],
    run: () => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(rmsNorm(a as tf.Tensor2D, b as tf.Tensor1D, 1e-6), w));
      const [dx, dg] = tf.grads(f)([x, g]);
      return [rmsNorm(x, g, 1e-6), dx, dg];
    },
  };
}

/**
 * A pre-norm residual as the model's blocks use it: x + relu(rmsNormPass(x, g)[0] @ v) from the pass-through
 * x, and both gradients of its weighted sum, so x's gradient is the residual's plus the norm's.
 */
export function normPassCase(rows: number, cols: number, scale: number): FusedCase {
  const x = rand([rows, cols], scale) as tf.Tensor2D;
  const g = rand([cols], 2) as tf.Tensor1D;
  const v = rand([cols, cols]) as tf.Tensor2D;
  const w = rand([rows, cols]);
  const block = (a: tf.Tensor2D, b: tf.Tensor1D) => {
    const [n, pass] = rmsNormPass(a, b, 1e-6);
    return tf.add(pass, tf.relu(tf.matMul(n, v)));
  };
  return {
    inputs: [x, g, v, w],
    run: () => {
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(block(a as tf.Tensor2D, b as tf.Tensor1D), w));
      const [dx, dg] = tf.grads(f)([x, g]);
      return [block(x, g), dx, dg];
    },
  };
}

// [rows N, vocabulary V, targets (one per row; -1 and V are outside the vocabulary: no target)]
export const ENTROPY_CASES: [number, number, number[]][] = [
  [2, 2, [1, 0]], // two classes (tfjs' oneHot needs depth >= 2)
  [4, 21, [0, 20, 7, 7]], // the modchain vocabulary, a repeated target
  [3, 64, [-1, 64, 5]], // out-of-range targets contribute nothing, as a zero one-hot row
];

/** The weighted cross-entropy (signed weights, as GRPO advantages can be) and its gradient. */
export function entropyCase(N: number, V: number, t: number[]): FusedCase {
  const logits = rand([N, V], 6) as tf.Tensor2D;
  const targets = tf.tensor1d(t, 'int32');
  const weights = rand([N], 1) as tf.Tensor1D;
  return {
    inputs: [logits, targets, weights],
    run: () => {
      const f = (z: tf.Tensor) => softmaxCrossEntropy(z as tf.Tensor2D, targets, weights);
      return [f(logits), tf.grad(f)(logits)];
    },
  };
}

// [x shape, bias: 'causal' [T, S] | 'per-sequence' [B, 1, T, S] with left padding]
export const SOFTMAX_CASES: [number[], 'causal' | 'per-sequence'][] = [
  [[2, 3, 5, 5], 'causal'], // the training forward's causal mask
  [[3, 2, 4, 4], 'per-sequence'], // the prefill's causal + padding mask
  [[1, 1, 1, 1], 'causal'], // one score: weight 1, gradient 0
  [[2, 4, 33, 33], 'causal'], // rows longer than the vector width
];

/** A causal mask [T, S], or causal + left padding of b positions for sequence b [B, 1, T, S]. */
function maskOf(B: number, T: number, S: number, kind: 'causal' | 'per-sequence'): tf.Tensor {
  const mask = new Float32Array((kind === 'causal' ? 1 : B) * T * S);
  for (let b = 0; b < mask.length / (T * S); b++)
    for (let i = 0; i < T; i++)
      for (let j = 0; j < S; j++) if (j > i || j < b) mask[(b * T + i) * S + j] = MASKED;
  return kind === 'causal' ? tf.tensor2d(mask, [T, S]) : tf.tensor4d(mask, [B, 1, T, S]);
}

/** The masked attention softmax and the gradient of sum(softmax * w). */
export function softmaxCase(shape: number[], kind: 'causal' | 'per-sequence'): FusedCase {
  const [B, , T, S] = shape;
  const x = rand(shape, 4) as tf.Tensor4D;
  const w = rand(shape);
  const bias = maskOf(B, T, S, kind);
  return {
    inputs: [x, w, bias],
    run: () => {
      const f = (a: tf.Tensor) => tf.sum(tf.mul(maskedSoftmax(a as tf.Tensor4D, bias), w));
      return [maskedSoftmax(x, bias), tf.grad(f)(x)];
    },
  };
}

// [B, heads, T, head width, mask]
export const ATTENTION_CASES: [number, number, number, number, 'causal' | 'per-sequence'][] = [
  [2, 2, 5, 4, 'causal'], // the training forward
  [3, 2, 4, 8, 'per-sequence'], // left-padded rows (a fully masked first row for sequences 1 and 2)
  [1, 1, 1, 1, 'causal'], // one position, one head of width 1
  [2, 4, 70, 16, 'causal'], // more positions than a workgroup has invocations (64)
  [1, 2, 9, 100, 'causal'], // a head wider than a workgroup
];

/** Causal self-attention from qkv [B*T, 3D] and the gradient of sum(attention * w) with respect to qkv. */
export function attentionCase(
  B: number,
  H: number,
  T: number,
  Dh: number,
  kind: 'causal' | 'per-sequence',
): FusedCase {
  const qkv = rand([B * T, 3 * H * Dh], 2) as tf.Tensor2D;
  const w = rand([B * T, H * Dh]);
  const bias = maskOf(B, T, T, kind);
  const scale = 1 / Math.sqrt(Dh);
  return {
    inputs: [qkv, w, bias],
    run: () => {
      const f = (a: tf.Tensor) => tf.sum(tf.mul(attention(a as tf.Tensor2D, bias, B, T, H, scale), w));
      return [attention(qkv, bias, B, T, H, scale), tf.grad(f)(qkv)];
    },
  };
}

/** B rows, H heads, Dh, prompt P, decode steps, left padding of each row, compaction after step `at`. */
export interface DecodeShape {
  B: number;
  H: number;
  Dh: number;
  P: number;
  steps: number;
  pads: number[];
  at?: number;
}

export const DECODE_CASES: DecodeShape[] = [
  { B: 1, H: 1, Dh: 1, P: 1, steps: 3, pads: [0] }, // the smallest shape
  { B: 3, H: 2, Dh: 16, P: 4, steps: 6, pads: [0, 2, 3] }, // one full 16-lane block, padded rows
  { B: 4, H: 4, Dh: 5, P: 2, steps: 9, pads: [1, 0, 0, 1] }, // only a partial block per head
  { B: 5, H: 2, Dh: 40, P: 3, steps: 7, pads: [2, 0, 1, 0, 2], at: 3 }, // 16 + 16 + 8, compaction
];

/**
 * Decode steps of two blocks over a KV cache built from a prefill (createDecodeCache picks the layout the
 * installed kernels allow), with rows leaving the batch at step `at`: every step's attention output.
 */
export function decodeCase({ B, H, Dh, P, steps, pads, at }: DecodeShape): FusedCase {
  const D = H * Dh;
  const capacity = P + steps;
  const inputs = Array.from({ length: steps }, () => [rand([B, 3 * D]), rand([B, 3 * D])]);
  const prefill = [0, 1].map(() => ({ k: rand([B, H, P, Dh]), v: rand([B, H, P, Dh]) }));
  const mask = new Float32Array(B * capacity);
  pads.forEach((p, b) => mask.fill(MASKED, b * capacity, b * capacity + p));
  return {
    inputs: [...inputs.flat(), ...prefill.flatMap((c) => [c.k, c.v])],
    run: () => {
      const kv = prefill.map((c) => ({ k: tf.clone(c.k) as tf.Tensor4D, v: tf.clone(c.v) as tf.Tensor4D }));
      const cache = createDecodeCache(kv, tf.tensor4d(mask, [B, 1, 1, capacity]), { heads: H, capacity });
      const outs: tf.Tensor[] = [];
      let rows = Array.from({ length: B }, (_, i) => i);
      for (let s = 0; s < steps; s++) {
        if (s === at) {
          rows = rows.filter((_, i) => i % 2 === 0);
          cache.compact(rows.map((_, i) => i * 2));
        }
        const idx = tf.tensor1d(rows, 'int32');
        for (let layer = 0; layer < 2; layer++)
          outs.push(cache.attend(layer, tf.gather(inputs[s][layer], idx) as tf.Tensor2D));
        cache.advance();
      }
      cache.dispose();
      return outs;
    },
  };
}

/** relu(x @ w) (the MLP's first layer) and the gradients of sum(relu(x @ w) * v), with some exact zeros in x @ w. */
export function reluCase(rows: number, inner: number, cols: number): FusedCase {
  const x = rand([rows, inner]) as tf.Tensor2D;
  const w = rand([inner, cols]) as tf.Tensor2D;
  const v = rand([rows, cols]);
  const xz = tf.concat([x, tf.zeros([1, inner])]) as tf.Tensor2D; // a zero row: products of exactly 0
  const vz = tf.concat([v, tf.ones([1, cols])]);
  return {
    inputs: [x, w, v, xz, vz],
    run: () => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(linearRelu(a as tf.Tensor2D, b as tf.Tensor2D), vz));
      return [linearRelu(xz, w), ...tf.grads(f)([xz, w])];
    },
  };
}

// [rows N, vocabulary V, targets, temperature, whether the entropies enter the loss]
export const TOKEN_CASES: [number, number, number[], number, boolean][] = [
  [4, 21, [0, 20, 7, 7], 1, true], // the modchain vocabulary, the RL loss with an entropy term
  [3, 64, [-1, 64, 5], 1.7, true], // out-of-range targets score 0; a hot temperature
  [5, 11, [1, 2, 3, 4, 5], 0.6, false], // log-probs alone in the loss (the entropies only as statistics)
];

/** Token log-probs and entropies (policy.logprobs' head) and the gradient of w1 . logprobs (+ w2 . entropies). */
export function tokenCase(
  N: number,
  V: number,
  t: number[],
  temperature: number,
  withEntropy: boolean,
): FusedCase {
  const logits = rand([N, V], 5) as tf.Tensor2D;
  const targets = tf.tensor1d(t, 'int32');
  const w1 = rand([N]);
  const w2 = rand([N]);
  return {
    inputs: [logits, targets, w1, w2],
    run: () => {
      const f = (z: tf.Tensor) => {
        const r = tokenLogprobs(z as tf.Tensor2D, targets, temperature);
        const loss = tf.sum(tf.mul(r.logprobs, w1));
        return withEntropy ? tf.add(loss, tf.sum(tf.mul(r.entropies, w2))) : loss;
      };
      const r = tokenLogprobs(logits, targets, temperature);
      return [r.logprobs, r.entropies, tf.grad(f)(logits)];
    },
  };
}
