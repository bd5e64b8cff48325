/**
 * Shared by the generation tests (model-generate, kernels-webgpu): random prompts, and the log-probs and
 * entropies of generated responses recomputed by the full forward pass. Not a test file itself.
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Generation, Policy } from '@brevity/trainer';

export { randomPrompts } from '../packages/trainer/src/bench/check.js';

/** Full-forward log-probs and entropies of each response, from right-padded prompt+response sequences. */
export async function fullForward(
  policy: Policy,
  prompts: Int32Array[],
  gens: Generation[],
  temperature: number,
) {
  const T = Math.max(...prompts.map((p, i) => p.length + gens[i].tokens.length));
  const ids = new Int32Array(prompts.length * T);
  prompts.forEach((p, b) => {
    ids.set(p, b * T);
    ids.set(gens[b].tokens, b * T + p.length);
  });
  const r = tf.tidy(() => policy.logprobs(tf.tensor2d(ids, [prompts.length, T], 'int32'), { temperature }));
  const [lp, ent] = [await r.logprobs.data(), await r.entropies.data()];
  tf.dispose([r.logprobs, r.entropies]);
  return prompts.map((p, b) => {
    const at = (j: number) => b * (T - 1) + p.length + j - 1;
    return {
      logprobs: Float32Array.from(gens[b].tokens, (_, j) => lp[at(j)]),
      entropies: Float32Array.from(gens[b].tokens, (_, j) => ent[at(j)]),
    };
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
