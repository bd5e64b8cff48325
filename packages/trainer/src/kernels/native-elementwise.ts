/**
 * Native versions of the cpu kernels that dominate a train step once matmul is native (measured with
 * tf.profile on the bench model: SplitV, Softmax, broadcasting Multiply/Add/Sub/RealDiv and Transpose were
 * ~80% of the step; then Sum, Mean, Relu, its gradient Step, Concat, PadV2 (a slice's gradient); GatherV2 in
 * sampling).
 * tfjs-backend-cpu computes most of these per element through index arithmetic (indexToLoc / locToIndex,
 * TensorBuffer.get), or transposes before a reduction; here they are strided loops in C (Concat: row
 * copies with TypedArray.set, as PadV2). Results match tfjs to float32 rounding (same operations, same accumulation
 * order). Non-float32 inputs, ranks above 8 and the contiguous slices tfjs serves as
 * views keep the original kernels.
 */
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from './native-addon.js';
import { float32Values as values, type OriginalKernel } from './native-matmul.js';

const MAX_RANK = 8;

/** Binary op codes (enum BinaryOp in elementwise.h). */
const BINARY_OPS: [kernelName: string, code: number][] = [
  ['Add', 0],
  ['Sub', 1],
  ['Multiply', 2],
  ['RealDiv', 3],
];

type Params = Parameters<KernelFunc>[0];

/** Strides of `shape` read in `outShape` (right-aligned): 0 on broadcast and missing dims. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = util.computeStrides([...shape]);
  const offset = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const i = d - offset;
    if (i < 0 || shape[i] === 1) return 0;
    return i === shape.length - 1 ? 1 : own[i];
  });
}

/** Row-major strides including the last dim's 1. */
const contiguousStrides = (shape: readonly number[]): number[] =>
  shape.length === 0 ? [] : [...util.computeStrides([...shape]), 1];

function sliceNative(
  addon: NativeAddon,
  backend: MathBackendCPU,
  x: TensorInfo,
  begin: number[],
  size: number[],
): TensorInfo {
  const src = values(backend, x);
  if (slice_util.isSliceContinous(x.shape, begin, size)) {
    // tfjs serves a contiguous slice as a view of the input; keep that behaviour (and its zero copy).
    const offset = slice_util.computeFlatOffset(begin, util.computeStrides(x.shape));
    return backend.makeTensorInfo(size, 'float32', src.subarray(offset, offset + util.sizeFromShape(size)));
  }
  const strides = contiguousStrides(x.shape);
  const offset = begin.reduce((acc, b, d) => acc + b * strides[d], 0);
  const out = new Float32Array(util.sizeFromShape(size));
  addon.copyStrided(src, out, offset, size, strides);
  return backend.makeTensorInfo(size, 'float32', out);
}

/** float32 with 1..8 dims (0..8 with `scalarOk`: binary ops broadcast scalars). */
function usable(x: TensorInfo | undefined, scalarOk = false): x is TensorInfo {
  const rank = x?.shape.length ?? -1;
  return x !== undefined && x.dtype === 'float32' && rank >= (scalarOk ? 0 : 1) && rank <= MAX_RANK;
}

/** Sum (divisor 0) or Mean (divisor = reduced size) over `axis`, tfjs' output shape and order. */
function reduce(
  addon: NativeAddon,
  backend: MathBackendCPU,
  x: TensorInfo,
  attrs: { axis: number | number[]; keepDims: boolean },
  mean: boolean,
): TensorInfo {
  const axes = util.parseAxisParam(attrs.axis, x.shape);
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const reduceSize = util.sizeFromShape(reduceShape);
  const outStrides = contiguousStrides(outShape);
  let kept = 0;
  const strides = x.shape.map((_, d) => (axes.includes(d) ? 0 : outStrides[kept++]));
  const out = new Float32Array(util.sizeFromShape(outShape));
  addon.reduceSum(values(backend, x), out, [...x.shape], strides, mean ? reduceSize : 0);
  const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  return backend.makeTensorInfo(shape, 'float32', out);
}

