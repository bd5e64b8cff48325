/**
 * The environment contract (spec envs.md, "Environment contract"): an environment samples problems under a
 * seed and judges completions. Train and test splits never share a problem.
 */
import type { Problem, Rng, Verdict } from '@brevity/core';
import type { CharTokenizer } from './tokenizer.js';
import type { TraceAnalysis } from './trace-analysis.js';
import type { VerifyReason } from './verifier/types.js';

export type Split = 'train' | 'test';

/** A verdict with the verifier's reason (no_answer | truncated | parse_error | timeout | mismatch | match). */
export interface EnvVerdict extends Verdict {
  reason: VerifyReason;
}

export interface Environment {
  /** Registry name (`modchain`, `arithmetic`, `jsonl`). */
  readonly name: string;
  /** The resolved params the environment was built from (serialisable; saved with a run). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The character tokenizer of a synthetic testbed; absent for text datasets. */
  readonly tokenizer?: CharTokenizer;
  /** `n` problems of `split` (default train), drawn with `rng`; the same rng state gives the same problems. */
  sample(rng: Rng, n: number, split?: Split): Problem[];
  /** Pure, fast verdict on one completion (the response text, without the prompt). */
  verify(completion: string, problem: Problem): EnvVerdict;
  /** A teacher response for supervised warm-up (synthetic testbeds only). */
  teacherTrace?(problem: Problem, rng: Rng): string;
  /** Where the think tokens of a response went (synthetic testbeds only). */
  analyze?(completion: string): TraceAnalysis;
  /** Every problem of a split, in file order (finite datasets only; for full evaluation passes). */
  problems?(split?: Split): Problem[];
  /** Which split a problem belongs to (used by the conformance suite and reports). */
  splitOf?(problem: Problem): Split;
}

/**
 * FNV-1a 32-bit hash of `s`, mapped to [0, 1). Used to assign each distinct prompt to one split by its
 * content, so the assignment needs no state and a prompt can never be in both splits.
 */
export function unitHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so that near-identical prompts spread evenly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** The split of a prompt key under a salt: test when its hash falls below `testFraction`. */
export function hashSplit(key: string, salt: string, testFraction: number): Split {
  return unitHash(`${salt}\u0000${key}`) < testFraction ? 'test' : 'train';
}

/**
 * Draws items of the wanted split by rejection: `draw()` proposes, `splitOf` decides. With a test fraction
 * of f, a test draw takes 1/f proposals on average. Throws after `maxTries` proposals (a split that is empty).
 */
export function drawInSplit<T>(
  draw: () => T,
  splitOf: (item: T) => Split,
  split: Split,
  maxTries = 100_000,
): T {
  for (let i = 0; i < maxTries; i++) {
    const item = draw();
    if (splitOf(item) === split) return item;
  }
  throw new Error(`no ${split} problem found in ${maxTries} draws: the ${split} split is empty or tiny`);
}
