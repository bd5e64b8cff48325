/** Per-reward details the shared tables do not reach: extraction edges, schedules, selection, errors. */
import { describe, expect, it } from 'vitest';
import { batch, ctx, group, kinds, plain, ro } from '../test/util.js';
import { phaseEntropies } from './pear.js';
import {
  createReward,
  rewardNames,
  rewardParamsJsonSchema,
  restoreReward,
  rewardSnapshot,
} from './registry.js';
import { repetitionValue, uniqueNgrams } from './repetition.js';
import { groupAccuracies, selectLengthPenaltyGroups } from './grpo-lambda.js';

describe('repetition', () => {
  // Each case: tokens, n, expected value (TRL docstring examples first).
  it.each([
    { what: 'distinct bigrams', tokens: [1, 2, 3, 4], n: 2, want: 0 },
    { what: 'one token repeated (TRL)', tokens: [5, 5, 5, 5, 5], n: 2, want: -0.75 },
    { what: 'fewer tokens than n', tokens: [1, 2], n: 3, want: 0 },
    { what: 'exactly n tokens', tokens: [1, 2, 3], n: 3, want: 0 },
    { what: 'empty response', tokens: [], n: 3, want: 0 },
    { what: 'a block repeated once', tokens: [1, 2, 3, 1, 2, 3], n: 3, want: -0.25 },
  ])('$what', ({ tokens, n, want }) => {
    expect(repetitionValue(tokens, n, -1)).toBeCloseTo(want, 12);
  });

  it('counts exactly, hash collisions included (compared with a string-keyed set)', () => {
    // Large and negative ids and long sequences stress the hash; the reference is a Set of joined n-grams.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (const [len, vocab, n] of [
      [5000, 40, 3],
      [3000, 3, 4],
      [2000, 2 ** 31, 2],
      [100, 5, 1],
    ]) {
      const t = Array.from({ length: len }, () => (rand() % vocab) - (vocab > 1e6 ? 2 ** 30 : 0));
      const ref = new Set<string>();
      for (let s = 0; s + n <= len; s++) ref.add(t.slice(s, s + n).join(','));
      expect(uniqueNgrams(t, n)).toBe(ref.size);
    }
  });

  it('needs token ids and names the rollout when they are missing', () => {
    expect(() => createReward('repetition').score(batch(group([ro('c', 3)], 'q7')), ctx())).toThrow(
      /repetition: group "q7" rollout 0 has no tokens/,
    );
  });
});

describe('pear phase split', () => {
  // Each case: entropies, thinkEnd, length, expected {think, answer}.
  it.each([
    { what: 'tag in neither phase', e: [1, 1, 9, 3, 3], te: 2, L: 5, want: { think: 1, answer: 3 } },
    { what: 'no tag: all tokens think, answer 0', e: [1, 2, 3], te: -1, L: 3, want: { think: 2, answer: 0 } },
    { what: 'tag first: empty think phase', e: [9, 2, 4], te: 0, L: 3, want: { think: 0, answer: 3 } },
    { what: 'tag last: empty answer phase', e: [1, 3, 9], te: 2, L: 3, want: { think: 2, answer: 0 } },
    {
      what: 'padding past the length is ignored',
      e: [1, 9, 2, 77, 77],
      te: 1,
      L: 3,
      want: { think: 1, answer: 2 },
    },
    { what: 'empty response', e: [], te: -1, L: 0, want: { think: 0, answer: 0 } },
  ])('$what', ({ e, te, L, want }) => {
    expect(phaseEntropies(e, te, L)).toEqual(want);
  });

  it('a correct answer with a large penalty goes below formatScore (no lower clip, paper Eq. 7)', () => {
    const r = ro('c', 3, { entropies: [3, 9, 0.5], thinkEnd: 1 });
    expect(plain(createReward('pear').score(batch(group([r, ro('w', 3)])), ctx()))).toEqual([[-1.5, 0]]);
  });

  it('wrong rollouts need no entropies; correct ones do', () => {
    expect(
      plain(createReward('pear', { formatScore: 0.1 }).score(batch(group([ro('w', 3)])), ctx())),
    ).toEqual([[0.1]]);
    expect(() => createReward('pear').score(batch(group([ro('c', 3, { thinkEnd: 1 })])), ctx())).toThrow(
      /no entropies/,
    );
  });
});

