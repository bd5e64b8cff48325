/**
 * An alternative webgpu GEMM for tfjs' BatchMatMul and _FusedMatMul kernels, opt-in with
 * `BREVITY_WEBGPU_GEMM=1` until a GPU measurement says which is faster: 64 x 64 output tiles per workgroup of
 * 256 invocations, each accumulating a 4 x 4 block from 16-deep tiles of A and B staged in workgroup memory.
 * Transposed operands are read transposed while a tile is staged, so a @ b^T and a^T @ b run the same loop
 * (tfjs' vec4 program refuses a transposed right operand and falls back to its scalar one, which is what
 * the linear layers' dx uses). The _FusedMatMul epilogue takes a bias of [N] or of the full output (the
 * residual adds) and a ReLU. Anything else (batched operands, other activations, non-float32) goes to tfjs'
 * own kernel. Tested against it (test/kernels-webgpu.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND, float32, type KernelArgs, type WebgpuBackendLike } from './webgpu-kernel-args.js';
import type { UniformValue, WgslProgram } from './webgpu-programs.js';

const TILE = 64;
const DEPTH = 16;
const THREADS = 256;

/** Which bias the epilogue adds: none, one per column [N], or one per output entry [M, N]. */
type Bias = 'none' | 'column' | 'full';

/**
 * C [M, N] = op(A) @ op(B) (+ bias) (relu): A is [M, K] or, transposed, [K, M]; B is [K, N] or [N, K].
 */
