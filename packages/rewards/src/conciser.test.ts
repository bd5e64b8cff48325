/** conciser's `gate` param: the paper's all-correct gate vs the ablation that rewards every correct rollout. */
import { describe, expect, it } from 'vitest';
import { batch, close, ctx, kinds } from '../test/util.js';
import { createReward } from './registry.js';

// Bonus (100 - L) / 100 with maxLength 100: L = 20 -> 0.8, L = 40 -> 0.6, L = 60 -> 0.4.
const table = [
  {
    what: 'all correct: both gates give every rollout the bonus',
    group: kinds('ccc', [20, 40, 60]),
    allCorrect: [1.8, 1.6, 1.4],
    none: [1.8, 1.6, 1.4],
  },
  {
    what: 'one wrong: the gate withholds the bonus, "none" gives it to the correct ones',
    group: kinds('cwc', [20, 40, 60]),
    allCorrect: [1, 0, 1],
    none: [1.8, 0, 1.4],
  },
  {
    what: 'a truncated rollout counts as wrong under both gates',
    group: kinds('ct', [20, 100]),
    allCorrect: [1, 0],
    none: [1.8, 0],
  },
  {
    what: 'all wrong: nothing to reward',
    group: kinds('wi', [20, 40]),
    allCorrect: [0, 0],
    none: [0, 0],
  },
];

describe('conciser gate', () => {
  it.each(table)('$what', ({ group, allCorrect, none }) => {
    close(createReward('conciser', { maxLength: 100 }).score(batch(group), ctx())[0], allCorrect);
    close(createReward('conciser', { maxLength: 100, gate: 'none' }).score(batch(group), ctx())[0], none);
  });

  it('logs the share of all-correct groups and of rollouts given the bonus', () => {
    // Groups: all correct (3 bonuses under both gates) and one wrong of three (2 more without the gate).
    const b = batch(kinds('ccc', [20, 40, 60], 'a'), kinds('cwc', [20, 40, 60], 'b'));
    const gated = createReward('conciser', { maxLength: 100 });
    gated.score(b, ctx());
    expect(gated.metrics?.()).toEqual({ gatedFraction: 0.5, bonusFraction: 0.5 });
    const open = createReward('conciser', { maxLength: 100, gate: 'none' });
    open.score(b, ctx());
    expect(open.metrics?.()).toEqual({ gatedFraction: 0.5, bonusFraction: 5 / 6 });
  });

  it('rejects an unknown gate with the field name', () => {
    expect(() => createReward('conciser', { gate: 'some' })).toThrow(/params\.gate/);
  });
});
