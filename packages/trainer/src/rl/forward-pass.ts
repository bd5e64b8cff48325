/**
 * Gradient-free passes over rollouts: log-probs of the response tokens under a (frozen reference) policy,
 * and value predictions of a PPO value head; both aligned with each sample's response tokens.
 */
import * as tf from '@tensorflow/tfjs';
import { gae, whiten } from '@brevity/core';
import type { Policy } from '../model/policy.js';
import { tidy, tokenLogprobs } from '../model/ops.js';
import type { UpdateSample } from './batch.js';
import { packMicro, type ValueHead } from './loss.js';

/**
 * Per sample: log-probs [R] (and values [R] when a value head is given), batched `chunk` rows at a time. The
 * rows go through in order of length (prompt + response), so each chunk is padded to a similar length; the
 * results come back in the samples' order.
 */
export async function responsePass(
  policy: Policy,
  samples: UpdateSample[],
  o: { padId: number; temperature: number; valueHead?: ValueHead | null; chunk?: number },
): Promise<{ logprobs: Float32Array[]; values: Float32Array[] }> {
  const logprobs: Float32Array[] = new Array(samples.length);
  const values: Float32Array[] = o.valueHead ? new Array(samples.length) : [];
  const size = o.chunk ?? 64;
  const len = (i: number) => samples[i].prompt.length + samples[i].response.length;
  const order = samples.map((_, i) => i).sort((a, b) => len(a) - len(b) || a - b);
  for (let i = 0; i < order.length; i += size) {
    const rows = order.slice(i, i + size);
    const part = rows.map((r) => samples[r]);
    const p = packMicro(part, new Float32Array(part.length), o.padId);
    const N = p.B * (p.T - 1);
    const out = tidy(() => {
      const ids = tf.tensor2d(p.ids, [p.B, p.T], 'int32');
      const { hidden, logits } = policy.forward(tf.slice(ids, [0, 0], [p.B, p.T - 1]) as tf.Tensor2D);
      const lp = tokenLogprobs(
        tf.reshape(logits, [N, policy.config.vocab]) as tf.Tensor2D,
        tf.tensor1d(p.targets, 'int32'),
        o.temperature,
      ).logprobs;
      if (!o.valueHead) return tf.stack([lp]);
      const v = tf.reshape(
        tf.add(tf.matMul(tf.reshape(hidden, [N, policy.config.d]), o.valueHead.w), o.valueHead.b),
        [N],
      );
      return tf.stack([lp, v]);
    });
    const data = (await out.data()) as Float32Array;
    out.dispose();
    part.forEach((s, j) => {
      const from = j * (p.T - 1) + s.prompt.length - 1;
      logprobs[rows[j]] = data.slice(from, from + s.response.length);
      if (o.valueHead) values[rows[j]] = data.slice(N + from, N + from + s.response.length);
    });
  }
  return { logprobs, values };
}

/**
 * PPO targets: the outcome reward sits on the last response token (verl, OpenRLHF), GAE per sample, then the
 * advantages are whitened over every token in the loss (verl masked_whiten). Mutates the samples.
 */
export function attachGae(
  samples: UpdateSample[],
  rewards: number[],
  values: Float32Array[],
  gamma: number,
  lambda: number,
): void {
  const advs: Float64Array[] = [];
  samples.forEach((s, i) => {
    const R = s.response.length;
    const r = new Float64Array(R);
    if (R > 0) r[R - 1] = rewards[i];
    const { advantages, returns } = gae(r, values[i], gamma, lambda);
    advs.push(advantages);
    s.returns = Float32Array.from(returns);
    s.oldValues = values[i];
  });
  const flat = advs.flatMap((a) => Array.from(a));
  const mask = samples.flatMap((s) => Array.from({ length: s.response.length }, () => (s.inLoss ? 1 : 0)));
  const w = whiten(flat, mask);
  let at = 0;
  samples.forEach((s) => {
    s.tokenAdvantages = Float32Array.from(w.subarray(at, at + s.response.length));
    at += s.response.length;
  });
}
