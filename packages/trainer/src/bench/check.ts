/**
 * `brevity bench --check`: the active backend's fast kernels (webgpu's WGSL programs, the cpu backend's
 * native ones) against tfjs' own kernels on the same backend, end to end through the model: three AdamW steps
 * of a small policy (every training kernel, the optimizer and its in-place update) and one of a larger one,
 * the gradients of an RL loss summed over two micro-batches (the token log-prob and entropy kernels, the
 * in-place sum), the GRPO/PPO loss with its statistics and gradients under four settings, and sampled
 * generations with their KV cache (every decoding kernel). The test suite checks the same kernels case by
 * case; this runs where the tests cannot, such as a GPU machine with nothing but the bundled CLI. Differences
 * are relative: max |fast - plain| / max(1, max |plain|).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@brevity/core';
import { modelConfig, type ModelConfigInput } from '../model/config.js';
import { generate, type Generation } from '../model/generate.js';
import { accumulate, softmaxCrossEntropy } from '../model/ops.js';
import { createPolicy } from '../model/policy.js';
import { AdamW } from '../optim/adamw.js';
import { tokenLoss } from '../rl/loss.js';
import { readStep, trainStep } from '../optim/step.js';

/** max |got - want| / max(1, max |want|); non-finite values must sit at the same places in both. */
export function relDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(want[i]) || !Number.isFinite(got[i])) {
      if (!Object.is(got[i], want[i])) return Infinity;
      continue;
    }
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

/** Per-step [loss, gradNorm] pairs (flattened), the final weights and optimizer moments. */
export interface StepsResult {
  metrics: number[];
  weights: Float32Array[];
  /** The optimizer's m and v per variable after the last step (read after the first step too). */
  moments: Float32Array[];
  /**
   * Largest change of a frozen reference that copied the policy's weights before the steps (Policy.copyFrom
   * shares their buffers): an optimizer updating in place must leave it at 0.
   */
  referenceMoved: number;
}

/** The tiny policy of the kernel tests' train steps (16 parameter tensors). */
export const STEPS_MODEL = { vocab: 11, d: 16, layers: 2, heads: 2, ctx: 8 } as const;

/**
 * `steps` AdamW steps (weight decay 0.1, clipping at 1, lr 1e-2) of a policy from a fixed init on `batch`
 * sequences of the model's full context, read asynchronously so the same code runs on every backend.
 */
export async function adamSteps(
  model: ModelConfigInput = STEPS_MODEL,
  batch = 3,
  steps = 3,
): Promise<StepsResult> {
  const cfg = modelConfig(model);
  const policy = createPolicy(cfg, 7);
  const reference = createPolicy(cfg, 0, false);
  reference.copyFrom(policy);
  const init = await policy.weights();
  const [B, T, V] = [batch, cfg.ctx, cfg.vocab];
  const ids = tf.tensor2d(
    Int32Array.from({ length: B * T }, (_, i) => (i * 5 + 1) % V),
    [B, T],
    'int32',
  );
  const targets = tf.tensor1d(
    Int32Array.from({ length: B * T }, (_, i) => (i * 3 + 2) % V),
    'int32',
  );
  const weights = tf.fill([B * T], 1 / (B * T)) as tf.Tensor1D;
  const opt = new AdamW(
    policy.variables,
    policy.specs.map((s) => s.decay),
    { weightDecay: 0.1, gradClip: 1 },
  );
  const loss = () =>
    softmaxCrossEntropy(tf.reshape(policy.forward(ids).logits, [B * T, V]) as tf.Tensor2D, targets, weights);
  const metrics: number[] = [];
  for (let i = 0; i < steps; i++) {
    const r = await readStep(trainStep(opt, loss, 1e-2));
    metrics.push(r.loss, r.gradNorm);
    if (i === 0) await opt.state(); // leaves host copies of the moments behind on webgpu
  }
  const out = await Promise.all(policy.variables.map(async (v) => (await v.data()) as Float32Array));
  const state = await opt.state();
  let referenceMoved = 0;
  for (const [name, w] of await reference.weights())
    w.forEach((x, j) => (referenceMoved = Math.max(referenceMoved, Math.abs(x - init.get(name)![j]))));
  tf.dispose([ids, targets, weights]);
  opt.dispose();
  policy.dispose();
  reference.dispose();
  return { metrics, weights: out, moments: [...state.m, ...state.v], referenceMoved };
}

/** `n` prompts of 2-6 tokens from ids 2..10 (ids 0 and 1 stay free for padding and EOS). */
export function randomPrompts(n: number, seed: number): Int32Array[] {
  const rng = Rng.from(seed);
  return Array.from({ length: n }, () =>
    Int32Array.from({ length: rng.intBetween(2, 7) }, () => rng.intBetween(2, 11)),
  );
}

