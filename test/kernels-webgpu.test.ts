/**
 * The fused WGSL kernels (packages/trainer/src/kernels/webgpu-fused.ts) against tfjs' own webgpu kernels
 * composing the same math, on the same backend: every case of test/fused-cases.ts (forward and gradients),
 * three AdamW steps of the real policy, and the number of GPU programs a train step launches.
 *
 * Runs on a real GPU when Dawn finds one, else on Mesa's software rasteriser (BREVITY_WEBGPU_ADAPTER=software:
 * OpenGL ES in compatibility mode; `apt-get install libegl-mesa0 libgl1-mesa-dri`). Skipped, with the reason
 * in the title, where neither loads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

import { initBackend, SOFTWARE_WEBGPU, webgpuOptions } from '../packages/trainer/src/backend.js';
import {
  ATTENTION_LIMITS,
  FUSED_KERNELS,
  NORM_MATMUL_LIMITS,
} from '../packages/trainer/src/kernels/fused-names.js';
import {
  countWebgpuLaunches,
  installWebgpuKernels,
  leftOutGroups,
  OPT_IN_GROUPS,
  uninstallWebgpuKernels,
  WEBGPU_FUSED_KERNELS,
  WEBGPU_KERNEL_GROUPS,
} from '../packages/trainer/src/kernels/webgpu-fused.js';
import {
  GEMM_MIN_TILES,
  gemmRequested,
  installGemm,
  uninstallGemm,
} from '../packages/trainer/src/kernels/webgpu-gemm.js';
import { hasKernel } from '../packages/trainer/src/model/fused.js';
import {
  linearResidual,
  matMulAddsResidual,
  normMatMul,
  residualNormMatMul,
  tokenPositionEmbedding,
} from '../packages/trainer/src/model/ops.js';
import { relDiff } from './kernels-compare.js';
import {
  ATTENTION_CASES,
  attentionCase,
  DECODE_CASES,
  decodeCase,
  ENTROPY_CASES,
  entropyCase,
  NORM_CASES,
  rand,
  reluCase,
  TOKEN_CASES,
  tokenCase,
  normCase,
  normPassCase,
  SOFTMAX_CASES,
  softmaxCase,
} from './fused-cases.js';
import type { FusedCase } from './fused-cases.js';
import {
  checkKernels,
  PG_LOSS_SETTINGS,
  pgLossCase,
  STEPS_MODEL,
  adamSteps,
} from '../packages/trainer/src/bench/check.js';
import { runBench } from '../packages/trainer/src/bench/bench.js';
import { modelConfig } from '../packages/trainer/src/model/config.js';
import { createPolicy } from '../packages/trainer/src/model/policy.js';
import { generate, type Generation } from '../packages/trainer/src/model/generate.js';
import { fullForward, maxAbsDiff, randomPrompts } from './generate-check.js';

async function loadWebgpu(): Promise<string> {
  try {
    await initBackend('webgpu');
    return '';
  } catch {
    try {
      await initBackend('webgpu', SOFTWARE_WEBGPU);
      return '';
    } catch (e) {
      return ` (skipped: ${(e as Error).message.split('\n')[0]})`;
    }
  }
}
const skipReason = await loadWebgpu();

const countPrograms = countWebgpuLaunches;

interface GPUDeviceLike {
  limits: { maxStorageBuffersPerShaderStage: number };
}

/** The kernels installed by default: every group but the opt-in ones, whose kernels are listed apart. */
const OPT_IN_KERNELS = OPT_IN_GROUPS.flatMap((g) => WEBGPU_KERNEL_GROUPS[g].map(([name]) => name));
const DEFAULT_KERNELS = WEBGPU_FUSED_KERNELS.filter((k) => !OPT_IN_KERNELS.includes(k));
const defaultsInstalled = () => DEFAULT_KERNELS.every(hasKernel) && !OPT_IN_KERNELS.some(hasKernel);

/** The values of `run`'s outputs (read asynchronously, as webgpu needs). */
async function readAll(run: () => tf.Tensor[]): Promise<Float32Array[]> {
  const out = tf.tidy(run);
  const values = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(out);
  return values;
}

