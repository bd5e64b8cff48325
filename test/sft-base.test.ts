/**
 * The shipped base checkpoints (experiments/base/checkpoint on modchain, experiments/base/arithmetic) load and
 * still have the properties RL relies on:
 * high accuracy on the easiest level, accuracy falling with difficulty when sampled at temperature 1, and a
 * large share of redundant thinking on every level. Thresholds sit well inside the README's measurements.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { createEnv, CharTokenizer, type CharTokenizerJSON } from '@brevity/envs';
import { evaluate, initBackend, loadCheckpoint, testProblems, type LoadedCheckpoint } from '@brevity/trainer';

const dir = fileURLToPath(new URL('../experiments/base/checkpoint', import.meta.url));
const arithmeticDir = fileURLToPath(new URL('../experiments/base/arithmetic', import.meta.url));
let ck: LoadedCheckpoint;

beforeAll(async () => {
  await initBackend('wasm');
  ck = loadCheckpoint(dir, { trainable: false });
});

test('the base checkpoint overthinks: accurate on easy chains, worse on long ones, redundant checks everywhere', async () => {
  expect(ck.config.model).toMatchObject({ d: 64, layers: 2, heads: 4, ctx: 128 });
  const tok = CharTokenizer.fromJSON(ck.config.tokenizer as CharTokenizerJSON);
  const env = createEnv('modchain', {});
  const problems = testProblems('modchain', {}, [1, 5], 30, 0);
  const at = async (temperature: number) =>
    evaluate(ck.policy, env, tok, problems, { samples: 2, temperature, maxNewTokens: 100, seed: 0 });
  const [greedy, sampled] = [await at(0), await at(1)];
  const [d1, d5] = sampled.byDifficulty;
  expect(greedy.byDifficulty[0].acc).toBeGreaterThanOrEqual(0.9);
  expect(d1.acc).toBeGreaterThanOrEqual(0.9);
  expect(d5.acc).toBeLessThan(d1.acc - 0.2);
  for (const s of [...greedy.byDifficulty, ...sampled.byDifficulty])
    expect(s.redundantShare).toBeGreaterThan(0.35);
  expect(sampled.overall.truncatedFrac).toBe(0);
});

test('the arithmetic base checkpoint overthinks the same way on its testbed', async () => {
  const a = loadCheckpoint(arithmeticDir, { trainable: false });
  try {
    expect(a.config.model).toMatchObject({ d: 128, layers: 4, heads: 4, ctx: 192 });
    const tok = CharTokenizer.fromJSON(a.config.tokenizer as CharTokenizerJSON);
    const env = createEnv('arithmetic', {});
    const problems = testProblems('arithmetic', {}, [1, 4], 20, 0);
    const at = async (temperature: number) =>
      evaluate(a.policy, env, tok, problems, { samples: 2, temperature, maxNewTokens: 160, seed: 0 });
    const [greedy, sampled] = [await at(0), await at(1)];
    const [d1, d4] = [sampled.byDifficulty[0], sampled.byDifficulty[1]];
    expect(greedy.byDifficulty[0].acc).toBeGreaterThanOrEqual(0.9);
    expect(d1.acc).toBeGreaterThanOrEqual(0.85);
    expect(d4.acc).toBeLessThan(d1.acc - 0.2);
    for (const s of [...greedy.byDifficulty, ...sampled.byDifficulty])
      expect(s.redundantShare).toBeGreaterThan(0.35);
    expect(sampled.overall.truncatedFrac).toBe(0);
  } finally {
    a.policy.dispose();
  }
}, 120_000);
