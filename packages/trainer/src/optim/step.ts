/**
 * One optimisation step: loss and gradients of `variables`, one AdamW update, and the loss and global grad
 * norm returned as tensors (read them together, once, after the step; never inside a tidy).
 */
import * as tf from '@tensorflow/tfjs';
import { tidy } from '../model/ops.js';
import type { AdamW } from './adamw.js';

export interface StepResult {
  loss: tf.Scalar;
  /** Global gradient norm before clipping. */
  gradNorm: tf.Scalar;
}

/** Minimises `loss()` over the optimizer's variables at learning rate `lr`. */
export function trainStep(opt: AdamW, loss: () => tf.Scalar, lr: number): StepResult {
  return tidy(() => {
    const { value, grads } = tf.variableGrads(loss, opt.variables);
    // A variable the loss does not touch gets a zero gradient (Adam still decays its moments).
    const ordered = opt.variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
    return { loss: value, gradNorm: opt.apply(ordered, lr) };
  });
}

/** Reads the step's scalars with one device read, then disposes them. */
export async function readStep(r: StepResult): Promise<{ loss: number; gradNorm: number }> {
  const both = tf.stack([r.loss, r.gradNorm]);
  const [loss, gradNorm] = await both.data();
  tf.dispose([both, r.loss, r.gradNorm]);
  return { loss, gradNorm };
}