/** Worst relDiff of the case's outputs with the WGSL kernels against tfjs' compositions. */
async function worstDiff(c: FusedCase): Promise<number> {
  const read = () => readAll(c.run);
  uninstallWebgpuKernels();
  const want = await read();
  installWebgpuKernels([]); // every group, the opt-in ones too
  let got: Float32Array[] = [];
  const n = await countPrograms(async () => (got = await read()));
  expect(n.ours).toBeGreaterThan(0); // the fused path really ran
  tf.dispose(c.inputs);
  return Math.max(...want.map((w, i) => relDiff(got[i], w)));
}

describe.skipIf(skipReason !== '')(`fused WGSL kernels on webgpu${skipReason}`, () => {
  afterAll(() => installWebgpuKernels());

  it('are registered when the backend loads (but the opt-in groups), and removed by uninstall', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(OPT_IN_KERNELS).toEqual([FUSED_KERNELS.residualNormMatMul]);
    expect(defaultsInstalled()).toBe(true);
    uninstallWebgpuKernels();
    expect(WEBGPU_FUSED_KERNELS.some(hasKernel)).toBe(false);
    installWebgpuKernels();
    expect(defaultsInstalled()).toBe(true);
    expect(installWebgpuKernels([])).toBe(WEBGPU_FUSED_KERNELS.length);
    expect(WEBGPU_FUSED_KERNELS.every(hasKernel)).toBe(true);
    installWebgpuKernels(); // back to the defaults: the opt-in kernel unregistered again
    expect(defaultsInstalled()).toBe(true);
    // The native in-place decode kernel is cpu only: webgpu has its own, over a packed cache.
    expect(hasKernel(FUSED_KERNELS.attendDecode)).toBe(false);
    expect(hasKernel(FUSED_KERNELS.attendCache)).toBe(true);
  });

  it('BREVITY_WEBGPU_FUSED leaves kernel groups out (a forward with its gradient) or adds opt-in ones, and refuses unknown ones', async () => {
    expect(leftOutGroups(undefined)).toEqual(['residualNormMatMul']);
    expect(leftOutGroups('1')).toEqual(['residualNormMatMul']);
    expect(leftOutGroups('0')).toEqual(Object.keys(WEBGPU_KERNEL_GROUPS));
    expect(leftOutGroups('-attention, -adam')).toEqual(['residualNormMatMul', 'attention', 'adam']);
    expect(leftOutGroups('+residualNormMatMul')).toEqual([]);
    expect(leftOutGroups('-adam,+residualNormMatMul')).toEqual(['adam']);
    expect(() => leftOutGroups('-atention')).toThrow(/"-atention" is not one \(groups: norm, normMatMul,/);
    expect(() => leftOutGroups('attention')).toThrow(
      /groups to leave out or add like -attention,\+residualNormMatMul/,
    );
    const all = WEBGPU_FUSED_KERNELS.length;
    // From the default set: the groups left out are unregistered, nothing else changes.
    try {
      expect(installWebgpuKernels(['attention', 'adam'])).toBe(all - 3);
      expect(hasKernel(FUSED_KERNELS.attention) || hasKernel(FUSED_KERNELS.attentionGrad)).toBe(false);
      expect(hasKernel(FUSED_KERNELS.adamTensors)).toBe(false);
      expect(hasKernel(FUSED_KERNELS.rmsNorm)).toBe(true);
      // A train step runs with tfjs' attention and optimizer beside the other fused kernels.
      const steps = await adamSteps();
      expect(steps.metrics.every(Number.isFinite)).toBe(true);
    } finally {
      installWebgpuKernels();
    }
    expect(defaultsInstalled()).toBe(true);
  });

  it('BREVITY_WEBGPU_DX_TRANSPOSE=1 copies w^T for the linear layers dx: the same train steps, a launch more each', async () => {
    let flagged = await adamSteps();
    const flaggedCount = await countPrograms(async () => (flagged = await adamSteps()));
    process.env.BREVITY_WEBGPU_DX_TRANSPOSE = '1';
    let copied = flagged;
    try {
      const copiedCount = await countPrograms(async () => (copied = await adamSteps()));
      // 2 blocks x 4 linear layers + the unembedding, 3 steps.
      expect(copiedCount.total - flaggedCount.total).toBe(3 * (2 * 4 + 1));
    } finally {
      delete process.env.BREVITY_WEBGPU_DX_TRANSPOSE;
    }
    expect(relDiff(copied.metrics, flagged.metrics)).toBeLessThan(1e-5);
    copied.weights.forEach((w, i) => expect(relDiff(w, flagged.weights[i])).toBeLessThan(1e-5));
  });

  it('a second initBackend keeps the first Dawn instance (tfjs keeps its device; replacing it crashed Dawn)', async () => {
    const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
    expect(gpu).toBeDefined();
    await initBackend('webgpu', SOFTWARE_WEBGPU);
    const other = await initBackend('webgpu', { dawnFlags: ['backend=null'] });
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBe(gpu);
    expect(tf.getBackend()).toBe('webgpu');
    expect(other.attempts[0].reason).toMatch(
      /^Dawn WebGPU.*\(as first initialised: one webgpu device per process\)$/,
    );
  });

  it.each(NORM_CASES)('rmsNorm [%i, %i] (x scale %f): forward and both gradients', async (r, c, s) => {
    expect(await worstDiff(normCase(r, c, s))).toBeLessThan(1e-5);
  });

  it.each(NORM_CASES)(
    'rmsNormPass [%i, %i] (x scale %f) in a residual block: output and both gradients, with no add of x gradients',
    async (r, c, s) => {
      expect(await worstDiff(normPassCase(r, c, s))).toBeLessThan(1e-5);
      // The gradient of x through the pass-through and the norm is one dx program with the residual's
      // gradient as an input; tfjs' backprop sums the two (an Add) only without the kernel.
      const adds = async () => {
        const c0 = normPassCase(r, c, s);
        const n = await countPrograms(async () => readAll(c0.run));
        tf.dispose(c0.inputs);
        // tfjs' binary programs are keyed binary_<op>_..., ADD being op 0.
        return Object.entries(n.byKey).reduce(
          (sum, [key, k]) => sum + (key.startsWith('binary_0_') ? k : 0),
          0,
        );
      };
      const passAdds = await adds();
      tf.unregisterKernel(FUSED_KERNELS.rmsNormPass, 'webgpu'); // the fallback: [rmsNorm(x), x]
      const normAdds = await adds();
      installWebgpuKernels();
      // The block's own add, run twice (in tf.grads and for the output); the fallback adds x's two gradients.
      expect(passAdds).toBe(2);
      expect(normAdds).toBe(3);
    },
  );

  it.each(PG_LOSS_SETTINGS)(
    'policy-gradient loss (clip %f/%f, dual %s, KL %s x %f, entropy x %f): loss, statistics, gradients',
    async (...setting) => {
      expect(await worstDiff(pgLossCase(300, setting))).toBeLessThan(1e-5);
    },
  );

  it.each(ENTROPY_CASES)('cross-entropy [%i, %i] (targets %j): loss and gradient', async (N, V, t) => {
    expect(await worstDiff(entropyCase(N, V, t))).toBeLessThan(1e-5);
  });

  it.each(SOFTMAX_CASES)('masked softmax %j (%s): forward and gradient', async (shape, kind) => {
    expect(await worstDiff(softmaxCase(shape, kind))).toBeLessThan(1e-5);
  });

  it.each(ATTENTION_CASES)('attention B %i, H %i, T %i, Dh %i (%s): forward and gradient', async (...a) => {
    expect(await worstDiff(attentionCase(...a))).toBeLessThan(1e-5);
  });

  it.each(DECODE_CASES)(
    'decode attention over the packed cache against the concat cache: %o',
    async (shape) => {
      expect(await worstDiff(decodeCase(shape))).toBeLessThan(1e-5);
    },
  );

  it('adds lists of tensors in place, exactly as tf.add, over several launches, and refuses a shared target', async () => {
    const shapes = Array.from({ length: 19 }, (_, i) => (i % 3 === 0 ? [] : i % 3 === 1 ? [i + 1] : [3, i]));
    const as = shapes.map((sh) => rand(sh));
    const bs = shapes.map((sh) => rand(sh));
    const want = await Promise.all(as.map(async (a, i) => tf.add(a, bs[i]).data()));
    const inputs: tf.NamedTensorMap = {};
    as.forEach((a, i) => Object.assign(inputs, { [`a${i}`]: a, [`b${i}`]: bs[i] }));
    const n = await countPrograms(async () => {
      (tf.engine().runKernel(FUSED_KERNELS.addTensors, inputs) as tf.Tensor).dispose(); // a0, aliased
      await as[0].data();
    });
    expect(n.ours).toBeGreaterThan(1); // 19 pairs do not fit one launch
    for (const [i, a] of as.entries()) expect(Array.from(await a.data())).toEqual(Array.from(want[i]));
    expect(tf.engine().backend.refCount(as[0].dataId)).toBe(1); // the alias is gone with its tensor
    const view = tf.reshape(as[1], [-1]); // shares a1's buffer
    expect(() => tf.engine().runKernel(FUSED_KERNELS.addTensors, inputs)).toThrow(/shares its buffer/);
    tf.dispose([view, ...as, ...bs]);
  });

  // [B, T, V, C]: repeated ids, T below the position table's C, one row per batch.
  it.each([
    [3, 5, 7, 8],
    [2, 16, 11, 16],
    [5, 1, 4, 9],
  ] as [number, number, number, number][])(
    'token + position embeddings of a training forward and both tables gradients: B %i, T %i, V %i, C %i',
    async (B, T, V, C) => {
      const D = 6;
      const [tok, pos, w] = [rand([V, D]), rand([C, D]), rand([B * T, D])] as tf.Tensor2D[];
      const ids = tf.tensor2d(
        Int32Array.from({ length: B * T }, (_, i) => (i * 3) % V),
        [B, T],
        'int32',
      );
      const c = {
        inputs: [tok, pos, w, ids],
        run: () => {
          const f = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tokenPositionEmbedding(a as tf.Tensor2D, b as tf.Tensor2D, ids), w));
          return [tokenPositionEmbedding(tok, pos, ids), ...tf.grads(f)([tok, pos])];
        },
      };
      expect(await worstDiff(c)).toBeLessThan(1e-5);
    },
  );

  // [rows, K, N, relu]: a decode batch, N not a multiple of the 64-column tile, K wider than the workgroup,
  // K split into 4 slices unevenly (K 5: the last slice empty; K 200: 50 a slice, 2 past the 4-wide steps).
  it.each([
    [1, 8, 5, false],
    [3, 5, 70, false],
    [7, 48, 130, true],
    [33, 200, 64, false],
    [5, NORM_MATMUL_LIMITS.maxK, 21, true],
  ] as [number, number, number, boolean][])(
    'rmsnorm then matmul in one launch: [%i, %i] x [%i], relu %s',
    async (rows, K, N, relu) => {
      const [x, g, w] = [rand([rows, K], 3), rand([K], 2), rand([K, N])] as [
        tf.Tensor2D,
        tf.Tensor1D,
        tf.Tensor2D,
      ];
      const c = { inputs: [x, g, w], run: () => [normMatMul(x, g, w, 1e-6, relu)] };
      expect(await worstDiff(c)).toBeLessThan(1e-5);
    },
  );

  // [rows, Ka, K, N, relu]: the attention's projection (Ka = K), the MLP's second layer (Ka = 4K) before a
  // qkv projection (N = 3K), sizes off the tile, and the widest stream.
  it.each([
    [1, 3, 8, 5, false],
    [7, 48, 48, 130, true],
    [9, 200, 50, 150, false],
    [3, 70, NORM_MATMUL_LIMITS.maxK, 65, true],
  ] as [number, number, number, number, boolean][])(
    'residual branch, rmsnorm and matmul in one launch: [%i, %i] x [%i] + stream, x [%i], relu %s',
    async (rows, Ka, K, N, relu) => {
      const [a, wa, x, g, w] = [
        rand([rows, Ka]),
        rand([Ka, K]),
        rand([rows, K], 3),
        rand([K], 2),
        rand([K, N]),
      ] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
      const c = { inputs: [a, wa, x, g, w], run: () => residualNormMatMul(a, wa, x, g, w, 1e-6, relu) };
      expect((await countPrograms(async () => readAll(c.run))).total).toBe(1);
      expect(await worstDiff(c)).toBeLessThan(1e-5); // both outputs, against linearResidual and normMatMul
    },
  );

  it('rmsnorm then matmul wider than NORM_MATMUL_LIMITS composes tfjs ops, and the kernel refuses it', async () => {
    const K = NORM_MATMUL_LIMITS.maxK + 1;
    const [x, g, w] = [tf.ones([2, K]), tf.ones([K]), tf.ones([K, 3])] as [
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
    ];
    const n = await countPrograms(async () => tf.tidy(() => normMatMul(x, g, w, 1e-6, false)).data());
    expect(n.ours).toBe(1); // the RMSNorm alone
    expect(() =>
      tf.engine().runKernel(FUSED_KERNELS.normMatMul, { x, g, w }, { eps: 1e-6, relu: false }),
    ).toThrow(/exceeds/);
    tf.dispose([x, g, w]);
  });

  it('attention beyond ATTENTION_LIMITS composes tfjs ops instead, and the kernel refuses such shapes', async () => {
    const T = ATTENTION_LIMITS.maxT + 2;
    const c = attentionCase(1, 1, T, 1, 'causal');
    const n = await countPrograms(async () => Promise.all(tf.tidy(c.run).map((t) => t.data())));
    expect(n.ours).toBe(3); // only the composition's masked softmax: 2 forwards (value, grad) and 1 backward
    const qkv = tf.zeros([T, 3]);
    const bias = tf.zeros([T, T]);
    expect(() =>
      tf.engine().runKernel(FUSED_KERNELS.attention, { qkv, bias }, { heads: 1, scale: 1 }),
    ).toThrow(/exceeds/);
    tf.dispose([qkv, bias, ...c.inputs]);
  });

  it('linearResidual adds the residual in the matmul epilogue here: value and gradients as the plain formula', async () => {
    expect(matMulAddsResidual()).toBe(true);
    const [x, w, res, dy] = [rand([37, 16]), rand([16, 24]), rand([37, 24]), rand([37, 24])];
    const run = (f: (a: tf.Tensor, b: tf.Tensor, r: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => {
        const loss = (a: tf.Tensor, b: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(f(a, b, r), dy));
        return [f(x, w, res), ...tf.grads(loss)([x, w, res])];
      });
    const ours = run((a, b, r) => linearResidual(a as tf.Tensor2D, b as tf.Tensor2D, r as tf.Tensor2D));
    const plain = run((a, b, r) => tf.add(tf.matMul(a, b), r));
    for (let i = 0; i < 4; i++)
      expect(
        relDiff((await ours[i].data()) as Float32Array, (await plain[i].data()) as Float32Array),
      ).toBeLessThan(1e-5);
    tf.dispose([x, w, res, dy, ...ours, ...plain]);
  });

  it.each(TOKEN_CASES)(
    'token log-probs and entropies [%i, %i] (targets %j, temperature %f, entropy in loss %s)',
    async (...a) => {
      expect(await worstDiff(tokenCase(...a))).toBeLessThan(1e-5);
    },
  );

  it('the generation embedding: token plus position rows in one program, as gather + add', async () => {
    const [tok, pos] = [rand([11, 24]), rand([16, 24])];
    const tokens = tf.tensor1d([0, 10, 3, 3, 7], 'int32');
    const positions = tf.tensor1d([0, 15, 1, 2, 2], 'int32');
    const n = await countPrograms(async () => {
      const got = tf
        .engine()
        .runKernel(FUSED_KERNELS.embed, { tokEmb: tok, posEmb: pos, tokens, positions }) as tf.Tensor;
      const want = tf.add(tf.gather(tok, tokens), tf.gather(pos, positions));
      expect(got.shape).toEqual([5, 24]);
      expect(relDiff((await got.data()) as Float32Array, (await want.data()) as Float32Array)).toBe(0);
      tf.dispose([got, want]);
    });
    expect(n.ours).toBe(1);
    tf.dispose([tok, pos, tokens, positions]);
  });

  it('the ReLU gradient (linearRelu), exact zeros included', async () => {
    expect(await worstDiff(reluCase(37, 16, 24))).toBeLessThan(1e-5);
  });

  it('rows wider than one workgroup of 256 (cols >= 1024) and more rows than invocations', async () => {
    expect(await worstDiff(normCase(3, 1500, 1))).toBeLessThan(1e-5);
    expect(await worstDiff(softmaxCase([1, 1, 3, 1030], 'causal'))).toBeLessThan(1e-5);
    expect(
      await worstDiff(
        entropyCase(
          300,
          5,
          Array.from({ length: 300 }, (_, i) => i % 6),
        ),
      ),
    ).toBeLessThan(1e-5);
  });

  it('three AdamW steps of the policy match, and launch far fewer GPU programs', async () => {
    uninstallWebgpuKernels();
    const plain = await adamSteps();
    const plainCount = await countPrograms(adamSteps);
    installWebgpuKernels();
    let fused = plain;
    const fusedCount = await countPrograms(async () => (fused = await adamSteps()));
    expect(plain.metrics.every(Number.isFinite)).toBe(true);
    expect(relDiff(fused.metrics, plain.metrics)).toBeLessThan(1e-5);
    fused.weights.forEach((w, i) => expect(relDiff(w, plain.weights[i])).toBeLessThan(1e-5));
    fused.moments.forEach((m, i) => expect(relDiff(m, plain.moments[i])).toBeLessThan(1e-5));
    // In place, yet a reference sharing the weights' buffers stays where it was.
    expect(fused.referenceMoved).toBe(0);
    expect(plain.referenceMoved).toBe(0);
    expect(plainCount.ours).toBe(0);
    // Per step (2 blocks): the embeddings (1 + 1), 5 RMSNorms (1 program forward, which keeps the inverse
    // norms, and 1 backward for both gradients), 2 attentions (1 + 2), the loss (3 + 1), the ReLU gradients (2), and AdamW over
    // the 16 tensors with L storage buffers per shader stage: the norm's partial sums over L - 1 gradients a
    // launch, its square root, and the update of (L - 3) / 2 tensors a launch (L = 16 on the software
    // adapter: 2 + 1 + 3).
    const tensors = createPolicy(modelConfig(STEPS_MODEL), 0).variables.length;
    expect(tensors).toBe(16);
    const L = (tf.backend() as unknown as { device: GPUDeviceLike }).device.limits
      .maxStorageBuffersPerShaderStage;
    const adam = Math.ceil(tensors / (L - 1)) + 1 + Math.ceil(tensors / Math.floor((L - 3) / 2));
    expect(fusedCount.ours).toBe(3 * (2 + 5 * 2 + 2 * 3 + 4 + 2 + adam));
    expect(fusedCount.total).toBeLessThan(0.7 * plainCount.total);
  });
});

