/**
 * The policy: parameters as tf.Variables plus the forward passes. Full forward for training and scoring
 * (natural positions, causal mask, right padding), a prefill for left-padded prompts that also returns the
 * keys and values, and a one-token decode step over a KV cache. Tensors stay rank <= 4; all heads run in
 * one batched matmul on [B, H, T, Dh].
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@brevity/core';
import {
  modelConfig,
  paramSpecs,
  sizeOf,
  type ModelConfig,
  type ModelConfigInput,
  type ParamSpec,
} from './config.js';
import {
  linear,
  linearRelu,
  linearResidual,
  normMatMul,
  residualNormMatMul,
  rmsNorm,
  rmsNormPass,
  tokenLogprobs,
  tokenPositionEmbedding,
} from './ops.js';
import type { DecodeCache, LayerKv } from './kv-cache.js';
import { attention, attentionComposite, hasKernel } from './fused.js';
import { FUSED_KERNELS } from '../kernels/fused-names.js';

interface BlockWeights {
  norm1: tf.Variable;
  qkv: tf.Variable;
  proj: tf.Variable;
  norm2: tf.Variable;
  fc1: tf.Variable;
  fc2: tf.Variable;
}

export type { LayerKv } from './kv-cache.js';

export const MASKED = -1e9;
let instances = 0;

/** Host-side init from the seeded Rng, so every backend starts from the same weights. */
function initValues(spec: ParamSpec, c: ModelConfig, rng: Rng): Float32Array {
  const out = new Float32Array(sizeOf(spec.shape));
  if (spec.init === 'ones') return out.fill(1);
  const std = spec.init === 'normal-residual' ? c.initStd / Math.sqrt(2 * c.layers) : c.initStd;
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
  return out;
}

export class Policy {
  readonly config: ModelConfig;
  readonly specs: ParamSpec[];
  /** Parameters in spec order (checkpoints and the optimizer follow this order). */
  readonly variables: tf.Variable[];
  private readonly byName = new Map<string, tf.Variable>();
  private readonly blocks: BlockWeights[] = [];
  private readonly masks = new Map<string, tf.Tensor2D>();

  /** `values` maps parameter name to initial data; use createPolicy() or loadCheckpoint() to get one. */
  constructor(config: ModelConfig, values: (spec: ParamSpec) => Float32Array, trainable = true) {
    this.config = config;
    this.specs = paramSpecs(config);
    const prefix = `policy${instances++}`;
    this.variables = this.specs.map((s) => {
      // The tidy disposes the initial tensor; the variable keeps its data.
      const v = tf.tidy(() =>
        tf.variable(tf.tensor(values(s), s.shape, 'float32'), trainable, `${prefix}/${s.name}`),
      );
      this.byName.set(s.name, v);
      return v;
    });
    for (let i = 0; i < config.layers; i++) {
      const p = (n: string) => this.param(`blocks.${i}.${n}`);
      this.blocks.push({
        norm1: p('norm1'),
        qkv: p('qkv'),
        proj: p('proj'),
        norm2: p('norm2'),
        fc1: p('fc1'),
        fc2: p('fc2'),
      });
    }
  }

