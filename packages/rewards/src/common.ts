/**
 * Pieces shared by the reward files: the base outcome score R of the spec, the param atoms, and the loops
 * that map a per-rollout or per-group formula over a batch.
 */
import { z } from 'zod';
import { RewardInputError } from './errors.js';
import type { RewardBatch, RewardGroup, RewardRollout, StepContext } from './types.js';

/** I(R): correct and not truncated (a truncated rollout counts as neither correct nor well formatted). */
export const isCorrect = (r: RewardRollout): boolean => r.correct && !r.truncated;

/** The answer could be extracted and the rollout finished. */
export const isFormatValid = (r: RewardRollout): boolean => r.formatValid && !r.truncated;

export interface BaseOutcome {
  correct: number;
  wrong: number;
  invalid: number;
}

/** Base outcome score R: correct -> base.correct; wrong but formatValid -> base.wrong; else base.invalid. */
export function outcome(r: RewardRollout, base: BaseOutcome): number {
  if (r.truncated) return base.invalid;
  if (r.correct) return base.correct;
  return r.formatValid ? base.wrong : base.invalid;
}

/** The `base` param: R for each outcome, with the reward's own defaults. */
export function baseOutcome(correct: number, wrong: number, invalid: number) {
  return z
    .strictObject({
      correct: z.number().default(correct).describe('R for a correct answer.'),
      wrong: z.number().default(wrong).describe('R for a wrong answer in a valid format.'),
      invalid: z.number().default(invalid).describe('R for an unparseable or truncated response.'),
    })
    .prefault({})
    .describe('Base outcome score R (spec "Base outcome score"); give only the values to change.');
}

/** A length in tokens: a positive integer. */
export const tokenLength = () => z.number().int().positive();

/** Applies `f` to every rollout; one Float64Array per group, input order. */
export function mapRollouts(
  batch: RewardBatch,
  f: (r: RewardRollout, group: RewardGroup, i: number) => number,
): Float64Array[] {
  const out: Float64Array[] = new Array(batch.groups.length);
  for (let g = 0; g < batch.groups.length; g++) {
    const group = batch.groups[g];
    const rs = group.rollouts;
    const v = new Float64Array(rs.length);
    for (let i = 0; i < rs.length; i++) v[i] = f(rs[i], group, i);
    out[g] = v;
  }
  return out;
}

/** Applies a group-level formula to every group. */
export function mapGroups(
  batch: RewardBatch,
  f: (group: RewardGroup, g: number) => Float64Array,
): Float64Array[] {
  return batch.groups.map((group, g) => f(group, g));
}

/** Lengths of a group's rollouts as a Float64Array. */
export function groupLengths(group: RewardGroup): Float64Array {
  const L = new Float64Array(group.rollouts.length);
  for (let i = 0; i < L.length; i++) L[i] = group.rollouts[i].length;
  return L;
}

/** Where a rollout sits, for error messages. */
export const at = (group: RewardGroup, i?: number): string =>
  `group "${group.promptId}"${i === undefined ? '' : ` rollout ${i}`}`;

/** The length cap: the reward's own param, else ctx.maxLength; a clear error when neither is set. */
export function resolveMaxLength(reward: string, param: number | undefined, ctx: StepContext): number {
  const m = param ?? ctx.maxLength;
  if (!Number.isFinite(m) || m <= 0)
    throw new RewardInputError(
      `${reward}: needs a max length: set params.maxLength or give the generation cap (ctx.maxLength, --max-length)`,
    );
  return m;
}

/** The group budget or the targetLength param (L1); a clear error when neither is set. */
export function resolveTarget(reward: string, param: number | undefined, group: RewardGroup): number {
  const t = param ?? group.budget;
  if (t === undefined || !Number.isFinite(t))
    throw new RewardInputError(`${reward}: ${at(group)} has no budget and params.targetLength is not set`);
  return t;
}

/** Logistic sigmoid. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
