/**
 * `brevity bench`'s workloads: the named sizes (base must be the shipped base model), the flag checks, the
 * speed yardstick on a tiny model, and the GRPO-step breakdown, which runs the real trainer on the LASER
 * quickstart config.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

import { initBackend } from '../packages/trainer/src/backend.js';
import { runBench } from '../packages/trainer/src/bench/bench.js';
import { resolveShape } from '../packages/trainer/src/bench/command.js';
import { benchGrpo } from '../packages/trainer/src/bench/grpo.js';

const baseCheckpoint = JSON.parse(readFileSync('experiments/base/checkpoint/config.json', 'utf8')) as {
  model: { vocab: number; d: number; layers: number; heads: number; ctx: number };
};
const baseRecipe = parse(readFileSync('experiments/base/sft-modchain.yaml', 'utf8')) as { batchSize: number };

describe('bench sizes', () => {
  test('--model base is the shipped base model and its SFT batch', () => {
    const o = resolveShape({ model: 'base', repeats: 5, json: true, steps: 5 });
    const { vocab, d, layers, heads, ctx } = baseCheckpoint.model;
    expect({ vocab: o.vocab, d: o.d, layers: o.layers, heads: o.heads, ctx: o.ctx }).toEqual({
      vocab,
      d,
      layers,
      heads,
      ctx,
    });
    expect(o.batch).toBe(baseRecipe.batchSize);
    expect(o.sampleTokens + 1).toBeLessThanOrEqual(ctx);
  });

  // Each case: flags that must be refused, and the message naming the flag.
  test.each([
    [{ model: 'huge' }, /--model huge: unknown model size/],
    [{ d: 0 }, /--d: expected a positive integer/],
    [{ d: 30, heads: 4 }, /--heads 4 must divide --d 30/],
    [{ repeats: 0 }, /--repeats: expected a positive integer/],
  ])('refuses %o', (flags, message) => {
    expect(() => resolveShape({ repeats: 5, json: true, steps: 5, ...flags })).toThrow(message);
  });
});

describe('bench workloads (cpu)', () => {
  test('a tiny model: one train-step time and a sampling rate per run', async () => {
    await initBackend('cpu');
    const o = resolveShape({
      d: 16,
      layers: 1,
      heads: 2,
      vocab: 11,
      ctx: 16,
      batch: 2,
      seq: 8,
      repeats: 2,
      json: true,
      steps: 1,
    });
    const r = await runBench({ ...o, sampleBatch: 3, sampleTokens: 5 });
    expect(r.train_runs_ms).toHaveLength(2);
    expect(r.sample_runs_ms).toHaveLength(2);
    expect(r.train_step_ms).toBeGreaterThan(0);
    expect(r.sample_tokens_per_s).toBeGreaterThan(0);
  });

  test('--profile: kernel and wall time of a step and a sampling run, the heaviest kernels, fixed costs', async () => {
    await initBackend('cpu');
    const o = resolveShape({
      d: 16,
      layers: 1,
      heads: 2,
      vocab: 11,
      ctx: 16,
      batch: 2,
      seq: 8,
      repeats: 1,
      json: true,
      steps: 1,
      profile: true,
    });
    expect(o.profile).toBe(true);
    const r = await runBench({ ...o, sampleBatch: 3, sampleTokens: 5 });
    const p = r.profile!;
    for (const run of [p.train, p.sample]) {
      expect(run.timed).toBe(true); // the cpu backend times its kernels
      expect(run.kernels).toBeGreaterThan(0);
      expect(run.kernel_ms).toBeGreaterThan(0);
      expect(run.kernel_ms).toBeLessThanOrEqual(run.wall_ms * 1.05); // scopes are not counted twice
      expect(run.top.length).toBeGreaterThan(0);
      const totals = run.top.map(([, , ms]) => ms);
      expect(totals).toEqual([...totals].sort((a, b) => b - a)); // heaviest first
    }
    expect(p.train.top.map(([name]) => name)).toContain('BatchMatMul');
    // By kernel and input shapes too, e.g. "BatchMatMul [1,16,16] [1,16,11]".
    for (const run of [p.train, p.sample]) {
      const keys = run.top_shapes.map(([key]) => key);
      keys.forEach((k) => expect(k).toMatch(/^\w+( \[[\d,]*\])+$/));
      const totals = run.top_shapes.map(([, , ms]) => ms);
      expect(totals).toEqual([...totals].sort((a, b) => b - a));
      expect(run.top_shapes.reduce((a, [, calls]) => a + calls, 0)).toBeLessThanOrEqual(run.kernels);
      expect(run.top.map(([name]) => name)).toContain(keys[0].split(' ')[0]);
    }
    expect(p.read_ms).toBeGreaterThan(0);
    expect(p.launch_us).toBeGreaterThanOrEqual(0);
    expect(() => resolveShape({ repeats: 1, json: false, steps: 1, profile: true })).toThrow(
      /--profile needs --json/,
    );
  });

  test('--grpo: the trainer runs the steps; sampling, scoring and update fit in the step time', async () => {
    const r = await benchGrpo({
      config: 'experiments/quickstart/laser.yaml',
      steps: 2,
      warmup: 0,
      backend: 'cpu',
    });
    expect(r.steps).toBe(2);
    expect(r.step_runs_s).toHaveLength(2);
    for (const k of ['sample_s', 'score_s', 'update_s'] as const) expect(r[k]).toBeGreaterThan(0);
    expect(r.sample_s + r.score_s + r.update_s).toBeLessThanOrEqual(r.step_s + 1e-3); // medians of 2 = means
    expect(r.rollout_tokens).toBeGreaterThan(0);
  }, 60_000);

  test('--grpo --set: overrides reach the trainer, and a bad field is named', async () => {
    const r = await benchGrpo({
      config: 'experiments/quickstart/laser.yaml',
      set: ['rollout.prompts=2', 'rollout.groupSize=2', 'rollout.maxNewTokens=8'],
      steps: 1,
      warmup: 0,
      backend: 'cpu',
    });
    // 2 prompts x 2 rollouts of at most 8 tokens each (the config asks 16 x 8 of up to 96).
    expect(r.rollout_tokens).toBeLessThanOrEqual(2 * 2 * 8);
    await expect(
      benchGrpo({ config: 'experiments/quickstart/laser.yaml', set: ['optim.lrr=1'], steps: 1, warmup: 0 }),
    ).rejects.toThrow(/optim\.lrr: unknown field "lrr"/);
  }, 60_000);
});
