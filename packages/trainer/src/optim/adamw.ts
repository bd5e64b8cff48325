/**
 * Adam / AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019, decoupled weight decay) with global-norm
 * gradient clipping, over ONE flat buffer: the gradients of all variables are concatenated, the moments
 * are two flat variables, and the update is split back. That is ~20 tfjs ops per step whatever the number
 * of parameters (per-op overhead dominates small models), and the state is two arrays plus a step count,
 * easy to checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { ownCopy, sharesBuffer, tidy } from '../model/ops.js';
import { FUSED_KERNELS } from '../kernels/fused-names.js';
import { hasKernel } from '../model/fused.js';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (0 = plain Adam); applied where `decay[i]` is true. */
  weightDecay?: number;
  /** Clip the global gradient norm to this value; null or 0 disables clipping. */
  gradClip?: number | null;
}

/** Optimizer state on the host: moments per variable (same order and shapes) and the step count. */
export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

const flat = (ts: tf.Tensor[]) =>
  ts.length === 1 ? tf.reshape(ts[0], [-1]) : tf.concat(ts.map((t) => tf.reshape(t, [-1])));

/** Gives a variable a buffer of its own when another tensor shares it (before an in-place update). */
function ownBuffer(v: tf.Variable): void {
  if (!sharesBuffer(v)) return;
  const copy = ownCopy(v);
  v.assign(copy);
  copy.dispose();
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly gradClip: number | null;
  /** Number of updates applied so far (bias correction uses it). */
  step = 0;
  private readonly sizes: number[];
  private readonly decays: boolean[];
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  private readonly decayMask: tf.Tensor1D | null;

  constructor(
    readonly variables: tf.Variable[],
    decay: boolean[],
    o: AdamWOptions = {},
  ) {
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.gradClip = o.gradClip ? o.gradClip : null;
    this.sizes = variables.map((v) => v.size);
    this.decays = [...decay];
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tidy(() => tf.variable(tf.zeros([total]), false));
    this.v = tidy(() => tf.variable(tf.zeros([total]), false));
    if (this.weightDecay > 0) {
      const mask = new Float32Array(total);
      let at = 0;
      this.sizes.forEach((n, i) => {
        if (decay[i]) mask.fill(1, at, at + n);
        at += n;
      });
      this.decayMask = tf.keep(tf.tensor1d(mask));
    } else this.decayMask = null;
  }

  /**
   * Applies one update from `grads` (same order as the variables) at learning rate `lr`.
   * Returns the global gradient norm before clipping, as a scalar tensor the caller reads and disposes.
   */
  apply(grads: tf.Tensor[], lr: number): tf.Scalar {
    this.step += 1;
    const { beta1: b1, beta2: b2, step: t } = this;
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    // lr * mhat / (sqrt(vhat) + eps), with the bias corrections folded into two scalars.
    const stepSize = (lr * Math.sqrt(bc2)) / bc1;
    const epsHat = this.eps * Math.sqrt(bc2);
    if (hasKernel(FUSED_KERNELS.adamTensors)) return this.applyFused(grads, lr, stepSize, epsHat);
    return tidy(() => {
      let g = flat(grads) as tf.Tensor1D; // [P]
      const norm = tf.sqrt(tf.sum(tf.square(g)));
      if (this.gradClip !== null) g = tf.mul(g, tf.minimum(1, tf.div(this.gradClip, tf.add(norm, 1e-6))));
      const m = tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1));
      const v = tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2));
      this.m.assign(m);
      this.v.assign(v);
      const update = tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsHat)), stepSize);
      const p = flat(this.variables);
      let next = tf.sub(p, update);
      if (this.decayMask) next = tf.sub(next, tf.mul(p, tf.mul(this.decayMask, lr * this.weightDecay)));
      const parts = this.sizes.length === 1 ? [next] : tf.split(next, this.sizes);
      this.variables.forEach((vr, i) => vr.assign(tf.reshape(parts[i], vr.shape)));
      return norm as tf.Scalar;
    });
  }

  /**
   * The same update with the backend's fused multi-tensor kernel (webgpu): the moments and the variables are
   * updated in place, in a few launches, instead of ~20 ops over a concat of all gradients and a split. A
   * variable sharing its buffer (Policy.copyFrom assigns one policy's tensors to another) gets its own first.
   */
  private applyFused(grads: tf.Tensor[], lr: number, stepSize: number, epsHat: number): tf.Scalar {
    for (const t of [this.m, this.v, ...this.variables]) ownBuffer(t);
    const inputs: tf.NamedTensorMap = { m: this.m, v: this.v };
    this.variables.forEach((p, i) => {
      inputs[`p${i}`] = p;
      inputs[`g${i}`] = grads[i];
    });
    const attrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      clip: this.gradClip ?? 0,
      stepSize,
      epsHat,
      decays: this.variables.map((_, i) => (this.decayMask && this.decays[i] ? lr * this.weightDecay : 0)),
    };
    return tf
      .engine()
      .runKernel(FUSED_KERNELS.adamTensors, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Scalar;
  }

  /** The state as host arrays, split per variable (async reads only). */
  async state(): Promise<AdamWState> {
    const [m, v] = [(await this.m.data()) as Float32Array, (await this.v.data()) as Float32Array];
    const split = (a: Float32Array) => {
      let at = 0;
      return this.sizes.map((n) => a.slice(at, (at += n)));
    };
    return { step: this.step, m: split(m), v: split(v) };
  }

  /** Restores a state taken by state() from an optimizer over the same variables. */
  load(state: AdamWState): void {
    const check = (arrs: Float32Array[], what: string) => {
      if (arrs.length !== this.sizes.length || arrs.some((a, i) => a.length !== this.sizes[i]))
        throw new Error(`optimizer state: ${what} does not match the model's parameter sizes`);
    };
    check(state.m, 'm');
    check(state.v, 'v');
    const cat = (arrs: Float32Array[]) => {
      const out = new Float32Array(this.sizes.reduce((a, b) => a + b, 0));
      let at = 0;
      for (const a of arrs) {
        out.set(a, at);
        at += a.length;
      }
      return out;
    };
    tidy(() => {
      this.m.assign(tf.tensor1d(cat(state.m)));
      this.v.assign(tf.tensor1d(cat(state.v)));
    });
    this.step = state.step;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
    this.decayMask?.dispose();
  }
}
