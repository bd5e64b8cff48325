/**
 * Evaluation bookkeeping with the real modchain env and a tiny random policy: distinct test problems per
 * level (capped by what the split holds), truncation at the cap, pass@k over samples, the table and the
 * metric keys; plus the `--difficulties` parser.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEnv } from '@brevity/envs';
import {
  createPolicy,
  evalMetrics,
  evaluate,
  formatEvalTable,
  initBackend,
  testProblems,
  type Policy,
} from '@brevity/trainer';
import { parseLevels } from '../packages/trainer/src/eval/env-args.js';

let policy: Policy;
const env = createEnv('modchain', {});
const tok = env.tokenizer!;

beforeAll(async () => {
  await initBackend('wasm');
  policy = createPolicy({ vocab: tok.vocabSize, d: 16, layers: 1, heads: 2, ctx: 64 }, 3);
});

describe('test problems', () => {
  test('distinct, from the test split, at the asked level; level 1 stops at what the split holds', () => {
    const probs = testProblems('modchain', {}, [1, 3], 40, 0);
    const d1 = probs.get(1)!;
    const d3 = probs.get(3)!;
    expect(d3.length).toBe(40);
    expect(d1.length).toBeLessThan(40); // ~20 of the 100 two-term prompts are held out
    for (const p of [...d1, ...d3]) expect(env.splitOf!(p)).toBe('test');
    expect(new Set(d3.map((p) => p.id)).size).toBe(40);
    expect(d3.every((p) => p.difficulty === 3)).toBe(true);
    expect(
      testProblems('modchain', {}, [3], 40, 0)
        .get(3)!
        .map((p) => p.id),
    ).toEqual(d3.map((p) => p.id));
  });
});

describe('evaluate', () => {
  test('a random policy under a tiny cap: everything truncated, nothing correct, stats consistent', async () => {
    const problems = testProblems('modchain', {}, [2, 4], 3, 1);
    const r = await evaluate(policy, env, tok, problems, {
      samples: 2,
      temperature: 1,
      maxNewTokens: 3,
      seed: 0,
    });
    expect(r.k).toBe(2);
    expect(r.byDifficulty.map((s) => [s.difficulty, s.problems, s.samples])).toEqual([
      [2, 3, 6],
      [4, 3, 6],
    ]);
    expect(r.overall).toMatchObject({ difficulty: null, problems: 6, samples: 12, acc: 0, passAtK: 0 });
    // A row that sampled EOS within 3 tokens is not truncated; all others are, and none can be correct.
    expect(r.overall.lengthMean).toBeLessThanOrEqual(3);
    expect(Number.isNaN(r.overall.lengthCorrectMean)).toBe(true);
    const m = evalMetrics(r);
    expect(Object.keys(m)).toEqual(
      expect.arrayContaining(['eval/acc', 'eval/pass@2', 'eval/d4/check_share']),
    );
    const table = formatEvalTable(r).split('\n');
    expect(table[0]).toMatch(/^difficulty\s+problems\s+acc\s+pass@2\s+length/);
    expect(table.at(-1)).toMatch(/^all\s+6\s+0\.0%/);
    expect(formatEvalTable(r, true).split('\n')[1]).toMatch(/^\| --- \|/);
  });
});

describe('--difficulties', () => {
  // Ranges, lists and mixes; anything else is a user error naming the flag.
  test.each([
    ['1-5', [1, 2, 3, 4, 5]],
    ['2', [2]],
    ['1,3,8', [1, 3, 8]],
    ['1-2, 6-7', [1, 2, 6, 7]],
  ])('%s', (spec, want) => expect(parseLevels(spec)).toEqual(want));
  test('rejects garbage', () =>
    expect(() => parseLevels('one')).toThrow(/--difficulties one: expected levels like 1-5/));
});
