/** Shape planning for the native batched matmul (packages/trainer/src/kernels/matmul-plan.ts). */
import { describe, expect, it } from 'vitest';

import { broadcastIndex, planMatMul } from '../packages/trainer/src/kernels/matmul-plan.js';

describe('planMatMul', () => {
  // [a, b, tA, tB, outShape, batch, m, n, k, aIdx, bIdx]
  const cases: [
    number[],
    number[],
    boolean,
    boolean,
    number[],
    number,
    number,
    number,
    number,
    number[] | null,
    number[] | null,
  ][] = [
    // plain 2-D product
    [[2, 3], [3, 4], false, false, [2, 4], 1, 2, 4, 3, null, null],
    // transposes swap which dim is m / k / n
    [[3, 2], [4, 3], true, true, [2, 4], 1, 2, 4, 3, null, null],
    // equal batch dims map one to one (identity, no index array)
    [[2, 5, 2, 3], [2, 5, 3, 4], false, false, [2, 5, 2, 4], 10, 2, 4, 3, null, null],
    // rank-2 B broadcast over A's batch: every output uses B matrix 0
    [[3, 2, 3], [3, 4], false, false, [3, 2, 4], 3, 2, 4, 3, null, [0, 0, 0]],
    // [2,1] x [1,3] batch dims: both sides repeat, numpy-style
    [
      [2, 1, 2, 3],
      [1, 3, 3, 4],
      false,
      false,
      [2, 3, 2, 4],
      6,
      2,
      4,
      3,
      [0, 0, 0, 1, 1, 1],
      [0, 1, 2, 0, 1, 2],
    ],
    // B's batch [3] right-aligned under A's [2,3]
    [[2, 3, 2, 3], [3, 3, 4], false, false, [2, 3, 2, 4], 6, 2, 4, 3, null, [0, 1, 2, 0, 1, 2]],
  ];

  it.each(cases)('%j x %j (tA=%s, tB=%s)', (a, b, ta, tb, outShape, batch, m, n, k, aIdx, bIdx) => {
    const plan = planMatMul(a, b, ta, tb);
    expect({ outShape: plan.outShape, batch: plan.batch, m: plan.m, n: plan.n, k: plan.k }).toEqual({
      outShape,
      batch,
      m,
      n,
      k,
    });
    expect(plan.aIdx && Array.from(plan.aIdx)).toEqual(aIdx);
    expect(plan.bIdx && Array.from(plan.bIdx)).toEqual(bIdx);
  });

  // [a, b, message]: errors name both shapes
  const errors: [number[], number[], RegExp][] = [
    [[2, 3], [4, 5], /inner shapes \(3\) and \(4\) of \[2,3\] and \[4,5\]/], // k mismatch
    [[2, 2, 3], [3, 3, 4], /batch dims \[2\] and \[3\] do not broadcast/], // batch clash
    [[3], [3, 4], /rank >= 2/], // vectors are not matrices
  ];

  it.each(errors)('%j x %j throws', (a, b, message) => {
    expect(() => planMatMul(a, b, false, false)).toThrow(message);
  });
});

describe('broadcastIndex', () => {
  // [shape, outShape, expected]
  const cases: [number[], number[], number[] | null][] = [
    [[2, 3], [2, 3], null], // same shape: identity
    [[], [4], [0, 0, 0, 0]], // no batch dims: always matrix 0
    [
      [3, 1],
      [3, 2],
      [0, 0, 1, 1, 2, 2],
    ], // trailing size-1 dim repeats each matrix
  ];

  it.each(cases)('%j -> %j', (shape, outShape, expected) => {
    const idx = broadcastIndex(shape, outShape);
    expect(idx && Array.from(idx)).toEqual(expected);
  });
});
