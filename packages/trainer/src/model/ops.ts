/**
 * The model's building blocks with the gradients chosen for speed and portability:
 * - `linear`: 2-D matmul whose backward uses explicit transposes on wasm. tfjs-wasm runs a matmul with a
 *   transpose flag (what tfjs's own MatMul gradient emits) on a naive loop, 10-20x slower than XNNPACK on
 *   contiguous operands (measured: [2048,128]x[2048,512]^T 151 ms vs transpose + matmul 8 ms); other
 *   backends keep the flag.
 * - `embedding`: gather forward, one-hot matmul backward; tfjs-wasm lacks UnsortedSegmentSum, which tfjs's
 *   own gather gradient needs (spec trainer.md, "Backends").
 * - `softmaxCrossEntropy`: fused log-softmax + pick + weighted sum with the closed-form gradient (one native
 *   kernel each way where the backend has it, fused.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { EMBED_GRAD_LIMITS, FUSED_KERNELS, NORM_MATMUL_LIMITS } from '../kernels/fused-names.js';
import { crossEntropyFused, hasKernel, rmsNorm } from './fused.js';

/** tf.tidy with the callback's own return type (tfjs types it as TensorContainer). */
/** The callback type tf.customGrad takes (not exported by tfjs). */
type CustomGradientFunc<_T> = Parameters<typeof tf.customGrad>[0];

export const tidy = <T>(f: () => T): T => tf.tidy(f as () => tf.TensorContainer) as T;

/**
 * One-hot rows as float32. tfjs-wasm 4.22's OneHot ignores the dtype argument and writes int32 bits into a
 * float32 tensor (1 reads as 1.4e-45), so cast instead of asking for float32.
 */
export function oneHotF32(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D;
}

/**
 * a^T @ b (transposeA) or a @ b^T (transposeB): on wasm with an explicit transpose first (its flagged matmul is
 * a naive loop), elsewhere with the flag (the native cpu GEMM and webgpu read transposed operands in place,
 * which saves copying a big operand).
 */
function matMulT(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/**
 * The gradients of x @ w with respect to x and w. dx = dy @ w^T: with w transposed first on the CPU backends
 * (a small copy; measured faster than the flag on the native GEMM), with the flag on webgpu (a copy there
 * is one more launch, and launches are what cost; but tfjs' vec4 matmul program refuses a transposed
 * right operand, so `BREVITY_WEBGPU_DX_TRANSPOSE=1` copies w first there too, to time the two on a GPU);
 * dw = x^T @ dy with the flag off wasm (x is the big operand).
 */
function linearGrads(dy: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const flag = tf.getBackend() === 'webgpu' && process.env.BREVITY_WEBGPU_DX_TRANSPOSE !== '1';
  const dx = flag ? tf.matMul(dy, w, false, true) : tf.matMul(dy, tf.transpose(w));
  return [dx as tf.Tensor2D, matMulT(x, dy, true, false)];
}

/** x [N, in] @ w [in, out] -> [N, out]. */
export const linear = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
      linearGrads(dy, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D),
  };
}) as unknown as CustomGradientFunc<tf.Tensor2D>) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * x @ w (+ bias) (then relu) as ONE _FusedMatMul kernel. Called directly: tf.fused.matMul falls back to a
 * matmul and a separate activation while gradients are being recorded (tfjs' shouldFuse); the callers
 * define the gradients themselves.
 */
function fusedMatMul(x: tf.Tensor2D, w: tf.Tensor2D, activation: 'relu' | 'linear', bias?: tf.Tensor2D) {
  // As tf.fused.matMul passes them: rank-3 operands (the wasm kernel needs them), attrs in full.
  const a = tf.reshape(x, [1, ...x.shape]);
  const b = tf.reshape(w, [1, ...w.shape]);
  const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
  const attrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 };
  const y = tf.engine().runKernel('_FusedMatMul', inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  return tf.reshape(y, [x.shape[0], w.shape[1]]) as tf.Tensor2D;
}

/** relu(x @ w), the ReLU in the matmul's epilogue (one kernel forward on every backend). */
export const linearRelu = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  const y = fusedMatMul(x, w, 'relu');
  save([x, w, y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws, ys] = saved as tf.Tensor2D[];
      const dyRelu = hasKernel(FUSED_KERNELS.reluGrad)
        ? (tf.engine().runKernel(FUSED_KERNELS.reluGrad, { y: ys, dy }) as tf.Tensor2D)
        : (tf.mul(dy, tf.step(ys)) as tf.Tensor2D);
      return linearGrads(dyRelu, xs, ws);
    },
  };
}) as unknown as CustomGradientFunc<tf.Tensor2D>) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * act(rmsnorm(x, g) @ w), act = ReLU when `relu`: one kernel where the backend has normMatMul (webgpu) and x
 * fits its limit, else the norm and linearRelu / matMul. For decoding: the fused kernel has no gradient.
 */
