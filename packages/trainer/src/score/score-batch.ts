/**
 * One scoring call shared by `brevity score` and `POST /score`: build the reward, load its state, observe the
 * monitor batch, verify text rollouts, score, and collect metrics and the new state.
 */
import {
  createReward,
  RewardInputError,
  type JsonValue,
  type Need,
  type Reward,
  type RewardBatch,
} from '@brevity/rewards';
import { UserError } from '../errors.js';
import type { ParsedGroup, TextJob } from './groups.js';
import { verifyTextJobs, type VerifyMode } from './verify-text.js';

export interface ScoreRequest {
  reward: Reward;
  groups: ParsedGroup[];
  monitor?: ParsedGroup[];
  /** Text rollouts of groups and monitor, verified before anything is observed or scored. */
  jobs: TextJob[];
  step: number;
  maxLength?: number;
  state?: unknown;
  mode: VerifyMode;
}

export interface ScoreResult {
  rewards: Float64Array[];
  metrics: Record<string, number>;
  state: JsonValue;
}

/** Builds the reward (RewardParamsError on bad params) and the set of inputs it needs. */
export function prepareReward(name: string, params: unknown): { reward: Reward; needs: Set<Need> } {
  const reward = createReward(name, params);
  return { reward, needs: new Set(reward.needs) };
}

/** A missing cap is a user error before any input is read. */
export function checkMaxLength(reward: Reward, maxLength: number | undefined, flag: string): void {
  if (reward.needs.includes('maxLength') && maxLength === undefined)
    throw new UserError(`${reward.name} needs the generation cap: pass ${flag} (or set params.maxLength)`);
}

const toBatch = (groups: ParsedGroup[]): RewardBatch => ({ groups: groups.map((g) => g.group) });

export async function scoreBatch(req: ScoreRequest): Promise<ScoreResult> {
  const { reward } = req;
  await verifyTextJobs(req.jobs, req.mode);
  try {
    if (req.state !== undefined && req.state !== null) {
      if (!reward.load) throw new UserError(`${reward.name} has no state to load`);
      reward.load(req.state);
    }
    if (req.monitor && reward.observe) reward.observe(toBatch(req.monitor));
    const rewards = reward.score(toBatch(req.groups), {
      step: req.step,
      maxLength: req.maxLength ?? Number.NaN,
    });
    return { rewards, metrics: reward.metrics?.() ?? {}, state: reward.state?.() ?? null };
  } catch (e) {
    if (e instanceof RewardInputError) throw new UserError(e.message);
    throw e;
  }
}
