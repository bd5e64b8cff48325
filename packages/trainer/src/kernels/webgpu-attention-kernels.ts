/**
 * The attention kernels on webgpu: the training attention and its gradient (BrevityAttention,
 * BrevityAttentionGrad) and one decode step over the packed cache (BrevityAttendCache, BrevityKvAppend), as
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
  kvAppendProgram,
} from './webgpu-attention.js';
import { f32, i32, type KernelArgs, type WebgpuBackendLike } from './webgpu-kernel-args.js';
import { rowUniforms, type UniformValue } from './webgpu-programs.js';

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

export function attendCache({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { qkv, kv, bias } = inputs;
  const [B, H2, S, Dh] = kv.shape;
  const H = H2 / 2;
  const name = FUSED_KERNELS.attendCache;
  tf.util.assert(
    kv.shape.length === 4 &&
      Number.isInteger(H) &&
      qkv.shape.join() === [B, 3 * H * Dh].join() &&
      bias.shape.length === 4 &&
      bias.shape[0] === B &&
      bias.shape[3] >= S,
    () => `${name}: qkv [${qkv.shape}], kv [${kv.shape}] and bias [${bias.shape}] do not match`,
  );
  tf.util.assert(
    S <= ATTENTION_LIMITS.maxT && Dh <= ATTENTION_LIMITS.maxDh,
    () => `${name}: ${S} slots or head width ${Dh} exceeds ${JSON.stringify(ATTENTION_LIMITS)}`,
  );
  const scale = (attrs as { scale: number }).scale;
  return be.runWebGPUProgram(attendCacheProgram(B, H, S, Dh), [qkv, kv, bias], 'float32', [
    ...rowUniforms(B * H, S),
    i32(H),
    i32(Dh),
    i32(bias.shape[3]),
    f32(scale),
  ]);
}

export function kvAppend({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { cache, qkv } = inputs;
  const [B, H2, S, Dh] = cache.shape;
  const H = H2 / 2;
  tf.util.assert(
    cache.shape.length === 4 && Number.isInteger(H) && qkv.shape.join() === [B, 3 * H * Dh].join(),
    () => `${FUSED_KERNELS.kvAppend}: cache [${cache.shape}] and qkv [${qkv.shape}] do not match`,
  );
  return be.runWebGPUProgram(kvAppendProgram(B, H, S, Dh), [cache, qkv], 'float32', [
    i32(B * H2 * (S + 1) * Dh),
    i32(H),
    i32(S),
    i32(Dh),
  ]);
}
