/**
 * Every worked example of specs/rewards.md, plus the worked examples of research/laser.md (Sec. 7) and
 * research/pear-conciser-grpolambda.md that the spec's formulas cover.
 */
import { grpoAdvantages, uniformOffsets } from '@brevity/core';
import { describe, expect, it } from 'vitest';
import { batch, close, ctx, group, kinds, plain, ro } from '../test/util.js';
import { createReward } from './registry.js';

const score1 = (name: string, params: unknown, ...rs: Parameters<typeof ro>[]) =>
  Array.from(createReward(name, params).score(batch(group(rs.map((a) => ro(...a)))), ctx())[0]);

describe('spec worked examples', () => {
  it('laser, L_T = 4096', () => {
    expect(
      score1('laser', { targetLength: 4096 }, ['c', 3000], ['c', 5000], ['w', 1000], ['t', 16384]),
    ).toEqual([1.5, 1.0, -0.5, -1]);
  });

  it('kimi: lengths [1000, 2000, 3000, 5000], correct [1, 1, 0, 0], weight 1', () => {
    // The spec writes "base 0/1/0"; the expected values need R = 1 / 0 / 0 (the default), see the report.
    const out = createReward('kimi', { weight: 1 }).score(
      batch(kinds('ccww', [1000, 2000, 3000, 5000])),
      ctx(),
    );
    expect(plain(out)).toEqual([[1.5, 1.25, 0, -0.5]]);
  });

  it('efficient-reasoning, alpha 0.1, correct lengths {1000, 2000, 3000}', () => {
    close(
      score1('efficient-reasoning', { alpha: 0.1 }, ['c', 1000], ['c', 2000], ['c', 3000]),
      [0.9773, 0.95, 0.9227],
    );
  });

  it('l1-exact, target 1000', () => {
    close(score1('l1-exact', { targetLength: 1000 }, ['c', 1200], ['w', 3000]), [0.94, -0.6]);
  });

  it('l1-max, alpha 0.0003, target 2000', () => {
    const p = { alpha: 0.0003, targetLength: 2000 };
    close(score1('l1-max', p, ['c', 1000], ['c', 2500], ['c', 4000], ['w', 1000]), [0.8, 0.35, 0, 0]);
  });

  it('grpo-lambda, lambda 0.5 top-fraction, correct counts [4, 3, 1, 0]', () => {
    const b = batch(
      kinds('cccc', [100, 200, 300, 500], 'A'),
      kinds('cccw', [150, 250, 350, 450], 'B'),
      kinds('cwww', [900, 300, 400, 800], 'C'),
      kinds('wwww', [300, 500, 700, 900], 'D'),
    );
    const out = createReward('grpo-lambda', { lambda: 0.5, selection: 'top-fraction' }).score(b, ctx());
    close(out[0], [1.5, 1.25, 1.0, 0.5]);
    expect(Array.from(out[2])).toEqual([1, 0, 0, 0]);
  });

  it('conciser, all correct, lengths [1000, 2000, 3000, 4000], maxLength 4096', () => {
    close(
      score1('conciser', { maxLength: 4096 }, ['c', 1000], ['c', 2000], ['c', 3000], ['c', 4000]),
      [1.7559, 1.5117, 1.2676, 1.0234],
    );
  });

  it('cosine, maxLength 14336', () => {
    close(
      score1('cosine', { maxLength: 14336 }, ['c', 3584], ['w', 3584], ['c', 14330]),
      [1.8536, -8.5355, -10],
    );
  });

  it('dapo-overlong, maxLength 20480, cache 4096: L = 18432 has penalty -0.5', () => {
    // Penalty = reward minus the base score: correct 1 - 0.5, wrong -1 - 0.5.
    close(
      score1('dapo-overlong', { maxLength: 20480, cache: 4096 }, ['c', 18432], ['w', 18432]),
      [0.5, -1.5],
    );
  });

  it('pear, alpha 1: (Hthink 0.8, Hanswer 0.3) -> 0.5; (0.2, 0.5) -> 1', () => {
    // The `</think>` token (index 3 / 2) carries a large entropy to show it is in neither phase.
    const a = ro('c', 6, { entropies: [0.8, 0.8, 0.8, 9, 0.3, 0.3], thinkEnd: 3 });
    const b = ro('c', 5, { entropies: [0.2, 0.2, 9, 0.5, 0.5], thinkEnd: 2 });
    close(createReward('pear', { alpha: 1 }).score(batch(group([a, b])), ctx())[0], [0.5, 1]);
  });
});