export function normMatMul(
  x: tf.Tensor2D,
  g: tf.Tensor1D,
  w: tf.Tensor2D,
  eps: number,
  relu: boolean,
): tf.Tensor2D {
  if (hasKernel(FUSED_KERNELS.normMatMul) && x.shape[1] <= NORM_MATMUL_LIMITS.maxK)
    return tf.engine().runKernel(FUSED_KERNELS.normMatMul, { x, g, w }, { eps, relu }) as tf.Tensor2D;
  const h = rmsNorm(x, g, eps);
  return relu ? linearRelu(h, w) : tf.matMul(h, w);
}

/**
 * [act(rmsnorm(h, g) @ w), h] with h = x + a @ wa: a residual branch joining the stream x, then the next
 * normalised projection. One kernel where the backend has residualNormMatMul (webgpu) and h fits its limit,
 * else linearResidual and normMatMul (the same ops as before on every other backend). For decoding.
 */
export function residualNormMatMul(
  a: tf.Tensor2D,
  wa: tf.Tensor2D,
  x: tf.Tensor2D,
  g: tf.Tensor1D,
  w: tf.Tensor2D,
  eps: number,
  relu: boolean,
): [tf.Tensor2D, tf.Tensor2D] {
  if (hasKernel(FUSED_KERNELS.residualNormMatMul) && x.shape[1] <= NORM_MATMUL_LIMITS.maxK)
    return tf.engine().runKernel(FUSED_KERNELS.residualNormMatMul, { a, wa, x, g, w }, { eps, relu }) as [
      tf.Tensor2D,
      tf.Tensor2D,
    ];
  const h = linearResidual(a, wa, x);
  return [normMatMul(h, g, w, eps, relu), h];
}

/**
 * Whether residual adds go into the matmul's epilogue (a full-shape bias): on webgpu, where it saves a launch.
 * wasm's fused matmul takes only a vector bias, and the native cpu kernels add a full-shape bias with tfjs'
 * JavaScript Add, slower than the native Add of a separate op.
 */
export const matMulAddsResidual = (): boolean => tf.getBackend() === 'webgpu';

/**
 * res + x @ w (a residual branch joining the stream res [N, out]): one fused matmul with res as its bias
 * where the backend can (matMulAddsResidual), else a matmul and an add. The gradient with respect to res is
 * dy itself.
 */
export const linearResidual = tf.customGrad(((
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  res: tf.Tensor2D,
  save: tf.GradSaveFunc,
) => {
  save([x, w]);
  return {
    value: matMulAddsResidual() ? fusedMatMul(x, w, 'linear', res) : tf.add(tf.matMul(x, w), res),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [
      ...linearGrads(dy, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D),
      dy,
    ],
  };
}) as unknown as CustomGradientFunc<tf.Tensor2D>) as (
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  res: tf.Tensor2D,
) => tf.Tensor2D;

/** Rows of `table` [V, D] at `ids` [N] (int32) -> [N, D]; the gradient reaches `table` only. */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const vocab = table.shape[0];
  // Tensors the backward pass needs go through save(): tfjs keeps saved tensors (closures are not kept, and
  // a closed-over tensor can be disposed before the backward pass runs).
  const f = tf.customGrad(((t: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([ids]);
    return {
      value: tf.gather(t, ids) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        matMulT(oneHotF32(saved[0] as tf.Tensor1D, vocab), dy, true, false),
    };
  }) as unknown as CustomGradientFunc<tf.Tensor2D>);
  return f(table) as tf.Tensor2D;
}

/**
 * Token plus position embeddings of a training forward: tok[ids] + pos[t] for ids [B, T] -> [B*T, D],
 * differentiable in both tables. Where the backend has embed and embedGrad (webgpu) and the gradient fits
 * EMBED_GRAD_LIMITS, one kernel each way; else a gather (embedding), a slice and a broadcast add.
 */
export function tokenPositionEmbedding(tok: tf.Tensor2D, pos: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = ids.shape;
  const [[V, D], C] = [tok.shape, pos.shape[0]];
  const flatIds = tf.reshape(ids, [B * T]) as tf.Tensor1D;
  if (
    !hasKernel(FUSED_KERNELS.embedGrad) ||
    !hasKernel(FUSED_KERNELS.embed) ||
    (V + C) * B * T > EMBED_GRAD_LIMITS.maxWork
  ) {
    const x = tf.add(tf.reshape(embedding(tok, flatIds), [B, T, D]), tf.slice(pos, [0, 0], [T, D]));
    return tf.reshape(x, [B * T, D]) as tf.Tensor2D;
  }
  const positions = tf.tensor1d(
    Int32Array.from({ length: B * T }, (_, n) => n % T),
    'int32',
  );
  const f = tf.customGrad(((t: tf.Tensor2D, p: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([flatIds, positions]);
    return {
      value: tf.engine().runKernel(FUSED_KERNELS.embed, { tokEmb: t, posEmb: p, tokens: flatIds, positions }),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf
          .engine()
          .runKernel(
            FUSED_KERNELS.embedGrad,
            { dy, tokens: saved[0], positions: saved[1] },
            { vocab: V, ctx: C },
          ) as tf.Tensor[],
    };
  }) as unknown as CustomGradientFunc<tf.Tensor2D>);
  return f(tok, pos) as tf.Tensor2D;
}

