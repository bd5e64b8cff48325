/**
 * The AdamW and learning-rate-schedule options shared by `brevity sft` and `brevity train`, as zod fields;
 * each command passes its own defaults (SFT from scratch wants a large warmed-up, decayed rate; RL from a
 * trained policy a small constant one).
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AdamW } from './adamw.js';

export interface AdamwDefaults {
  lr: number;
  beta2: number;
  weightDecay: number;
  schedule: 'constant' | 'linear-warmup' | 'cosine';
  warmupSteps: number;
}

export function adamwFields(d: AdamwDefaults) {
  return {
    lr: z.number().positive().default(d.lr).describe('Peak learning rate.'),
    beta1: z.number().min(0).lt(1).default(0.9).describe('Adam beta1.'),
    beta2: z.number().min(0).lt(1).default(d.beta2).describe('Adam beta2.'),
    eps: z.number().positive().default(1e-8).describe('Adam epsilon.'),
    weightDecay: z
      .number()
      .nonnegative()
      .default(d.weightDecay)
      .describe('Decoupled (AdamW) weight decay on weight matrices and embeddings (not on norm gains).'),
    gradClip: z
      .number()
      .positive()
      .nullable()
      .default(1)
      .describe('Global-norm gradient clipping; null disables it.'),
    schedule: z
      .enum(['constant', 'linear-warmup', 'cosine'])
      .default(d.schedule)
      .describe(
        'constant: fixed. linear-warmup: warmup then fixed. cosine: warmup then cosine decay to minLrRatio.',
      ),
    warmupSteps: z
      .number()
      .int()
      .nonnegative()
      .default(d.warmupSteps)
      .describe('Optimizer steps of linear warmup.'),
    minLrRatio: z.number().min(0).max(1).default(0.1).describe('Cosine floor as a fraction of lr.'),
  };
}

/** The optimizer a config's `optim` section describes, over `variables` (AdamW decays where `decay[i]`). */
export function adamwFromConfig(
  variables: tf.Variable[],
  decay: boolean[],
  o: { beta1: number; beta2: number; eps: number; weightDecay: number; gradClip: number | null },
): AdamW {
  return new AdamW(variables, decay, {
    beta1: o.beta1,
    beta2: o.beta2,
    eps: o.eps,
    weightDecay: o.weightDecay,
    gradClip: o.gradClip,
  });
}
