/**
 * Group statistics over plain arrays. Groups are given by `offsets` (length G+1, CSR style):
 * group g owns elements [offsets[g], offsets[g+1]).
 */

/** Arithmetic mean; 0 for an empty range. */
export function mean(x: ArrayLike<number>, start = 0, end = x.length): number {
  const n = end - start;
  if (n <= 0) return 0;
  let s = 0;
  for (let i = start; i < end; i++) s += x[i];
  return s / n;
}

/** Population standard deviation (divides by n); 0 for fewer than one element. */
export function populationStd(x: ArrayLike<number>, start = 0, end = x.length): number {
  const n = end - start;
  if (n <= 0) return 0;
  const m = mean(x, start, end);
  let s = 0;
  for (let i = start; i < end; i++) s += (x[i] - m) * (x[i] - m);
  return Math.sqrt(s / n);
}

/** Unbiased (Bessel-corrected, divides by n-1) standard deviation, as torch.std; 0 for n < 2. */
export function unbiasedStd(x: ArrayLike<number>, start = 0, end = x.length): number {
  const n = end - start;
  if (n < 2) return 0;
  const m = mean(x, start, end);
  let s = 0;
  for (let i = start; i < end; i++) s += (x[i] - m) * (x[i] - m);
  return Math.sqrt(s / (n - 1));
}

/** Offsets [0, n, 2n, ...] for `groups` equal groups of size `n`. */
export function uniformOffsets(groups: number, n: number): Int32Array {
  const o = new Int32Array(groups + 1);
  for (let g = 0; g <= groups; g++) o[g] = g * n;
  return o;
}

/** Offsets from a list of group sizes. */
export function offsetsFromSizes(sizes: ArrayLike<number>): Int32Array {
  const o = new Int32Array(sizes.length + 1);
  for (let g = 0; g < sizes.length; g++) o[g + 1] = o[g] + sizes[g];
  return o;
}

/** Per-group mean, population std and unbiased std, each of length G. */
export function groupStats(
  x: ArrayLike<number>,
  offsets: ArrayLike<number>,
): { mean: Float64Array; populationStd: Float64Array; unbiasedStd: Float64Array } {
  const G = offsets.length - 1;
  const m = new Float64Array(G);
  const ps = new Float64Array(G);
  const us = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const a = offsets[g];
    const b = offsets[g + 1];
    m[g] = mean(x, a, b);
    ps[g] = populationStd(x, a, b);
    us[g] = unbiasedStd(x, a, b);
  }
  return { mean: m, populationStd: ps, unbiasedStd: us };
}
