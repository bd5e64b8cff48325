/**
 * Batched sampling with a KV cache: all prompts at once (left-padded), one prefill, then one decode step per
 * token for the whole batch with ONE device read per step (the logits [B, V]); sampling happens on the host
 * with uniforms from the seeded Rng. Finished rows are dropped from the batch (a gather on the caches) once
 * a quarter of it has finished, so long tails do not pay for finished sequences.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@brevity/core';
import { MASKED, type Policy } from './policy.js';
import { createDecodeCache, type DecodeCache } from './kv-cache.js';
import { RowSampler } from './sampling.js';
import { tidy } from './ops.js';

export interface GenerateOptions {
  /** Response length cap in tokens (EOS included); prompt + cap must fit the model context. */
  maxNewTokens: number;
  /** End-of-sequence token id: a row stops after sampling it. */
  eosId: number;
  /** Softmax temperature (default 1); 0 = greedy. */
  temperature?: number;
  /** Nucleus mass (default 1 = no truncation). */
  topP?: number;
  /** Seeded generator (or a seed) for the sampling uniforms. */
  rng?: Rng | number | string;
  /** Token used for left padding (never attended to); default the EOS id. */
  padId?: number;
}

export interface Generation {
  /** Response tokens, including the EOS token when one was sampled. */
  tokens: Int32Array;
  /** Log-prob of each response token under softmax(logits / temperature). */
  logprobs: Float32Array;
  /** Entropy (nats) of the full distribution at each response position. */
  entropies: Float32Array;
  /** True when the cap was reached without EOS. */
  truncated: boolean;
}

/** Host-side inputs of the prefill: left-padded ids, positions and the causal + padding bias. */
function prefillInputs(prompts: Int32Array[], P: number, padId: number) {
  const B = prompts.length;
  const ids = new Int32Array(B * P).fill(padId);
  const pos = new Int32Array(B * P);
  const bias = new Float32Array(B * P * P);
  prompts.forEach((p, b) => {
    const pad = P - p.length;
    ids.set(p, b * P + pad);
    for (let i = 0; i < P; i++) {
      pos[b * P + i] = Math.max(0, i - pad);
      for (let j = 0; j < P; j++) if (j > i || j < pad) bias[(b * P + i) * P + j] = MASKED;
    }
  });
  return { ids, pos, bias };
}

/** Key mask over every slot a row may attend to while decoding: [B, 1, 1, total]. */
function decodeKeyMask(prompts: Int32Array[], P: number, total: number): tf.Tensor4D {
  const mask = new Float32Array(prompts.length * total);
  prompts.forEach((p, b) => mask.fill(MASKED, b * total, b * total + P - p.length));
  return tf.tensor4d(mask, [prompts.length, 1, 1, total]);
}

class Rows {
  readonly out: Generation[];
  readonly lengths: Int32Array;
  readonly done: Uint8Array;
  /** Original index of each row of the current (possibly compacted) device batch. */
  live: number[];
  constructor(B: number, cap: number) {
    this.out = Array.from({ length: B }, () => ({
      tokens: new Int32Array(cap),
      logprobs: new Float32Array(cap),
      entropies: new Float32Array(cap),
      truncated: true,
    }));
    this.lengths = new Int32Array(B);
    this.done = new Uint8Array(B);
    this.live = Array.from({ length: B }, (_, i) => i);
  }
  get finishedInBatch(): number {
    return this.live.reduce((n, r) => n + this.done[r], 0);
  }
  finish(): Generation[] {
    return this.out.map((g, i) => ({
      tokens: g.tokens.slice(0, this.lengths[i]),
      logprobs: g.logprobs.slice(0, this.lengths[i]),
      entropies: g.entropies.slice(0, this.lengths[i]),
      truncated: g.truncated,
    }));
  }
}

