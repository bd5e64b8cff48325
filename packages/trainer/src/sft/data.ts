/**
 * SFT batches from an environment's teacher traces: each example is `[bos, prompt, response, eos]`
 * (envs' encodeExample); inputs are all but the last token, targets all but the first, and only targets
 * inside the response (EOS included) carry loss weight. Rows are right-padded to the batch's longest
 * example, rounded up to a multiple of 8 so few distinct shapes occur.
 */
import type { Rng } from '@brevity/core';
import { encodeExample, type CharTokenizer, type Environment } from '@brevity/envs';
import { UserError } from '../errors.js';

export interface SftBatch {
  /** Rows and time steps of the padded batch. */
  B: number;
  T: number;
  /** Input ids [B*T] (int32, row-major). */
  ids: Int32Array;
  /** Next-token targets [B*T]. */
  targets: Int32Array;
  /** Loss weight per target [B*T]: 1/responseTokens on response targets, 0 elsewhere (a token mean). */
  weights: Float32Array;
  /** Response tokens in the batch (the weights' denominator). */
  responseTokens: number;
}

/** Problems and their teacher traces, as token sequences with the index where the response starts. */
export function teacherExamples(env: Environment, tok: CharTokenizer, rng: Rng, n: number) {
  if (!env.teacherTrace) throw new UserError(`environment ${env.name} has no teacher traces; SFT needs them`);
  return env.sample(rng, n, 'train').map((p) => encodeExample(tok, p.prompt, env.teacherTrace!(p, rng)));
}

/** Packs examples into one right-padded batch. */
export function packBatch(
  examples: { ids: Int32Array; responseStart: number }[],
  padId: number,
  ctx: number,
): SftBatch {
  const longest = Math.max(...examples.map((e) => e.ids.length - 1));
  if (longest > ctx)
    throw new UserError(
      `a training example has ${longest + 1} tokens, more than model.ctx (${ctx}) + 1; raise model.ctx or shorten the traces`,
    );
  const T = Math.min(ctx, Math.ceil(longest / 8) * 8);
  const B = examples.length;
  const ids = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(padId);
  const weights = new Float32Array(B * T);
  let responseTokens = 0;
  examples.forEach((e, b) => {
    const n = e.ids.length - 1;
    ids.set(e.ids.subarray(0, n), b * T);
    targets.set(e.ids.subarray(1), b * T);
    // Target t predicts token t+1: response targets are t >= responseStart - 1.
    for (let t = e.responseStart - 1; t < n; t++) weights[b * T + t] = 1;
    responseTokens += n - (e.responseStart - 1);
  });
  for (let i = 0; i < weights.length; i++) weights[i] /= responseTokens;
  return { B, T, ids, targets, weights, responseTokens };
}
