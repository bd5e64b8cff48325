/**
 * The speed yardstick: median Adam train-step time and KV-cache sampling throughput of one model size on
 * the active backend. The workload mirrors shared/tools/torch_reference.py (same model, random tokens,
 * cross-entropy on every position; sampling B sequences from a one-token prompt for N tokens), so the
 * numbers compare one to one with PyTorch.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@brevity/core';
import { createPolicy, type Policy } from '../model/policy.js';
import { softmaxCrossEntropy } from '../model/ops.js';
import { generate } from '../model/generate.js';
import { AdamW } from '../optim/adamw.js';
import { readStep, trainStep } from '../optim/step.js';
import { paramCount, modelConfig } from '../model/config.js';

export interface BenchShape {
  d: number;
  layers: number;
  heads: number;
  vocab: number;
  ctx: number;
  /** Train batch (sequences) and sequence length. */
  batch: number;
  seq: number;
  /** Sampling batch and tokens sampled per sequence. */
  sampleBatch: number;
  sampleTokens: number;
}

export interface BenchOptions extends BenchShape {
  /** Timed runs (the median is reported); two untimed warm-up runs come first. */
  repeats: number;
  /** Also profile one train step and one sampling run (bench/profile.ts). */
  profile?: boolean;
}

export interface BenchResult {
  params: number;
  train_step_ms: number;
  sample_tokens_per_s: number;
  /** Every timed run, for the curious. */
  train_runs_ms: number[];
  sample_runs_ms: number[];
  /**
   * webgpu only: GPU programs one train step launches, and per sampled token (prefill included, spread over
   * the tokens). Per-launch overhead is what bounds small models there (docs/performance.md).
   */
  train_step_launches?: number;
  sample_launches_per_token?: number;
  /** With `profile`: kernel vs wall time, the heaviest kernels, launch and read costs. */
  profile?: import('./profile.js').BenchProfile;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Times of `repeats` runs of f (ms), after two untimed warm-up runs. */
export async function timeRuns(f: () => Promise<void>, repeats: number): Promise<number[]> {
  await f();
  await f();
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

function randomIds(rng: Rng, n: number, vocab: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(vocab));
}

/** One Adam step on random tokens with the loss on every position (as the PyTorch reference), reusable. */
export function makeTrainStep(policy: Policy, o: BenchOptions) {
  const rng = Rng.from('bench-train');
  const n = o.batch * o.seq;
  const ids = tf.tensor2d(randomIds(rng, n, o.vocab), [o.batch, o.seq], 'int32');
  const targets = tf.tensor1d(randomIds(rng, n, o.vocab), 'int32');
  const weights = tf.fill([n], 1 / n) as tf.Tensor1D;
  const opt = new AdamW(
    policy.variables,
    policy.specs.map((s) => s.decay),
  );
  const loss = () => {
    const { logits } = policy.forward(ids);
    return softmaxCrossEntropy(tf.reshape(logits, [n, o.vocab]), targets, weights);
  };
  return {
    /** Launches the step's kernels; readStep waits for them. */
    launch: () => trainStep(opt, loss, 1e-3),
    dispose: () => {
      tf.dispose([ids, targets, weights]);
      opt.dispose();
    },
  };
}

/** Times of one Adam step (see makeTrainStep), after two warm-up steps. */
export async function benchTrain(policy: Policy, o: BenchOptions): Promise<number[]> {
  const step = makeTrainStep(policy, o);
  try {
    return await timeRuns(async () => {
      await readStep(step.launch());
    }, o.repeats);
  } finally {
    step.dispose();
  }
}

/** Times sampling `sampleTokens` tokens for `sampleBatch` one-token prompts (no EOS: every row runs). */
export async function benchSample(policy: Policy, o: BenchOptions): Promise<number[]> {
  const prompts = Array.from({ length: o.sampleBatch }, () => Int32Array.of(0));
  let seed = 0;
  return timeRuns(async () => {
    await generate(policy, prompts, { maxNewTokens: o.sampleTokens, eosId: -1, padId: 0, rng: seed++ });
  }, o.repeats);
}

/**
 * Launches of one train step and of one sampling run (per token), counted on webgpu: the difference between
 * runs with one and with no timed repeat (both do the two warm-ups and the setup), so setup is not counted.
 */
async function webgpuLaunches(policy: Policy, o: BenchOptions) {
  const { countWebgpuLaunches } = await import('../kernels/webgpu-fused.js');
  const count = async (f: (x: BenchOptions) => Promise<unknown>) =>
    (await countWebgpuLaunches(() => f({ ...o, repeats: 1 }))).total -
    (await countWebgpuLaunches(() => f({ ...o, repeats: 0 }))).total;
  return {
    train_step_launches: await count((x) => benchTrain(policy, x)),
    sample_launches_per_token:
      Math.round(((await count((x) => benchSample(policy, x))) / o.sampleTokens) * 10) / 10,
  };
}

/** Both measurements on the active backend, with a fresh model of the given shape. */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  if (o.seq > o.ctx) throw new Error(`--seq ${o.seq} exceeds --ctx ${o.ctx}`);
  if (o.sampleTokens + 1 > o.ctx)
    throw new Error(`--sample-tokens ${o.sampleTokens} + 1 prompt token exceed --ctx ${o.ctx}`);
  const cfg = modelConfig({ vocab: o.vocab, d: o.d, layers: o.layers, heads: o.heads, ctx: o.ctx });
  const policy = createPolicy(cfg, 0);
  try {
    const train = await benchTrain(policy, o);
    const sample = await benchSample(policy, o);
    const round = (x: number, k: number) => Math.round(x * 10 ** k) / 10 ** k;
    return {
      params: paramCount(cfg),
      train_step_ms: round(median(train), 2),
      sample_tokens_per_s: round((o.sampleBatch * o.sampleTokens * 1000) / median(sample), 1),
      train_runs_ms: train.map((x) => round(x, 2)),
      sample_runs_ms: sample.map((x) => round(x, 2)),
      ...(tf.getBackend() === 'webgpu' ? await webgpuLaunches(policy, o) : {}),
      ...(o.profile ? { profile: await (await import('./profile.js')).profileBench(policy, o) } : {}),
    };
  } finally {
    policy.dispose();
  }
}
