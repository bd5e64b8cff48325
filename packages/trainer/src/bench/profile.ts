/**
 * `brevity bench --profile`: where the time of the bench's train step and sampling run goes on the active
 * backend, as kernel time (GPU time from timestamp queries on webgpu when the device has them, e.g. with
 * BREVITY_DAWN_FLAGS=enable-dawn-features=allow_unsafe_apis; measured kernel time on the CPU backends)
 * against wall time, the heaviest kernels, and two probes of fixed costs: the host cost of launching one tiny
 * op, and of one tiny op plus reading its result back. A step whose kernel time is far below its wall time
 * is bound by launches or reads, not by arithmetic.
 */
import * as tf from '@tensorflow/tfjs';
import { generate } from '../model/generate.js';
import type { Policy } from '../model/policy.js';
import { readStep } from '../optim/step.js';
import { makeTrainStep, median, timeRuns, type BenchOptions } from './bench.js';

export interface StepProfile {
  /** Wall time of the profiled run (profiling adds its own overhead). */
  wall_ms: number;
  /** Kernel time summed over the run's kernels (0 where the backend cannot time them). */
  kernel_ms: number;
  /** Whether kernel_ms and the times in `top` are real measurements. */
  timed: boolean;
  kernels: number;
  /** The heaviest kernels by total time: [name, calls, total ms]. */
  top: [string, number, number][];
  /** The same by kernel and input shapes (which matmul is slow): ["name [shape] [shape]", calls, total ms]. */
  top_shapes: [string, number, number][];
}

export interface BenchProfile {
  train: StepProfile;
  sample: StepProfile;
  /** Median host cost of one tiny op chained on another (microseconds). */
  launch_us: number;
  /** Median time of one tiny op and the read of its result (milliseconds). */
  read_ms: number;
}

const round = (x: number, k = 3) => Math.round(x * 10 ** k) / 10 ** k;

/** Profiles an async run: wall time, summed kernel time, the top kernels. */
async function profileRun(f: () => Promise<unknown>, top: number): Promise<StepProfile> {
  const t0 = performance.now();
  const info = await tf.profile(f as () => Promise<tf.TensorContainer>);
  const wall = performance.now() - t0;
  // Op scopes (customGrad's `forward`, `unnamed scope`, `*__op`) are listed too and contain kernels: skip them.
  // Reshape and Identity are views (no arithmetic, no launch).
  const kernels = info.kernels.filter(
    (k) =>
      tf.getKernel(k.name, tf.getBackend()) !== undefined && k.name !== 'Reshape' && k.name !== 'Identity',
  );
  // A time the device did not really measure (Dawn's null adapter writes garbage timestamps) voids them all.
  const times = kernels.map((k) => (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : NaN));
  const valid = times.every((t) => Number.isFinite(t) && t >= 0 && t <= wall);
  const ms = kernels.map((_, i) => (valid ? times[i] : 0));
  const total = ms.reduce((a, b) => a + b, 0);
  const heaviest = (key: (k: (typeof kernels)[number]) => string): [string, number, number][] => {
    const by = new Map<string, { calls: number; ms: number }>();
    kernels.forEach((k, i) => {
      const e = by.get(key(k)) ?? { calls: 0, ms: 0 };
      e.calls += 1;
      e.ms += ms[i];
      by.set(key(k), e);
    });
    return [...by]
      .sort((a, b) => b[1].ms - a[1].ms || b[1].calls - a[1].calls)
      .slice(0, top)
      .map(([name, e]): [string, number, number] => [name, e.calls, round(e.ms)]);
  };
  return {
    wall_ms: round(wall, 2),
    kernel_ms: round(total, 2),
    timed: valid && total > 0,
    kernels: kernels.length,
    top: heaviest((k) => k.name),
    top_shapes: heaviest((k) => [k.name, ...k.inputShapes.map((sh) => `[${sh ?? ''}]`)].join(' ')),
  };
}

/** The two fixed-cost probes: per-launch host cost (chained tiny adds) and one op plus a read back. */
async function probes(): Promise<{ launch_us: number; read_ms: number }> {
  const one = tf.ones([4]);
  const chain = 200;
  const chained = async () => {
    let x = tf.add(one, 0);
    for (let i = 0; i < chain; i++) {
      const y = tf.add(x, 1);
      x.dispose();
      x = y;
    }
    await x.data();
    x.dispose();
  };
  const readOne = async () => {
    const y = tf.add(one, 1);
    await y.data();
    y.dispose();
  };
  const read = median(await timeRuns(readOne, 20));
  const launch = (median(await timeRuns(chained, 5)) - read) / chain;
  one.dispose();
  return { launch_us: round(Math.max(launch, 0) * 1000, 1), read_ms: round(read) };
}

/** The profile of one train step and one sampling run of the bench's workload (after a warm-up of each). */
export async function profileBench(policy: Policy, o: BenchOptions, top = 12): Promise<BenchProfile> {
  const step = makeTrainStep(policy, o);
  const prompts = Array.from({ length: o.sampleBatch }, () => Int32Array.of(0));
  const sample = () =>
    generate(policy, prompts, { maxNewTokens: o.sampleTokens, eosId: -1, padId: 0, rng: 1 });
  try {
    await readStep(step.launch());
    await sample();
    return {
      train: await profileRun(() => readStep(step.launch()), top),
      sample: await profileRun(sample, top),
      ...(await probes()),
    };
  } finally {
    step.dispose();
  }
}
