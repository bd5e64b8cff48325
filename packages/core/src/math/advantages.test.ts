import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { gae, grpoAdvantages, rlooAdvantages, whiten } from './advantages.js';
import { offsetsFromSizes, uniformOffsets } from './stats.js';

/** Plain per-group loop references, written independently of the vectorised code. */
function grpoLoop(groups: number[][], normalizeStd: boolean, eps = 1e-6): number[][] {
  return groups.map((g) => {
    if (g.length < 2) return g.map(() => 0);
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - m) ** 2, 0) / (g.length - 1));
    return g.map((r) => (normalizeStd ? (r - m) / (sd + eps) : r - m));
  });
}
function rlooLoop(groups: number[][]): number[][] {
  return groups.map((g) =>
    g.map((r, i) => {
      if (g.length < 2) return 0;
      const others = g.filter((_, j) => j !== i);
      return r - others.reduce((a, b) => a + b, 0) / others.length;
    }),
  );
}
function randomGroups(rng: Rng): number[][] {
  const G = 1 + rng.int(6);
  return Array.from({ length: G }, () =>
    Array.from({ length: 1 + rng.int(8) }, () => (rng.bernoulli(0.3) ? rng.int(3) - 1 : rng.normal())),
  );
}

describe('grpoAdvantages', () => {
  it('reproduces the published example with unbiased std', () => {
    // rewards [1.5, 1.25, 1.0, 0.5]: mean 1.0625, unbiased std 0.42696
    const a = grpoAdvantages([1.5, 1.25, 1.0, 0.5], uniformOffsets(1, 4));
    const expected = [1.0247, 0.4392, -0.1464, -1.3175];
    a.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
  });

  it.each([
    // [case, rewards, expected]
    ['zero std group gives zeros, not NaN', [1, 1, 1], [0, 0, 0]],
    ['single rollout carries no relative signal', [0.7], [0]],
    ['two rollouts are +-1/sqrt(2) after unbiased std', [1, 0], [Math.SQRT1_2, -Math.SQRT1_2]],
  ])('%s', (_c, rewards, expected) => {
    const a = grpoAdvantages(rewards, uniformOffsets(1, rewards.length));
    a.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('Dr.GRPO drops the std normalisation', () => {
    const a = grpoAdvantages([1.5, 1.25, 1.0, 0.5], uniformOffsets(1, 4), { normalizeStd: false });
    expect(Array.from(a)).toEqual([0.4375, 0.1875, -0.0625, -0.5625]);
  });

  it('equals a plain per-group loop on seeded random inputs', () => {
    const rng = Rng.from(7);
    for (let trial = 0; trial < 200; trial++) {
      const groups = randomGroups(rng);
      const flat = groups.flat();
      const offsets = offsetsFromSizes(groups.map((g) => g.length));
      for (const normalizeStd of [true, false]) {
        const got = grpoAdvantages(flat, offsets, { normalizeStd });
        const want = grpoLoop(groups, normalizeStd).flat();
        want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 9));
      }
    }
  });
});

describe('rlooAdvantages', () => {
  it('is the leave-one-out baseline', () => {
    // r = [1, 0, 0, 1]: baseline for r0 is mean(0, 0, 1) = 1/3
    const a = rlooAdvantages([1, 0, 0, 1], uniformOffsets(1, 4));
    expect(a[0]).toBeCloseTo(2 / 3, 12);
    expect(a[1]).toBeCloseTo(-2 / 3, 12);
  });

  it('equals a plain loop on seeded random inputs', () => {
    const rng = Rng.from(11);
    for (let trial = 0; trial < 200; trial++) {
      const groups = randomGroups(rng);
      const got = rlooAdvantages(groups.flat(), offsetsFromSizes(groups.map((g) => g.length)));
      rlooLoop(groups)
        .flat()
        .forEach((w, i) => expect(got[i]).toBeCloseTo(w, 9));
    }
  });
});

describe('gae', () => {
  it('matches a hand-computed 3-step example', () => {
    // gamma 0.9, lambda 0.8, r = [0, 0, 1], V = [0.5, 0.6, 0.7], V_3 = 0
    // delta_2 = 1 - 0.7 = 0.3;            A_2 = 0.3
    // delta_1 = 0 + 0.9*0.7 - 0.6 = 0.03; A_1 = 0.03 + 0.72*0.3 = 0.246
    // delta_0 = 0 + 0.9*0.6 - 0.5 = 0.04; A_0 = 0.04 + 0.72*0.246 = 0.21712
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.6, 0.7], 0.9, 0.8);
    [0.21712, 0.246, 0.3].forEach((v, i) => expect(advantages[i]).toBeCloseTo(v, 10));
    [0.71712, 0.846, 1.0].forEach((v, i) => expect(returns[i]).toBeCloseTo(v, 10));
  });

  it('with gamma = lambda = 1 and zero values is the reward-to-go', () => {
    const { advantages } = gae([1, 2, 3], [0, 0, 0], 1, 1);
    expect(Array.from(advantages)).toEqual([6, 5, 3]);
  });

  it('equals the explicit sum of discounted deltas on random inputs', () => {
    const rng = Rng.from(3);
    for (let trial = 0; trial < 50; trial++) {
      const T = 1 + rng.int(12);
      const r = Array.from({ length: T }, () => rng.normal());
      const v = Array.from({ length: T }, () => rng.normal());
      const [g, l] = [rng.next(), rng.next()];
      const delta = r.map((rt, t) => rt + g * (t + 1 < T ? v[t + 1] : 0) - v[t]);
      const { advantages } = gae(r, v, g, l);
      for (let t = 0; t < T; t++) {
        let want = 0;
        for (let k = t; k < T; k++) want += (g * l) ** (k - t) * delta[k];
        expect(advantages[t]).toBeCloseTo(want, 9);
      }
    }
  });

  it('rejects mismatched lengths', () => {
    expect(() => gae([1, 2], [0], 1, 1)).toThrow(/2 steps but values has 1/);
  });
});

describe('whiten', () => {
  it('standardises masked entries and leaves the rest', () => {
    const out = whiten([1, 2, 3, 100], [1, 1, 1, 0]);
    expect(out[3]).toBe(100);
    expect(out[0] + out[1] + out[2]).toBeCloseTo(0, 9);
    expect(out[2]).toBeCloseTo(1 / Math.sqrt(2 / 3), 6);
  });
});
