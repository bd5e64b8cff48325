/** LASER-D / LASER-DE: research/laser.md Sec. 7.8-7.10 (code-verified numbers), state, metrics, edge rules. */
import { describe, expect, it } from 'vitest';
import { batch, ctx, group, plain, ro, type Kind } from '../test/util.js';
import { candidateLengths, difficultyBucket, requiredCorrect } from './laser-targets.js';
import { createReward } from './registry.js';
import type { RewardGroup } from './types.js';

/** A monitor prompt with `nCorrect` correct rollouts of 8 and the given lengths. */
function prompt(id: string, nCorrect: number, lengths: number[]): RewardGroup {
  return group(
    lengths.map((L, i) => ro(i < nCorrect ? 'c' : 'w', L)),
    id,
  );
}

/** The monitor set of laser.md 7.8: easy 6x1500 1x2500 25x3500; medium 6x4500 2x6000 8x9000; hard 7x8000 1x13000. */
function monitor(hardTruncated = false) {
  const easy = [...Array(6).fill(1500), 2500, ...Array(25).fill(3500)];
  const medium = [...Array(6).fill(4500), 6000, 6000, ...Array(8).fill(9000)];
  const hard = [...Array(7).fill(8000), hardTruncated ? 16384 : 13000];
  return batch(
    ...[0, 1, 2, 3].map((k) => prompt(`e${k}`, 7, easy.slice(8 * k, 8 * k + 8))),
    prompt('m0', 4, medium.slice(0, 8)),
    prompt('m1', 4, medium.slice(8)),
    prompt('h0', 1, hard),
  );
}

const base = { lowerBound: 2048, upperBound: 16384 };

describe('laser-d targets (laser.md 7.8)', () => {
  // Each case: rule, monitor variant, expected targets.
  const cases = [
    { what: 'floor (code default)', p: { correctCount: 'floor' }, targets: [3072, 6144, 13312] },
    { what: 'ceil (paper)', p: { correctCount: 'ceil' }, targets: [2048, 5120, 13312] },
    {
      what: 'a truncated hard response pushes hard to the bound',
      p: {},
      hardT: true,
      targets: [2048, 5120, 16384],
    },
  ];
  it.each(cases)('$what', ({ p, hardT, targets }) => {
    const r = createReward('laser-d', { ...base, ...p });
    r.observe!(monitor(hardT));
    const m = r.metrics!();
    expect([m['target.easy'], m['target.medium'], m['target.hard']]).toEqual(targets);
  });

  it('before observe every target is upperBound; an empty bucket stays at upperBound', () => {
    const r = createReward('laser-d', base);
    expect(r.state!()).toEqual({ targets: { easy: 16384, medium: 16384, hard: 16384 }, observed: 0 });
    r.observe!(batch(...monitor().groups.slice(0, 4))); // only easy prompts
    expect(r.state!()).toEqual({ targets: { easy: 2048, medium: 16384, hard: 16384 }, observed: 1 });
  });

  it('capAtBatchMax: targets capped at the batch maximum (7.8.3 / 7.8.4: B = 15000), rewards unchanged', () => {
    const capped = createReward('laser-de', { ...base, capAtBatchMax: true });
    const plainR = createReward('laser-de', base);
    for (const r of [capped, plainR]) r.observe!(batch(...monitor().groups.slice(0, 4))); // medium, hard empty
    const b = batch(
      group([ro('c', 15000), ro('w', 14000), ro('w', 100), ro('w', 100)], 'hard'),
      group([ro('c', 3000), ro('c', 1000), ro('c', 100), ro('w', 9000)], 'easy'),
    );
    expect(plain(capped.score(b, ctx()))).toEqual([
      [1.5, -0.5, -0.5, -0.5],
      [1.0, 1.5, 1.5, 0],
    ]);
    expect(plain(plainR.score(b, ctx()))).toEqual(plain(capped.score(b, ctx())));
    expect(capped.metrics!()).toMatchObject({
      'scoredTarget.hard': 15000,
      'scoredTarget.easy': 2048,
      'target.hard': 16384,
    });
  });
});

