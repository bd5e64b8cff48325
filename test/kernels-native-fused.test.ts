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
import { worstDiff } from './kernels-compare.js';
import {
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