describe('format', () => {
  const text = (t: string) => ro('c', 5, { text: t, thinkEnd: t.indexOf('</think>') });
  it.each([
    { what: 'think block then answer', t: '<think>a</think>\\boxed{1}', open: true, want: 1 },
    { what: 'no opening tag, required', t: 'a</think>\\boxed{1}', open: true, want: 0 },
    { what: 'no opening tag, template has it', t: 'a</think>\\boxed{1}', open: false, want: 1 },
    { what: 'opening tag after the closing one', t: '</think><think>\\boxed{1}', open: true, want: 0 },
    { what: 'no closing tag', t: '<think>a \\boxed{1}', open: true, want: 0 },
  ])('$what', ({ t, open, want }) => {
    expect(createReward('format', { requireOpenTag: open }).score(batch(group([text(t)])), ctx())[0][0]).toBe(
      want,
    );
  });

  it('declares what it reads and refuses rollouts without it', () => {
    expect(createReward('format').needs).toEqual(['text']);
    expect(createReward('format', { requireOpenTag: false }).needs).toEqual(['thinkEnd']);
    expect(() => createReward('format').score(batch(group([ro('c', 3)])), ctx())).toThrow(/has no text/);
  });
});

describe('thinkprune schedule', () => {
  const schedule = [
    { fromStep: 0, limit: 4096 },
    { fromStep: 10, limit: 3072 },
    { fromStep: 20, limit: 2048 },
  ];
  it.each([
    { step: 0, limit: 4096 },
    { step: 9, limit: 4096 },
    { step: 10, limit: 3072 },
    { step: 25, limit: 2048 },
  ])('step $step -> limit $limit', ({ step, limit }) => {
    const r = createReward('thinkprune', { schedule });
    const out = r.score(batch(group([ro('c', limit), ro('c', limit + 1)])), ctx(16384, step));
    expect(Array.from(out[0])).toEqual([1, 0]);
    expect(r.metrics?.().limit).toBe(limit);
  });

  it.each([
    {
      what: 'first stage after 0',
      s: [{ fromStep: 5, limit: 10 }],
      err: /schedule\.0\.fromStep: the first stage/,
    },
    { what: 'unsorted', s: [...schedule].reverse(), err: /schedule\.0\.fromStep/ },
    {
      what: 'repeated step',
      s: [schedule[0], { fromStep: 0, limit: 5 }],
      err: /schedule\.1\.fromStep: stages must/,
    },
    { what: 'empty', s: [], err: /schedule/ },
  ])('refuses a bad schedule: $what', ({ s, err }) => {
    expect(() => createReward('thinkprune', { schedule: s })).toThrow(err);
  });
});

describe('grpo-lambda selection', () => {
  const accs = (xs: number[]) => Float64Array.from(xs);
  const p = { lambda: 0.5, selection: 'top-fraction' as const, weight: 1, requireCorrect: true };
  it.each([
    { what: 'ties keep input order', acc: [0.5, 0.5, 0.5, 0.5], p, want: [1, 1, 0, 0] },
    { what: 'largest first, any position', acc: [0.25, 1, 0.5, 0.75], p, want: [0, 1, 0, 1] },
    {
      what: 'ceil(0.3 * 10) = 3 despite float noise',
      acc: Array(10).fill(1),
      p: { ...p, lambda: 0.3 },
      want: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    },
    { what: 'all-wrong groups never join', acc: [0, 0, 0.25, 0], p: { ...p, lambda: 1 }, want: [0, 0, 1, 0] },
    {
      what: 'without requireCorrect they may',
      acc: [0, 0],
      p: { ...p, requireCorrect: false },
      want: [1, 0],
    },
    { what: 'lambda 0 selects nothing', acc: [1, 1], p: { ...p, lambda: 0 }, want: [0, 0] },
    {
      what: 'threshold is inclusive',
      acc: [0.5, 0.49, 1],
      p: { ...p, selection: 'threshold' as const },
      want: [1, 0, 1],
    },
  ])('$what', ({ acc, p, want }) => {
    expect(Array.from(selectLengthPenaltyGroups(accs(acc), p))).toEqual(want);
  });

  it('accuracy counts truncated rollouts as wrong', () => {
    expect(Array.from(groupAccuracies([group([ro('c', 1), { ...ro('c', 1), truncated: true }])]))).toEqual([
      0.5,
    ]);
  });
});