describe.skipIf(skipReason !== '')(`the tiled GEMM (BREVITY_WEBGPU_GEMM=1) on webgpu${skipReason}`, () => {
  /** Worst difference of `run`'s outputs with the GEMM against tfjs' matmul, and how many GEMMs ran. */
  async function againstTfjs(run: () => tf.Tensor[], minTiles = 1) {
    const want = await readAll(run);
    installGemm(minTiles);
    let got: Float32Array[] = [];
    let gemms = 0;
    try {
      const n = await countPrograms(async () => (got = await readAll(run)));
      for (const [key, count] of Object.entries(n.byKey)) if (key.startsWith('brevity_gemm')) gemms += count;
    } finally {
      uninstallGemm();
    }
    return { diff: Math.max(...want.map((w, i) => relDiff(got[i], w))), gemms };
  }

  // [M, K, N]: a single row, sizes off the 64 x 64 tile and the 16-deep staging, several tiles each way.
  it.each([
    [1, 5, 3],
    [17, 33, 65],
    [130, 70, 200],
  ] as [number, number, number][])(
    'matMul [%i, %i] x [%i] with every transpose: as tfjs',
    async (M, K, N) => {
      const a = [rand([M, K]), rand([K, M])];
      const b = [rand([K, N]), rand([N, K])];
      const r = await againstTfjs(() =>
        [false, true].flatMap((ta) =>
          [false, true].map((tb) => tf.matMul(a[Number(ta)], b[Number(tb)], ta, tb)),
        ),
      );
      expect(r.gemms).toBe(4);
      expect(r.diff).toBeLessThan(1e-5);
      tf.dispose([...a, ...b]);
    },
  );

  it('fused: a bias per column or per entry, and a ReLU, in the epilogue; batched operands go to tfjs', async () => {
    const [x, w, col, full] = [rand([37, 20]), rand([20, 70]), rand([70]), rand([37, 70])];
    const r = await againstTfjs(() => [
      tf.fused.matMul({ a: x, b: w, bias: col, activation: 'relu' }),
      tf.fused.matMul({ a: x, b: w, bias: full }),
      tf.fused.matMul({ a: x, b: w, transposeB: false, activation: 'relu' }),
    ]);
    expect(r.gemms).toBe(3);
    expect(r.diff).toBeLessThan(1e-5);
    const [a3, b3] = [rand([2, 5, 6]), rand([2, 6, 4])];
    const batched = await againstTfjs(() => [tf.matMul(a3, b3)]);
    expect(batched.gemms).toBe(0);
    expect(batched.diff).toBe(0);
    // By default a product of fewer than GEMM_MIN_TILES tiles (a decode step's) stays with tfjs.
    const [small, big] = [rand([64, 256]), rand([2048, 256])];
    const w2 = rand([256, 768]);
    const byTiles = await againstTfjs(() => [tf.matMul(small, w2), tf.matMul(big, w2)], GEMM_MIN_TILES);
    expect(byTiles.gemms).toBe(1); // 32 x 12 tiles; 1 x 12 is too few
    expect(byTiles.diff).toBeLessThan(1e-5);
    tf.dispose([x, w, col, full, a3, b3, small, big, w2]);
  });

  it('three AdamW steps give the same losses, norms and weights', async () => {
    const plain = await adamSteps();
    installGemm(1);
    let fast = plain;
    try {
      fast = await adamSteps();
    } finally {
      uninstallGemm();
    }
    expect(relDiff(fast.metrics, plain.metrics)).toBeLessThan(1e-5);
    fast.weights.forEach((w, i) => expect(relDiff(w, plain.weights[i])).toBeLessThan(1e-5));
  });

  it('BREVITY_WEBGPU_GEMM takes 0 or 1', () => {
    expect(gemmRequested(undefined)).toBe(false);
    expect(gemmRequested('0')).toBe(false);
    expect(gemmRequested('1')).toBe(true);
    expect(() => gemmRequested('yes')).toThrow(/BREVITY_WEBGPU_GEMM must be 0 or 1, got "yes"/);
  });
});