/** Fast and plain kernels of the active backend, for switching between them. */
export interface KernelSwitch {
  install(): void;
  uninstall(): void;
}

async function kernelSwitch(): Promise<KernelSwitch> {
  const backend = tf.getBackend();
  if (backend === 'webgpu') {
    const k = await import('../kernels/webgpu-fused.js');
    return { install: () => void k.installWebgpuKernels(), uninstall: k.uninstallWebgpuKernels };
  }
  if (backend === 'cpu') {
    const n = await import('../kernels/native.js');
    if (n.nativeAddon() !== null)
      return { install: () => void n.installNativeKernels(), uninstall: n.uninstallNativeKernels };
  }
  throw new Error(
    `--check compares fast kernels with tfjs' own, and backend ${backend} has none installed here ` +
      `(webgpu's WGSL programs, or the cpu backend's native kernels)`,
  );
}

export interface CheckCase {
  name: string;
  /** The largest relative difference of the case's outputs (Infinity: shapes or samples differ). */
  max_rel_diff: number;
  tolerance: number;
  ok: boolean;
}

export interface CheckResult {
  backend: string;
  ok: boolean;
  cases: CheckCase[];
}

const worst = (pairs: [ArrayLike<number>, ArrayLike<number>][]) =>
  Math.max(0, ...pairs.map(([got, want]) => relDiff(got, want)));

/** `run` with tfjs' own kernels, then with the fast ones (which stay installed). */
async function plainThenFast<T>(s: KernelSwitch, run: () => Promise<T>): Promise<{ plain: T; fast: T }> {
  s.uninstall();
  const plain = await run();
  s.install();
  return { plain, fast: await run() };
}

/**
 * Train steps: losses, gradient norms and moments, and (with `weights`) the weights; a reference sharing the
 * weights must not move. Several steps and the weights only for a small model: Adam's normalised step turns a
 * rounding-level difference in a near-zero gradient into a difference of up to 2 lr in its weight, and the
 * next step's gradients differ by what that moves. At d 128 the weights after 3 steps differed by 1.7e-4 on
 * the software adapter and 2.9e-3 on an H200, and the third step's gradient norm by 3.5e-6 and 1.4e-5, while
 * the first step's differed by 1.1e-7 on both (session 5): so the large model takes one step, whose moments
 * are every gradient element (m = 0.1 g, v = 0.001 g^2) free of that amplification.
 */
async function trainCase(
  s: KernelSwitch,
  model: ModelConfigInput,
  batch: number,
  steps: number,
  weights: boolean,
): Promise<number> {
  const { plain, fast } = await plainThenFast(s, () => adamSteps(model, batch, steps));
  if (fast.referenceMoved !== 0 || !plain.metrics.every(Number.isFinite)) return Infinity;
  return worst([
    [fast.metrics, plain.metrics],
    ...fast.moments.map((m, i): [Float32Array, Float32Array] => [m, plain.moments[i]]),
    ...(weights ? fast.weights.map((w, i): [Float32Array, Float32Array] => [w, plain.weights[i]]) : []),
  ]);
}

/**
 * The policy-gradient side of an RL update: per-token log-probs and entropies at temperature 1.3 (the
 * GRPO/PPO loss kernels), the gradients of sum(adv * logprob) + 0.01 * sum(entropy) over two micro-batches,
 * summed as rl/update.ts sums them (accumulate: in place where the backend has addTensors).
 */
