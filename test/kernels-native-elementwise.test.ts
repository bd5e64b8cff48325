/**
 * The native elementwise kernels (packages/trainer/src/kernels/native-elementwise.ts) against tfjs' own cpu
 * kernels: Transpose, Slice, SplitV, Softmax, Add/Sub/Multiply/RealDiv with broadcasting, Sum, Mean, Relu,
 * Step, Sqrt, Exp, Square, Rsqrt, Neg, Log, GatherV2, Concat, PadV2, and gradients through them. Same shapes, same values to float32 rounding,
 * NaN/Infinity in the same places. Skipped, with the reason in the title, when the addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { installNativeKernels, uninstallNativeKernels } from '../packages/trainer/src/kernels/native.js';
import { worstDiff } from './kernels-compare.js';

const probe = installNativeKernels();
uninstallNativeKernels();
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

const TOL = 1e-6; // these kernels round like tfjs; only exp/softmax may differ in the last bit

let seed = 100;
const rand = (shape: number[], scale = 1): tf.Tensor =>
  tf.randomUniform(shape, -scale, scale, 'float32', seed++);

/** Special values that must travel through unchanged (NaN, ±Infinity, signed zeros, a masked -1e9). */
const specials = (): tf.Tensor => tf.tensor1d([NaN, Infinity, -Infinity, 0, -0, -1e9, 1e-30, 3]);

