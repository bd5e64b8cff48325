/**
 * The hand-written pieces against direct computations: custom gradients (linear, embedding, fused
 * cross-entropy) against tfjs autograd of the plain formula, on cpu and wasm; log-probs and entropies
 * against a direct softmax; host-side sampling (temperature, top-p, greedy) against exact distributions.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@brevity/core';
import {
  createPolicy,
  embedding,
  entropyOf,
  initBackend,
  linear,
  linearRelu,
  linearResidual,
  logSoftmaxRow,
  matMulAddsResidual,
  oneHotF32,
  RowSampler,
  softmaxCrossEntropy,
  tokenLogprobs,
} from '@brevity/trainer';

const rnd = (shape: number[], seed: number) => {
  const r = Rng.from(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => r.normal()),
    shape,
  );
};

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [await a.data(), await b.data()];
  return Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])));
}

describe.each(['cpu', 'wasm'] as const)('custom gradients on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  test('linear: value and both gradients equal tf.matMul autograd', async () => {
    const [x, w, dy] = [rnd([5, 4], 1), rnd([4, 3], 2), rnd([5, 3], 3)];
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(linear(a as tf.Tensor2D, b as tf.Tensor2D), dy)),
    );
    const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), dy)));
    const [g1, g2] = [ours([x, w]), ref([x, w])];
    expect(await maxDiff(g1[0], g2[0])).toBeLessThan(1e-5);
    expect(await maxDiff(g1[1], g2[1])).toBeLessThan(1e-5);
  });

  test('linearRelu and linearResidual: values and every gradient equal the plain formulas', async () => {
    const [x, w, res, dy] = [rnd([5, 4], 11), rnd([4, 3], 12), rnd([5, 3], 13), rnd([5, 3], 14)];
    const check = async (
      ours: (a: tf.Tensor2D, b: tf.Tensor2D, r: tf.Tensor2D) => tf.Tensor,
      plain: (a: tf.Tensor, b: tf.Tensor, r: tf.Tensor) => tf.Tensor,
    ) => {
      const loss = (f: typeof plain) => (a: tf.Tensor, b: tf.Tensor, r: tf.Tensor) =>
        tf.sum(tf.mul(f(a, b, r), dy));
      const wrapped = (a: tf.Tensor, b: tf.Tensor, r: tf.Tensor) =>
        ours(a as tf.Tensor2D, b as tf.Tensor2D, r as tf.Tensor2D);
      expect(await maxDiff(wrapped(x, w, res), plain(x, w, res))).toBeLessThan(1e-5);
      const [g1, g2] = [tf.grads(loss(wrapped))([x, w, res]), tf.grads(loss(plain))([x, w, res])];
      for (let i = 0; i < 3; i++) expect(await maxDiff(g1[i], g2[i])).toBeLessThan(1e-5);
    };
    // The residual is the third input; linearRelu ignores it (its gradient there is 0 on both sides).
    await check(
      (a, b, r) => tf.add(linearRelu(a, b), tf.mul(r, 0)),
      (a, b, r) => tf.add(tf.relu(tf.matMul(a, b)), tf.mul(r, 0)),
    );
    await check(linearResidual, (a, b, r) => tf.add(tf.matMul(a, b), r));
    expect(matMulAddsResidual()).toBe(false); // webgpu only (its fused path is tested in kernels-webgpu)
  });

  test('embedding: rows of the table, gradient = scatter-add of dy (repeated ids accumulate)', async () => {
    const table = rnd([6, 3], 4);
    const ids = tf.tensor1d([2, 0, 2, 5], 'int32');
    const dy = rnd([4, 3], 5);
    expect(await maxDiff(embedding(table as tf.Tensor2D, ids), tf.gather(table, ids))).toBe(0);
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(embedding(t as tf.Tensor2D, ids), dy)))([table]);
    // Reference: one-hot^T @ dy, written out on the host.
    const [dyv, want] = [await dy.data(), new Float32Array(18)];
    [2, 0, 2, 5].forEach((id, i) => {
      for (let j = 0; j < 3; j++) want[id * 3 + j] += dyv[i * 3 + j];
    });
    expect(await maxDiff(g, tf.tensor(want, [6, 3]))).toBeLessThan(1e-6);
  });

  test('softmaxCrossEntropy: value and gradient equal the plain weighted log-softmax formula', async () => {
    const logits = rnd([4, 7], 6);
    const targets = tf.tensor1d([3, 0, 6, 1], 'int32');
    const weights = tf.tensor1d([0.5, 0, 0.25, 0.25]);
    const plain = (z: tf.Tensor) =>
      tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(z), oneHotF32(targets, 7)), -1), weights)));
    const fused = (z: tf.Tensor) => softmaxCrossEntropy(z as tf.Tensor2D, targets, weights);
    expect(await maxDiff(fused(logits), plain(logits))).toBeLessThan(1e-5);
    expect(await maxDiff(tf.grad(fused)(logits), tf.grad(plain)(logits))).toBeLessThan(1e-6);
  });

  test('tokenLogprobs: log-probs and entropies equal a direct softmax at temperature 1.5', async () => {
    const logits = rnd([3, 5], 7);
    const r = tokenLogprobs(logits as tf.Tensor2D, tf.tensor1d([4, 0, 2], 'int32'), 1.5);
    const z = await logits.data();
    const lp = new Float64Array(5);
    const [gotLp, gotH] = [await r.logprobs.data(), await r.entropies.data()];
    [4, 0, 2].forEach((t, row) => {
      logSoftmaxRow(z, row * 5, 5, 1.5, lp);
      let h = 0;
      for (let i = 0; i < 5; i++) h -= Math.exp(lp[i]) * lp[i];
      expect(gotLp[row]).toBeCloseTo(lp[t], 5);
      expect(gotH[row]).toBeCloseTo(h, 5);
    });
  });
});

describe.each(['cpu', 'wasm'] as const)('policy.logprobs gradients on %s', (backend) => {
  // GRPO/PPO losses are built on policy.logprobs: every parameter must receive a finite, non-zero gradient.
  test('every parameter gets a finite, non-zero gradient from sum(logprobs) + sum(entropies)', async () => {
    await initBackend(backend);
    const policy = createPolicy({ vocab: 9, d: 8, layers: 2, heads: 2, ctx: 12 }, 2);
    const ids = tf.tensor2d([1, 4, 2, 8, 3, 5, 0, 7, 6, 2], [2, 5], 'int32');
    const { grads } = tf.variableGrads(() => {
      const r = policy.logprobs(ids as tf.Tensor2D, { temperature: 0.7 });
      return tf.add(tf.sum(r.logprobs), tf.sum(r.entropies)) as tf.Scalar;
    }, policy.variables);
    for (const v of policy.variables) {
      const g = await grads[v.name].data();
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.some((x) => x !== 0)).toBe(true);
    }
    policy.dispose();
  });
});

describe('host-side sampling', () => {
  const logits = Float32Array.of(2, 1, 0.5, -1, 0); // one row, V = 5
  const probs = (t: number) => {
    const lp = new Float64Array(5);
    logSoftmaxRow(logits, 0, 5, t, lp);
    return Array.from(lp, Math.exp);
  };

  test('entropy of a uniform and of a one-hot distribution', () => {
    expect(
      entropyOf(
        Float64Array.from({ length: 4 }, () => Math.log(0.25)),
        4,
      ),
    ).toBeCloseTo(Math.log(4), 12);
    expect(entropyOf(Float64Array.of(0, -Infinity, -Infinity), 3)).toBe(0);
  });

  // Empirical frequencies over a uniform grid of u equal the exact (truncated, renormalised) distribution.
  test.each([
    { temperature: 1, topP: 1, keep: 5 }, // full distribution
    { temperature: 0.5, topP: 1, keep: 5 }, // sharper
    { temperature: 1, topP: 0.7, keep: 2 }, // p = .51,.19,...: the nucleus is the two most likely tokens
  ])('draws follow softmax(z/T) truncated to top-p: %o', ({ temperature, topP, keep }) => {
    const s = new RowSampler(5);
    const p = probs(temperature);
    const order = [0, 1, 2, 4, 3].slice(0, keep);
    const mass = order.reduce((a, i) => a + p[i], 0);
    const counts = new Array(5).fill(0);
    const N = 20000;
    for (let i = 0; i < N; i++) counts[s.sample(logits, 0, { temperature, topP }, (i + 0.5) / N).token]++;
    for (let t = 0; t < 5; t++) expect(counts[t] / N).toBeCloseTo(order.includes(t) ? p[t] / mass : 0, 3);
  });

  test('log-prob and entropy are those of the untruncated tempered distribution', () => {
    const s = new RowSampler(5);
    const r = s.sample(logits, 0, { temperature: 2, topP: 0.5 }, 0.1);
    const lp = new Float64Array(5);
    logSoftmaxRow(logits, 0, 5, 2, lp);
    expect(r.token).toBe(0);
    expect(r.logprob).toBeCloseTo(lp[0], 12);
    expect(r.entropy).toBeCloseTo(entropyOf(lp, 5), 12);
  });

  test('temperature 0 is argmax whatever the uniform, with log-prob at temperature 1', () => {
    const s = new RowSampler(5);
    for (const u of [0, 0.5, 0.999]) {
      const r = s.sample(logits, 0, { temperature: 0, topP: 1 }, u);
      expect(r.token).toBe(0);
      expect(r.logprob).toBeCloseTo(Math.log(probs(1)[0]), 12);
    }
  });
});
