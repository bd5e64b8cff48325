/**
 * The KV cache of batched decoding: every block's keys and values plus the key mask, owned by generate().
 * Three layouts behind one interface, picked by what the backend can do:
 * - in place (backends with the fused attention kernel, i.e. cpu with the native addon): keys transposed
 *   [B, H, Dh, C] and values [B, H, C, Dh], allocated once for the whole generation (C = prompt + cap - 1
 *   slots); each step's attention is ONE kernel that writes the new key and value into their slot and
 *   attends over the filled ones (the transposed keys make the scores a vectorised axpy per dimension);
 * - packed (backends with the packed-cache kernel, i.e. webgpu): keys and values of a block in ONE tensor
 *   [B, 2H, C, Dh], allocated once; each step is one kernel that stores the new key and value in place and
 *   attends over the filled slots;
 * - by concatenation (every other backend): [B, H, S, Dh] grown by one slot per step, attention composed
 *   from tfjs ops (split, concat, matMul, softmax).
 * Both compute softmax(q K^T / sqrt(Dh) + mask) V over the same slots; tests compare them.
 */
import * as tf from '@tensorflow/tfjs';
import { ATTENTION_LIMITS, FUSED_KERNELS } from '../kernels/fused-names.js';

import { attendDecodeFused, hasKernel } from './fused.js';
import { tidy } from './ops.js';

/** Whether the backend has the packed-cache kernels and the generation fits their limits. */
const canAttendCache = (slots: number, headWidth: number) =>
  slots <= ATTENTION_LIMITS.maxT &&
  headWidth <= ATTENTION_LIMITS.maxDh &&
  hasKernel(FUSED_KERNELS.attendCache);

/** Keys and values of one block: each [B, H, S, Dh]. */
export type LayerKv = { k: tf.Tensor4D; v: tf.Tensor4D };

export interface DecodeCache {
  /** Rows of the device batch. */
  readonly rows: number;
  /** Filled slots (prompt and fed tokens); the next token is stored at slot `length`. */
  readonly length: number;
  /** Attention of block `layer` for the next token: stores its key and value from qkv [B, 3D], returns [B, D]. */
  attend(layer: number, qkv: tf.Tensor2D): tf.Tensor2D;
  /** Ends a decode step (after every block attended): the stored token now counts as filled. */
  advance(): void;
  /** Keeps only the device rows at `keep`, in that order (finished rows leave the batch). */
  compact(keep: number[]): void;
  dispose(): void;
}

export interface CacheShape {
  heads: number;
  /** Slots the whole generation needs (prompt + tokens fed back). */
  capacity: number;
}

abstract class BaseCache implements DecodeCache {
  protected readonly scale: number;
  length: number;
  /**
   * Per block the cache's tensors, batch rows first: [keys, values] in the in-place and concat layouts,
   * [packed] in the packed one.
   */
  constructor(
    protected layers: tf.Tensor4D[][],
    protected mask: tf.Tensor4D,
    protected readonly heads: number,
    filled: number,
    headWidth: number,
  ) {
    this.scale = 1 / Math.sqrt(headWidth);
    this.length = filled;
  }
  get rows(): number {
    return this.mask.shape[0];
  }
  abstract attend(layer: number, qkv: tf.Tensor2D): tf.Tensor2D;
  advance(): void {
    this.length += 1;
  }
  compact(keep: number[]): void {
    const next = tidy(() => {
      const idx = tf.tensor1d(keep, 'int32');
      const layers = this.layers.map((ts) => ts.map((t) => tf.gather(t, idx) as tf.Tensor4D));
      return { layers, mask: tf.gather(this.mask, idx) };
    });
    this.dispose();
    ({ layers: this.layers, mask: this.mask } = next);
  }
  dispose(): void {
    tf.dispose([...this.layers.flat(), this.mask]);
  }
}

/** Per block keys transposed [B, H, Dh, C] and values [B, H, C, Dh], written in place by the fused kernel. */
class InPlaceCache extends BaseCache {
  attend(layer: number, qkv: tf.Tensor2D): tf.Tensor2D {
    const [k, v] = this.layers[layer];
    return attendDecodeFused(qkv, k, v, this.mask, this.length, this.scale);
  }
}

