/**
 * Names of the fused kernels the model runs through `tf.engine().runKernel` when the active backend has
 * them registered (model/fused.ts); otherwise the model composes the same math from tfjs ops. The cpu
 * backend gets them from the native addon (kernels/native-fused.ts).
 */
export const FUSED_KERNELS = {
  /** inputs {qkv [B,3D], kCacheT [B,H,Dh,C], vCache [B,H,C,Dh], bias [B,1,1,C]}, attrs {slot, scale} -> [B, D]. */
  attendDecode: 'BrevityAttendDecode',
  /** inputs {k, v [B,H,P,Dh]}, attrs {capacity C} -> [kCacheT [B,H,Dh,C], vCache [B,H,C,Dh]], zero after P. */
  kvCacheInit: 'BrevityKvCacheInit',
  /** inputs {x [B,H,T,S], bias [T,S] or [B,1,T,S]} -> softmax(x + bias) over the last axis. */
  maskedSoftmax: 'BrevityMaskedSoftmax',
  /** inputs {y, dy} (softmax output and its gradient) -> dx, over the last axis. */
  softmaxGrad: 'BrevitySoftmaxGrad',
  /** inputs {logits [N,V], targets [N] int32, weights [N]} -> [loss (scalar), probabilities [N,V]]. */
  crossEntropy: 'BrevityCrossEntropy',
  /** inputs {probs, targets, weights, dy (scalar)} -> dlogits [N,V]. */
  crossEntropyGrad: 'BrevityCrossEntropyGrad',
  /** inputs {x [N,D], g [D]}, attrs {eps} -> [N, D]. */
  rmsNorm: 'BrevityRmsNorm',
  /** inputs {x, g, dy}, attrs {eps} -> [dx, dg]. */
  rmsNormGrad: 'BrevityRmsNormGrad',
} as const;