describe('inputs a reward needs', () => {
  it.each([
    { name: 'l1-exact', params: {}, needs: ['budget'] },
    { name: 'l1-exact', params: { targetLength: 5 }, needs: [] },
    { name: 'cosine', params: {}, needs: ['maxLength'] },
    { name: 'cosine', params: { maxLength: 100 }, needs: [] },
    { name: 'pear', params: {}, needs: ['entropies', 'thinkEnd'] },
    { name: 'laser-d', params: { lowerBound: 1, upperBound: 2 }, needs: ['monitor'] },
    { name: 'thinkprune', params: { schedule: [{ fromStep: 0, limit: 9 }] }, needs: ['step'] },
    {
      name: 'sum',
      params: { terms: [{ reward: 'pear' }, { reward: 'repetition' }, { reward: 'format' }] },
      needs: ['entropies', 'thinkEnd', 'tokens', 'text'],
    },
  ])('$name $params -> $needs', ({ name, params, needs }) => {
    expect(createReward(name, params).needs).toEqual(needs);
  });

  it('l1 uses each group budget when no targetLength is set', () => {
    const b = batch({ ...kinds('c', [1200]), budget: 1000 }, { ...kinds('c', [1200], 'q2'), budget: 1200 });
    expect(plain(createReward('l1-exact').score(b, ctx()))).toEqual([[1 - 0.0003 * 200], [1]]);
    expect(() => createReward('l1-max').score(batch(kinds('c', [5], 'q9')), ctx())).toThrow(
      /group "q9" has no budget/,
    );
  });

  it('a reward that reads the cap refuses a missing one', () => {
    expect(() => createReward('conciser').score(batch(kinds('c', [5])), ctx(Number.NaN))).toThrow(
      /needs a max length/,
    );
    expect(() => createReward('dapo-overlong', { cache: 50 }).score(batch(kinds('c', [5])), ctx(40))).toThrow(
      /cache \(50\) exceeds maxLength \(40\)/,
    );
  });
});

describe('registry', () => {
  it.each([
    { name: 'laser', params: {}, err: /laser: params\.targetLength: required/ },
    { name: 'laser', params: { targetLength: 4096, alpah: 1 }, err: /params\.alpah: unknown field "alpah"/ },
    {
      name: 'laser',
      params: { targetLength: 4096, base: { wrong: 'x' } },
      err: /params\.base\.wrong: expected number/,
    },
    { name: 'cosine', params: { margin: -1 }, err: /params\.margin/ },
    { name: 'grpo-lambda', params: { lambda: 2 }, err: /params\.lambda: Too big/ },
    {
      name: 'laser-d',
      params: { lowerBound: 9, upperBound: 3 },
      err: /params\.lowerBound: must be <= upperBound/,
    },
    { name: 'nope', params: {}, err: /reward: unknown reward "nope"; known rewards: accuracy, format/ },
    {
      name: 'sum',
      params: { terms: [{ reward: 'nope' }] },
      err: /params\.terms\.0\.reward: unknown reward "nope"/,
    },
    {
      name: 'sum',
      params: { terms: [{ reward: 'laser' }] },
      err: /params\.terms\.0\.params\.targetLength: required/,
    },
  ])('$name $params -> RewardParamsError', ({ name, params, err }) => {
    let caught: unknown;
    try {
      createReward(name, params);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).name).toBe('RewardParamsError');
    expect((caught as Error).message).toMatch(err);
  });

  it('fills defaults (partial base kept) and freezes params', () => {
    const r = createReward('laser', { targetLength: 10, base: { wrong: 0 } });
    expect(r.params).toEqual({ alpha: 0.5, targetLength: 10, base: { correct: 1, wrong: 0, invalid: -1 } });
    expect(Object.isFrozen(r.params)).toBe(true);
  });

  it('every reward has a JSON Schema with a description on every param', () => {
    for (const name of rewardNames()) {
      const s = rewardParamsJsonSchema(name) as {
        type: string;
        properties: Record<string, { description?: string }>;
      };
      expect(s.type).toBe('object');
      for (const [k, v] of Object.entries(s.properties)) expect(v.description, `${name}.${k}`).toBeTruthy();
    }
  });

  it('sum forwards observe, state and metrics; a snapshot restores it', () => {
    const params = {
      terms: [
        { reward: 'accuracy' },
        { reward: 'laser-d', params: { lowerBound: 100, upperBound: 900 }, weight: 2 },
      ],
    };
    const s = createReward('sum', params);
    s.observe!(batch(kinds('cccc', [100, 100, 100, 100])));
    expect(s.metrics!()).toMatchObject({ '1.laser-d.target.easy': 100, '1.laser-d.target.hard': 900 });
    const back = restoreReward(JSON.parse(JSON.stringify(rewardSnapshot(s))));
    const b = batch(kinds('cccc', [100, 101, 50, 900]));
    // accuracy 1 + 2 * laser-d (easy target 100: 1.5 within, 1.0 past it).
    expect(plain(back.score(b, ctx()))).toEqual([[4, 3, 4, 3]]);
    expect(plain(back.score(b, ctx()))).toEqual(plain(s.score(b, ctx())));
  });
});