/** [B, H, S, Dh] per block, grown by concatenation; attention from tfjs ops. */
class ConcatCache extends BaseCache {
  attend(layer: number, qkv: tf.Tensor2D): tf.Tensor2D {
    const [B, H] = [qkv.shape[0], this.heads];
    const dh = qkv.shape[1] / (3 * H);
    const [q, k1, v1] = tf.split(tf.reshape(qkv, [B, 3 * H, 1, dh]), 3, 1) as tf.Tensor4D[]; // [B, H, 1, Dh]
    const [oldK, oldV] = this.layers[layer];
    const k = tf.keep(tf.concat([oldK, k1], 2)); // [B, H, S, Dh]
    const v = tf.keep(tf.concat([oldV, v1], 2));
    tf.dispose([oldK, oldV]);
    this.layers[layer] = [k, v];
    const bias = tf.slice(this.mask, [0, 0, 0, 0], [B, 1, 1, this.length + 1]);
    const att = tf.softmax(tf.add(tf.matMul(tf.mul(q, this.scale), k, false, true), bias)); // [B, H, 1, S]
    return tf.reshape(tf.matMul(att, v), [B, H * dh]) as tf.Tensor2D;
  }
}

/**
 * One tensor [B, 2H, C, Dh] per block (keys in heads 0..H-1, values in H..2H-1), allocated once for the
 * whole generation; each step's attention is ONE kernel (attendCache) that writes the step's keys and values
 * into their slot in place and attends over the filled slots (11 launches a block in the concat cache). For
 * backends with that kernel (webgpu) when the whole generation fits ATTENTION_LIMITS.
 */
class PackedCache extends BaseCache {
  attend(layer: number, qkv: tf.Tensor2D): tf.Tensor2D {
    const [kv] = this.layers[layer];
    const attrs = { slot: this.length, scale: this.scale };
    return tf
      .engine()
      .runKernel(FUSED_KERNELS.attendCache, { qkv, kv, bias: this.mask }, attrs) as tf.Tensor2D;
  }
}

/** The slots of a cache allocated once: more than the prompt's, and covered by the key mask. */
function checkCapacity(capacity: number, prompt: number, mask: tf.Tensor4D): void {
  if (capacity <= prompt || mask.shape[3] < capacity)
    throw new Error(`KV cache: capacity ${capacity} must exceed the prompt (${prompt}) and fit the mask`);
}

/**
 * A cache holding the prefill's keys and values (each [B, H, P, Dh], taken over) and the key mask
 * [B, 1, 1, >= capacity] (taken over). The in-place layout is used when the backend has the fused kernel,
 * unless `layout` forces one (tests compare the two).
 */
export function createDecodeCache(
  prefill: LayerKv[],
  mask: tf.Tensor4D,
  shape: CacheShape,
  layout: 'auto' | 'in-place' | 'concat' = 'auto',
): DecodeCache {
  const [P, dh] = [prefill[0].k.shape[2], prefill[0].k.shape[3]];
  const inPlace = layout === 'auto' ? hasKernel(FUSED_KERNELS.attendDecode) : layout === 'in-place';
  if (!inPlace) {
    if (layout === 'auto' && canAttendCache(shape.capacity, dh)) {
      checkCapacity(shape.capacity, P, mask);
      const packed = prefill.map((c) => [
        tidy(() =>
          tf.pad(tf.concat([c.k, c.v], 1), [
            [0, 0],
            [0, 0],
            [0, shape.capacity - P],
            [0, 0],
          ]),
        ),
      ]);
      tf.dispose(prefill.flatMap((c) => [c.k, c.v]));
      return new PackedCache(packed, mask, shape.heads, P, dh);
    }
    return new ConcatCache(
      prefill.map((c) => [c.k, c.v]),
      mask,
      shape.heads,
      P,
      dh,
    );
  }
  checkCapacity(shape.capacity, P, mask);
  const kv = prefill.map(
    (c) =>
      tf
        .engine()
        .runKernel(
          FUSED_KERNELS.kvCacheInit,
          { k: c.k, v: c.v },
          { capacity: shape.capacity },
        ) as tf.Tensor4D[],
  );
  tf.dispose(prefill.flatMap((c) => [c.k, c.v]));
  return new InPlaceCache(kv, mask, shape.heads, P, dh);
}
