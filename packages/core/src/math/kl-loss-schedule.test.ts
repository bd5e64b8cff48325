import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { klPerToken, klTerm } from './kl.js';
import { lossWeights, sequenceTokenWeights } from './loss-agg.js';
import { learningRate } from './schedule.js';

describe('KL estimators', () => {
  it.each([
    // [estimator, logp, refLogp, expected]; log r = logp - ref
    ['k1', -1, -2, 1],
    ['k2', -1, -2, 0.5],
    ['k3', -1, -2, Math.exp(-1) - 1 + 1], // r = e: exp(-1) - 1 + 1
    ['k1', -2, -2, 0],
    ['k3', -2, -2, 0],
  ] as const)('%s(logp=%d, ref=%d) = %d', (kind, lp, rp, want) => {
    expect(klTerm(kind, lp, rp)).toBeCloseTo(want, 12);
  });

  it('k3 is non-negative and k1, k3 are unbiased estimates of KL(pi || ref)', () => {
    // Two-outcome distributions: E_pi[k1] = E_pi[k3] = KL(pi || ref)
    const pi = [0.7, 0.3];
    const ref = [0.4, 0.6];
    const kl = pi[0] * Math.log(pi[0] / ref[0]) + pi[1] * Math.log(pi[1] / ref[1]);
    for (const kind of ['k1', 'k3'] as const) {
      const e =
        pi[0] * klTerm(kind, Math.log(pi[0]), Math.log(ref[0])) +
        pi[1] * klTerm(kind, Math.log(pi[1]), Math.log(ref[1]));
      expect(e).toBeCloseTo(kl, 12);
    }
    const rng = Rng.from(1);
    for (let i = 0; i < 100; i++) expect(klTerm('k3', rng.normal(), rng.normal())).toBeGreaterThanOrEqual(0);
  });

  it('vectorised per-token values equal the scalar loop', () => {
    const rng = Rng.from(5);
    const lp = Array.from({ length: 64 }, () => -rng.next() * 5);
    const rp = Array.from({ length: 64 }, () => -rng.next() * 5);
    for (const kind of ['k1', 'k2', 'k3'] as const) {
      const v = klPerToken(kind, lp, rp);
      lp.forEach((_, i) => expect(v[i]).toBe(klTerm(kind, lp[i], rp[i])));
    }
    expect(() => klPerToken('k1', [1], [1, 2])).toThrow(/1 entries but refLogp has 2/);
  });
});

describe('loss aggregation weights', () => {
  const lengths = [2, 4];
  it.each([
    // token-mean: each of the 6 tokens weighs 1/6
    ['token-mean', [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6]],
    // seq-mean-token-mean: each sequence weighs 1/2, spread over its own tokens
    ['seq-mean-token-mean', [1 / 4, 1 / 4, 1 / 8, 1 / 8, 1 / 8, 1 / 8]],
    // Dr.GRPO: constant normaliser 8 (the generation cap): 1 / (2 * 8)
    ['seq-mean-token-sum-norm', [1 / 16, 1 / 16, 1 / 16, 1 / 16, 1 / 16, 1 / 16]],
  ] as const)('%s', (mode, want) => {
    const w = lossWeights(mode, lengths, 8);
    want.forEach((x, i) => expect(w[i]).toBeCloseTo(x, 12));
    const per = sequenceTokenWeights(mode, lengths, 8);
    expect(per[0]).toBeCloseTo(want[0], 12);
    expect(per[1]).toBeCloseTo(want[2], 12);
  });

  it('token-mean and seq-mean-token-mean weights sum to 1', () => {
    for (const mode of ['token-mean', 'seq-mean-token-mean'] as const) {
      expect(lossWeights(mode, [3, 5, 1]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });
});

describe('learning-rate schedules', () => {
  const base = { lr: 1e-3, warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 };
  it.each([
    // [kind, step, expected]
    ['constant', 0, 1e-4], // warmup applies to every kind: (0+1)/10 * lr
    ['constant', 50, 1e-3],
    ['linear-warmup', 4, 5e-4],
    ['cosine', 10, 1e-3], // end of warmup: peak
    ['cosine', 60, 1e-4 + 0.5 * 9e-4], // halfway through decay
    ['cosine', 110, 1e-4], // floor
    ['cosine', 500, 1e-4], // past the end stays at the floor
  ] as const)('%s at step %d', (kind, step, want) => {
    expect(learningRate(step, { ...base, kind })).toBeCloseTo(want, 12);
  });
});