/** A native kernel body: its result, or null to run tfjs' own kernel instead. */
type NativeBody = (
  addon: NativeAddon,
  backend: MathBackendCPU,
  params: Params,
) => TensorInfo | TensorInfo[] | null;

const transposeBody: NativeBody = (addon, backend, params) => {
  const x = params.inputs.x;
  if (!usable(x)) return null;
  const perm = (params.attrs as unknown as { perm: number[] }).perm;
  const inStrides = contiguousStrides(x.shape);
  const outShape = perm.map((p) => x.shape[p]);
  const out = new Float32Array(util.sizeFromShape(outShape));
  const strides = perm.map((p) => inStrides[p]);
  addon.copyStrided(values(backend, x), out, 0, outShape, strides);
  return backend.makeTensorInfo(outShape, 'float32', out);
};

const sliceBody: NativeBody = (addon, backend, params) => {
  const x = params.inputs.x;
  if (!usable(x)) return null;
  const attrs = params.attrs as unknown as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  slice_util.assertParamsValid(x, begin, size);
  return sliceNative(addon, backend, x, begin, size);
};

const splitVBody: NativeBody = (addon, backend, params) => {
  const x = params.inputs.x;
  if (!usable(x)) return null;
  const attrs = params.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
  const begin: number[] = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const part = sliceNative(addon, backend, x, [...begin], size);
    begin[axis] += s;
    return part;
  });
};

const softmaxBody: NativeBody = (addon, backend, params) => {
  const logits = params.inputs.logits;
  const dim = (params.attrs as unknown as { dim: number }).dim;
  const rank = logits?.shape.length ?? 0;
  if (!usable(logits) || (dim !== -1 && dim !== rank - 1)) return null;
  const cols = logits.shape[rank - 1];
  const out = new Float32Array(util.sizeFromShape(logits.shape));
  if (cols > 0) addon.softmax(values(backend, logits), out, out.length / cols, cols);
  return backend.makeTensorInfo(logits.shape, 'float32', out);
};

const binaryBody =
  (code: number): NativeBody =>
  (addon, backend, params) => {
    const { a, b } = params.inputs;
    if (!usable(a, true) || !usable(b, true)) return null;
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (outShape.length === 0) return null;
    const out = new Float32Array(util.sizeFromShape(outShape));
    const as = broadcastStrides(a.shape, outShape);
    const bs = broadcastStrides(b.shape, outShape);
    addon.binary(code, values(backend, a), values(backend, b), out, outShape, as, bs);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };

const reductionBody =
  (mean: boolean): NativeBody =>
  (addon, backend, params) => {
    const x = params.inputs.x;
    if (!usable(x)) return null;
    const attrs = params.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    return reduce(addon, backend, x, attrs, mean);
  };

const unaryBody =
  (code: number): NativeBody =>
  (addon, backend, params) => {
    const x = params.inputs.x;
    if (!usable(x, true)) return null;
    const out = new Float32Array(util.sizeFromShape(x.shape));
    const alpha = (params.attrs as { alpha?: number } | undefined)?.alpha ?? 0;
    addon.unary(code, values(backend, x), out, alpha);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };

const gatherBody: NativeBody = (addon, backend, params) => {
  const { x, indices } = params.inputs;
  if (!usable(x) || indices === undefined || indices.dtype !== 'int32') return null;
  const attrs = params.attrs as unknown as { axis: number; batchDims?: number };
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const idx = backend.data.get(indices.dataId).values as Int32Array;
  const dim = x.shape[axis];
  for (const index of idx) {
    // tfjs' own check and message
    util.assert(
      index <= dim - 1 && index >= 0,
      () => `GatherV2: the index value ${index} is not in [0, ${dim - 1}]`,
    );
  }
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x, indices, axis, attrs.batchDims ?? 0);
  const out = new Float32Array(util.sizeFromShape(info.outputShape));
  addon.gather(values(backend, x), idx, out, info.batchSize, info.outerSize, info.dimSize, info.sliceSize);
  return backend.makeTensorInfo(info.outputShape, 'float32', out);
};

