/**
 * The reward contract. A reward is a plain object built from a name and validated params; everything it
 * remembers between calls (LASER-D targets) is returned by `state()` as JSON and restored by `load()`.
 */
import type { RolloutBatch, RolloutGroup, RolloutStats, StepContext } from '@brevity/core';
import type { z } from 'zod';

/**
 * Inputs a reward needs beyond length / correct / formatValid / truncated (style rule 7: the trainer reads
 * `needs` and supplies them, it never branches on reward names).
 * - entropies: per-token entropies of every rollout; thinkEnd: index of `</think>` (or -1) of every rollout;
 * - tokens: response token ids; text: decoded response text;
 * - budget: per-group target length; monitor: call `observe` on a monitor batch (LASER-D);
 * - step: the schedule depends on `ctx.step`; maxLength: reads `ctx.maxLength` (no length param given).
 */
export type Need = 'entropies' | 'thinkEnd' | 'tokens' | 'text' | 'budget' | 'monitor' | 'step' | 'maxLength';

export const allNeeds: readonly Need[] = [
  'entropies',
  'thinkEnd',
  'tokens',
  'text',
  'budget',
  'monitor',
  'step',
  'maxLength',
];

/** What a reward reads of one rollout: the stats of the spec, plus the decoded text when there is one. */
export interface RewardRollout extends RolloutStats {
  text?: string;
}

export type RewardGroup = RolloutGroup<RewardRollout>;
export type RewardBatch = RolloutBatch<RewardRollout>;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A reward instance: `score` returns one value per rollout, per group, in input order. */
export interface Reward<P = unknown> {
  readonly name: string;
  /** Resolved params (defaults filled), deep-frozen. */
  readonly params: P;
  readonly needs: readonly Need[];
  score(batch: RewardBatch, ctx: StepContext): Float64Array[];
  /** Updates adaptive state from a monitor batch (LASER-D/DE). */
  observe?(monitor: RewardBatch): void;
  /** The state to checkpoint; `load(state())` on a fresh instance restores it exactly. */
  state?(): JsonValue;
  load?(state: unknown): void;
  /** Numbers worth logging, from the state and the last `score` call. */
  metrics?(): Record<string, number>;
}

/** Builds another reward from a name and raw params; `prefix` (e.g. `terms.0.`) roots its error paths. */
export type RewardFactory = (name: string, params: unknown, prefix?: string) => Reward;

/** One reward module: its name, where it comes from, its params schema and its constructor. */
export interface RewardDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** One sentence: what the reward does. */
  readonly summary: string;
  /** Paper and equation the formula follows. */
  readonly source: string;
  readonly schema: S;
  create(params: z.output<S>, make: RewardFactory): Reward<z.output<S>>;
}

export type { StepContext };
