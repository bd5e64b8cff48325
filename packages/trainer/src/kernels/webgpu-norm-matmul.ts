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

/** Output columns a workgroup computes (one an invocation). */
const TILE = 64;

/**
 * act(rmsnorm(x, g) @ w) for x [rows, K], g [K], w [K, N]: workgroup (r, t) normalises row r of x into
 * workgroup memory (its inverse norm reduced over the workgroup), then each invocation computes one of the
 * tile's TILE columns (reading w along rows, coalesced across invocations).
 */
export function normMatMulProgram(rows: number, K: number, N: number, relu: boolean): WgslProgram {
  const tiles = Math.ceil(N / TILE);
  return {
    variableNames: ['x', 'g', 'w'],
    outputShape: [rows, N],
    shaderKey: `brevity_normmatmul_${relu ? 'relu' : 'id'}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [tiles, Math.max(rows, 1), 1],
    workgroupSize: [TILE, 1, 1],
    uniforms: 'rows : i32, K : i32, N : i32, eps : f32,',
    getUserCode: () => `
  ${reductions(TILE)}
  var<workgroup> xn : array<f32, ${NORM_MATMUL_LIMITS.maxK}>;
  fn main(index : i32) {
    let tid = i32(localId.x);
    let row = i32(workgroupId.y);
    let K = uniforms.K;
    let N = uniforms.N;
    let base = row * K;
    var ssPart = 0.0;
    for (var k = tid; k < K; k = k + WG) { ssPart = ssPart + x[base + k] * x[base + k]; }
    let inv = 1.0 / sqrt(wgSum(ssPart, tid) / f32(K) + uniforms.eps);
    for (var k = tid; k < K; k = k + WG) { xn[k] = x[base + k] * inv * g[k]; }
    workgroupBarrier();
    let n = i32(workgroupId.x) * WG + tid;
    if (n < N && row < uniforms.rows) {
      var acc = 0.0;
      for (var k = 0; k < K; k = k + 1) { acc = acc + xn[k] * w[k * N + n]; }
      result[row * N + n] = ${relu ? 'max(acc, 0.0)' : 'acc'};
    }
  }`,
  };
}

export function normMatMul({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const name = FUSED_KERNELS.normMatMul;
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
  return be.runWebGPUProgram(normMatMulProgram(rows, K, N, relu), [x, g, w], 'float32', [
    i32(rows),
    i32(K),
    i32(N),
    f32(eps),
  ]);
}
