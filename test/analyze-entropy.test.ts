/**
 * `brevity analyze entropy`: the correlation helpers and PEAR's phase split on hand-made numbers, then the
 * command end to end on the shipped base checkpoint (tiny n) with its files and their consistency.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeEntropy, type AnalyzeEntropyArgs } from '../packages/trainer/src/analyze/command.js';
import { pearson, ranks, spearman } from '../packages/trainer/src/analyze/correlation.js';
import { entropyRows, phaseEntropies, type EntropySample } from '../packages/trainer/src/analyze/entropy.js';

describe('correlation', () => {
  it.each([
    { what: 'perfect positive line', x: [1, 2, 3, 4], y: [2, 4, 6, 8], r: 1, rho: 1 },
    { what: 'perfect negative line', x: [1, 2, 3], y: [3, 2, 1], r: -1, rho: -1 },
    // r by hand: dx = [-1.5, -0.5, 0.5, 1.5], dy = [-1.5, 0.5, -0.5, 1.5]: sxy = 4, sxx = syy = 5.
    { what: 'a swapped middle pair', x: [1, 2, 3, 4], y: [1, 3, 2, 4], r: 0.8, rho: 0.8 },
    // Monotone, not linear: rho is 1; r = sxy / sqrt(sxx syy) = 23.5 / sqrt(5 * 144.75) = 0.8735.
    { what: 'monotone, not linear', x: [1, 2, 3, 4], y: [1, 2, 4, 16], r: 0.8735, rho: 1 },
    { what: 'no spread on one side is undefined, not 0', x: [1, 2, 3], y: [5, 5, 5], r: NaN, rho: NaN },
    { what: 'one point is undefined', x: [1], y: [2], r: NaN, rho: NaN },
  ])('$what', ({ x, y, r, rho }) => {
    const close = (a: number, b: number) =>
      Number.isNaN(b) ? expect(a).toBeNaN() : expect(a).toBeCloseTo(b, 4);
    close(pearson(x, y), r);
    close(spearman(x, y), rho);
  });

  it('ties share their average rank', () => {
    expect(Array.from(ranks([10, 20, 10, 30, 20, 20]))).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });

  it('rejects arrays of different lengths', () => {
    expect(() => pearson([1, 2], [1])).toThrow(/2 x values but 1 y values/);
  });
});

describe('phase entropies (PEAR Eq. 6)', () => {
  // Entropies by position; `</think>` (index k) is in neither phase.
  it.each([
    {
      what: 'think, boundary, answer',
      e: [0.8, 0.6, 0.4, 5, 0.1, 0.3],
      k: 3,
      think: 0.6,
      answer: 0.2,
      all: 7.2 / 6,
    },
    {
      what: 'no </think>: everything is thinking, no answer',
      e: [0.5, 0.4],
      k: -1,
      think: 0.45,
      answer: null,
      all: 0.45,
    },
    { what: '</think> last: empty answer', e: [0.2, 0.4, 9], k: 2, think: 0.3, answer: null, all: 9.6 / 3 },
    {
      what: '</think> first: empty think has mean 0',
      e: [9, 0.2, 0.4],
      k: 0,
      think: 0,
      answer: 0.3,
      all: 9.6 / 3,
    },
  ])('$what', ({ e, k, think, answer, all }) => {
    const p = phaseEntropies(Float32Array.from(e), k, e.length);
    expect(p.think).toBeCloseTo(think, 6);
    if (answer === null) expect(p.answer).toBeNull();
    else expect(p.answer).toBeCloseTo(answer, 6);
    expect(p.all).toBeCloseTo(all, 6);
  });

  it('ignores positions past the length (padding)', () => {
    expect(phaseEntropies(Float32Array.from([0.2, 5, 0.4, 99, 99]), 1, 3)).toEqual({
      think: expect.closeTo(0.2, 6),
      answer: expect.closeTo(0.4, 6),
      all: expect.closeTo(5.6 / 3, 6),
    });
  });
});

describe('entropy rows', () => {
  const s = (difficulty: number, length: number, think: number, answer: number | null): EntropySample => ({
    difficulty,
    length,
    correct: length < 30,
    truncated: false,
    think,
    answer,
    all: think,
  });
  const rows = entropyRows([
    s(2, 20, 0.1, 0.05),
    s(1, 10, 0.2, 0.1),
    s(2, 40, 0.3, null),
    s(1, 30, 0.4, 0.2),
  ]);

  it('one row per level in ascending order, then the pooled row', () => {
    expect(rows.map((r) => [r.difficulty, r.n])).toEqual([
      [1, 2],
      [2, 2],
      [null, 4],
    ]);
    expect(rows[2].lengthMean).toBe(25);
    expect(rows[2].acc).toBe(0.5);
  });

  it('answer statistics skip responses without an answer phase', () => {
    expect(rows[1].answer.n).toBe(1);
    expect(rows[1].answerMean).toBeCloseTo(0.05, 9);
    expect(rows[1].answer.pearson).toBeNaN(); // one point
    expect(rows[1].think.pearson).toBeCloseTo(1, 9);
    expect(rows[2].answer.n).toBe(3);
  });
});

describe('brevity analyze entropy on the base checkpoint', () => {
  const base: AnalyzeEntropyArgs = {
    checkpoint: ['experiments/base/checkpoint', 'experiments/base/checkpoint'],
    label: ['base', 'again'],
    env: 'modchain',
    difficulties: '1,3',
    n: 6,
    temperature: 1,
    maxNewTokens: 96,
    split: 'test',
    seed: 0,
    out: '',
    title: 'test',
    backend: 'wasm',
  };

  it('writes JSON, Markdown and figures; the same checkpoint twice gives the same numbers', async () => {
    const out = mkdtempSync(join(tmpdir(), 'brevity-entropy-'));
    const files = await analyzeEntropy({ ...base, out });
    for (const f of ['entropy.json', 'entropy.md', 'entropy-scatter.svg', 'entropy-models.png'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(files[0]).toBe(join(out, 'entropy.json'));
    const json = JSON.parse(readFileSync(join(out, 'entropy.json'), 'utf8'));
    const [a, b] = json.results;
    expect(a.rows.map((r: { difficulty: number | null; n: number }) => [r.difficulty, r.n])).toEqual([
      [1, 6],
      [3, 6],
      [null, 12],
    ]);
    expect(b.rows).toEqual(a.rows);
    for (const x of a.samples) {
      expect(x.length).toBeGreaterThan(0);
      expect(x.think).toBeGreaterThanOrEqual(0);
    }
    const md = readFileSync(join(out, 'entropy.md'), 'utf8');
    expect(md).toContain('## base');
    expect(md).toContain('| difficulty | responses |');
    expect(md).toContain('![Per response of base');
  }, 60_000);

  it.each([
    { what: 'a label count that does not match', args: { label: ['one'] }, err: /--label: 1 labels for 2/ },
    {
      what: 'a missing checkpoint folder',
      args: { checkpoint: ['nope'], label: undefined },
      err: /checkpoint nope: no such folder/,
    },
    { what: 'a cap beyond the context', args: { maxNewTokens: 500 }, err: /--max-new-tokens 500/ },
    { what: 'no responses', args: { n: 0 }, err: /--n 0: expected an integer >= 1/ },
    { what: 'greedy decoding', args: { temperature: 0 }, err: /--temperature 0: expected a number > 0/ },
    {
      // arithmetic prompts hold `*`, which the modchain checkpoint's tokenizer never saw
      what: 'prompts of an env the checkpoint was not trained on',
      args: { env: 'arithmetic', difficulties: '3' },
      err: /--env arithmetic: the tokenizer of experiments\/base\/checkpoint cannot read the prompt/,
    },
  ])('refuses $what', async ({ args, err }) => {
    const out = mkdtempSync(join(tmpdir(), 'brevity-entropy-'));
    await expect(analyzeEntropy({ ...base, ...args, out })).rejects.toThrow(err);
  });
});
