import { describe, expect, it } from 'vitest';
import { groupStats, mean, offsetsFromSizes, populationStd, unbiasedStd, uniformOffsets } from './stats.js';

describe('group statistics', () => {
  it.each([
    // [case, values, mean, population std, unbiased std]
    ['four values', [1.5, 1.25, 1.0, 0.5], 1.0625, 0.369755, 0.426956],
    ['constant group has zero std', [2, 2, 2], 2, 0, 0],
    ['single value: unbiased std is 0, not NaN', [5], 5, 0, 0],
    ['empty range is all zeros', [], 0, 0, 0],
  ])('%s', (_c, xs, m, ps, us) => {
    expect(mean(xs)).toBeCloseTo(m, 6);
    expect(populationStd(xs)).toBeCloseTo(ps, 6);
    expect(unbiasedStd(xs)).toBeCloseTo(us, 6);
  });

  it('computes per-group stats from offsets', () => {
    const s = groupStats([1, 3, 10, 10, 10], offsetsFromSizes([2, 3]));
    expect(Array.from(s.mean)).toEqual([2, 10]);
    expect(Array.from(s.populationStd)).toEqual([1, 0]);
    expect(s.unbiasedStd[0]).toBeCloseTo(Math.SQRT2, 12);
  });

  it('builds offsets', () => {
    expect(Array.from(uniformOffsets(3, 4))).toEqual([0, 4, 8, 12]);
    expect(Array.from(offsetsFromSizes([2, 0, 3]))).toEqual([0, 2, 2, 5]);
  });
});
