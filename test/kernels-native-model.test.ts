/**
 * End to end: a few Adam steps of the real policy (tiny size) on tfjs' cpu kernels and on the native ones
 * give the same losses, gradient norms and weights. This is the whole-graph version of the per-kernel
 * equality tests, over every op a train step uses.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { installNativeKernels, uninstallNativeKernels } from '../packages/trainer/src/kernels/native.js';
import { relDiff } from './kernels-compare.js';
import { adamSteps } from '../packages/trainer/src/bench/check.js';

const probe = installNativeKernels();
uninstallNativeKernels();
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

describe.skipIf(!probe.ok)(`native kernels in a full train step${skipReason}`, () => {
  it('match the plain cpu kernels over three AdamW steps', async () => {
    await tf.setBackend('cpu');
    uninstallNativeKernels();
    const plain = await adamSteps();
    expect(installNativeKernels({ kernels: 'all' }).ok).toBe(true);
    const native = await adamSteps();
    uninstallNativeKernels();
    expect(plain.metrics.every(Number.isFinite)).toBe(true);
    expect(relDiff(native.metrics, plain.metrics)).toBeLessThan(1e-5);
    native.weights.forEach((w, i) => expect(relDiff(w, plain.weights[i])).toBeLessThan(1e-5));
  });
});
