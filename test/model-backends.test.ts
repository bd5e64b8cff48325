/**
 * The backend ladder, and the webgpu code path run on Dawn's null adapter (no GPU work, so values are
 * meaningless, but every op is dispatched: this catches synchronous reads, which throw on webgpu in Node,
 * rank-5 tensors and missing kernels on a CPU-only machine).
 */
import { afterAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  AdamW,
  applyTfjsFlags,
  createPolicy,
  describeBackend,
  generate,
  initBackend,
  readStep,
  softmaxCrossEntropy,
  trainStep,
} from '@brevity/trainer';

afterAll(async () => {
  await initBackend('cpu');
});

describe('backend ladder', () => {
  test('auto takes the first backend that loads and says why the earlier ones were skipped', async () => {
    const r = await initBackend('auto');
    const taken = r.attempts.findIndex((a) => a.ok);
    expect(taken).toBe(r.attempts.length - 1);
    expect(r.attempts[taken].name).toBe(r.name);
    expect(tf.getBackend()).toBe(r.tfName);
    for (const a of r.attempts.slice(0, taken)) expect(a.reason.length).toBeGreaterThan(10);
    expect(describeBackend(r)).toMatch(new RegExp(`using\\s+${r.name}`));
  });

  // wasm and cpu always load; tfjs-node may legitimately be absent (optional dependency).
  test.each(['wasm', 'cpu'] as const)('%s always loads', async (name) => {
    expect((await initBackend(name)).name).toBe(name);
    expect(tf.env().getBool('PROD')).toBe(true);
  });

  test('an unknown backend and an unavailable one are explained', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(
      /unknown backend "tpu"; expected auto or one of/,
    );
    // tfjs-node is an optional dependency: either it loads, or the reason is given.
    const outcome = await initBackend('tensorflow').then(
      (r) => r.name as string,
      (e: Error) => e.message,
    );
    expect(
      outcome === 'tensorflow' || /backend tensorflow could not be loaded \(tensorflow: /.test(outcome),
    ).toBe(true);
  });
});

describe('BREVITY_TFJS_FLAGS', () => {
  test('sets tfjs flags once the backend has loaded, and names a refused entry', async () => {
    expect(applyTfjsFlags(undefined)).toEqual([]);
    const before = [
      tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS'),
      tf.env().getNumber('TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD'),
    ];
    process.env.BREVITY_TFJS_FLAGS = `CHECK_COMPUTATION_FOR_ERRORS=${!before[0]}, TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD=512`;
    try {
      const r = await initBackend('cpu');
      expect(tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS')).toBe(!before[0]);
      expect(tf.env().getNumber('TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD')).toBe(512);
      expect(describeBackend(r)).toMatch(
        `tfjs flags CHECK_COMPUTATION_FOR_ERRORS=${!before[0]}, TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD=512`,
      );
      process.env.BREVITY_TFJS_FLAGS = 'NO_SUCH_FLAG=1';
      await expect(initBackend('cpu')).rejects.toThrow(
        /BREVITY_TFJS_FLAGS: NO_SUCH_FLAG: Cannot set flag NO_SUCH_FLAG as it has not been registered/,
      );
      expect(() => applyTfjsFlags('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE')).toThrow(/is not NAME=value/);
    } finally {
      delete process.env.BREVITY_TFJS_FLAGS;
      tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', before[0]);
      tf.env().set('TOPK_LAST_DIM_CPU_HANDOFF_SIZE_THRESHOLD', before[1]);
      await initBackend('cpu');
    }
  });
});

describe('webgpu code path on the Dawn null adapter', () => {
  test('generation and a train step run with async reads only', async () => {
    try {
      await initBackend('webgpu', { dawnFlags: ['backend=null'] });
    } catch (e) {
      // Without the optional `webgpu` package (or its binary) there is nothing to exercise.
      expect((e as Error).message).toMatch(/webgpu/);
      return;
    }
    const policy = createPolicy({ vocab: 12, d: 16, layers: 2, heads: 2, ctx: 32 }, 1);
    const gens = await generate(policy, [Int32Array.of(3, 4), Int32Array.of(5, 6, 7)], {
      maxNewTokens: 6,
      eosId: 1,
    });
    expect(gens.map((g) => g.tokens.length)).toEqual([expect.any(Number), expect.any(Number)]);
    const opt = new AdamW(
      policy.variables,
      policy.specs.map((s) => s.decay),
    );
    const ids = tf.tensor2d(
      Int32Array.from({ length: 16 }, (_, i) => i % 12),
      [2, 8],
      'int32',
    );
    const targets = tf.tensor1d(
      Int32Array.from({ length: 16 }, (_, i) => (i + 1) % 12),
      'int32',
    );
    const w = tf.fill([16], 1 / 16) as tf.Tensor1D;
    const r = await readStep(
      trainStep(
        opt,
        () => softmaxCrossEntropy(tf.reshape(policy.forward(ids).logits, [16, 12]), targets, w),
        1e-3,
      ),
    );
    expect(typeof r.loss).toBe('number');
    const st = await opt.state();
    expect(st.step).toBe(1);
    tf.dispose([ids, targets, w]);
    opt.dispose();
    policy.dispose();
  });
});

describe('auto and the native kernels', () => {
  test('auto takes cpu with native kernels when the addon is built, else wasm with the reason as a notice', async () => {
    const r = await initBackend('auto');
    const cpu = r.attempts.find((a) => a.name === 'cpu')!;
    if (cpu.ok) {
      expect(r.name).toBe('cpu');
      expect(cpu.reason).toMatch(/^native kernels \(/);
    } else {
      expect(r.name).toBe('wasm');
      expect(cpu.reason).toMatch(/native kernels unavailable \(.+\); falling back/);
    }
    expect(r.attempts.map((a) => a.name)).not.toContain('webgpu');
  });
});