async function rlCase(s: KernelSwitch, model: ModelConfigInput): Promise<number> {
  const cfg = modelConfig(model);
  const policy = createPolicy(cfg, 7);
  const [B, T] = [3, cfg.ctx];
  const batch = (k: number) =>
    tf.tensor2d(
      Int32Array.from({ length: B * T }, (_, i) => (i * (3 + k) + k) % cfg.vocab),
      [B, T],
      'int32',
    );
  const ids = [batch(0), batch(1)];
  const adv = tf.tensor2d(
    Float32Array.from({ length: B * (T - 1) }, (_, i) => Math.sin(i)),
    [B, T - 1],
  );
  const run = async () => {
    const grads = ids.map((x) =>
      tf.tidy(() => {
        const r = tf.variableGrads(() => {
          const { logprobs, entropies } = policy.logprobs(x, { temperature: 1.3 });
          return tf.add(tf.sum(tf.mul(logprobs, adv)), tf.mul(tf.sum(entropies), 0.01)) as tf.Scalar;
        }, policy.variables);
        return [r.value, ...policy.variables.map((v) => r.grads[v.name])];
      }),
    );
    const sum = accumulate(grads[0], grads[1]);
    const out = await Promise.all(sum.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(sum);
    return out;
  };
  try {
    const { plain, fast } = await plainThenFast(s, run);
    return worst(fast.map((f, i): [Float32Array, Float32Array] => [f, plain[i]]));
  } finally {
    tf.dispose([...ids, adv]);
    policy.dispose();
  }
}

/** Settings of the policy-gradient loss cases: [clipLow, clipHigh, dual clip, KL estimator or none, KL coef, entropy coef]. */
export const PG_LOSS_SETTINGS: [number, number, number | null, 'k1' | 'k2' | 'k3' | null, number, number][] =
  [
    [0.2, 0.28, null, null, 0, 0],
    [0.2, 0.2, 3, 'k3', 0.1, 0.01],
    [0.1, 0.3, null, 'k1', 0, 0.02],
    [0.2, 0.28, 2, 'k2', 0.05, 0],
  ];

/**
 * The GRPO/PPO loss (rl/loss.ts tokenLoss) of N tokens under one of PG_LOSS_SETTINGS: its value, statistics
 * and gradients by the log-probs (and the entropies when they carry a coefficient). Log-ratios of 0
 * (on-policy ties), small ones, +-2 (a dual clip of 2 or 3 binds) and +-30 (past the clamp at 20).
 */
export function pgLossCase(
  N: number,
  [clipLow, clipHigh, dualClip, kl, klCoef, entropyCoef]: (typeof PG_LOSS_SETTINGS)[number],
): { inputs: tf.Tensor[]; run: () => tf.Tensor[] } {
  const rand = (scale: number, seed: number) =>
    tf.randomUniform([N], -scale, scale, 'float32', seed) as tf.Tensor1D;
  const shifts = [0, 30, -30, 2, -2, 1.5];
  const shift = Float32Array.from({ length: N }, (_, i) =>
    i % 10 < shifts.length ? shifts[i % 10] : 0.5 * Math.sin(i),
  );
  const logp = tf.sub(tf.abs(rand(3, 1)), 3.2) as tf.Tensor1D;
  const ent = tf.abs(rand(2, 2)) as tf.Tensor1D;
  const t = {
    old: tf.sub(logp, tf.tensor1d(shift)) as tf.Tensor1D,
    adv: rand(2, 3),
    weights: tf.abs(rand(0.1, 4)) as tf.Tensor1D,
    mask: tf.tensor1d(Float32Array.from({ length: N }, (_, i) => (i % 5 === 4 ? 0 : 1))),
    returns: tf.zeros([N]) as tf.Tensor1D,
    oldValues: tf.zeros([N]) as tf.Tensor1D,
    ref: kl ? (tf.sub(logp, rand(0.5, 5)) as tf.Tensor1D) : null,
  };
  const opts = {
    clipLow,
    clipHigh,
    dualClip,
    klCoef,
    klEstimator: kl ?? 'k3',
    entropyCoef,
    temperature: 1,
    valueCoef: 0,
    valueClip: null,
  } as const;
  const loss = (a: tf.Tensor, b: tf.Tensor = ent) => {
    const r = tokenLoss(a as tf.Tensor1D, b as tf.Tensor1D, null, t, opts);
    r.stats.dispose();
    return r.loss;
  };
  return {
    inputs: [logp, ent, ...Object.values(t).filter((x): x is tf.Tensor1D => x !== null)],
    run: () => {
      const { loss: value, stats } = tokenLoss(logp, ent, null, t, opts);
      const grads = entropyCoef !== 0 ? tf.grads(loss)([logp, ent]) : tf.grads((a) => loss(a))([logp]);
      return [tf.reshape(value, [1]), stats, ...grads];
    },
  };
}

/** Every PG_LOSS_SETTINGS case over 300 tokens. */
async function pgLossCases(s: KernelSwitch): Promise<number> {
  let d = 0;
  for (const setting of PG_LOSS_SETTINGS) {
    const c = pgLossCase(300, setting);
    const run = async () => {
      const out = tf.tidy(c.run);
      const values = await Promise.all(out.map(async (x) => (await x.data()) as Float32Array));
      tf.dispose(out);
      return values;
    };
    try {
      const { plain, fast } = await plainThenFast(s, run);
      d = Math.max(d, worst(fast.map((f, i): [Float32Array, Float32Array] => [f, plain[i]])));
    } finally {
      tf.dispose(c.inputs);
    }
  }
  return d;
}

/**
 * Matrix products of a size a GPU GEMM tiles (45 tiles of 64 x 64): every transpose of [300, 96] x [96, 520],
 * and the fused form with a full-shape bias (the residual add) and a ReLU.
 */
async function matmulCase(s: KernelSwitch): Promise<number> {
  const [M, K, N] = [300, 96, 520];
  const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);
  const a = [rand([M, K], 1), rand([K, M], 2)];
  const b = [rand([K, N], 3), rand([N, K], 4)];
  const bias = rand([M, N], 5);
  const run = async () => {
    const out = tf.tidy(() => [
      ...[false, true].flatMap((ta) =>
        [false, true].map((tb) => tf.matMul(a[Number(ta)], b[Number(tb)], ta, tb)),
      ),
      tf.fused.matMul({ a: a[0], b: b[0], bias, activation: 'relu' }),
    ]);
    const values = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(out);
    return values;
  };
  try {
    const { plain, fast } = await plainThenFast(s, run);
    return worst(fast.map((f, i): [Float32Array, Float32Array] => [f, plain[i]]));
  } finally {
    tf.dispose([...a, ...b, bias]);
  }
}