describe.skipIf(skipReason !== '')(`bench --check on webgpu${skipReason}`, () => {
  it('passes: train steps and generations with the WGSL kernels match tfjs own, and those stay installed', async () => {
    const r = await checkKernels();
    expect(r.backend).toBe('webgpu');
    expect(r.cases).toHaveLength(7);
    r.cases.forEach((c) => expect(c.max_rel_diff).toBeLessThanOrEqual(c.tolerance));
    expect(r.ok).toBe(true);
    expect(defaultsInstalled()).toBe(true);
  });
});

describe.skipIf(skipReason !== '')(`generation on webgpu${skipReason}`, () => {
  // The default kernels, and every group (the opt-in residualNormMatMul runs each block in 3 launches).
  it.each([
    ['default kernels', undefined],
    ['every group', []],
  ] as [string, string[] | undefined][])(
    'KV-cache log-probs and entropies match the full forward pass, with fewer launches (%s)',
    async (_, leaveOut) => {
      const policy = createPolicy(modelConfig({ vocab: 12, d: 16, layers: 2, heads: 2, ctx: 32 }), 7);
      const prompts = randomPrompts(6, 3);
      const opts = { maxNewTokens: 12, eosId: 1, temperature: 1.3, rng: 5 };
      uninstallWebgpuKernels();
      let plain: Generation[] = [];
      const plainCount = await countPrograms(async () => (plain = await generate(policy, prompts, opts)));
      installWebgpuKernels(leaveOut);
      let fused: Generation[] = [];
      const fusedCount = await countPrograms(async () => (fused = await generate(policy, prompts, opts)));
      const full = await fullForward(policy, prompts, fused, opts.temperature);
      fused.forEach((g, b) => {
        expect(Array.from(g.tokens)).toEqual(Array.from(plain[b].tokens)); // same seed, same samples
        expect(maxAbsDiff(g.logprobs, full[b].logprobs)).toBeLessThan(1e-4);
        expect(maxAbsDiff(g.entropies, full[b].entropies)).toBeLessThan(1e-4);
      });
      expect(fused.some((g) => !g.truncated)).toBe(true); // rows left the batch early (compaction)
      expect(fusedCount.total).toBeLessThan(0.75 * plainCount.total);
      const residual = fusedCount.byKey['brevity_normmatmul_id_res'] ?? 0;
      expect(residual > 0).toBe(leaveOut !== undefined); // the opt-in kernel ran only when installed
      policy.dispose();
      installWebgpuKernels();
    },
  );
});

