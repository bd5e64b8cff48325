/**
 * BatchMatMul and _FusedMatMul kernels for tfjs' 'cpu' backend that run the product in the native sgemm
 * (native/src). Semantics mirror tfjs-backend-cpu 4.22: same output shape and dtype; _FusedMatMul adds the
 * bias (broadcast) and applies the activation after the product. Anything the native path does not cover
 * (non-float32 dtypes, prelu, a bias that is not a row vector) goes to the original cpu kernels.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from './native-addon.js';
import { planMatMul } from './matmul-plan.js';

/** Activation codes of the native epilogue (enum Activation in gemm.h). */
const ACTIVATION_CODES: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  elu: 4,
  sigmoid: 5,
};

/** The cpu kernel each activation maps to when it must run after a separate Add (tfjs' applyActivation). */
const ACTIVATION_KERNELS: Record<string, string> = {
  relu: 'Relu',
  relu6: 'Relu6',
  leakyrelu: 'LeakyRelu',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  prelu: 'Prelu',
};

/** tfjs' own cpu kernel of that name (the original even when a native one replaced it). */
export type OriginalKernel = (kernelName: string) => KernelFunc;

interface MatMulArgs {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias: Float32Array | null;
  activation: number;
  alpha: number;
}

interface FusedInputs {
  a: TensorInfo;
  b: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

interface FusedAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/**
 * A float32 tensor's values as a Float32Array. tfjs-cpu may back a float32 tensor with another typed array
 * (Cast from bool keeps an Int32Array), which the addon rejects, so such values are copied.
 */
export function float32Values(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}
const values = float32Values;

function runGemm(addon: NativeAddon, backend: MathBackendCPU, args: MatMulArgs): TensorInfo {
  const plan = planMatMul(args.a.shape, args.b.shape, args.transposeA, args.transposeB);
  const out = new Float32Array(plan.batch * plan.m * plan.n);
  addon.gemm(
    values(backend, args.a),
    values(backend, args.b),
    out,
    plan.batch,
    plan.m,
    plan.n,
    plan.k,
    args.transposeA,
    args.transposeB,
    plan.aIdx,
    plan.bIdx,
    args.bias,
    args.activation,
    args.alpha,
  );
  return backend.makeTensorInfo(plan.outShape, 'float32', out);
}

/**
 * The bias as one value per output column when add(product, bias) keeps the product's shape and repeats
 * the bias over rows (shape [n], [1, n], [1, 1, n], scalar, ...); otherwise null (use the cpu Add kernel).
 */
export function rowBias(
  backend: MathBackendCPU,
  bias: TensorInfo,
  outRank: number,
  n: number,
): Float32Array | null {
  const shape = bias.shape;
  if (bias.dtype !== 'float32' || shape.length > outRank) return null;
  const last = shape.length === 0 ? 1 : shape[shape.length - 1];
  if (shape.slice(0, -1).some((d) => d !== 1) || (last !== n && last !== 1)) return null;
  const vals = values(backend, bias);
  return last === n ? vals : new Float32Array(n).fill(vals[0]);
}

/**
 * _FusedMatMul whose bias or activation the native epilogue cannot take (a bias that is not a row vector,
 * prelu): the product runs natively, then tfjs' own Add and activation kernels, in tfjs' order.
 */
function fusedWithCpuEpilogue(
  addon: NativeAddon,
  original: OriginalKernel,
  params: Parameters<KernelFunc>[0],
  biasRow: Float32Array | null,
): TensorInfo {
  const { a, b, bias, preluActivationWeights } = params.inputs as unknown as FusedInputs;
  const attrs = params.attrs as unknown as FusedAttrs;
  const backend = params.backend as MathBackendCPU;
  const { transposeA, transposeB } = attrs;
  let current = runGemm(addon, backend, {
    a,
    b,
    transposeA,
    transposeB,
    bias: biasRow,
    activation: 0,
    alpha: 0,
  });
  const step = (next: TensorInfo | TensorInfo[]): void => {
    backend.disposeIntermediateTensorInfo(current);
    current = Array.isArray(next) ? next[0] : next;
  };
  if (bias !== undefined && biasRow === null)
    step(original('Add')({ inputs: { a: current, b: bias }, backend }));
  const activation = attrs.activation ?? 'linear';
  const kernelName = ACTIVATION_KERNELS[activation];
  if (kernelName === 'Prelu') {
    step(original('Prelu')({ inputs: { x: current, alpha: preluActivationWeights }, backend }));
  } else if (kernelName !== undefined) {
    const kernelAttrs = { alpha: attrs.leakyreluAlpha ?? 0 };
    step(original(kernelName)({ inputs: { x: current }, backend, attrs: kernelAttrs }));
  }
  return current;
}

export function makeNativeKernels(addon: NativeAddon, original: OriginalKernel): KernelConfig[] {
  const batchMatMul: KernelFunc = (params) => {
    const { a, b } = params.inputs as unknown as FusedInputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original('BatchMatMul')(params);
    const { transposeA, transposeB } = params.attrs as unknown as FusedAttrs;
    const backend = params.backend as MathBackendCPU;
    return runGemm(addon, backend, { a, b, transposeA, transposeB, bias: null, activation: 0, alpha: 0 });
  };

  const fusedMatMul: KernelFunc = (params) => {
    const { a, b, bias } = params.inputs as unknown as FusedInputs;
    const attrs = params.attrs as unknown as FusedAttrs;
    const activation = attrs.activation ?? 'linear';
    const code = ACTIVATION_CODES[activation];
    const known = code !== undefined || activation === 'prelu';
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !known) return original('_FusedMatMul')(params);
    const backend = params.backend as MathBackendCPU;
    const outRank = Math.max(a.shape.length, b.shape.length);
    const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const biasRow = bias === undefined ? null : rowBias(backend, bias, outRank, n);
    if (code === undefined || (bias !== undefined && biasRow === null)) {
      return fusedWithCpuEpilogue(addon, original, params, biasRow);
    }
    const { transposeA, transposeB } = attrs;
    const alpha = attrs.leakyreluAlpha ?? 0;
    return runGemm(addon, backend, { a, b, transposeA, transposeB, bias: biasRow, activation: code, alpha });
  };

  return [
    { kernelName: 'BatchMatMul', backendName: 'cpu', kernelFunc: batchMatMul },
    { kernelName: '_FusedMatMul', backendName: 'cpu', kernelFunc: fusedMatMul },
  ];
}