describe('package boundaries', () => {
  it('no source file imports tfjs or node I/O', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('.', import.meta.url);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      expect(text, f).not.toMatch(/@tensorflow|from 'node:/);
    }
  });
});

describe('length boundaries', () => {
  // Each case: reward, params, kind, length, expected reward at the edge.
  it.each([
    {
      what: 'cosine: L + margin = maxLength exceeds',
      name: 'cosine',
      p: { maxLength: 100 },
      L: 84,
      want: -10,
    },
    {
      what: 'cosine: one token under the margin',
      name: 'cosine',
      p: { maxLength: 100 },
      L: 83,
      want: 1 + 0.5 * (1 + Math.cos((Math.PI * 83) / 100)),
    },
    {
      what: 'cosine: margin 0, L = maxLength - 1',
      name: 'cosine',
      p: { maxLength: 100, margin: 0 },
      L: 99,
      want: 1 + 0.5 * (1 + Math.cos((Math.PI * 99) / 100)),
    },
    {
      what: 'dapo: L = maxLength - cache, no penalty',
      name: 'dapo-overlong',
      p: { maxLength: 100, cache: 20 },
      L: 80,
      want: 1,
    },
    {
      what: 'dapo: L = maxLength, penalty -1',
      name: 'dapo-overlong',
      p: { maxLength: 100, cache: 20 },
      L: 100,
      want: 0,
    },
    {
      what: 'dapo: past maxLength, -1',
      name: 'dapo-overlong',
      p: { maxLength: 100, cache: 20 },
      L: 150,
      want: 0,
    },
    {
      what: 'dapo: halfway through the cache',
      name: 'dapo-overlong',
      p: { maxLength: 100, cache: 20 },
      L: 90,
      want: 0.5,
    },
    {
      what: 'truncation: L = targetLength is kept',
      name: 'truncation',
      p: { targetLength: 50 },
      L: 50,
      want: 1,
    },
    {
      what: 'truncation: L = targetLength + 1 gets rho',
      name: 'truncation',
      p: { targetLength: 50, rho: -0.25 },
      L: 51,
      want: -0.25,
    },
    { what: 'conciser: L = maxLength adds 0', name: 'conciser', p: { maxLength: 100 }, L: 100, want: 1 },
    {
      what: 'l1-max: exactly on target gives delta',
      name: 'l1-max',
      p: { targetLength: 100, delta: 0.3 },
      L: 100,
      want: 0.3,
    },
  ])('$what', ({ name, p, L, want }) => {
    expect(createReward(name, p).score(batch(group([ro('c', L)])), ctx())[0][0]).toBeCloseTo(want, 12);
  });
});
