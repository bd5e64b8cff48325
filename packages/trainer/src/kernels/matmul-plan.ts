/**
 * Shape planning for a batched matrix product as tfjs' BatchMatMul defines it: the last two dims are the
 * matrices (optionally transposed), the leading dims broadcast by numpy rules. The plan maps every output
 * batch to the flat index of its A and B matrices, which is what the native gemm consumes.
 */

export interface MatMulPlan {
  outShape: number[];
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Flat A-matrix index per output batch; null when it is the identity. */
  aIdx: Int32Array | null;
  bIdx: Int32Array | null;
}

/** Broadcasts two batch shapes (numpy rules, right-aligned); throws naming both shapes when they clash. */
export function broadcastBatchShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`matMul: batch dims [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each flat index of `outShape`, the flat index into `shape` (right-aligned, size-1 dims repeat). */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array | null {
  const total = outShape.reduce((p, d) => p * d, 1);
  const same = shape.length === outShape.length && shape.every((d, i) => d === outShape[i]);
  if (same) return null;
  const offset = outShape.length - shape.length;
  const strides: number[] = new Array<number>(outShape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + offset] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  const idx = new Int32Array(total);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let src = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const dim = outShape[d];
      src += (rest % dim) * strides[d];
      rest = Math.floor(rest / dim);
    }
    idx[flat] = src;
  }
  return idx;
}

export function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new Error(`matMul: inputs need rank >= 2, got [${aShape.join(',')}] and [${bShape.join(',')}]`);
  }
  const ar = aShape.length;
  const br = bShape.length;
  const m = transposeA ? aShape[ar - 1] : aShape[ar - 2];
  const k = transposeA ? aShape[ar - 2] : aShape[ar - 1];
  const kb = transposeB ? bShape[br - 1] : bShape[br - 2];
  const n = transposeB ? bShape[br - 2] : bShape[br - 1];
  if (k !== kb) {
    throw new Error(
      `matMul: inner shapes (${k}) and (${kb}) of [${aShape.join(',')}] and [${bShape.join(',')}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) must match`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const outBatch = broadcastBatchShape(aBatch, bBatch);
  return {
    outShape: [...outBatch, m, n],
    batch: outBatch.reduce((p, d) => p * d, 1),
    m,
    n,
    k,
    aIdx: broadcastIndex(aBatch, outBatch),
    bIdx: broadcastIndex(bBatch, outBatch),
  };
}
