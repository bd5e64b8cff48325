/**
 * `brevity bench --check` (packages/trainer/src/bench/check.ts): the fast kernels against tfjs' own through
 * train steps, the RL loss's gradients and generations. On the cpu backend with the native kernels (the webgpu ones run it in
 * kernels-webgpu.test.ts): every case passes, a broken kernel fails its cases, and a backend without fast
 * kernels is refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../packages/trainer/src/backend.js';
import { checkKernels, relDiff, type KernelSwitch } from '../packages/trainer/src/bench/check.js';
import { FUSED_KERNELS } from '../packages/trainer/src/kernels/fused-names.js';
import { installNativeKernels, uninstallNativeKernels } from '../packages/trainer/src/kernels/native.js';

const probe = installNativeKernels();
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

describe.skipIf(!probe.ok)(`bench --check on cpu with the native kernels${skipReason}`, () => {
  it('passes every case, each well inside its tolerance', async () => {
    await initBackend('cpu');
    const r = await checkKernels();
    expect(r.backend).toBe('cpu');
    expect(r.cases.map((c) => c.name.split(':')[0])).toEqual([
      'train',
      'train',
      'matmul',
      'rl',
      'pg loss',
      'generate',
      'generate',
    ]);
    for (const c of r.cases) {
      expect(c.ok).toBe(true);
      expect(c.max_rel_diff).toBeLessThan(c.tolerance / 2);
    }
    expect(r.ok).toBe(true);
    expect(tf.getKernel(FUSED_KERNELS.rmsNorm, 'cpu')).toBeDefined(); // the fast kernels stay installed
  });

  it('fails the cases a broken kernel takes part in', async () => {
    await initBackend('cpu');
    // The native kernels with an RMSNorm that is 1% off.
    const broken: KernelSwitch = {
      install: () => {
        installNativeKernels();
        const good = tf.getKernel(FUSED_KERNELS.rmsNorm, 'cpu')!.kernelFunc;
        tf.unregisterKernel(FUSED_KERNELS.rmsNorm, 'cpu');
        tf.registerKernel({
          kernelName: FUSED_KERNELS.rmsNorm,
          backendName: 'cpu',
          kernelFunc: (args) => {
            const y = good(args) as tf.TensorInfo;
            const t = tf.engine().makeTensorFromTensorInfo(y);
            const out = tf.mul(t, 1.01);
            t.dispose();
            return out;
          },
        });
      },
      uninstall: uninstallNativeKernels,
    };
    const r = await checkKernels(broken);
    expect(r.ok).toBe(false);
    // Every case through the model fails; the bare matrix products and the loss over given log-probs do
    // not normalise.
    r.cases.forEach((c) => expect(c.ok, c.name).toBe(/^(matmul|pg loss)/.test(c.name)));
    uninstallNativeKernels();
    installNativeKernels();
  });

  it('refuses a backend without fast kernels', async () => {
    await initBackend('cpu');
    uninstallNativeKernels();
    try {
      await expect(checkKernels()).rejects.toThrow(/backend cpu has none installed here/);
    } finally {
      installNativeKernels();
    }
  });
});

describe('relDiff', () => {
  it('is the largest difference over max(1, largest magnitude), and non-finite values must match', () => {
    expect(relDiff([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(relDiff([0.5, 0], [0.25, 0])).toBe(0.25); // scale 1 below magnitude 1
    expect(relDiff([10, 0], [8, 0])).toBe(0.25);
    expect(relDiff([NaN, 1], [NaN, 1])).toBe(0);
    expect(relDiff([Infinity], [1])).toBe(Infinity);
    expect(relDiff([1, 2], [1])).toBe(Infinity);
  });
});