describe('research/laser.md Sec. 7', () => {
  it('7.1 truncation, L_T = 8192: finished at exactly 8192 is scored, the cap without EOS gets rho', () => {
    const p = { targetLength: 8192 };
    expect(score1('truncation', p, ['c', 5000], ['w', 3000], ['i', 4000], ['t', 8192], ['c', 8192])).toEqual([
      1, -0.5, -1, 0, 1,
    ]);
  });

  it('7.2 thinkprune: stage 2 (3072) and stage 3 (2048); wrong = -0.5 under LASER R, 0 under 0/1', () => {
    const schedule = [
      { fromStep: 0, limit: 4096 },
      { fromStep: 100, limit: 3072 },
      { fromStep: 200, limit: 2048 },
    ];
    const b = batch(group([ro('c', 3000), ro('t', 3072), ro('w', 2000)]));
    const laserBase = createReward('thinkprune', { schedule, base: { wrong: -0.5 } });
    expect(plain(laserBase.score(b, ctx(16384, 150)))).toEqual([[1, 0, -0.5]]);
    const zeroOne = createReward('thinkprune', { schedule });
    expect(plain(zeroOne.score(b, ctx(16384, 150)))).toEqual([[1, 0, 0]]);
    expect(zeroOne.score(b, ctx(16384, 250))[0][0]).toBe(0);
  });

  it('7.4 kimi with base 1 / -0.5 / -1: [1.5, 1.25, -0.5, -1]; equal lengths give R', () => {
    const k = createReward('kimi', { base: { wrong: -0.5, invalid: -1 } });
    expect(plain(k.score(batch(kinds('ccww', [1000, 2000, 3000, 5000])), ctx()))).toEqual([
      [1.5, 1.25, -0.5, -1],
    ]);
    expect(plain(k.score(batch(kinds('cwi', [700, 700, 700])), ctx()))).toEqual([[1, -0.5, -1]]);
  });

  it('7.6 l1-max, alpha 0.01, delta 0.5, L_T = 1024 (sign-corrected form)', () => {
    const p = { alpha: 0.01, targetLength: 1024 };
    close(
      score1('l1-max', p, ['c', 1000], ['c', 1024], ['c', 974], ['c', 1100], ['w', 10]),
      [0.74, 0.5, 1, 0, 0],
    );
  });

  it('7.7 laser: the boundary L = L_T is inclusive; GRPO advantages of the example group', () => {
    expect(score1('laser', { targetLength: 4096 }, ['c', 4096], ['c', 4097])).toEqual([1.5, 1.0]);
    const R = [1.5, 1.5, 1.0, 1.0, -0.5, -0.5, -0.5, -1.0];
    close(
      grpoAdvantages(R, uniformOffsets(1, 8)),
      [1.1496, 1.1496, 0.6656, 0.6656, -0.7866, -0.7866, -0.7866, -1.2706],
    );
  });
});

describe('research/pear-conciser-grpolambda.md', () => {
  it('C-1 / C-2: conciser advantages do not depend on maxLength', () => {
    const g = batch(kinds('cccc', [1000, 2000, 3000, 4000]));
    const r4096 = createReward('conciser', { maxLength: 4096 }).score(g, ctx())[0];
    const r8192 = createReward('conciser', { maxLength: 8192 }).score(g, ctx())[0];
    close(r8192, [1.8779, 1.7559, 1.6338, 1.5117]);
    const adv = [1.1619, 0.3873, -0.3873, -1.1619];
    close(grpoAdvantages(r4096, uniformOffsets(1, 4)), adv);
    close(grpoAdvantages(r8192, uniformOffsets(1, 4)), adv);
  });

  it('C-3 / C-4 / C-5: a truncated rollout blocks the bonus; all wrong is 0; equal lengths are equal', () => {
    const c = createReward('conciser', { maxLength: 4096 });
    const out = c.score(
      batch(
        kinds('ccct', [1000, 2000, 3000, 4096]),
        kinds('wwww', [1, 2, 3, 4]),
        kinds('cccc', [1500, 1500, 1500, 1500]),
      ),
      ctx(),
    );
    expect(plain(out).slice(0, 2)).toEqual([
      [1, 1, 1, 0],
      [0, 0, 0, 0],
    ]);
    close(out[2], [1.6338, 1.6338, 1.6338, 1.6338]);
  });

  it('G-1..G-3, G-5, G-6: grpo-lambda rewards and advantages', () => {
    const b = batch(
      kinds('cccc', [100, 200, 300, 500], 'A'),
      kinds('cccw', [150, 250, 350, 450], 'B'),
      kinds('cwww', [900, 300, 400, 800], 'C'),
      kinds('wwww', [300, 500, 700, 900], 'D'),
    );
    const top = createReward('grpo-lambda', {});
    const out = top.score(b, ctx());
    close(out[1], [1.5, 1.1667, 0.8333, -0.5]);
    close(grpoAdvantages(out[0], uniformOffsets(1, 4)), [1.0247, 0.4392, -0.1464, -1.3175]);
    close(grpoAdvantages(out[1], uniformOffsets(1, 4)), [0.8555, 0.4753, 0.0951, -1.4259]);
    close(grpoAdvantages(out[2], uniformOffsets(1, 4)), [1.5, -0.5, -0.5, -0.5]);
    expect(Array.from(out[3])).toEqual([0, 0, 0, 0]);
    expect(top.metrics?.()).toMatchObject({ lengthPenaltyFraction: 0.5 });
    // G-6: threshold 0.5 selects the same groups here.
    expect(plain(createReward('grpo-lambda', { selection: 'threshold' }).score(b, ctx()))).toEqual(
      plain(out),
    );
    // G-5: an all-wrong group forced into LP learns "fail shorter"; requireCorrect keeps it out.
    const forced = createReward('grpo-lambda', { lambda: 1, requireCorrect: false }).score(b, ctx());
    close(forced[3], [0, 0, -0.1667, -0.5]);
    close(forced[2], [0.5, 0, 0, -0.3333]); // G-4
  });

  it('G-6: c = [1, 1, 1, 0.75]: top-fraction keeps 2 groups, threshold keeps 4', () => {
    const b = batch(
      kinds('cc', [1, 3]),
      kinds('cc', [1, 3]),
      kinds('cc', [1, 3]),
      kinds('cccw', [1, 3, 3, 3]),
    );
    const top = createReward('grpo-lambda', {});
    top.score(b, ctx());
    expect(top.metrics?.().lengthPenaltyFraction).toBe(0.5);
    const thr = createReward('grpo-lambda', { selection: 'threshold' });
    thr.score(b, ctx());
    expect(thr.metrics?.().lengthPenaltyFraction).toBe(1);
  });
});
