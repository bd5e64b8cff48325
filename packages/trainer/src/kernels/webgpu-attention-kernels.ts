/**
 * The attention kernels on webgpu: the training attention and its gradient (BrevityAttention,
 * BrevityAttentionGrad) and one decode step over the packed cache, in place (BrevityAttendCache), as
 * the WGSL programs of webgpu-attention.ts. Registered with the others by webgpu-fused.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { ATTENTION_LIMITS, FUSED_KERNELS } from './fused-names.js';
import { attentionShape } from './fused-shapes.js';
import {
  attendCacheProgram,
  attentionGradQkvProgram,
  attentionGradScoresProgram,
  attentionProgram,
} from './webgpu-attention.js';
import { f32, i32, type KernelArgs, type WebgpuBackendLike } from './webgpu-kernel-args.js';
import { rowUniforms, type UniformValue } from './webgpu-programs.js';
import { assertOwnBuffers, dropHostCopies } from './webgpu-read-write.js';

function attentionUniforms(s: ReturnType<typeof attentionShape>, scale: number): UniformValue[] {
  return [...rowUniforms(s.B * s.H * s.T, s.T), i32(s.T), i32(s.H), i32(s.Dh), i32(s.batches), f32(scale)];
}

export function attention({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { qkv, bias } = inputs;
  const { heads, scale } = attrs as { heads: number; scale: number };
  const s = attentionShape(qkv, bias, heads, FUSED_KERNELS.attention);
  return be.runWebGPUProgram(
    attentionProgram(s.B, s.H, s.T, s.Dh),
    [qkv, bias],
    'float32',
    attentionUniforms(s, scale),
  );
}

export function attentionGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { qkv, bias, dy } = inputs;
  const { heads, scale } = attrs as { heads: number; scale: number };
  const s = attentionShape(qkv, bias, heads, FUSED_KERNELS.attentionGrad);
  const pds = be.runWebGPUProgram(
    attentionGradScoresProgram(s.B, s.H, s.T, s.Dh),
    [qkv, bias, dy],
    'float32',
    attentionUniforms(s, scale),
  );
  try {
    const n = s.B * s.H * s.T;
    return be.runWebGPUProgram(attentionGradQkvProgram(s.B, s.H, s.T, s.Dh), [qkv, pds, dy], 'float32', [
      i32(s.T),
      i32(s.H),
      i32(s.Dh),
      i32(n * s.Dh),
      i32(n),
    ]);
  } finally {
    be.disposeData(pds.dataId);
  }
}

/** One decode step over the packed cache, writing the step's keys and values into it in place. */
export function attendCache({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { qkv, kv, bias } = inputs;
  const [B, H2, C, Dh] = kv.shape;
  const H = H2 / 2;
  const { slot, scale } = attrs as { slot: number; scale: number };
  const name = FUSED_KERNELS.attendCache;
  tf.util.assert(
    kv.shape.length === 4 &&
      Number.isInteger(H) &&
      qkv.shape.join() === [B, 3 * H * Dh].join() &&
      bias.shape.length === 4 &&
      bias.shape[0] === B &&
      bias.shape[3] >= C,
    () => `${name}: qkv [${qkv.shape}], kv [${kv.shape}] and bias [${bias.shape}] do not match`,
  );
  tf.util.assert(
    Number.isInteger(slot) && slot >= 0 && slot < C,
    () => `${name}: slot ${slot} is outside the cache's ${C} slots`,
  );
  tf.util.assert(
    C <= ATTENTION_LIMITS.maxT && Dh <= ATTENTION_LIMITS.maxDh,
    () => `${name}: ${C} slots or head width ${Dh} exceeds ${JSON.stringify(ATTENTION_LIMITS)}`,
  );
  assertOwnBuffers(be, [kv], name);
  const out = be.runWebGPUProgram(attendCacheProgram(B, H, C, Dh), [qkv, kv, bias], 'float32', [
    ...rowUniforms(B * H, slot + 1),
    i32(H),
    i32(Dh),
    i32(bias.shape[3]),
    f32(scale),
    i32(C),
    i32(slot),
  ]);
  dropHostCopies(be, [kv]);
  return out;
}
