/**
 * Three AdamW steps of the real policy (tiny size) from a fixed init, read asynchronously so the same code
 * runs on every backend. The kernel tests run it with and without their fast kernels: the whole-graph
 * version of the per-kernel equality tests. Not a test file itself.
 */
import * as tf from '@tensorflow/tfjs';

import { modelConfig } from '../packages/trainer/src/model/config.js';
import { softmaxCrossEntropy } from '../packages/trainer/src/model/ops.js';
import { createPolicy } from '../packages/trainer/src/model/policy.js';
import { AdamW } from '../packages/trainer/src/optim/adamw.js';
import { readStep, trainStep } from '../packages/trainer/src/optim/step.js';

/** Per-step [loss, gradNorm] pairs (flattened), the final weights and optimizer moments. */
export interface StepsResult {
  metrics: number[];
  weights: Float32Array[];
  /** The optimizer's m and v per variable after the last step (read after the first step too). */
  moments: Float32Array[];
  /**
   * Largest change of a frozen reference that copied the policy's weights before the steps (Policy.copyFrom
   * shares their buffers): an optimizer updating in place must leave it at 0.
   */
  referenceMoved: number;
}

/** The tiny policy the steps train (16 parameter tensors). */
export const STEPS_MODEL = { vocab: 11, d: 16, layers: 2, heads: 2, ctx: 8 } as const;

export async function threeAdamSteps(): Promise<StepsResult> {
  const cfg = modelConfig(STEPS_MODEL);
  const policy = createPolicy(cfg, 7);
  const reference = createPolicy(cfg, 0, false);
  reference.copyFrom(policy);
  const init = await policy.weights();
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
    if (i === 0) await opt.state(); // leaves host copies of the moments behind on webgpu
  }
  const out = await Promise.all(policy.variables.map(async (v) => (await v.data()) as Float32Array));
  const state = await opt.state();
  let referenceMoved = 0;
  for (const [name, w] of await reference.weights())
    w.forEach((x, j) => (referenceMoved = Math.max(referenceMoved, Math.abs(x - init.get(name)![j]))));
  tf.dispose([ids, targets, weights]);
  opt.dispose();
  policy.dispose();
  reference.dispose();
  return { metrics, weights: out, moments: [...state.m, ...state.v], referenceMoved };
}