/** Concat: per outer row, one TypedArray.set (a memcpy) per input; tfjs copies element by element. */
const concatBody: NativeBody = (_addon, backend, params) => {
  const all = Object.values(params.inputs) as TensorInfo[];
  const axis = util.parseAxisParam((params.attrs as unknown as { axis: number }).axis, all[0].shape)[0];
  const inputs = all.filter((t) => util.sizeFromShape(t.shape) > 0);
  if (inputs.length < 2 || !inputs.every((t) => usable(t))) return null;
  backend_util.assertParamsConsistent(
    all.map((t) => t.shape),
    axis,
  );
  const outShape = backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    axis,
  );
  const out = new Float32Array(util.sizeFromShape(outShape));
  const rows = util.sizeFromShape(outShape.slice(0, axis));
  const rowSize = out.length / rows;
  let col = 0;
  for (const t of inputs) {
    const src = values(backend, t);
    const inner = src.length / rows;
    for (let r = 0; r < rows; r++) {
      const from = r * inner;
      if (inner >= 16) out.set(src.subarray(from, from + inner), r * rowSize + col);
      else for (let j = 0; j < inner; j++) out[r * rowSize + col + j] = src[from + j];
    }
    col += inner;
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
};

/** PadV2: the output filled with the constant, then one TypedArray.set per innermost row of x. */
const padBody: NativeBody = (_addon, backend, params) => {
  const x = params.inputs.x;
  if (!usable(x)) return null;
  const attrs = params.attrs as unknown as { paddings: [number, number][]; constantValue: number };
  const pads = attrs.paddings;
  const rank = x.shape.length;
  const outShape = x.shape.map((s, d) => pads[d][0] + s + pads[d][1]);
  const out = new Float32Array(util.sizeFromShape(outShape));
  if (!Object.is(attrs.constantValue, 0)) out.fill(attrs.constantValue);
  const src = values(backend, x);
  const inner = x.shape[rank - 1];
  const strides = contiguousStrides(outShape);
  const idx = new Array<number>(rank).fill(0);
  for (let from = 0; inner > 0 && from < src.length; from += inner) {
    let at = pads[rank - 1][0];
    for (let d = 0; d < rank - 1; d++) at += (idx[d] + pads[d][0]) * strides[d];
    out.set(src.subarray(from, from + inner), at);
    for (let d = rank - 2; d >= 0 && ++idx[d] === x.shape[d]; d--) idx[d] = 0;
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
};

const BODIES: [kernelName: string, body: NativeBody][] = [
  ['Concat', concatBody],
  ['PadV2', padBody],
  ['GatherV2', gatherBody],
  ['Transpose', transposeBody],
  ['Slice', sliceBody],
  ['SplitV', splitVBody],
  ['Softmax', softmaxBody],
  ...BINARY_OPS.map(([name, code]): [string, NativeBody] => [name, binaryBody(code)]),
  ['Sum', reductionBody(false)],
  ['Mean', reductionBody(true)],
  ['Relu', unaryBody(0)],
  ['Step', unaryBody(1)],
  ['Sqrt', unaryBody(2)],
  ['Exp', unaryBody(3)],
  ['Square', unaryBody(4)],
  ['Rsqrt', unaryBody(5)],
  ['Neg', unaryBody(6)],
  ['Log', unaryBody(7)],
];

export function makeElementwiseKernels(addon: NativeAddon, original: OriginalKernel): KernelConfig[] {
  return BODIES.map(([kernelName, body]) => ({
    kernelName,
    backendName: 'cpu',
    kernelFunc: (params: Params) =>
      body(addon, params.backend as MathBackendCPU, params) ?? original(kernelName)(params),
  }));
}
