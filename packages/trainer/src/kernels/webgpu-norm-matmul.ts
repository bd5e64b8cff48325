/**
 * RMSNorm followed by a matmul in one webgpu launch, for decoding (no gradients): act(rmsnorm(x, g) @ w) with
 * act the identity or ReLU (FUSED_KERNELS.normMatMul). A decode step normalises before the qkv projection,
 * the MLP and the unembedding; fusing each norm into its matmul saves 2 launches a block and 1 a step.
 * Registered with the other fused kernels by webgpu-fused.ts; tested against the composition
 * (test/kernels-webgpu.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS, NORM_MATMUL_LIMITS } from './fused-names.js';
import { f32, float32, i32, type KernelArgs, type WebgpuBackendLike } from './webgpu-kernel-args.js';
import { reductions, type WgslProgram } from './webgpu-programs.js';
import { readWrite } from './webgpu-read-write.js';

/** Output columns a workgroup computes. */
const TILE = 64;
/** Slices of the K sum a column is split into (one an invocation), added in workgroup memory at the end. */
const SPLIT = 4;
/** Invocations of the residual variant's workgroup, which computes a whole row. */
const RESIDUAL_WG = 256;

/** The residual variant's product: the workgroup's invocations take the row's columns in turn. */
function residualProduct(relu: boolean): string {
  return `
    for (var n = tid; n < N && row < uniforms.rows; n = n + WG) {
      var acc = 0.0;
      for (var k = 0; k < K; k = k + 1) { acc = acc + xn[k] * w[k * N + n]; }
      result[row * N + n] = ${relu ? 'max(acc, 0.0)' : 'acc'};
    }`;
}

/** The tiled product: column c of the tile, K slice s, partial sums added through workgroup memory. */
function tiledProduct(relu: boolean): string {
  return `
    let c = tid % ${TILE};
    let s = tid / ${TILE};
    let n = i32(workgroupId.x) * ${TILE} + c;
    var acc = 0.0;
    if (n < N) {
      let chunk = (K + ${SPLIT - 1}) / ${SPLIT};
      let k1 = min(K, (s + 1) * chunk);
      var k = s * chunk;
      var a0 = 0.0;
      var a1 = 0.0;
      var a2 = 0.0;
      var a3 = 0.0;
      for (; k + 3 < k1; k = k + 4) {
        let w0 = w[k * N + n];
        let w1 = w[(k + 1) * N + n];
        let w2 = w[(k + 2) * N + n];
        let w3 = w[(k + 3) * N + n];
        a0 = a0 + xn[k] * w0;
        a1 = a1 + xn[k + 1] * w1;
        a2 = a2 + xn[k + 2] * w2;
        a3 = a3 + xn[k + 3] * w3;
      }
      for (; k < k1; k = k + 1) { a0 = a0 + xn[k] * w[k * N + n]; }
      acc = (a0 + a1) + (a2 + a3);
    }
    red[tid] = acc;
    workgroupBarrier();
    if (s == 0 && n < N && row < uniforms.rows) {
      let v = ${Array.from({ length: SPLIT }, (_, j) => (j === 0 ? 'red[c]' : `red[c + ${j * TILE}]`)).join(' + ')};
      result[row * N + n] = ${relu ? 'max(v, 0.0)' : 'v'};
    }`;
}

/**
 * act(rmsnorm(x, g) @ w) for x [rows, K], g [K], w [K, N]: workgroup (r, t) normalises row r of x into
 * workgroup memory (its inverse norm reduced over the workgroup), then TILE x SPLIT invocations compute the
 * tile's TILE columns: invocation (c, s) sums slice s of column c's K products, four independent loads and
 * accumulators a step (reading w along rows, coalesced across the c of a slice), and the SPLIT partial sums
 * meet in workgroup memory. One invocation a column walking all of K serially took ~70 us a [64, 256] x
 * [256, 768] launch on an H200 (each step waiting on its load, too few invocations to hide it).
 *
 * With `residual`, x is first replaced by x + a @ wa (a [rows, Ka], wa [Ka, K]; the block's residual branch
 * joining the stream) and that row also written into the input h [rows, K], in place: so the projection that
 * ends one sub-block and the norm and matmul that start the next take one launch. That variant runs ONE
 * workgroup of RESIDUAL_WG invocations per row, looping over all N columns: tiles of columns would each
 * recompute the row's Ka x K branch (4x the useful work for an MLP's second layer before a qkv projection,
 * which made sampling 7x slower on the software adapter). On an H200 the row-serial loops made it slower than
 * the two launches it replaces, so its kernel group is opt-in (webgpu-fused.ts OPT_IN_GROUPS).
 */
