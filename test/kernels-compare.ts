/**
 * Shared by the kernels-*.test.ts files: runs a tfjs computation on tfjs' own cpu kernels and on the native
 * ones, and measures how far apart the results are. Not a test file itself.
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { relDiff as checkRelDiff } from '../packages/trainer/src/bench/check.js';
import {
  installNativeKernels,
  nativeAddon,
  uninstallNativeKernels,
} from '../packages/trainer/src/kernels/native.js';

/** max |got - want| / max(1, max |want|) (bench/check.ts), once the lengths are asserted equal. */
export function relDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  return checkRelDiff(got, want);
}

function evaluate(f: () => tf.Tensor | tf.Tensor[]): { shapes: number[][]; values: Float32Array[] } {
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const result = { shapes: list.map((t) => t.shape), values: list.map((t) => t.dataSync() as Float32Array) };
  tf.dispose(list);
  return result;
}

export interface CompareOptions {
  /** Also run every GEMM implementation the addon has here, at 1 and 2 threads. */
  everyGemm?: boolean;
}

/**
 * Worst relDiff between f on the plain cpu kernels and f on the native ones (the native kernels stay
 * installed afterwards). Output shapes must match exactly.
 */
export function worstDiff(f: () => tf.Tensor | tf.Tensor[], opts: CompareOptions = {}): number {
  uninstallNativeKernels();
  const want = evaluate(f);
  let worst = 0;
  const check = () => {
    const got = evaluate(f);
    expect(got.shapes).toEqual(want.shapes);
    got.values.forEach((g, i) => (worst = Math.max(worst, relDiff(g, want.values[i]))));
  };
  for (const threads of opts.everyGemm ? [1, 2] : [1]) {
    expect(installNativeKernels({ threads, kernels: 'all' }).ok).toBe(true);
    const addon = nativeAddon()!;
    const impls = opts.everyGemm ? addon.info().available : [addon.info().impl];
    const active = addon.info().impl;
    for (const impl of impls) {
      expect(addon.setImpl(impl)).toBe(true);
      check();
    }
    addon.setImpl(active);
  }
  return worst;
}
