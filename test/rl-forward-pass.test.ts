/**
 * The gradient-free passes over rollouts (rl/forward-pass.ts): batched in order of length, each sample's
 * log-probs and values equal those of the sample run alone (no padding), and come back in the samples' order.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@brevity/core';

import { initBackend } from '../packages/trainer/src/backend.js';
import { modelConfig } from '../packages/trainer/src/model/config.js';
import { createPolicy } from '../packages/trainer/src/model/policy.js';
import type { UpdateSample } from '../packages/trainer/src/rl/batch.js';
import { responsePass } from '../packages/trainer/src/rl/forward-pass.js';
import { relDiff } from './kernels-compare.js';

function samples(n: number, seed: number): UpdateSample[] {
  const rng = Rng.from(seed);
  const ids = (k: number) => Int32Array.from({ length: k }, () => rng.intBetween(2, 10));
  return Array.from({ length: n }, () => {
    const response = ids(rng.intBetween(0, 9)); // empty responses too
    return {
      prompt: ids(rng.intBetween(1, 6)),
      response,
      oldLogprobs: new Float32Array(response.length),
      advantage: 0,
      inLoss: true,
    };
  });
}

describe('responsePass', () => {
  it.each([
    [7, 3], // chunks that cut across the length order
    [5, 64], // one chunk
  ])('%i samples in chunks of %i: as each sample alone, in order, with a value head', async (n, chunk) => {
    await initBackend('cpu');
    const policy = createPolicy(modelConfig({ vocab: 11, d: 16, layers: 2, heads: 2, ctx: 32 }), 3);
    const valueHead = {
      w: tf.variable(tf.randomNormal([16, 1], 0, 1, 'float32', 5)),
      b: tf.variable(tf.scalar(0.1)),
    };
    const list = samples(n, n);
    const o = { padId: 0, temperature: 1.3, valueHead };
    const batched = await responsePass(policy, list, { ...o, chunk });
    const alone = await responsePass(policy, list, { ...o, chunk: 1 });
    list.forEach((s, i) => {
      expect(batched.logprobs[i].length).toBe(s.response.length);
      expect(batched.values[i].length).toBe(s.response.length);
      expect(relDiff(batched.logprobs[i], alone.logprobs[i])).toBeLessThan(1e-5);
      expect(relDiff(batched.values[i], alone.values[i])).toBeLessThan(1e-5);
    });
    tf.dispose([valueHead.w, valueHead.b]);
    policy.dispose();
  });
});