/** A sampled generation: the same tokens (same seed), and their log-probs and entropies. */
async function generateCase(s: KernelSwitch, model: ModelConfigInput, tokens: number): Promise<number> {
  const policy = createPolicy(modelConfig(model), 7);
  const prompts = randomPrompts(6, 3);
  const opts = { maxNewTokens: tokens, eosId: 1, temperature: 1.3, rng: 5 };
  try {
    const { plain, fast } = await plainThenFast(s, () => generate(policy, prompts, opts));
    const same = (a: Generation, b: Generation) =>
      a.tokens.length === b.tokens.length && a.tokens.every((t, i) => t === b.tokens[i]);
    if (!fast.every((g, i) => same(g, plain[i]))) return Infinity;
    return worst(
      fast.flatMap((g, i): [Float32Array, Float32Array][] => [
        [g.logprobs, plain[i].logprobs],
        [g.entropies, plain[i].entropies],
      ]),
    );
  } finally {
    policy.dispose();
  }
}

/**
 * Runs every case on the active backend; the fast kernels stay installed afterwards. `kernels` switches
 * between fast and plain kernels (default: the backend's own; tests pass a broken one).
 */
export async function checkKernels(kernels?: KernelSwitch): Promise<CheckResult> {
  const s = kernels ?? (await kernelSwitch());
  const cases: [string, () => Promise<number>, number][] = [
    [
      'train: 3 AdamW steps, d 16, 2 layers, 3 x 8 tokens (losses, norms, moments, weights)',
      () => trainCase(s, STEPS_MODEL, 3, 3, true),
      1e-5,
    ],
    [
      'train: 1 AdamW step, d 128, 2 layers, 4 heads, 4 x 72 tokens (loss, norm, moments: every gradient element)',
      () => trainCase(s, { vocab: 64, d: 128, layers: 2, heads: 4, ctx: 72 }, 4, 1, false),
      1e-5,
    ],
    [
      'matmul: every transpose of [300, 96] x [96, 520], and fused with a bias and ReLU',
      () => matmulCase(s),
      1e-5,
    ],
    [
      'rl: token log-probs and entropies, 2 micro-batches of 3 x 24, d 64 (loss, summed gradients)',
      () => rlCase(s, { vocab: 21, d: 64, layers: 2, heads: 4, ctx: 24 }),
      1e-5,
    ],
    [
      'pg loss: clipped surrogate, dual clip, 3 KL estimators, entropy bonus; 4 settings x 300 tokens (loss, statistics, gradients)',
      () => pgLossCases(s),
      1e-5,
    ],
    [
      'generate: 6 prompts x 12 tokens, d 16, 2 heads (samples, log-probs, entropies)',
      () => generateCase(s, { vocab: 12, d: 16, layers: 2, heads: 2, ctx: 32 }, 12),
      1e-4,
    ],
    [
      'generate: 6 prompts x 40 tokens, d 128, 4 heads (samples, log-probs, entropies)',
      () => generateCase(s, { vocab: 12, d: 128, layers: 2, heads: 4, ctx: 48 }, 40),
      1e-4,
    ],
  ];
  const out: CheckCase[] = [];
  try {
    for (const [name, run, tolerance] of cases) {
      const d = await run();
      out.push({ name, max_rel_diff: d, tolerance, ok: d <= tolerance });
    }
  } finally {
    s.install();
  }
  return { backend: tf.getBackend(), ok: out.every((c) => c.ok), cases: out };
}