describe.skipIf(!probe.ok)(`native elementwise kernels equal tfjs cpu${skipReason}`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => uninstallNativeKernels());

  it('accepts float32 tensors that tfjs-cpu backs with another typed array (Cast from bool)', () => {
    // A regression: the GRPO loss multiplies a cast comparison (the clip mask) by the token mask.
    const worst = worstDiff(() => {
      const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const mask = tf.cast(tf.greater(a, 2.5), 'float32');
      return [tf.mul(mask, a), tf.add(mask, a), tf.sum(mask), tf.sub(a, mask), tf.div(a, tf.add(mask, 1))];
    });
    expect(worst).toBeLessThan(1e-6);
  });

  // [shape, perm]
  const transposes: [number[], number[]][] = [
    [
      [5, 7],
      [1, 0],
    ], // matrix transpose (matmul gradients on wasm-style code paths)
    [
      [2, 3, 4, 5],
      [0, 2, 1, 3],
    ], // heads <-> time, inner dim kept (attention)
    [
      [2, 3, 4, 5],
      [3, 2, 1, 0],
    ], // full reversal, unit stride nowhere
    [
      [1, 6, 1, 4],
      [2, 0, 3, 1],
    ], // size-1 dims dropped by the collapse
    [
      [2, 1, 3, 2, 2],
      [4, 3, 2, 1, 0],
    ], // rank 5
    [
      [3, 4],
      [0, 1],
    ], // identity permutation
    [
      [3, 0, 2],
      [2, 1, 0],
    ], // empty tensor
  ];
  it.each(transposes)('transpose %j by %j', (shape, perm) => {
    const x = rand(shape);
    expect(worstDiff(() => tf.transpose(x, perm))).toBe(0);
    x.dispose();
  });

  // [shape, begin, size]
  const slices: [number[], number[], number[]][] = [
    [
      [4, 6],
      [1, 2],
      [2, 3],
    ], // inner block, not contiguous
    [
      [4, 6],
      [1, 0],
      [2, 6],
    ], // whole rows: contiguous, served as a view as tfjs does
    [
      [2, 3, 4, 5],
      [0, 1, 1, 0],
      [2, 2, 2, -1],
    ], // -1 size runs to the end
    [
      [2, 3, 4],
      [1, 2, 3],
      [1, 1, 1],
    ], // one element
  ];
  it.each(slices)('slice %j at %j size %j', (shape, begin, size) => {
    const x = rand(shape);
    expect(worstDiff(() => tf.slice(x, begin, size))).toBe(0);
    x.dispose();
  });

  // [shape, splits, axis]
  const splits: [number[], number | number[], number][] = [
    [[2, 12, 4, 3], 3, 1], // the fused-QKV split of the model
    [[2, 6, 5], [1, 2, 3], 1], // uneven sizes
    [[4, 6], 2, -1], // negative axis, inner dim
    [[6, 4], [2, -1], 0], // -1 size, outer axis (contiguous views)
  ];
  it.each(splits)('split %j into %j on axis %d', (shape, sizes, axis) => {
    const x = rand(shape);
    expect(worstDiff(() => tf.split(x, sizes, axis))).toBe(0);
    x.dispose();
  });

  // [shape, value scale]
  const softmaxes: [number[], number][] = [
    [[7], 1], // rank 1
    [[5, 9], 30], // large logits: the max subtraction matters
    [[2, 3, 4, 16], 5], // attention scores
  ];
  it.each(softmaxes)('softmax %j (scale %d)', (shape, scale) => {
    const x = rand(shape, scale);
    expect(worstDiff(() => tf.softmax(x))).toBeLessThan(TOL);
    x.dispose();
  });

  it('softmax with masked (-1e9) and -Infinity entries', () => {
    const x = tf.tensor2d([0.5, -1e9, 2, -1e9, -Infinity, 1, 1, 1], [2, 4]);
    expect(worstDiff(() => tf.softmax(x))).toBeLessThan(TOL);
    x.dispose();
  });

  // [a shape, b shape]: every broadcast pattern of the model and its gradients, plus odd ones
  const broadcasts: [number[], number[]][] = [
    [
      [6, 5],
      [6, 5],
    ], // same shape
    [
      [6, 5],
      [6, 1],
    ], // per-row scale (RMSNorm)
    [[6, 5], [5]], // per-column gain
    [
      [2, 3, 4, 4],
      [4, 4],
    ], // attention mask over batch and heads
    [
      [2, 3, 4, 1],
      [2, 3, 4, 4],
    ], // softmax gradient
    [[7], []], // tensor op scalar
    [[], [7]], // scalar op tensor
    [
      [2, 1, 3],
      [4, 1],
    ], // both sides broadcast
    [
      [2, 1, 3, 1, 2],
      [3, 2, 2],
    ], // rank 5
  ];
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div],
  ];
  for (const [name, op] of ops) {
    it.each(broadcasts)(`${name} %j with %j`, (as, bs) => {
      const [a, b] = [rand(as), rand(bs)];
      expect(worstDiff(() => op(a, b))).toBe(0);
      tf.dispose([a, b]);
    });
  }

  it('binary ops keep NaN, infinities and signed zeros like tfjs (including x/0)', () => {
    const [a, b] = [specials(), tf.tensor1d([1, 0, -0, NaN, 2, -3, Infinity, 0])];
    for (const [, op] of ops) expect(worstDiff(() => op(a, b))).toBe(0);
    tf.dispose([a, b]);
  });

  it('int32 and scalar-only binary ops fall back to tfjs', () => {
    const [i, j] = [tf.tensor1d([7, -3, 5], 'int32'), tf.tensor1d([2, 2, -2], 'int32')];
    const [s, t] = [tf.scalar(3), tf.scalar(4)];
    expect(worstDiff(() => [tf.add(i, j), tf.mul(i, j), tf.div(i, j), tf.sub(s, t)])).toBe(0);
    installNativeKernels();
    expect(tf.add(i, j).dtype).toBe('int32');
    tf.dispose([i, j, s, t]);
  });

  // [shape, axis, keepDims]
  const reductions: [number[], number | number[] | undefined, boolean][] = [
    [[6, 5], -1, true], // per-row (RMSNorm's mean)
    [[64, 5], 0, false], // over rows (bias-style gradient of a broadcast)
    [[2, 3, 4, 5], [0, 2], false], // non-adjacent axes
    [[2, 3, 4, 5], [1, 2, 3], true], // all but the first
    [[3, 4], undefined, false], // everything, to a scalar
    [[3, 0], 1, false], // empty reduction: zeros
  ];
  it.each(reductions)('sum and mean of %j over %j (keepDims %s)', (shape, axis, keepDims) => {
    const x = rand(shape, 10);
    expect(worstDiff(() => [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)])).toBeLessThan(TOL);
    x.dispose();
  });

  it('relu and step (alpha 0 and 0.25), with special values', () => {
    const [x, s] = [rand([8, 9]), specials()];
    const f = () => [tf.relu(x), tf.step(x), tf.step(x, 0.25), tf.relu(s), tf.step(s), tf.step(s, 0.25)];
    expect(worstDiff(f)).toBe(0);
    tf.dispose([x, s]);
  });

  // Each op on random values of both signs (NaN where undefined) and on the special values.
  it.each([
    ['sqrt', tf.sqrt],
    ['exp', tf.exp],
    ['square', tf.square],
    ['rsqrt', tf.rsqrt],
    ['neg', tf.neg],
    ['log', tf.log],
  ] as const)('%s, with special values', (_name, op) => {
    const [x, s] = [rand([7, 11], 20), specials()];
    expect(worstDiff(() => [op(x), op(s), op(tf.abs(x))])).toBeLessThan(TOL);
    tf.dispose([x, s]);
  });

  // [input shapes, axis]
  const concats: [number[][], number][] = [
    [
      [
        [2, 4, 3, 5],
        [2, 4, 3, 5],
        [2, 4, 3, 5],
      ],
      1,
    ], // the gradient of the fused-QKV split
    [
      [
        [3, 2],
        [3, 20],
        [3, 1],
      ],
      1,
    ], // inner sizes below and above the row-copy threshold
    [
      [
        [2, 3],
        [4, 3],
      ],
      0,
    ], // outer axis (one row)
    [
      [
        [2, 0],
        [2, 3],
        [2, 2],
      ],
      -1,
    ], // an empty input is skipped
    [
      [
        [2, 2, 1],
        [2, 2, 1],
      ],
      2,
    ], // inner size 1
  ];
  it.each(concats)('concat %j on axis %d', (shapes, axis) => {
    const xs = shapes.map((s) => rand(s));
    expect(worstDiff(() => tf.concat(xs, axis))).toBe(0);
    tf.dispose(xs);
  });

  // [x shape, paddings, constant]
  const pads: [number[], [number, number][], number][] = [
    [
      [88, 64],
      [
        [0, 40],
        [0, 0],
      ],
      0,
    ], // the gradient of slicing the position table
    [
      [2, 3, 4],
      [
        [1, 0],
        [0, 2],
        [3, 1],
      ],
      0,
    ], // every axis padded
    [
      [3, 1],
      [
        [2, 2],
        [1, 0],
      ],
      -1.5,
    ], // inner size 1, a non-zero constant
    [
      [2, 0],
      [
        [1, 1],
        [0, 2],
      ],
      0,
    ], // empty input: only the constant
    [[4], [[0, 0]], -0], // no padding, signed zero constant
  ];
  it.each(pads)('pad %j by %j with %f', (shape, paddings, value) => {
    const x = rand(shape);
    expect(worstDiff(() => tf.pad(x, paddings, value))).toBe(0);
    x.dispose();
  });

  // [x shape, indices (shape), axis, batchDims]
  const gathers: [number[], number[][] | number[], number, number][] = [
    [[11, 6], [3, 0, 10, 3], 0, 0], // embedding lookup, repeated index
    [
      [4, 5, 3],
      [
        [4, 0],
        [1, 1],
      ],
      1,
      0,
    ], // middle axis, rank-2 indices
    [[4, 5, 3], [2, 0], -1, 0], // negative axis, slice size 1
    [
      [2, 5, 3],
      [
        [4, 1, 0],
        [2, 2, 3],
      ],
      1,
      1,
    ], // batchDims 1 (one index row per batch)
    [[3, 4], [], 0, 0], // no indices
  ];
  it.each(gathers)('gather %j at %j axis %d batchDims %d', (shape, idx, axis, batchDims) => {
    const [x, i] = [rand(shape), tf.tensor(idx, undefined, 'int32')];
    expect(worstDiff(() => tf.gather(x, i, axis, batchDims))).toBe(0);
    tf.dispose([x, i]);
  });

  it('gather rejects an out-of-range index with tfjs message', () => {
    const [x, i] = [rand([3, 2]), tf.tensor1d([0, 3], 'int32')];
    installNativeKernels();
    expect(() => tf.gather(x, i)).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    tf.dispose([x, i]);
  });

  it('gradients of a tiny attention block agree', () => {
    // Split, transpose, broadcasting mul/add, softmax, relu, sum and mean all in one backward pass.
    const [qkv, mask, g] = [rand([2, 6, 4, 3]), rand([4, 4]), rand([3])];
    const block = (x: tf.Tensor, gain: tf.Tensor) => {
      const [q, k, v] = tf.split(x, 3, 1);
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 0.5), mask));
      const y = tf.relu(tf.mul(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), gain));
      return tf.add(tf.sum(tf.square(y)), tf.mean(y));
    };
    const grads = tf.grads(block);
    expect(worstDiff(() => grads([qkv, g]))).toBeLessThan(1e-5);
    tf.dispose([qkv, mask, g]);
  });
});