/** Samples one token for every live row from logits [live, V] and records it. */
function sampleStep(logits: Float32Array, rows: Rows, sampler: RowSampler, o: Resolved, u: Float64Array) {
  const V = sampler.vocab;
  rows.live.forEach((r, i) => {
    if (rows.done[r]) return;
    const s = sampler.sample(logits, i * V, o, u[r]);
    const g = rows.out[r];
    const t = rows.lengths[r]++;
    g.tokens[t] = s.token;
    g.logprobs[t] = s.logprob;
    g.entropies[t] = s.entropy;
    if (s.token === o.eosId) {
      g.truncated = false;
      rows.done[r] = 1;
    } else if (rows.lengths[r] >= o.maxNewTokens) rows.done[r] = 1;
  });
}

function uniforms(rng: Rng, n: number): Float64Array {
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = rng.next();
  return u;
}

type Resolved = Required<Omit<GenerateOptions, 'rng'>> & { rng: Rng };

function resolveOptions(policy: Policy, prompts: Int32Array[], opts: GenerateOptions): Resolved {
  const P = Math.max(...prompts.map((p) => p.length));
  if (prompts.some((p) => p.length === 0)) throw new Error('generate: every prompt needs at least one token');
  if (P + opts.maxNewTokens > policy.config.ctx)
    throw new Error(
      `generate: longest prompt (${P} tokens) + maxNewTokens (${opts.maxNewTokens}) exceeds the model context (${policy.config.ctx})`,
    );
  const rng = opts.rng instanceof Rng ? opts.rng : Rng.from(opts.rng ?? 0);
  return { temperature: 1, topP: 1, padId: opts.eosId, ...opts, rng };
}

/** Drops finished rows from the device batch (their cache rows and key mask too). */
function compact(rows: Rows, cache: DecodeCache): void {
  const keep = rows.live.map((r, i) => (rows.done[r] ? -1 : i)).filter((i) => i >= 0);
  rows.live = keep.map((i) => rows.live[i]);
  cache.compact(keep);
}

/**
 * Samples a response for every prompt. Returns per prompt the tokens, their log-probs and the entropies of
 * the full distributions, and whether the cap cut it off.
 */
export async function generate(
  policy: Policy,
  prompts: Int32Array[],
  options: GenerateOptions,
): Promise<Generation[]> {
  if (prompts.length === 0) return [];
  const o = resolveOptions(policy, prompts, options);
  const B = prompts.length;
  const P = Math.max(...prompts.map((p) => p.length));
  const rows = new Rows(B, o.maxNewTokens);
  const sampler = new RowSampler(policy.config.vocab);
  const host = prefillInputs(prompts, P, o.padId);
  const prefill = tidy(() =>
    policy.prefill(
      tf.tensor2d(host.ids, [B, P], 'int32'),
      tf.tensor1d(host.pos, 'int32'),
      tf.tensor4d(host.bias, [B, 1, P, P]),
    ),
  );
  let logits = prefill.logits;
  const capacity = P + Math.max(1, o.maxNewTokens - 1); // the last sampled token is never fed back
  const cache = createDecodeCache(prefill.kv, decodeKeyMask(prompts, P, capacity), {
    heads: policy.config.heads,
    capacity,
  });
  try {
    for (let step = 0; ; step++) {
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      sampleStep(data, rows, sampler, o, uniforms(o.rng, B));
      const finished = rows.finishedInBatch;
      if (finished === rows.live.length || step + 1 >= o.maxNewTokens) break;
      if (finished * 4 >= rows.live.length) compact(rows, cache);
      const tokens = Int32Array.from(rows.live, (r) => rows.out[r].tokens[rows.lengths[r] - 1]);
      const positions = Int32Array.from(rows.live, (r) => prompts[r].length + rows.lengths[r] - 1);
      logits = tidy(() =>
        policy.decode(tf.tensor1d(tokens, 'int32'), tf.tensor1d(positions, 'int32'), cache),
      );
      cache.advance();
    }
  } finally {
    cache.dispose();
  }
  return rows.finish();
}
