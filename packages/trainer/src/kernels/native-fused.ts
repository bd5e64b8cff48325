/**
 * The fused model kernels (fused-names.ts) on tfjs' cpu backend, computed by the native addon: one call
 * instead of the handful of tfjs ops (each allocating its output) that model/fused.ts composes otherwise.
 *
 * BrevityAttendDecode writes the new keys and values INTO its kCacheT and vCache inputs (the preallocated
 * KV cache of model/kv-cache.ts); it refuses caches whose typed array is a view of a larger buffer, since
 * a write there could reach another tensor.
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import { FUSED_KERNELS } from './fused-names.js';
import { attentionShape, maskedSoftmaxShape } from './fused-shapes.js';
import type { NativeAddon } from './native-addon.js';
import { float32Values as values } from './native-matmul.js';

type Params = Parameters<KernelFunc>[0];

/** The cache's own Float32Array, safe to write in place. */
function ownedValues(backend: MathBackendCPU, t: TensorInfo, what: string): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (!(v instanceof Float32Array) || v.byteOffset !== 0 || v.buffer.byteLength !== v.byteLength)
    throw new Error(`${FUSED_KERNELS.attendDecode}: ${what} must be a float32 tensor that owns its buffer`);
  return v;
}

function attendDecode(addon: NativeAddon, { inputs, backend, attrs }: Params): TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { qkv, kCacheT, vCache, bias } = inputs as Record<string, TensorInfo>;
  const { slot, scale } = attrs as unknown as { slot: number; scale: number };
  const [B, H, C, Dh] = vCache.shape;
  const D = H * Dh;
  util.assert(
    qkv.shape[0] === B && qkv.shape[1] === 3 * D && util.arraysEqual(kCacheT.shape, [B, H, Dh, C]),
    () =>
      `${FUSED_KERNELS.attendDecode}: qkv [${qkv.shape}], kCacheT [${kCacheT.shape}] and vCache [${vCache.shape}] do not match`,
  );
  const stride = bias.shape[bias.shape.length - 1];
  util.assert(
    util.sizeFromShape(bias.shape) === B * stride && slot < C && slot < stride,
    () => `${FUSED_KERNELS.attendDecode}: bias [${bias.shape}] or slot ${slot} does not fit the cache`,
  );
  const out = new Float32Array(B * D);
  const k = ownedValues(cpu, kCacheT, 'kCacheT');
  const v = ownedValues(cpu, vCache, 'vCache');
  addon.attendDecode(values(cpu, qkv), k, v, values(cpu, bias), out, B, H, Dh, C, slot, scale, stride);
  return cpu.makeTensorInfo([B, D], 'float32', out);
}

function kvCacheInit(addon: NativeAddon, { inputs, backend, attrs }: Params): TensorInfo[] {
  const cpu = backend as MathBackendCPU;
  const { k, v } = inputs as Record<string, TensorInfo>;
  const C = (attrs as unknown as { capacity: number }).capacity;
  const [B, H, P, Dh] = k.shape;
  util.assert(
    util.arraysEqual(v.shape, k.shape) && P <= C,
    () => `${FUSED_KERNELS.kvCacheInit}: k [${k.shape}], v [${v.shape}] and capacity ${C} do not fit`,
  );
  const kT = new Float32Array(B * H * Dh * C);
  const vc = new Float32Array(B * H * C * Dh);
  addon.kvCacheInit(values(cpu, k), values(cpu, v), kT, vc, B * H, P, Dh, C);
  return [cpu.makeTensorInfo([B, H, Dh, C], 'float32', kT), cpu.makeTensorInfo([B, H, C, Dh], 'float32', vc)];
}

function maskedSoftmax(addon: NativeAddon, { inputs, backend }: Params): TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { x, bias } = inputs as Record<string, TensorInfo>;
  const { B, H, T, S, biasBatches } = maskedSoftmaxShape(x, bias);
  const out = new Float32Array(util.sizeFromShape(x.shape));
  addon.maskedSoftmax(values(cpu, x), values(cpu, bias), out, B * H * T, S, T, H, biasBatches);
  return cpu.makeTensorInfo(x.shape, 'float32', out);
}

function softmaxGrad(addon: NativeAddon, { inputs, backend }: Params): TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { y, dy } = inputs as Record<string, TensorInfo>;
  const cols = y.shape[y.shape.length - 1];
  const out = new Float32Array(util.sizeFromShape(y.shape));
  addon.softmaxGrad(values(cpu, y), values(cpu, dy), out, out.length / cols, cols);
  return cpu.makeTensorInfo(y.shape, 'float32', out);
}

function int32Values(backend: MathBackendCPU, t: TensorInfo, what: string): Int32Array {
  const v = backend.data.get(t.dataId).values;
  util.assert(v instanceof Int32Array, () => `${what} must be an int32 tensor`);
  return v as Int32Array;
}

function crossEntropy(addon: NativeAddon, { inputs, backend }: Params): TensorInfo[] {
  const cpu = backend as MathBackendCPU;
  const { logits, targets, weights } = inputs as Record<string, TensorInfo>;
  const [N, V] = logits.shape;
  util.assert(
    logits.shape.length === 2 && targets.shape[0] === N && weights.shape[0] === N,
    () => `${FUSED_KERNELS.crossEntropy}: logits [${logits.shape}], targets and weights [N] do not match`,
  );
  const probs = new Float32Array(N * V);
  const t = int32Values(cpu, targets, `${FUSED_KERNELS.crossEntropy}: targets`);
  const loss = addon.crossEntropy(values(cpu, logits), t, values(cpu, weights), probs, N, V);
  return [
    cpu.makeTensorInfo([], 'float32', Float32Array.of(loss)),
    cpu.makeTensorInfo([N, V], 'float32', probs),
  ];
}

