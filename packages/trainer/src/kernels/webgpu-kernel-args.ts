/**
 * What the fused webgpu kernels (webgpu-fused.ts, webgpu-attention-kernels.ts) share: the slice of
 * tfjs-backend-webgpu's backend they use, their argument type, uniform builders and input checks.
 */
import * as tf from '@tensorflow/tfjs';
import type { UniformValue, WgslProgram } from './webgpu-programs.js';

/** What the kernels use of tfjs-backend-webgpu's WebGPUBackend. */
export interface WebgpuBackendLike {
  runWebGPUProgram(
    program: WgslProgram,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: UniformValue[],
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  refCount(dataId: object): number;
  incRef(dataId: object): void;
  /** Per tensor: its host copy (kept after a read, null once stale) among other fields. */
  tensorMap: { get(dataId: object): { values: unknown } };
  device: {
    limits: { maxStorageBuffersPerShaderStage: number };
    createShaderModule(descriptor: { code: string; label?: string }): unknown;
  };
}

export type Inputs = Record<string, tf.TensorInfo>;
export type KernelArgs = { inputs: Inputs; backend: unknown; attrs?: Record<string, unknown> };

export const BACKEND = 'webgpu';
export const f32 = (x: number): UniformValue => ({ type: 'float32', data: [x] });
export const i32 = (x: number): UniformValue => ({ type: 'int32', data: [x] });

export function float32(t: tf.TensorInfo, what: string): tf.TensorInfo {
  if (t.dtype !== 'float32') throw new Error(`${what} must be float32, got ${t.dtype}`);
  return t;
}

/** [rows, cols] of a tensor taken as rows over its last axis. */
export function rowsCols(t: tf.TensorInfo): [number, number] {
  const cols = t.shape[t.shape.length - 1] ?? 1;
  return [cols === 0 ? 0 : tf.util.sizeFromShape(t.shape) / cols, cols];
}
