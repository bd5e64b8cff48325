/**
 * The fused model kernels (packages/trainer/src/kernels/native-fused.ts) against the tfjs compositions the
 * model uses without them: RMSNorm, the masked attention softmax, the weighted cross-entropy and the whole
 * training attention, forward and gradients, and decode-step attention over the in-place KV cache versus the
 * cache grown by concat (model/kv-cache.ts), including left padding and row compaction.
 * Each case runs once on tfjs' own cpu kernels (the plain path) and once with the native kernels (the fast
 * path). Skipped, with the reason in the title, when the addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { installNativeKernels, uninstallNativeKernels } from '../packages/trainer/src/kernels/native.js';
import { FUSED_KERNELS } from '../packages/trainer/src/kernels/fused-names.js';
import { NATIVE_FUSED_KERNELS } from '../packages/trainer/src/kernels/native-fused.js';
import { attendDecodeFused, attention, hasKernel } from '../packages/trainer/src/model/fused.js';
import { MASKED } from '../packages/trainer/src/model/policy.js';
import { worstDiff } from './kernels-compare.js';
import {
  ATTENTION_CASES,
  attentionCase,
  DECODE_CASES,
  decodeCase,
  ENTROPY_CASES,
  entropyCase,
  NORM_CASES,
  normCase,
  rand,
  SOFTMAX_CASES,
  softmaxCase,
} from './fused-cases.js';

/** The causal mask [T, T] of a training forward. */
function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = MASKED;
  return tf.tensor2d(m, [T, T]);
}

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

  it.each(ATTENTION_CASES)('attention B %i, H %i, T %i, Dh %i (%s): forward and gradient', (...a) => {
    const c = attentionCase(...a);
    expect(worstDiff(c.run)).toBeLessThan(1e-5);
    tf.dispose(c.inputs);
  });

  // [what, B, H, T, Dh, values set at flat indices of qkv [B*T, 3D]]: where a masked tail may not be skipped
  it.each<[string, number, number, number, number, [number, number][]]>([
    [
      'a NaN key at the last position: every row NaN, as the full softmax',
      2,
      2,
      20,
      8,
      [[19 * 48 + 16, NaN]],
    ],
    [
      'an infinite value at the last position: 0 * inf in the masked rows',
      1,
      2,
      20,
      8,
      [[19 * 48 + 33, Infinity]],
    ],
    ['a NaN query: its row only', 1, 1, 33, 4, [[5 * 12 + 1, NaN]]],
    // Dh max|q| max|k| exceeds the mask, so the tails are computed (the rows that see the key are one-hot)
    ['a key of 1e9 at position 12 of 20: rows computed in full', 1, 2, 20, 8, [[12 * 48 + 19, 1e9]]],
  ])('attention with %s', (_what, B, H, T, Dh, edits) => {
    const raw = rand([B * T, 3 * H * Dh]).dataSync() as Float32Array;
    for (const [i, v] of edits) raw[i] = v;
    const qkv = tf.tensor2d(raw, [B * T, 3 * H * Dh]);
    const w = rand([B * T, H * Dh]);
    const bias = causalMask(T);
    const run = () => {
      const f = (a: tf.Tensor) => tf.sum(tf.mul(attention(a as tf.Tensor2D, bias, B, T, H, 0.25), w));
      return [attention(qkv, bias, B, T, H, 0.25), tf.grad(f)(qkv)];
    };
    expect(worstDiff(run)).toBeLessThan(1e-5);
    tf.dispose([qkv, w, bias]);
  });

  it('training attention refuses a bias or dy that does not fit, and heads over the limits', () => {
    installNativeKernels();
    tf.tidy(() => {
      const qkv = rand([6, 12]) as tf.Tensor2D; // B*T = 6, 2 heads of width 2
      const run = (name: string, inputs: Record<string, tf.Tensor>, heads = 2) =>
        tf.engine().runKernel(name, inputs, { heads, scale: 1 }) as tf.Tensor;
      expect(() => run(FUSED_KERNELS.attention, { qkv, bias: causalMask(4) })).toThrow(/do not fit 2 heads/);
      expect(() => run(FUSED_KERNELS.attention, { qkv, bias: tf.zeros([3, 1, 3, 3]) })).toThrow(/do not fit/);
      const dy = rand([6, 4]);
      expect(() => run(FUSED_KERNELS.attentionGrad, { qkv, bias: causalMask(3), dy: qkv })).toThrow(
        /dy \[6,12\] must be \[6, 4\]/,
      );
      expect(() => run(FUSED_KERNELS.attention, { qkv: tf.zeros([1, 900]), bias: causalMask(1) }, 1)).toThrow(
        /head width 300 exceeds/,
      );
      // a per-sequence bias [B, 1, T, T] fits (B = 2, T = 3)
      expect(run(FUSED_KERNELS.attention, { qkv, bias: tf.zeros([2, 1, 3, 3]) }).shape).toEqual([6, 4]);
      expect(run(FUSED_KERNELS.attentionGrad, { qkv, bias: causalMask(3), dy }).shape).toEqual([6, 12]);
    });
    uninstallNativeKernels();
  });

  it.each(DECODE_CASES)('decode attention over the in-place cache: %o', (shape) => {
    const c = decodeCase(shape);
    expect(worstDiff(c.run)).toBeLessThan(1e-5);
    tf.dispose(c.inputs);
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