function crossEntropyGrad(addon: NativeAddon, { inputs, backend }: Params): TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { probs, targets, weights, dy } = inputs as Record<string, TensorInfo>;
  const [N, V] = probs.shape;
  const out = new Float32Array(N * V);
  const t = int32Values(cpu, targets, `${FUSED_KERNELS.crossEntropyGrad}: targets`);
  const g = values(cpu, dy)[0];
  addon.crossEntropyGrad(values(cpu, probs), t, values(cpu, weights), g, out, N, V);
  return cpu.makeTensorInfo([N, V], 'float32', out);
}

function rmsNorm(addon: NativeAddon, { inputs, backend, attrs }: Params): TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { x, g } = inputs as Record<string, TensorInfo>;
  const cols = x.shape[x.shape.length - 1];
  const out = new Float32Array(util.sizeFromShape(x.shape));
  const eps = (attrs as unknown as { eps: number }).eps;
  addon.rmsNorm(values(cpu, x), values(cpu, g), out, out.length / cols, cols, eps);
  return cpu.makeTensorInfo(x.shape, 'float32', out);
}

function rmsNormGrad(addon: NativeAddon, { inputs, backend, attrs }: Params): TensorInfo[] {
  const cpu = backend as MathBackendCPU;
  const { x, g, dy } = inputs as Record<string, TensorInfo>;
  const cols = x.shape[x.shape.length - 1];
  const dx = new Float32Array(util.sizeFromShape(x.shape));
  const dg = new Float32Array(cols);
  const eps = (attrs as unknown as { eps: number }).eps;
  const rows = dx.length / cols;
  addon.rmsNormGrad(values(cpu, x), values(cpu, g), values(cpu, dy), dx, dg, rows, cols, eps);
  return [cpu.makeTensorInfo(x.shape, 'float32', dx), cpu.makeTensorInfo([cols], 'float32', dg)];
}

/** B, H, T, Dh and the bias blocks of a training attention call, checked against the limits and the bias. */
function attention(addon: NativeAddon, { inputs, backend, attrs }: Params): TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { qkv, bias } = inputs as Record<string, TensorInfo>;
  const { heads, scale } = attrs as unknown as { heads: number; scale: number };
  const s = attentionShape(qkv, bias, heads, FUSED_KERNELS.attention);
  const y = new Float32Array(s.B * s.T * s.H * s.Dh);
  addon.attention(values(cpu, qkv), values(cpu, bias), y, s.B, s.T, s.H, s.Dh, s.batches, scale);
  return cpu.makeTensorInfo([s.B * s.T, s.H * s.Dh], 'float32', y);
}

function attentionGrad(addon: NativeAddon, { inputs, backend, attrs }: Params): TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { qkv, bias, dy } = inputs as Record<string, TensorInfo>;
  const { heads, scale } = attrs as unknown as { heads: number; scale: number };
  const s = attentionShape(qkv, bias, heads, FUSED_KERNELS.attentionGrad);
  util.assert(
    util.arraysEqual(dy.shape, [s.B * s.T, s.H * s.Dh]),
    () => `${FUSED_KERNELS.attentionGrad}: dy [${dy.shape}] must be [${s.B * s.T}, ${s.H * s.Dh}]`,
  );
  const dqkv = new Float32Array(util.sizeFromShape(qkv.shape));
  const [q, b, g] = [values(cpu, qkv), values(cpu, bias), values(cpu, dy)];
  addon.attentionGrad(q, b, g, dqkv, s.B, s.T, s.H, s.Dh, s.batches, scale);
  return cpu.makeTensorInfo(qkv.shape, 'float32', dqkv);
}

const BODIES: [string, (addon: NativeAddon, p: Params) => TensorInfo | TensorInfo[]][] = [
  [FUSED_KERNELS.attendDecode, attendDecode],
  [FUSED_KERNELS.kvCacheInit, kvCacheInit],
  [FUSED_KERNELS.maskedSoftmax, maskedSoftmax],
  [FUSED_KERNELS.softmaxGrad, softmaxGrad],
  [FUSED_KERNELS.crossEntropy, crossEntropy],
  [FUSED_KERNELS.crossEntropyGrad, crossEntropyGrad],
  [FUSED_KERNELS.rmsNorm, rmsNorm],
  [FUSED_KERNELS.rmsNormGrad, rmsNormGrad],
  [FUSED_KERNELS.attention, attention],
  [FUSED_KERNELS.attentionGrad, attentionGrad],
];

/**
 * The fused kernels the native addon provides: all of fused-names.ts but the webgpu-only ones: attendCache
 * (its cache layout), rmsNormTrain, normMatMul, embedGrad, adamTensors and addTensors.
 */
export const NATIVE_FUSED_KERNELS: readonly string[] = BODIES.map(([name]) => name);

export function makeFusedKernels(addon: NativeAddon): KernelConfig[] {
  return BODIES.map(([kernelName, body]) => ({
    kernelName,
    backendName: 'cpu',
    kernelFunc: (params: Params) => body(addon, params),
  }));
}
