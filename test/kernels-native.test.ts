/**
 * The native matmul kernels (packages/trainer/src/kernels/native.ts) against tfjs' own cpu kernels: same
 * values (to float32 rounding) over a seeded grid of shapes, transposes, broadcast batch dims, fused bias and
 * activations, and gradients, for every implementation the addon has here (system BLAS, AVX-512, AVX2,
 * portable) and for 1 and 2 threads. Skipped, with the reason in the title, when the addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import {
  installNativeKernels,
  nativeAddon,
  uninstallNativeKernels,
} from '../packages/trainer/src/kernels/native.js';
import { relDiff, worstDiff as compareAll } from './kernels-compare.js';

const probe = installNativeKernels();
uninstallNativeKernels();
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

const TOL = 1e-4; // max |native - plain| / max(1, max |plain|)

let seed = 1;
const rand = (shape: number[]): tf.Tensor => tf.randomUniform(shape, -1, 1, 'float32', seed++);
const worstDiff = (f: () => tf.Tensor | tf.Tensor[]): number => compareAll(f, { everyGemm: true });

describe.skipIf(!probe.ok)(`native matmul equals tfjs cpu${skipReason}`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => uninstallNativeKernels());

  // [a shape, b shape, transposeA, transposeB]: what each case exercises is in the comment.
  const matmuls: [number[], number[], boolean, boolean][] = [
    [[1, 1], [1, 1], false, false], // 1x1x1, a single edge tile
    [[7, 5], [5, 3], false, false], // all dims smaller than any micro-tile
    [[13, 33], [33, 17], false, false], // odd sizes, partial tiles in both directions
    [[33, 13], [33, 17], true, false], // transposeA
    [[13, 33], [17, 33], false, true], // transposeB
    [[33, 13], [17, 33], true, true], // both transposed
    [[70, 300], [300, 45], false, false], // k larger than one KC block (256): accumulation across blocks
    [[150, 20], [20, 40], false, false], // m larger than one MC block, and row bands for 2 threads
    [[3, 9, 11], [3, 11, 6], false, false], // batched rank 3
    [[2, 3, 9, 11], [2, 3, 6, 11], false, true], // batched rank 4 (attention scores), transposeB
    [[2, 3, 11, 9], [2, 3, 11, 6], true, false], // batched rank 4, transposeA (grad of the values product)
    [[9, 11], [4, 11, 6], false, false], // rank-2 A broadcast over B's batch
    [[4, 9, 11], [11, 6], false, false], // rank-2 B broadcast over A's batch (x @ W)
    [[2, 3, 9, 11], [3, 11, 6], false, false], // B's batch broadcast over a leading dim
    [[1, 9, 11], [5, 11, 6], false, false], // size-1 batch dim broadcast
    [[64, 0], [0, 8], false, false], // k = 0: zeros
    [[2, 1, 40], [2, 40, 33], false, false], // one row per batch (decode step): the unpacked path, axpy
    [[3, 70], [20, 70], false, true], // 3 rows, B transposed: 8-lane dot products plus a tail
    [[70, 2], [70, 9], true, false], // 2 rows of a transposed A
    [[77, 2], [300, 77], true, true], // both transposed, few rows
  ];

  it.each(matmuls)('matMul %j x %j (tA=%s, tB=%s)', (as, bs, ta, tb) => {
    const a = rand(as);
    const b = rand(bs);
    expect(worstDiff(() => tf.matMul(a, b, ta, tb))).toBeLessThan(TOL);
    tf.dispose([a, b]);
  });

  it('broadcasts [2,1] x [1,3] batch dims like numpy (tfjs cpu itself gets this case wrong)', () => {
    // Reference: both inputs tiled to the full [2,3] batch first, which the plain kernel handles.
    const a = rand([2, 1, 4, 5]);
    const b = rand([1, 3, 5, 6]);
    uninstallNativeKernels();
    const want = tf.tidy(() => tf.matMul(tf.tile(a, [1, 3, 1, 1]), tf.tile(b, [2, 1, 1, 1])));
    installNativeKernels();
    const got = tf.matMul(a, b);
    expect(got.shape).toEqual([2, 3, 4, 6]);
    expect(relDiff(got.dataSync() as Float32Array, want.dataSync() as Float32Array)).toBeLessThan(TOL);
    tf.dispose([a, b, want, got]);
  });

  // [bias shape or null, activation]: bias shapes cover the native row-bias path and the tfjs Add fallback.
  const fused: [number[] | null, tf.fused.Activation][] = [
    [null, 'linear'], // plain product through _FusedMatMul
    [[6], 'linear'], // row bias, native epilogue
    [[6], 'relu'],
    [[6], 'relu6'],
    [[6], 'elu'],
    [[6], 'sigmoid'],
    [[6], 'leakyrelu'],
    [[6], 'prelu'], // prelu runs tfjs' Prelu kernel after the native product + bias
    [[], 'relu'], // scalar bias, expanded to a row
    [[1, 6], 'relu'], // [1, n] bias
    [[9, 6], 'relu'], // full-matrix bias: tfjs Add fallback, then tfjs Relu
    [[9, 1], 'sigmoid'], // column bias: tfjs Add fallback
  ];

  it.each(fused)('fused.matMul bias %j activation %s', (biasShape, activation) => {
    const a = rand([9, 11]);
    const b = rand([11, 6]).mul(3); // larger values so relu6/elu/sigmoid see both sides
    const bias = biasShape === null ? undefined : rand(biasShape);
    const preluActivationWeights = activation === 'prelu' ? rand([6]) : undefined;
    const leakyreluAlpha = 0.3;
    const f = (): tf.Tensor =>
      tf.fused.matMul({ a, b, bias, activation, preluActivationWeights, leakyreluAlpha });
    expect(worstDiff(f)).toBeLessThan(TOL);
    tf.dispose([a, b, ...(bias ? [bias] : []), ...(preluActivationWeights ? [preluActivationWeights] : [])]);
  });

  // Gradients of matMul are matMuls with transposes: check they match, and that they ran natively.
  const grads: [number[], number[], boolean, boolean][] = [
    [[8, 12], [12, 5], false, false], // x @ W
    [[12, 8], [12, 5], true, false],
    [[8, 12], [5, 12], false, true],
    [[12, 8], [5, 12], true, true],
    [[2, 3, 8, 12], [2, 3, 5, 12], false, true], // attention scores q @ k^T
    // (No broadcast case: tfjs-core's BatchMatMul gradient does not sum over broadcast batch dims and
    // throws on the plain path too, so models multiply [B*T, D] x [D, N] instead.)
  ];

  it.each(grads)('grads of matMul %j x %j (tA=%s, tB=%s)', (as, bs, ta, tb) => {
    const a = rand(as);
    const b = rand(bs);
    const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum());
    expect(worstDiff(() => g([a, b]))).toBeLessThan(TOL);
    installNativeKernels();
    const before = nativeAddon()!.info().calls;
    tf.dispose(g([a, b]));
    expect(nativeAddon()!.info().calls - before).toBe(3); // the forward product and both gradients
    tf.dispose([a, b]);
  });

  it('grads through fused.matMul with bias and relu', () => {
    const [a, b, bias] = [rand([9, 11]), rand([11, 6]), rand([6])];
    const g = tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.fused.matMul({ a: x, b: w, bias: c, activation: 'relu' }).square().sum(),
    );
    expect(worstDiff(() => g([a, b, bias]))).toBeLessThan(TOL);
    tf.dispose([a, b, bias]);
  });

  it('int32 products keep tfjs cpu semantics (fallback to the original kernel)', () => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const b = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2], 'int32');
    installNativeKernels();
    const c = tf.matMul(a, b);
    expect(c.dtype).toBe('int32');
    expect(Array.from(c.dataSync())).toEqual([58, 64, 139, 154]);
    tf.dispose([a, b, c]);
  });

  it('reports the active implementation and threads', () => {
    const res = installNativeKernels({ threads: 2 });
    expect(res.ok && res.detail).toMatch(
      /^native kernels \(matmul \+ elementwise\): gemm (avx512|blas .+|avx2|portable), 2 threads/,
    );
    installNativeKernels({ threads: 1 });
  });
});

describe('installNativeKernels without a usable addon', () => {
  // [case, env, options, expected reason]: each a reason the caller prints as its one-line notice.
  const cases: [string, Record<string, string>, { addonPath?: string }, RegExp][] = [
    ['missing addon file', {}, { addonPath: '/nonexistent/brevity_native.node' }, /not built .*missing/],
    ['not an addon', {}, { addonPath: new URL(import.meta.url).pathname }, /failed to load/],
    ['disabled by env', { BREVITY_NATIVE: '0' }, {}, /native kernels disabled by BREVITY_NATIVE=0/],
    [
      'bad thread count',
      { BREVITY_THREADS: 'two' },
      {},
      /BREVITY_THREADS must be an integer in 1\.\.256, got "two"/,
    ],
    [
      'unknown BLAS choice',
      { BREVITY_BLAS: 'mkl' },
      {},
      /BREVITY_BLAS must be one of blas, avx512, .*got "mkl"/,
    ],
  ];

  it.each(cases)('%s', (_name, env, options, reason) => {
    const saved = { ...process.env };
    // Isolated from the caller's environment.
    const all: Record<string, string> = {
      BREVITY_NATIVE: '1',
      BREVITY_THREADS: '',
      BREVITY_BLAS: '',
      ...env,
    };
    Object.assign(process.env, all);
    try {
      const res = installNativeKernels(options);
      expect(res.ok).toBe(false);
      expect(!res.ok && res.reason).toMatch(reason);
    } finally {
      for (const key of Object.keys(all)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