  /** A parameter by its checkpoint name (e.g. `blocks.0.qkv`). */
  param(name: string): tf.Variable {
    const v = this.byName.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  get numParams(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  /** Additive causal mask [T, T]: 0 on and below the diagonal, MASKED above. Cached per backend and T. */
  causalMask(T: number): tf.Tensor2D {
    const key = `${tf.getBackend()}:${T}`;
    let m = this.masks.get(key);
    if (!m) {
      const data = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) data[i * T + j] = MASKED;
      m = tf.keep(tf.tensor2d(data, [T, T]));
      this.masks.set(key, m);
    }
    return m;
  }

  /**
   * Runs the blocks on x [B*T, D]. `bias` is added to the attention scores (broadcast to [B, H, T, T]).
   * Returns the final-normed hidden state [B*T, D] and, when asked, each block's keys and values.
   */
  private trunk(x: tf.Tensor2D, B: number, T: number, bias: tf.Tensor, keepKv: boolean) {
    const { d, heads, normEps } = this.config;
    const dh = d / heads;
    const scale = 1 / Math.sqrt(dh);
    const kv: LayerKv[] = [];
    for (const w of this.blocks) {
      // rmsNormPass: the residual adds back the pass-through x, so webgpu sums its gradients in the norm's.
      const [n1, x1] = rmsNormPass(x, w.norm1 as tf.Tensor1D, normEps);
      const qkv = linear(n1, w.qkv as tf.Tensor2D); // [B*T, 3D]
      let y: tf.Tensor2D; // [B*T, D]
      if (keepKv) {
        const r = attentionComposite(qkv, bias, B, T, heads, scale); // the cache needs keys and values
        kv.push({ k: r.k, v: r.v });
        y = r.y;
      } else y = attention(qkv, bias, B, T, heads, scale);
      x = linearResidual(y, w.proj as tf.Tensor2D, x1);
      const [n2, x2] = rmsNormPass(x, w.norm2 as tf.Tensor1D, normEps);
      const hid = linearRelu(n2, w.fc1 as tf.Tensor2D);
      x = linearResidual(hid, w.fc2 as tf.Tensor2D, x2);
    }
    return { hidden: rmsNorm(x, this.param('norm_f') as tf.Tensor1D, normEps), kv };
  }

  /**
   * Full forward on ids [B, T] (int32, right-padded; positions 0..T-1, causal mask).
   * Returns the final-normed hidden states [B, T, D] (for a value head) and the logits [B, T, V].
   */
  forward(ids: tf.Tensor2D): { hidden: tf.Tensor3D; logits: tf.Tensor3D } {
    const [B, T] = ids.shape;
    const { d, vocab, ctx } = this.config;
    if (T > ctx) throw new Error(`sequence length ${T} exceeds the model context ${ctx}`);
    const [tok, pos] = [this.param('tok_emb'), this.param('pos_emb')] as tf.Tensor2D[];
    const x = tokenPositionEmbedding(tok, pos, ids); // [B*T, D]
    const { hidden } = this.trunk(x, B, T, this.causalMask(T), false);
    const logits = linear(hidden, this.param('head') as tf.Tensor2D); // [B*T, V]
    return { hidden: tf.reshape(hidden, [B, T, d]), logits: tf.reshape(logits, [B, T, vocab]) };
  }

  /**
   * Log-probabilities of each next token and entropies of the full next-token distribution:
   * for ids [B, T], position t of the result scores ids[:, t+1] given ids[:, 0..t]. Both [B, T-1],
   * differentiable; the caller masks prompt and padding positions.
   */
  logprobs(
    ids: tf.Tensor2D,
    opts: { temperature?: number } = {},
  ): { logprobs: tf.Tensor2D; entropies: tf.Tensor2D } {
    const [B, T] = ids.shape;
    const input = tf.slice(ids, [0, 0], [B, T - 1]);
    const targets = tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [B * (T - 1)]) as tf.Tensor1D;
    const { logits } = this.forward(input);
    const flat = tf.reshape(logits, [B * (T - 1), this.config.vocab]) as tf.Tensor2D;
    const r = tokenLogprobs(flat, targets, opts.temperature ?? 1);
    return { logprobs: tf.reshape(r.logprobs, [B, T - 1]), entropies: tf.reshape(r.entropies, [B, T - 1]) };
  }

  /**
   * Prefill for generation: ids [B, P] (left-padded), positions [B*P] (int32), bias [B, 1, P, P]
   * (causal + padding). Returns the logits at the last column [B, V] and every block's keys and values.
   */
  prefill(
    ids: tf.Tensor2D,
    positions: tf.Tensor1D,
    bias: tf.Tensor4D,
  ): { logits: tf.Tensor2D; kv: LayerKv[] } {
    const [B, P] = ids.shape;
    const { d } = this.config;
    const x = this.embedAt(tf.reshape(ids, [B * P]) as tf.Tensor1D, positions); // [B*P, D]
    const { hidden, kv } = this.trunk(x, B, P, bias, true);
    const last = tf.reshape(tf.slice(tf.reshape(hidden, [B, P, d]), [0, P - 1, 0], [B, 1, d]), [B, d]);
    return { logits: tf.matMul(last, this.param('head')), kv };
  }

