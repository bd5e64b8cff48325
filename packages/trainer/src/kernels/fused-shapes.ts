/**
 * The shape checks of the fused-kernel contract (fused-names.ts), shared by every backend that implements
 * the kernels (native-fused.ts on cpu, webgpu-fused.ts and webgpu-attention-kernels.ts on webgpu), so a
 * malformed call fails with the same message everywhere.
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';

import { ATTENTION_LIMITS, FUSED_KERNELS } from './fused-names.js';

/** B, H, T, S of a masked softmax of x [B, H, T, S] with bias [T, S] or [B, 1, T, S]; biasBatches 1 or B. */
export function maskedSoftmaxShape(x: TensorInfo, bias: TensorInfo) {
  util.assert(x.shape.length === 4, () => `${FUSED_KERNELS.maskedSoftmax}: x must be [B, H, T, S]`);
  const [B, H, T, S] = x.shape;
  const bs = bias.shape;
  const perBatch = bs.length === 4 && bs[0] === B && bs[1] === 1 && bs[2] === T && bs[3] === S;
  util.assert(
    perBatch || util.arraysEqual(bs, [T, S]),
    () => `${FUSED_KERNELS.maskedSoftmax}: bias [${bs}] must be [T, S] or [B, 1, T, S] for x [${x.shape}]`,
  );
  return { B, H, T, S, biasBatches: perBatch ? B : 1 };
}

/** B, H, T, Dh of a training attention call (qkv [B*T, 3D], bias [T, T] or [B, 1, T, T]), within the limits. */
export function attentionShape(qkv: TensorInfo, bias: TensorInfo, heads: number, name: string) {
  const bs = bias.shape;
  const T = bs[bs.length - 1];
  const [BT, D3] = qkv.shape;
  const B = BT / T;
  const Dh = D3 / 3 / heads;
  const batches = bs.length === 2 ? 1 : bs[0];
  util.assert(
    qkv.shape.length === 2 &&
      T > 0 &&
      Number.isInteger(B) &&
      Number.isInteger(Dh) &&
      (bs.length === 2 || (bs.length === 4 && (batches === B || batches === 1) && bs[1] === 1)) &&
      bs[bs.length - 2] === T,
    () =>
      `${name}: qkv [${qkv.shape}] and bias [${bs}] do not fit ${heads} heads (bias [T, T] or [B, 1, T, T])`,
  );
  util.assert(
    T <= ATTENTION_LIMITS.maxT && Dh <= ATTENTION_LIMITS.maxDh,
    () => `${name}: T ${T} or head width ${Dh} exceeds ${JSON.stringify(ATTENTION_LIMITS)}`,
  );
  return { B, H: heads, T, Dh, batches };
}
