/**
 * End to end: a few Adam steps of the real policy (tiny size) on tfjs' cpu kernels and on the native ones
 * give the same losses, gradient norms and weights. This is the whole-graph version of the per-kernel
 * equality tests, over every op a train step uses.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { installNativeKernels, uninstallNativeKernels } from '../packages/trainer/src/kernels/native.js';
import { modelConfig } from '../packages/trainer/src/model/config.js';
import { softmaxCrossEntropy } from '../packages/trainer/src/model/ops.js';
import { createPolicy } from '../packages/trainer/src/model/policy.js';
import { AdamW } from '../packages/trainer/src/optim/adamw.js';
import { readStep, trainStep } from '../packages/trainer/src/optim/step.js';
import { relDiff } from './kernels-compare.js';

const probe = installNativeKernels();
uninstallNativeKernels();
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

/** Three steps from the same init; returns the per-step [loss, gradNorm] and the final weights. */
async function train(native: boolean): Promise<{ metrics: number[]; weights: Float32Array[] }> {
  if (native) expect(installNativeKernels({ kernels: 'all' }).ok).toBe(true);
  else uninstallNativeKernels();
  const cfg = modelConfig({ vocab: 11, d: 16, layers: 2, heads: 2, ctx: 8 });
  const policy = createPolicy(cfg, 7);
  const [B, T] = [3, 8];
  const ids = tf.tensor2d(
    Int32Array.from({ length: B * T }, (_, i) => (i * 5 + 1) % 11),
    [B, T],
    'int32',
  );
  const targets = tf.tensor1d(
    Int32Array.from({ length: B * T }, (_, i) => (i * 3 + 2) % 11),
    'int32',
  );
  const weights = tf.fill([B * T], 1 / (B * T)) as tf.Tensor1D;
  const opt = new AdamW(
    policy.variables,
    policy.specs.map((s) => s.decay),
    { weightDecay: 0.1, gradClip: 1 },
  );
  const loss = () =>
    softmaxCrossEntropy(
      tf.reshape(policy.forward(ids).logits, [B * T, cfg.vocab]) as tf.Tensor2D,
      targets,
      weights,
    );
  const metrics: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await readStep(trainStep(opt, loss, 1e-2));
    metrics.push(r.loss, r.gradNorm);
  }
  const out = policy.variables.map((v) => v.dataSync() as Float32Array);
  tf.dispose([ids, targets, weights]);
  opt.dispose();
  policy.dispose();
  return { metrics, weights: out };
}

describe.skipIf(!probe.ok)(`native kernels in a full train step${skipReason}`, () => {
  it('match the plain cpu kernels over three AdamW steps', async () => {
    await tf.setBackend('cpu');
    const plain = await train(false);
    const native = await train(true);
    uninstallNativeKernels();
    expect(plain.metrics.every(Number.isFinite)).toBe(true);
    expect(relDiff(native.metrics, plain.metrics)).toBeLessThan(1e-5);
    native.weights.forEach((w, i) => expect(relDiff(w, plain.weights[i])).toBeLessThan(1e-5));
  });
});