  /** Token plus position embeddings of ids [N] at positions [N] (generation: no gradients), fused where the backend can. */
  private embedAt(ids: tf.Tensor1D, positions: tf.Tensor1D): tf.Tensor2D {
    const [tok, pos] = [this.param('tok_emb'), this.param('pos_emb')];
    if (hasKernel(FUSED_KERNELS.embed))
      return tf
        .engine()
        .runKernel(FUSED_KERNELS.embed, { tokEmb: tok, posEmb: pos, tokens: ids, positions }) as tf.Tensor2D;
    return tf.add(tf.gather(tok, ids), tf.gather(pos, positions)) as tf.Tensor2D;
  }

  /**
   * One decode step for B sequences: tokens [B] at positions [B]. Each block stores the token's key and
   * value in `cache` and attends over it (kv-cache.ts); the caller advances the cache. Returns the logits
   * [B, V]. The MLP's ReLU runs in the matmul's epilogue; on webgpu each norm runs in the matmul after it
   * (normMatMul), and with the opt-in kernel group residualNormMatMul each residual branch's projection (the
   * attention's and the MLP's second layer) too, in the normalised matmul that follows it: 3 launches a block
   * instead of 5 (kernels/webgpu-fused.ts OPT_IN_GROUPS says why it is not the default).
   */
  decode(tokens: tf.Tensor1D, positions: tf.Tensor1D, cache: DecodeCache): tf.Tensor2D {
    const { normEps } = this.config;
    let x = this.embedAt(tokens, positions);
    // The MLP output of the previous block and its second layer, not yet added to the stream x.
    let mlp: { h: tf.Tensor2D; w: tf.Tensor2D } | undefined;
    this.blocks.forEach((w, i) => {
      const [norm1, qkvW] = [w.norm1 as tf.Tensor1D, w.qkv as tf.Tensor2D];
      let qkv: tf.Tensor2D; // [B, 3D]
      if (mlp) [qkv, x] = residualNormMatMul(mlp.h, mlp.w, x, norm1, qkvW, normEps, false);
      else qkv = normMatMul(x, norm1, qkvW, normEps, false);
      let h: tf.Tensor2D;
      [h, x] = residualNormMatMul(
        cache.attend(i, qkv),
        w.proj as tf.Tensor2D,
        x,
        w.norm2 as tf.Tensor1D,
        w.fc1 as tf.Tensor2D,
        normEps,
        true,
      );
      mlp = { h, w: w.fc2 as tf.Tensor2D };
    });
    const [normF, head] = [this.param('norm_f') as tf.Tensor1D, this.param('head') as tf.Tensor2D];
    return mlp
      ? residualNormMatMul(mlp.h, mlp.w, x, normF, head, normEps, false)[0]
      : normMatMul(x, normF, head, normEps, false);
  }

  /** Current weights as host arrays, in spec order (async read: portable to webgpu). */
  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (let i = 0; i < this.specs.length; i++)
      out.set(this.specs[i].name, (await this.variables[i].data()) as Float32Array);
    return out;
  }

  /** Copies another policy's weights (same config), e.g. to refresh a frozen reference. */
  copyFrom(other: Policy): void {
    this.variables.forEach((v, i) => v.assign(other.variables[i]));
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
  }
}

/** A freshly initialised policy; the same config and seed give the same weights on every backend. */
export function createPolicy(
  config: ModelConfigInput,
  seed: number | string | Rng = 0,
  trainable = true,
): Policy {
  const c = modelConfig(config);
  const rng = seed instanceof Rng ? seed : Rng.from(seed).fork('init');
  return new Policy(c, (s) => initValues(s, c, rng), trainable);
}