describe.skipIf(skipReason !== '')(`brevity bench on webgpu${skipReason}`, () => {
  it('reports the launches of a train step and per sampled token, fewer with the fused kernels', async () => {
    const shape = { d: 16, layers: 2, heads: 2, vocab: 11, ctx: 16, batch: 2, seq: 8, sampleBatch: 2 };
    const o = { ...shape, sampleTokens: 4, repeats: 1 };
    uninstallWebgpuKernels();
    const plain = await runBench(o);
    installWebgpuKernels();
    const fused = await runBench(o);
    expect(Number.isInteger(fused.train_step_launches)).toBe(true);
    expect(fused.train_step_launches).toBeGreaterThan(0);
    expect(fused.train_step_launches!).toBeLessThan(0.5 * plain.train_step_launches!);
    expect(fused.sample_launches_per_token!).toBeLessThan(plain.sample_launches_per_token!);
  });
});

describe('webgpu options from the environment', () => {
  // [environment, explicit options, expected options or the error]
  const cases: [Record<string, string>, object, object | RegExp][] = [
    [{}, {}, {}], // nothing set: Dawn's defaults
    [{ BREVITY_WEBGPU_ADAPTER: 'software' }, {}, SOFTWARE_WEBGPU], // the preset
    [{ BREVITY_WEBGPU_ADAPTER: 'gpu' }, {}, {}], // the explicit default
    [{ BREVITY_DAWN_FLAGS: 'backend=null, x=1' }, {}, { dawnFlags: ['backend=null', 'x=1'] }], // trimmed
    [
      { BREVITY_WEBGPU_ADAPTER: 'software' },
      { dawnFlags: ['backend=null'] },
      { ...SOFTWARE_WEBGPU, dawnFlags: ['backend=null'] },
    ], // explicit wins
    [{ BREVITY_WEBGPU_FEATURE_LEVEL: 'compatibility' }, {}, { featureLevel: 'compatibility' }],
    [{ BREVITY_WEBGPU_ADAPTER: 'cpu' }, {}, /BREVITY_WEBGPU_ADAPTER must be "software" or "gpu", got "cpu"/],
    [{ BREVITY_WEBGPU_FEATURE_LEVEL: 'full' }, {}, /BREVITY_WEBGPU_FEATURE_LEVEL must be/],
  ];
  it.each(cases)('%j + %j', (env, given, want) => {
    if (want instanceof RegExp) expect(() => webgpuOptions(given, env)).toThrow(want);
    else expect(webgpuOptions(given, env)).toEqual(want);
  });
});
