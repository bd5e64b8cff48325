/** Builders for reward tests: short rollouts and groups. */
import { expect } from 'vitest';
import type { RewardBatch, RewardGroup, RewardRollout } from '../src/types.js';

/** Outcome of a rollout: correct, wrong (valid format), invalid (no answer), truncated (hit the cap). */
export type Kind = 'c' | 'w' | 'i' | 't';

export function ro(kind: Kind, length: number, extra: Partial<RewardRollout> = {}): RewardRollout {
  return {
    length,
    correct: kind === 'c',
    formatValid: kind === 'c' || kind === 'w',
    truncated: kind === 't',
    ...extra,
  };
}

export function group(
  rollouts: RewardRollout[],
  promptId = 'p',
  extra: Partial<RewardGroup> = {},
): RewardGroup {
  return { promptId, rollouts, ...extra };
}

export const batch = (...groups: RewardGroup[]): RewardBatch => ({ groups });

/** A group of `kinds` with the given lengths. */
export function kinds(ks: string, lengths: number[], promptId = 'p'): RewardGroup {
  return group(
    lengths.map((L, i) => ro(ks[i] as Kind, L)),
    promptId,
  );
}

/** Plain arrays, for toEqual / toBeCloseTo comparisons. */
export const plain = (out: Float64Array[]): number[][] => out.map((v) => Array.from(v));

export const ctx = (maxLength = 16384, step = 0) => ({ maxLength, step });

/** Asserts `actual` matches `expected` to `digits` decimals (the worked examples give 4). */
export function close(actual: ArrayLike<number>, expected: number[], digits = 4): void {
  expect(Array.from(actual)).toHaveLength(expected.length);
  Array.from(actual).forEach((v, i) => expect(v, `index ${i}`).toBeCloseTo(expected[i], digits));
}
