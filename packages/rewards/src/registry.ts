/**
 * The public entry points: every reward definition, `createReward(name, params)`, `rewardNames()`, and the
 * JSON Schema of each reward's params (for `GET /rewards` and the docs).
 */
import { deepFreeze } from '@brevity/core';
import { z } from 'zod';
import { accuracy } from './accuracy.js';
import { conciser } from './conciser.js';
import { cosine } from './cosine.js';
import { dapoOverlong } from './dapo-overlong.js';
import { efficientReasoning } from './efficient-reasoning.js';
import { parseParams, RewardParamsError } from './errors.js';
import { format } from './format.js';
import { grpoLambda } from './grpo-lambda.js';
import { kimi } from './kimi.js';
import { l1Exact } from './l1-exact.js';
import { l1Max } from './l1-max.js';
import { laser } from './laser.js';
import { laserD } from './laser-d.js';
import { laserDe } from './laser-de.js';
import { pear } from './pear.js';
import { repetition } from './repetition.js';
import { sum } from './sum.js';
import { thinkprune } from './thinkprune.js';
import { truncation } from './truncation.js';
import type { JsonValue, Reward, RewardDefinition } from './types.js';

/** Every reward, in the spec's order. */
export const rewardDefinitions: readonly RewardDefinition[] = [
  accuracy,
  format,
  truncation,
  thinkprune,
  efficientReasoning,
  kimi,
  l1Exact,
  l1Max,
  laser,
  laserD,
  laserDe,
  grpoLambda,
  pear,
  conciser,
  cosine,
  dapoOverlong,
  repetition,
  sum,
] as readonly RewardDefinition[];

const byName = new Map(rewardDefinitions.map((d) => [d.name, d]));

/** Names of every reward, in the spec's order. */
export function rewardNames(): string[] {
  return rewardDefinitions.map((d) => d.name);
}

/** The definition of a reward; RewardParamsError naming the known rewards when there is none. */
export function rewardDefinition(name: string, field = 'reward'): RewardDefinition {
  const def = byName.get(name);
  if (!def)
    throw new RewardParamsError(
      `${field}: unknown reward ${JSON.stringify(name)}; known rewards: ${rewardNames().join(', ')}`,
      name,
      field,
    );
  return def;
}

/**
 * Builds a reward from its name and raw params (JSON-like); params are validated, defaults filled and the
 * result frozen. `prefix` roots error paths (`sum` passes `params.terms.0.`).
 */
export function createReward(name: string, params: unknown = {}, prefix = ''): Reward {
  const def = rewardDefinition(name, `${prefix}reward`);
  const parsed = parseParams(name, def.schema, params, `${prefix}params`);
  const reward = def.create(parsed, (n, p, rel = '') => createReward(n, p, `${prefix}params.${rel}`));
  deepFreeze(reward.params);
  return reward;
}

/** JSON Schema (draft 2020-12) of a reward's params, input side (defaults shown, optional fields optional). */
export function rewardParamsJsonSchema(name: string): Record<string, unknown> {
  return z.toJSONSchema(rewardDefinition(name).schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

export interface RewardInfo {
  name: string;
  summary: string;
  source: string;
  params: Record<string, unknown>;
}

/** Name, summary, source and params schema of every reward. */
export function rewardCatalog(): RewardInfo[] {
  return rewardDefinitions.map((d) => ({
    name: d.name,
    summary: d.summary,
    source: d.source,
    params: rewardParamsJsonSchema(d.name),
  }));
}

/** What a checkpoint stores of a reward: enough for `restoreReward` to rebuild it exactly. */
export interface RewardSnapshot {
  name: string;
  params: unknown;
  state: JsonValue;
}

export function rewardSnapshot(reward: Reward): RewardSnapshot {
  return { name: reward.name, params: reward.params, state: reward.state?.() ?? null };
}

export function restoreReward(s: RewardSnapshot): Reward {
  const reward = createReward(s.name, s.params);
  if (s.state !== null && reward.load) reward.load(s.state);
  return reward;
}
