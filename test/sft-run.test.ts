/**
 * The SFT loop end to end on tiny models with the real modchain env and tokenizer: batches put the loss on
 * the response only; the same seed gives identical metrics (cpu and wasm); a stopped and resumed run
 * continues the same curve; the loss falls; run folders are never silently overwritten.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readMetrics, resolveConfigObject, Rng, type Metrics } from '@brevity/core';
import { createEnv } from '@brevity/envs';
import {
  listCheckpoints,
  packBatch,
  runSft,
  SftConfig,
  teacherExamples,
  type SftConfigInput,
} from '@brevity/trainer';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'brevity-sft-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny: SftConfigInput = {
  steps: 8,
  batchSize: 4,
  model: { d: 16, layers: 1, heads: 2, ctx: 96 },
  optim: { lr: 0.01, warmupSteps: 2 },
  eval: { every: 4, problemsPerDifficulty: 2, difficulties: [1, 2], maxNewTokens: 24 },
  checkpoint: { every: 3, keep: 10 },
};
const cfg = (over: Partial<SftConfigInput> = {}) => resolveConfigObject(SftConfig, { ...tiny, ...over });

/** Metrics without wall-clock fields, which legitimately differ between runs. */
const deterministic = (rows: Metrics[]) =>
  rows.map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('perf/') && !k.startsWith('time/'))),
  );

describe('SFT batches', () => {
  const env = createEnv('modchain', {});
  const tok = env.tokenizer!;

  test('the loss weights cover exactly the response targets (EOS included) and sum to 1', () => {
    const examples = teacherExamples(env, tok, Rng.from(1), 5);
    const b = packBatch(examples, tok.pad, 128);
    expect(b.T % 8).toBe(0);
    let total = 0;
    examples.forEach((e, row) => {
      const n = e.ids.length - 1;
      for (let t = 0; t < b.T; t++) {
        const w = b.weights[row * b.T + t];
        total += w;
        // Response targets are ids[responseStart..]: the target at t is ids[t + 1].
        expect(w > 0).toBe(t + 1 >= e.responseStart && t < n);
        if (t < n) expect(b.targets[row * b.T + t]).toBe(e.ids[t + 1]);
        else expect(b.ids[row * b.T + t]).toBe(tok.pad);
      }
      expect(b.targets[row * b.T + n - 1]).toBe(tok.eos);
    });
    expect(total).toBeCloseTo(1, 5);
  });

  test('an example longer than the context is a clear error', () => {
    const examples = teacherExamples(env, tok, Rng.from(1), 3);
    expect(() => packBatch(examples, tok.pad, 20)).toThrow(
      /more than model.ctx \(20\) \+ 1; raise model.ctx/,
    );
  });
});

describe.each(['cpu', 'wasm'] as const)('SFT runs on %s', (backend) => {
  test('the same seed gives identical metrics; another seed does not', async () => {
    const run = async (name: string, seed: number) => {
      await runSft({
        config: cfg({ steps: 4, seed }),
        runDir: join(root, `${backend}-${name}`),
        backend,
        quiet: true,
      });
      return deterministic(readMetrics(join(root, `${backend}-${name}`, 'metrics.jsonl')));
    };
    const [a, b, c] = [await run('a', 3), await run('b', 3), await run('c', 4)];
    expect(a.length).toBe(4);
    expect(a).toEqual(b);
    expect(a[0]['sft/loss']).not.toEqual(c[0]['sft/loss']);
    expect(a[3]['eval/acc']).toBeTypeOf('number'); // eval ran at step 4
  });
});

describe('SFT resume and folders (cpu)', () => {
  test('stopping after 4 steps and resuming from step-3 reproduces the uninterrupted run', async () => {
    const straight = join(root, 'straight');
    await runSft({ config: cfg(), runDir: straight, backend: 'cpu', quiet: true });
    const split = join(root, 'split');
    await runSft({ config: cfg(), runDir: split, backend: 'cpu', quiet: true, maxSteps: 4 });
    // The newest checkpoint is step-3, so the resumed run redoes step 4 and truncates its metrics line.
    expect(listCheckpoints(split).map(([s]) => s)).toEqual([3]);
    await runSft({ config: cfg(), runDir: split, backend: 'cpu', quiet: true, resume: true });
    const [x, y] = [readMetrics(join(straight, 'metrics.jsonl')), readMetrics(join(split, 'metrics.jsonl'))];
    expect(deterministic(y)).toEqual(deterministic(x));
    expect(y.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(existsSync(join(split, 'summary.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(split, 'config.json'), 'utf8')).model.d).toBe(16);
  });

  test('a fresh run refuses a folder that already holds a run', async () => {
    const dir = join(root, 'straight');
    await expect(runSft({ config: cfg(), runDir: dir, backend: 'cpu', quiet: true })).rejects.toThrow(
      /already holds a run; resume it with --resume/,
    );
  });

  test('the loss falls on a short run (wasm, 60 steps)', async () => {
    const dir = join(root, 'falls');
    const config = cfg({
      steps: 60,
      batchSize: 8,
      eval: { every: 0, problemsPerDifficulty: 1, difficulties: [1], maxNewTokens: 24 },
    });
    await runSft({ config, runDir: dir, backend: 'wasm', quiet: true });
    const loss = readMetrics(join(dir, 'metrics.jsonl')).map((r) => r['sft/loss'] as number);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(mean(loss.slice(-10))).toBeLessThan(0.6 * mean(loss.slice(0, 5)));
  });
});