describe('laser-d rewards with the floor targets (laser.md 7.9)', () => {
  const r = createReward('laser-d', { ...base, correctCount: 'floor' });
  r.observe!(monitor());
  const cases: { what: string; g: [Kind, number][]; want: number[] }[] = [
    {
      what: 'prompt a: 7/8 -> easy, L_A = 3072',
      g: [
        ['c', 2500],
        ['c', 3500],
        ['c', 3072],
        ['c', 3073],
        ['c', 100],
        ['c', 100],
        ['c', 100],
        ['w', 900],
      ],
      want: [1.5, 1.0, 1.5, 1.0, 1.5, 1.5, 1.5, -0.5],
    },
    {
      what: 'prompt b: 4/8 -> medium, L_A = 6144',
      g: [
        ['c', 6000],
        ['c', 7000],
        ['c', 6144],
        ['c', 6145],
        ['w', 5000],
        ['t', 16384],
        ['w', 1],
        ['w', 1],
      ],
      want: [1.5, 1.0, 1.5, 1.0, -0.5, -1, -0.5, -0.5],
    },
    {
      what: 'prompt c: 1/8 -> hard, L_A = 13312',
      g: [
        ['c', 12000],
        ['w', 9000],
        ['t', 16384],
        ['w', 1],
        ['w', 1],
        ['w', 1],
        ['w', 1],
        ['w', 1],
      ],
      want: [1.5, -0.5, -1, -0.5, -0.5, -0.5, -0.5, -0.5],
    },
  ];
  it.each(cases)('$what', ({ g, want }) => {
    expect(plain(r.score(batch(group(g.map(([k, L]) => ro(k, L)))), ctx()))).toEqual([want]);
  });

  it('bucket boundaries: 6/8 easy, 5/8 medium, 3/8 medium, 2/8 hard; K = 3 and K = 6 at the edges', () => {
    expect([6, 5, 3, 2].map((c) => difficultyBucket(c, 8))).toEqual(['easy', 'medium', 'medium', 'hard']);
    expect([3, 2, 1, 0].map((c) => difficultyBucket(c, 3))).toEqual(['easy', 'easy', 'medium', 'hard']);
    expect([4, 3, 2, 1].map((c) => difficultyBucket(c, 6))).toEqual(['easy', 'medium', 'medium', 'hard']);
  });

  it('|C_d| for K = 8: ceil 6/3/1, floor 5/2/1; candidates include both bounds', () => {
    expect(['easy', 'medium', 'hard'].map((b) => requiredCorrect(b as 'easy', 8, 'ceil'))).toEqual([6, 3, 1]);
    expect(['easy', 'medium', 'hard'].map((b) => requiredCorrect(b as 'easy', 8, 'floor'))).toEqual([
      5, 2, 1,
    ]);
    expect(candidateLengths(2048, 16384, 1024)).toHaveLength(15);
    expect(candidateLengths(1000, 3000, 1024)).toEqual([1000, 2024]);
  });
});

describe('laser-de (laser.md 7.10, prompt b, L_A = 6144)', () => {
  const g = batch(
    group([
      ro('c', 6000),
      ro('c', 7000),
      ro('c', 6144),
      ro('c', 6145),
      ro('w', 5000),
      ro('w', 7000),
      ro('t', 16384),
      ro('w', 6500),
    ]),
  );
  // Each case: exploreInvalid, expected rewards (paper column / code column without the repetition filter).
  it.each([
    { exploreInvalid: true, want: [1.5, 1.0, 1.5, 1.0, -0.5, 0, -0.5, 0] },
    { exploreInvalid: false, want: [1.5, 1.0, 1.5, 1.0, -0.5, 0, -1, 0] },
  ])('exploreInvalid $exploreInvalid', ({ exploreInvalid, want }) => {
    const r = createReward('laser-de', { ...base, correctCount: 'floor', exploreInvalid });
    r.observe!(monitor());
    expect(plain(r.score(g, ctx()))).toEqual([want]);
    expect(r.metrics!().exploreFraction).toBe(exploreInvalid ? 3 / 8 : 2 / 8);
  });
});

describe('laser-d state', () => {
  it('state() survives JSON and load() restores the targets exactly', () => {
    const a = createReward('laser-de', base);
    a.observe!(monitor());
    const b = createReward('laser-de', base);
    b.load!(JSON.parse(JSON.stringify(a.state!())));
    const g = batch(group([ro('c', 2048), ro('c', 2049), ro('c', 1), ro('w', 9000)]));
    expect(plain(b.score(g, ctx()))).toEqual(plain(a.score(g, ctx())));
    expect(b.state!()).toEqual(a.state!());
  });

  it('a malformed state is refused with the field named', () => {
    const r = createReward('laser-d', base);
    expect(() => r.load!({ targets: { easy: 'x' }, observed: 0 })).toThrow(/state\.targets\.easy/);
  });
});
