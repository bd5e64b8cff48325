/**
 * Learning-rate schedules (nanoGPT get_lr; Loshchilov & Hutter 2017 for cosine). Pure: step in, rate out.
 */
export interface ScheduleOptions {
  kind: 'constant' | 'linear-warmup' | 'cosine';
  /** Peak learning rate. */
  lr: number;
  /** Steps of linear warmup from 0 to lr (all kinds honour it). */
  warmupSteps: number;
  /** Total steps, for cosine decay. */
  totalSteps: number;
  /** Cosine floor as a fraction of lr. */
  minLrRatio: number;
}

/** Learning rate at a 0-based step. */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  if (o.kind !== 'cosine') return o.lr;
  const decaySteps = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - o.warmupSteps) / decaySteps));
  const minLr = o.lr * o.minLrRatio;
  return minLr + 0.5 * (o.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
