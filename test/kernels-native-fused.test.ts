/**
 * The fused model kernels (packages/trainer/src/kernels/native-fused.ts) against the tfjs compositions the
 * model uses without them: RMSNorm, the masked attention softmax and the weighted cross-entropy, forward and
 * gradients, and decode-step
 * attention over the in-place KV
 * cache versus the cache grown by concat (model/kv-cache.ts), including left padding and row compaction.
 * Each case runs once on tfjs' own cpu kernels (the plain path) and once with the native kernels (the fast
 * path). Skipped, with the reason in the title, when the addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { installNativeKernels, uninstallNativeKernels } from '../packages/trainer/src/kernels/native.js';
import { FUSED_KERNELS } from '../packages/trainer/src/kernels/fused-names.js';
import { attendDecodeFused, hasKernel, maskedSoftmax, rmsNorm } from '../packages/trainer/src/model/fused.js';
import { createDecodeCache } from '../packages/trainer/src/model/kv-cache.js';
import { softmaxCrossEntropy } from '../packages/trainer/src/model/ops.js';
import { MASKED } from '../packages/trainer/src/model/policy.js';
import { worstDiff } from './kernels-compare.js';

const probe = installNativeKernels();
uninstallNativeKernels();
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

let seed = 300;
const rand = (shape: number[], scale = 1): tf.Tensor =>
  tf.randomUniform(shape, -scale, scale, 'float32', seed++);

describe.skipIf(!probe.ok)(`fused kernels equal the tfjs compositions${skipReason}`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => uninstallNativeKernels());

  it('are registered with the native kernels and removed with them', () => {
    installNativeKernels();
    expect(Object.values(FUSED_KERNELS).every(hasKernel)).toBe(true);
    uninstallNativeKernels();
    expect(Object.values(FUSED_KERNELS).some(hasKernel)).toBe(false);
  });

  // [rows, cols, scale of x]
  const norms: [number, number, number][] = [
    [1, 1, 1], // a single value
    [3, 16, 2], // one vector block
    [37, 64, 3], // the base model's width
    [5, 100, 1e-4], // tiny values: eps dominates the mean square
  ];
  it.each(norms)('rmsNorm [%i, %i] (x scale %f): forward and both gradients', (rows, cols, scale) => {
    const x = rand([rows, cols], scale) as tf.Tensor2D;
    const g = rand([cols], 2) as tf.Tensor1D;
    const w = rand([rows, cols]);
    const worst = worstDiff(() => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(rmsNorm(a as tf.Tensor2D, b as tf.Tensor1D, 1e-6), w));
      const [dx, dg] = tf.grads(f)([x, g]);
      return [rmsNorm(x, g, 1e-6), dx, dg];
    });
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([x, g, w]);
  });

  // [rows N, vocabulary V, targets (one per row; -1 and V are outside the vocabulary: no target)]
  const entropies: [number, number, number[]][] = [
    [2, 2, [1, 0]], // two classes (tfjs' oneHot needs depth >= 2)
    [4, 21, [0, 20, 7, 7]], // the modchain vocabulary, a repeated target
    [3, 64, [-1, 64, 5]], // out-of-range targets contribute nothing, as a zero one-hot row
  ];
  it.each(entropies)('cross-entropy [%i, %i] (targets %j): loss and gradient', (N, V, t) => {
    const logits = rand([N, V], 6) as tf.Tensor2D;
    const targets = tf.tensor1d(t, 'int32');
    const weights = rand([N], 1) as tf.Tensor1D; // signed weights, as GRPO advantages can be
    const worst = worstDiff(() => {
      const f = (z: tf.Tensor) => softmaxCrossEntropy(z as tf.Tensor2D, targets, weights);
      return [f(logits), tf.grad(f)(logits)];
    });
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([logits, targets, weights]);
  });

  // [x shape, bias: 'causal' [T, S] | 'per-sequence' [B, 1, T, S] with left padding]
  const softmaxes: [number[], 'causal' | 'per-sequence'][] = [
    [[2, 3, 5, 5], 'causal'], // the training forward's causal mask
    [[3, 2, 4, 4], 'per-sequence'], // the prefill's causal + padding mask
    [[1, 1, 1, 1], 'causal'], // one score: weight 1, gradient 0
    [[2, 4, 33, 33], 'causal'], // rows longer than the vector width
  ];
  it.each(softmaxes)('masked softmax %j (%s): forward and gradient', (shape, kind) => {
    const [B, , T, S] = shape;
    const x = rand(shape, 4) as tf.Tensor4D;
    const w = rand(shape);
    const mask = new Float32Array((kind === 'causal' ? 1 : B) * T * S);
    for (let b = 0; b < mask.length / (T * S); b++)
      for (let i = 0; i < T; i++)
        for (let j = 0; j < S; j++) if (j > i || j < b) mask[(b * T + i) * S + j] = MASKED;
    const bias = kind === 'causal' ? tf.tensor2d(mask, [T, S]) : tf.tensor4d(mask, [B, 1, T, S]);
    const worst = worstDiff(() => {
      const f = (a: tf.Tensor) => tf.sum(tf.mul(maskedSoftmax(a as tf.Tensor4D, bias), w));
      return [maskedSoftmax(x, bias), tf.grad(f)(x)];
    });
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([x, w, bias]);
  });

  // B rows, H heads, Dh, prompt P, decode steps, left padding of each row, compaction after step
  const decodes: {
    B: number;
    H: number;
    Dh: number;
    P: number;
    steps: number;
    pads: number[];
    at?: number;
  }[] = [
    { B: 1, H: 1, Dh: 1, P: 1, steps: 3, pads: [0] }, // the smallest shape
    { B: 3, H: 2, Dh: 16, P: 4, steps: 6, pads: [0, 2, 3] }, // one full 16-lane block, padded rows
    { B: 4, H: 4, Dh: 5, P: 2, steps: 9, pads: [1, 0, 0, 1] }, // only a partial block per head
    { B: 5, H: 2, Dh: 40, P: 3, steps: 7, pads: [2, 0, 1, 0, 2], at: 3 }, // 16 + 16 + 8, compaction
  ];
  it.each(decodes)('decode attention over the in-place cache: %o', ({ B, H, Dh, P, steps, pads, at }) => {
    const D = H * Dh;
    const capacity = P + steps;
    const inputs = Array.from({ length: steps }, () => [rand([B, 3 * D]), rand([B, 3 * D])]);
    const prefill = [0, 1].map(() => ({ k: rand([B, H, P, Dh]), v: rand([B, H, P, Dh]) }));
    const mask = new Float32Array(B * capacity);
    pads.forEach((p, b) => mask.fill(MASKED, b * capacity, b * capacity + p));
    const worst = worstDiff(() => {
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
          outs.push(cache.attend(layer, tf.gather(inputs[s][layer], idx)));
        cache.advance();
      }
      cache.dispose();
      return outs;
    });
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([...inputs.flat(), ...prefill.flatMap((c) => [c.k, c.v])]);
  });

  it('refuses a cache that is a view into a larger buffer, and mismatched shapes', () => {
    installNativeKernels();
    const qkv = rand([2, 12]) as tf.Tensor2D;
    const bias = tf.zeros([2, 1, 1, 5]) as tf.Tensor4D;
    const big = tf.zeros([2, 2, 2, 2, 5]);
    const view = tf.reshape(tf.slice(big, [0], [1]), [2, 2, 2, 5]) as tf.Tensor4D; // contiguous: a view
    const kT = tf.zeros([2, 2, 2, 5]) as tf.Tensor4D;
    const v = tf.zeros([2, 2, 5, 2]) as tf.Tensor4D;
    expect(() => attendDecodeFused(qkv, view, v, bias, 0, 1)).toThrow(/owns its buffer/);
    expect(() => attendDecodeFused(qkv, v, v, bias, 0, 1)).toThrow(/do not match/);
    expect(() => attendDecodeFused(qkv, kT, v, bias, 5, 1)).toThrow(/does not fit the cache/);
    tf.dispose([qkv, bias, big, view, kT, v]);
    uninstallNativeKernels();
  });
});