export function gemmProgram(
  transA: boolean,
  transB: boolean,
  bias: Bias,
  relu: boolean,
  M: number,
  N: number,
) {
  // Staging loads: consecutive invocations read consecutive addresses of each operand's layout.
  const loadA = transA
    ? `let m = e % ${TILE}; let kk = e / ${TILE}; As[kk][m] = select(0.0, A[(k0 + kk) * uniforms.M + row0 + m], row0 + m < uniforms.M && k0 + kk < uniforms.K);`
    : `let kk = e % ${DEPTH}; let m = e / ${DEPTH}; As[kk][m] = select(0.0, A[(row0 + m) * uniforms.K + k0 + kk], row0 + m < uniforms.M && k0 + kk < uniforms.K);`;
  const loadB = transB
    ? `let kk = e % ${DEPTH}; let n = e / ${DEPTH}; Bs[kk][n] = select(0.0, B[(col0 + n) * uniforms.K + k0 + kk], col0 + n < uniforms.N && k0 + kk < uniforms.K);`
    : `let n = e % ${TILE}; let kk = e / ${TILE}; Bs[kk][n] = select(0.0, B[(k0 + kk) * uniforms.N + col0 + n], col0 + n < uniforms.N && k0 + kk < uniforms.K);`;
  const biasTerm = bias === 'full' ? ' + bias[r * uniforms.N + c]' : bias === 'column' ? ' + bias[c]' : '';
  const value = relu ? `max(acc[i][j]${biasTerm}, 0.0)` : `acc[i][j]${biasTerm}`;
  const program: WgslProgram = {
    variableNames: bias === 'none' ? ['A', 'B'] : ['A', 'B', 'bias'],
    outputShape: [M, N],
    shaderKey: `brevity_gemm_${transA}_${transB}_${bias}_${relu}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil(N / TILE), Math.ceil(M / TILE), 1],
    workgroupSize: [THREADS, 1, 1],
    uniforms: 'M : i32, N : i32, K : i32,',
    getUserCode: () => `
  var<workgroup> As : array<array<f32, ${TILE}>, ${DEPTH}>;
  var<workgroup> Bs : array<array<f32, ${TILE}>, ${DEPTH}>;
  fn main(index : i32) {
    let tid = i32(localIndex);
    let tx = tid % 16;
    let ty = tid / 16;
    let row0 = i32(workgroupId.y) * ${TILE};
    let col0 = i32(workgroupId.x) * ${TILE};
    var acc : array<array<f32, 4>, 4>;
    for (var k0 = 0; k0 < uniforms.K; k0 = k0 + ${DEPTH}) {
      for (var l = 0; l < ${(TILE * DEPTH) / THREADS}; l = l + 1) {
        let e = tid + l * ${THREADS};
        ${loadA}
      }
      for (var l = 0; l < ${(TILE * DEPTH) / THREADS}; l = l + 1) {
        let e = tid + l * ${THREADS};
        ${loadB}
      }
      workgroupBarrier();
      for (var kk = 0; kk < ${DEPTH}; kk = kk + 1) {
        var a : array<f32, 4>;
        var b : array<f32, 4>;
        for (var i = 0; i < 4; i = i + 1) { a[i] = As[kk][ty * 4 + i]; b[i] = Bs[kk][tx * 4 + i]; }
        for (var i = 0; i < 4; i = i + 1) {
          for (var j = 0; j < 4; j = j + 1) { acc[i][j] = acc[i][j] + a[i] * b[j]; }
        }
      }
      workgroupBarrier();
    }
    for (var i = 0; i < 4; i = i + 1) {
      for (var j = 0; j < 4; j = j + 1) {
        let r = row0 + ty * 4 + i;
        let c = col0 + tx * 4 + j;
        if (r < uniforms.M && c < uniforms.N) { result[r * uniforms.N + c] = ${value}; }
      }
    }
  }`,
  };
  return program;
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
}

/** The 2-D view of a matmul operand (rank 2, or rank 3 with a batch of 1), or null. */
function matrix(t: tf.TensorInfo): [number, number] | null {
  if (t.dtype !== 'float32') return null;
  if (t.shape.length === 2) return [t.shape[0], t.shape[1]];
  if (t.shape.length === 3 && t.shape[0] === 1) return [t.shape[1], t.shape[2]];
  return null;
}

/**
 * Runs the GEMM for a BatchMatMul or _FusedMatMul call it supports; returns null (the caller falls back to
 * tfjs' kernel) otherwise.
 */
function gemm(args: KernelArgs, fused: boolean, minTiles: number): tf.TensorInfo | null {
  const be = args.backend as WebgpuBackendLike;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { transposeA, transposeB, activation = 'linear' } = args.attrs as unknown as MatMulAttrs;
  const [ma, mb] = [matrix(a), matrix(b)];
  if (!ma || !mb || preluActivationWeights || (fused && activation !== 'linear' && activation !== 'relu'))
    return null;
  const [M, K] = transposeA ? [ma[1], ma[0]] : ma;
  const [K2, N] = transposeB ? [mb[1], mb[0]] : mb;
  if (K !== K2 || M * N === 0) return null;
  // Few tiles leave most of a GPU idle (a decode step's [B, D] x [D, 3D]): tfjs has programs for those.
  if (Math.ceil(M / TILE) * Math.ceil(N / TILE) < minTiles) return null;
  let kind: Bias = 'none';
  if (bias) {
    const size = tf.util.sizeFromShape(bias.shape);
    if (bias.dtype !== 'float32') return null;
    if (size === M * N && bias.shape[bias.shape.length - 1] === N) kind = 'full';
    else if (size === N && bias.shape[bias.shape.length - 1] === N) kind = 'column';
    else return null;
  }
  const uniforms: UniformValue[] = [M, N, K].map((x) => ({ type: 'int32', data: [x] }));
  const inputs = kind === 'none' ? [a, b] : [a, b, bias];
  const out = be.runWebGPUProgram(
    gemmProgram(transposeA, transposeB, kind, activation === 'relu', M, N),
    inputs.map((t) => float32(t, 'gemm operand')),
    'float32',
    uniforms,
  );
  const shape = a.shape.length === 3 || b.shape.length === 3 ? [1, M, N] : [M, N];
  return { ...out, shape };
}

/** tfjs' own kernel functions while ours are installed, to fall back on and to restore. */
let originals: Map<string, tf.KernelFunc> | null = null;

const GEMM_KERNELS: [string, boolean][] = [
  ['BatchMatMul', false],
  ['_FusedMatMul', true],
];

/** Whether `BREVITY_WEBGPU_GEMM` asks for this GEMM ("1"; unset or "0": tfjs' matmul). */
export function gemmRequested(value: string | undefined = process.env.BREVITY_WEBGPU_GEMM): boolean {
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new Error(`BREVITY_WEBGPU_GEMM must be 0 or 1, got "${value}"`);
}

/**
 * The fewest 64 x 64 output tiles a product needs for this GEMM to take it: at d 256 a training step's
 * products have 32-512 but for two weight gradients ([256, 256]: 16, [256, 64]: 4), a decode step's 1-16.
 */
export const GEMM_MIN_TILES = 32;

/**
 * Puts this GEMM in place of tfjs' BatchMatMul and _FusedMatMul on webgpu for products of at least
 * `minTiles` tiles (idempotent; tests lower it to reach small shapes).
 */
export function installGemm(minTiles = GEMM_MIN_TILES): void {
  if (originals) return;
  originals = new Map();
  for (const [name, fused] of GEMM_KERNELS) {
    const original = tf.getKernel(name, BACKEND)!.kernelFunc;
    originals.set(name, original);
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: (args) => gemm(args as unknown as KernelArgs, fused, minTiles) ?? original(args),
    });
  }
}

/** Puts tfjs' own matmul kernels back. */
export function uninstallGemm(): void {
  if (!originals) return;
  for (const [name, kernelFunc] of originals) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc });
  }
  originals = null;
}
