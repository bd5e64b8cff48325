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
import { NATIVE_FUSED_KERNELS } from '../packages/trainer/src/kernels/native-fused.js';
import { attendDecodeFused, hasKernel } from '../packages/trainer/src/model/fused.js';
import { createDecodeCache } from '../packages/trainer/src/model/kv-cache.js';
import { MASKED } from '../packages/trainer/src/model/policy.js';
import { worstDiff } from './kernels-compare.js';
import {
  ENTROPY_CASES,
  entropyCase,
  NORM_CASES,
  normCase,
  rand,
  SOFTMAX_CASES,
  softmaxCase,
} from './fused-cases.js';

const probe = installNativeKernels();
uninstallNativeKernels();
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

describe.skipIf(!probe.ok)(`fused kernels equal the tfjs compositions${skipReason}`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => uninstallNativeKernels());

  it('are registered with the native kernels and removed with them', () => {
    installNativeKernels();
    expect(NATIVE_FUSED_KERNELS.every(hasKernel)).toBe(true);
    uninstallNativeKernels();
    expect(Object.values(FUSED_KERNELS).some(hasKernel)).toBe(false);
  });

  it.each(NORM_CASES)('rmsNorm [%i, %i] (x scale %f): forward and both gradients', (rows, cols, scale) => {
    const c = normCase(rows, cols, scale);
    expect(worstDiff(c.run)).toBeLessThan(1e-5);
    tf.dispose(c.inputs);
  });

  it.each(ENTROPY_CASES)('cross-entropy [%i, %i] (targets %j): loss and gradient', (N, V, t) => {
    const c = entropyCase(N, V, t);
    expect(worstDiff(c.run)).toBeLessThan(1e-5);
    tf.dispose(c.inputs);
  });

  it.each(SOFTMAX_CASES)('masked softmax %j (%s): forward and gradient', (shape, kind) => {
    const c = softmaxCase(shape, kind);
    expect(worstDiff(c.run)).toBeLessThan(1e-5);
    tf.dispose(c.inputs);
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