export function normMatMulProgram(
  rows: number,
  K: number,
  N: number,
  relu: boolean,
  residual = false,
): WgslProgram {
  const tiles = residual ? 1 : Math.ceil(N / TILE);
  const wg = residual ? RESIDUAL_WG : TILE * SPLIT;
  const row = residual
    ? `
    let Ka = uniforms.Ka;
    for (var k = tid; k < K; k = k + WG) {
      var acc = 0.0;
      for (var j = 0; j < Ka; j = j + 1) { acc = acc + a[row * Ka + j] * wa[j * K + k]; }
      let v = acc + x[base + k];
      xn[k] = v;
      if (row < uniforms.rows) { h[base + k] = v; }
    }`
    : `
    for (var k = tid; k < K; k = k + WG) { xn[k] = x[base + k]; }`;
  return {
    variableNames: residual ? ['x', 'g', 'w', 'a', 'wa', 'h'] : ['x', 'g', 'w'],
    outputShape: [rows, N],
    shaderKey: `brevity_normmatmul_${relu ? 'relu' : 'id'}${residual ? '_res' : ''}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [tiles, Math.max(rows, 1), 1],
    workgroupSize: [wg, 1, 1],
    uniforms: `rows : i32, K : i32, N : i32, eps : f32,${residual ? ' Ka : i32,' : ''}`,
    getUserCode: () => `${residual ? readWrite(['h']) : ''}
  ${reductions(wg)}
  var<workgroup> xn : array<f32, ${NORM_MATMUL_LIMITS.maxK}>;
  fn main(index : i32) {
    let tid = i32(localId.x);
    let row = i32(workgroupId.y);
    let K = uniforms.K;
    let N = uniforms.N;
    let base = row * K;${row}
    var ssPart = 0.0;
    for (var k = tid; k < K; k = k + WG) { ssPart = ssPart + xn[k] * xn[k]; }
    let inv = 1.0 / sqrt(wgSum(ssPart, tid) / f32(K) + uniforms.eps);
    for (var k = tid; k < K; k = k + WG) { xn[k] = xn[k] * inv * g[k]; }
    workgroupBarrier();${residual ? residualProduct(relu) : tiledProduct(relu)}
  }`,
  };
}

/** x, g, w (and a, wa) of a normMatMul kernel, checked against each other and the width limit. */
function normMatMulArgs(name: string, { inputs, attrs }: KernelArgs, residual: boolean) {
  const x = float32(inputs.x, `${name}: x`);
  const g = float32(inputs.g, `${name}: g`);
  const w = float32(inputs.w, `${name}: w`);
  const { eps, relu } = attrs as { eps: number; relu: boolean };
  const [rows, K] = x.shape;
  const N = w.shape[1];
  tf.util.assert(
    x.shape.length === 2 && g.shape.join() === String(K) && w.shape.length === 2 && w.shape[0] === K,
    () => `${name}: x [${x.shape}], g [${g.shape}] and w [${w.shape}] do not match`,
  );
  tf.util.assert(
    K <= NORM_MATMUL_LIMITS.maxK,
    () => `${name}: width ${K} exceeds ${JSON.stringify(NORM_MATMUL_LIMITS)}`,
  );
  const uniforms = [i32(rows), i32(K), i32(N), f32(eps)];
  if (!residual) return { x, g, w, relu, rows, K, N, uniforms, branch: [] };
  const a = float32(inputs.a, `${name}: a`);
  const wa = float32(inputs.wa, `${name}: wa`);
  const Ka = a.shape[1];
  tf.util.assert(
    a.shape.length === 2 && a.shape[0] === rows && wa.shape.join() === `${Ka},${K}`,
    () => `${name}: a [${a.shape}] and wa [${wa.shape}] do not make [${rows}, ${K}]`,
  );
  return { x, g, w, relu, rows, K, N, uniforms: [...uniforms, i32(Ka)], branch: [a, wa] };
}

export function normMatMul(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WebgpuBackendLike;
  const { x, g, w, relu, rows, K, N, uniforms } = normMatMulArgs(FUSED_KERNELS.normMatMul, args, false);
  return be.runWebGPUProgram(normMatMulProgram(rows, K, N, relu), [x, g, w], 'float32', uniforms);
}

/** [act(rmsnorm(h) @ w), h] with h = x + a @ wa, in one launch (h written in place into a new tensor). */
export function residualNormMatMul(args: KernelArgs): tf.TensorInfo[] {
  const be = args.backend as WebgpuBackendLike;
  const name = FUSED_KERNELS.residualNormMatMul;
  const { x, g, w, relu, rows, K, N, uniforms, branch } = normMatMulArgs(name, args, true);
  const h = be.makeTensorInfo([rows, K], 'float32');
  const out = be.runWebGPUProgram(
    normMatMulProgram(rows, K, N, relu, true),
    [x, g, w, ...branch, h],
    'float32',
    uniforms,
  );
  return [out, h];
}