/**
 * Whether another tensor shares t's buffer (tfjs' reshapes, clones and Variable.assign share them): a kernel
 * that writes in place must not write such a buffer.
 */
export const sharesBuffer = (t: tf.Tensor): boolean => tf.engine().backend.refCount(t.dataId) > 1;

/** A copy of t in a buffer of its own. */
export const ownCopy = <T extends tf.Tensor>(t: T): T => tf.tidy(() => tf.add(t, 0) as T);

/**
 * totals[i] + parts[i] for every i, consuming both lists (the gradient sum over micro-batches). In place where
 * the backend has addTensors (webgpu: a few launches instead of one add per tensor; a total sharing its
 * buffer is copied first), else one add each. Returns the sums.
 */
export function accumulate(totals: tf.Tensor[], parts: tf.Tensor[]): tf.Tensor[] {
  if (!hasKernel(FUSED_KERNELS.addTensors)) {
    const sums = tidy(() => totals.map((t, i) => tf.add(t, parts[i])));
    tf.dispose([...totals, ...parts]);
    return sums;
  }
  const own = totals.map((t) => {
    if (!sharesBuffer(t)) return t;
    const copy = ownCopy(t);
    t.dispose();
    return copy;
  });
  const inputs: tf.NamedTensorMap = {};
  own.forEach((t, i) => Object.assign(inputs, { [`a${i}`]: t, [`b${i}`]: parts[i] }));
  (tf.engine().runKernel(FUSED_KERNELS.addTensors, inputs) as tf.Tensor).dispose(); // a0, aliased
  tf.dispose(parts);
  return own;
}

/** RMSNorm over the last axis (fused where the backend has the kernel): see fused.ts. */
export { rmsNorm, rmsNormComposite, rmsNormPass } from './fused.js';

/**
 * sum_i w_i * -log softmax(logits_i)[target_i]. logits [N, V], targets [N] int32, weights [N] (zero outside
 * the loss, 1/count inside for a mean). Targets and weights get no gradient.
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  if (hasKernel(FUSED_KERNELS.crossEntropy)) return crossEntropyFused(logits, targets, weights);
  const vocab = logits.shape[1];
  const f = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const lp = tf.logSoftmax(z); // [N, V]
    const onehot = oneHotF32(targets, vocab); // [N, V]
    save([lp, onehot, weights]);
    const nll = tf.neg(tf.sum(tf.mul(lp, onehot), -1)); // [N]
    return {
      value: tf.sum(tf.mul(nll, weights)),
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const [lps, oh, w] = saved;
        const scale = tf.expandDims(tf.mul(w, dy), 1); // [N, 1]
        return tf.mul(tf.sub(tf.exp(lps), oh), scale);
      },
    };
  }) as unknown as CustomGradientFunc<tf.Scalar>);
  return f(logits) as tf.Scalar;
}

/**
 * Per-token log-probabilities of `targets` and entropies of the full distribution, both at `temperature`.
 * logits [N, V] -> {logprobs [N], entropies [N]}; differentiable (for GRPO/PPO losses and entropy bonuses).
 */
export function tokenLogprobs(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  temperature = 1,
): { logprobs: tf.Tensor1D; entropies: tf.Tensor1D } {
  if (hasKernel(FUSED_KERNELS.tokenLogprob)) return tokenLogprobsFused(logits, targets, temperature);
  const z = temperature === 1 ? logits : tf.div(logits, temperature);
  const lp = tf.logSoftmax(z); // [N, V]
  const onehot = oneHotF32(targets, logits.shape[1]);
  return {
    logprobs: tf.sum(tf.mul(lp, onehot), -1) as tf.Tensor1D,
    entropies: tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), -1)) as tf.Tensor1D,
  };
}

/**
 * tokenLogprobs as two fused kernels with their gradients (the backend must have all four): one row pass
 * each for the log-probs and the entropies forward, one each backward, where tfjs composes ~15 ops forward
 * and ~20 backward.
 */
function tokenLogprobsFused(logits: tf.Tensor2D, targets: tf.Tensor1D, temperature: number) {
  const attrs = { temperature };
  const run = (name: string, inputs: tf.NamedTensorMap) =>
    tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const logprob = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([z, targets]);
    return {
      value: run(FUSED_KERNELS.tokenLogprob, { logits: z, targets }),
      gradFunc: (dy: tf.Tensor1D, saved: tf.Tensor[]) =>
        run(FUSED_KERNELS.tokenLogprobGrad, { logits: saved[0], targets: saved[1], dy }),
    };
  }) as unknown as CustomGradientFunc<tf.Tensor1D>);
  const entropy = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    save([z]);
    return {
      value: run(FUSED_KERNELS.tokenEntropy, { logits: z }),
      gradFunc: (dy: tf.Tensor1D, saved: tf.Tensor[]) =>
        run(FUSED_KERNELS.tokenEntropyGrad, { logits: saved[0], dy }),
    };
  }) as unknown as CustomGradientFunc<tf.Tensor1D>);
  return { logprobs: logprob(logits) as tf.Tensor1D, entropies: entropy(logits) as tf.Tensor1D };
}
