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
  /**
   * inputs {qkv [B,3D], kv [B,2H,C,Dh] (keys in heads 0..H-1, values in H..2H-1), bias [B,1,1,>=C]}, attrs
   * {slot, scale} -> [B, D]: one decode step over the packed cache (the webgpu layout). Writes the step's
   * keys and values from qkv IN PLACE into slot `slot` and attends over slots 0..slot.
   */
  attendCache: 'BrevityAttendCache',
  /** inputs {x [B,H,T,S], bias [T,S] or [B,1,T,S]} -> softmax(x + bias) over the last axis. */
  maskedSoftmax: 'BrevityMaskedSoftmax',
  /** inputs {y, dy} (softmax output and its gradient) -> dx, over the last axis. */
  softmaxGrad: 'BrevitySoftmaxGrad',
  /** inputs {logits [N,V], targets [N] int32, weights [N]} -> [loss (scalar), probabilities [N,V]]. */
  crossEntropy: 'BrevityCrossEntropy',
  /** inputs {probs, targets, weights, dy (scalar)} -> dlogits [N,V]. */
  crossEntropyGrad: 'BrevityCrossEntropyGrad',
  /**
   * inputs {qkv [B*T, 3D], bias [T,T] or [B,1,T,T]}, attrs {heads, scale} -> y [B*T, D]: causal attention of
   * a training forward, softmax(q k^T scale + bias) v per head (see ATTENTION_LIMITS).
   */
  attention: 'BrevityAttention',
  /** inputs {qkv, bias, dy [B*T, D]}, attrs {heads, scale} -> dqkv [B*T, 3D]. */
  attentionGrad: 'BrevityAttentionGrad',
  /**
   * inputs {m [P], v [P] (the flat moments), p0..p{n-1} (the parameters), g0..g{n-1} (their gradients)},
   * attrs {beta1, beta2, clip (<= 0: none), stepSize, epsHat, decays (n factors)} -> the global gradient
   * norm before clipping (scalar). One AdamW step over all tensors, IN PLACE: m, v and every p are updated
   * where they are (each must own its buffer), in a few launches whatever the number of tensors.
   */
  adamTensors: 'BrevityAdamTensors',
  /**
   * inputs {a0..a{n-1}, b0..b{n-1}} (float32, a{i} and b{i} of one size) -> a0 (aliased): a{i} += b{i} IN
   * PLACE for every i, in a few launches (gradient accumulation over micro-batches; each a{i} must own its
   * buffer).
   */
  addTensors: 'BrevityAddTensors',
  /**
   * inputs {logits [N,V], targets [N] int32}, attrs {temperature} -> log softmax(logits / temperature)[target]
   * per row [N] (0 for a target outside [0, V)).
   */
  tokenLogprob: 'BrevityTokenLogprob',
  /** inputs {logits, targets, dy [N]}, attrs {temperature} -> dlogits [N,V]. */
  tokenLogprobGrad: 'BrevityTokenLogprobGrad',
  /** inputs {logits [N,V]}, attrs {temperature} -> the entropy of softmax(logits / temperature) per row [N]. */
  tokenEntropy: 'BrevityTokenEntropy',
  /** inputs {logits, dy [N]}, attrs {temperature} -> dlogits [N,V]. */
  tokenEntropyGrad: 'BrevityTokenEntropyGrad',
  /**
   * inputs {tokEmb [V,D], posEmb [C,D], tokens [N] int32, positions [N] int32} -> tokEmb[tokens] +
   * posEmb[positions] [N, D]; its gradient is embedGrad (training on webgpu) or none (generation).
   */
  embed: 'BrevityEmbed',
  /**
   * inputs {dy [N,D], tokens [N] int32, positions [N] int32}, attrs {vocab V, ctx C} -> [dTokEmb [V,D],
   * dPosEmb [C,D]]: the gradients of embed, each row the sum of the dy rows of its id (webgpu; within
   * EMBED_GRAD_LIMITS).
   */
  embedGrad: 'BrevityEmbedGrad',
  /** inputs {y (a ReLU's output), dy} -> dy where y > 0, else 0: the ReLU's gradient in one pass. */
  reluGrad: 'BrevityReluGrad',
  /**
   * inputs {logp, ent, old, adv, weights [N]} and optionally {refLp [N]}, attrs PgLossAttrs
   * (kernels/webgpu-pg-loss.ts) -> the clipped policy-gradient loss of rl/loss.ts as a scalar (webgpu).
   */
  pgLoss: 'BrevityPgLoss',
  /** pgLoss' inputs less ent, plus {dy} (scalar) -> [dlogp [N], dent [N]]. */
  pgLossGrad: 'BrevityPgLossGrad',
  /** pgLoss' inputs with {mask} for {weights} -> rl/loss.ts' statistics [7] (STAT_KEYS, value terms 0). */
  pgStats: 'BrevityPgStats',
  /** inputs {x [N,D], g [D]}, attrs {eps} -> [N, D]. */
  rmsNorm: 'BrevityRmsNorm',
  /**
   * inputs {x [N,K], g [K], w [K,M]}, attrs {eps, relu} -> act(rmsnorm(x, g) @ w) [N, M], act = ReLU when
   * `relu`, else the identity: a decode step's normalised projections in one kernel (webgpu; no gradient;
   * K <= NORM_MATMUL_LIMITS.maxK).
   */
  normMatMul: 'BrevityNormMatMul',
  /**
   * inputs {a [N,Ka], wa [Ka,K], x [N,K], g [K], w [K,M]}, attrs {eps, relu} -> [act(rmsnorm(h, g) @ w) [N, M],
   * h [N, K]] with h = x + a @ wa: a decode step's residual branch joining the stream and the next norm and
   * matmul in one kernel (webgpu; no gradient; K <= NORM_MATMUL_LIMITS.maxK).
   */
  residualNormMatMul: 'BrevityResidualNormMatMul',
  /**
   * inputs {x [N,D], g [D]}, attrs {eps} -> [y [N, D], inv [N]]: the forward of a training step, which also
   * keeps each row's 1 / sqrt(mean(x^2) + eps) for the backward (webgpu only; saves the backward a launch).
   */
  rmsNormTrain: 'BrevityRmsNormTrain',
  /**
   * inputs {x [N,D], g [D]}, attrs {eps} -> [y [N, D], inv [N], x]: rmsNormTrain whose third output is x itself
   * (its buffer shared, no copy), for the residual connection around the block the norm feeds. The residual
   * gradient then arrives at this kernel's gradient, which adds it into dx in the dx program, instead of
   * tfjs' backprop summing x's two gradients in a launch of its own (webgpu only; gradient registered in
   * model/fused.ts).
   */
  rmsNormPass: 'BrevityRmsNormPass',
  /**
   * inputs {x, g, dy} and optionally {inv} (from rmsNormTrain) and {dres} (a gradient of x from elsewhere,
   * added to dx), attrs {eps} -> [dx, dg].
   */
  rmsNormGrad: 'BrevityRmsNormGrad',
} as const;

/** The largest sequence length and head width the fused attention kernels take; beyond them, tfjs ops. */
export const ATTENTION_LIMITS = { maxT: 1024, maxDh: 256 } as const;

/** embedGrad loops over all N rows for each of the (V + C) x D outputs: at most this (V + C) x N. */
export const EMBED_GRAD_LIMITS = { maxWork: 1 << 22 } as const;

/** The widest input normMatMul normalises (it keeps the normalised row in 4 KB of workgroup memory). */
export const NORM_MATMUL_LIMITS = { maxK: 1024 } as const;
