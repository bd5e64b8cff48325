/**
 * Typed stage contracts for one RL step (house style rule 6):
 * Problem -> Rollout -> RolloutGroup -> ScoredGroup -> AdvantagedGroup.
 * Each stage is its own type; a function states which stage it needs.
 */

/** A prompt with a verifiable answer, as an environment samples it. */
export interface Problem {
  /** Stable id, unique within an environment and split. */
  id: string;
  /** Prompt text given to the policy. */
  prompt: string;
  /** Gold answer, in the form the verifier compares against. */
  gold: string;
  /** Difficulty level when the environment defines one (modchain: 1..8). */
  difficulty?: number;
  /** Per-prompt target length in tokens (L1's budget), when the environment supplies one. */
  budget?: number;
}

/** Verifier verdict on one completion. */
export interface Verdict {
  correct: boolean;
  formatValid: boolean;
  /** The extracted answer string, or null when nothing could be extracted. */
  extracted: string | null;
}

/**
 * What a reward sees of one rollout (spec rewards.md, "Inputs").
 * `length` counts the EOS token when one was generated.
 */
export interface RolloutStats {
  /** Response length in tokens, counting the EOS token when one was generated. */
  length: number;
  /** True when generation hit the max length without EOS. */
  truncated: boolean;
  /** Verifier verdict (false when truncated or unparseable). */
  correct: boolean;
  /** The answer could be extracted in the required format (false when truncated). */
  formatValid: boolean;
  /** Per response token: full-vocabulary entropy (nats) of the sampling distribution. */
  entropies?: ArrayLike<number>;
  /** Index of the `</think>` token in the response, or -1. */
  thinkEnd?: number;
  /** Response token ids, for token-level rewards such as `repetition`. */
  tokens?: ArrayLike<number>;
}

/** The rollouts of one prompt (G samples), as rewards score them. */
export interface RolloutGroup<R extends RolloutStats = RolloutStats> {
  promptId: string;
  /** Per-prompt target length (L1), when known. */
  budget?: number;
  /** Difficulty of the prompt, when the environment defines one. */
  difficulty?: number;
  rollouts: R[];
}

/** One generated response with everything the trainer needs after sampling. */
export interface Rollout extends RolloutStats {
  /** Response token ids (no prompt), including EOS when generated. */
  tokens: Int32Array;
  /** Sampling log-probabilities of each response token under the behaviour policy. */
  logprobs: Float32Array;
  /** Full-distribution entropy (nats) at each response position. */
  entropies: Float32Array;
  /** Index of `</think>` in the response, or -1. */
  thinkEnd: number;
  /** Decoded response text. */
  text: string;
  /** The extracted answer, or null. */
  extracted: string | null;
}

/** All groups of one step: B prompts x G rollouts. */
export interface RolloutBatch<R extends RolloutStats = RolloutStats> {
  groups: RolloutGroup<R>[];
}

/** Batch-level context a reward may use (spec: `step`, `maxLength`). */
export interface StepContext {
  /** Global optimisation step (0-based). */
  step: number;
  /** Generation cap in tokens. */
  maxLength: number;
}

/** A group after scoring: one scalar reward per rollout, in input order. */
export interface ScoredGroup<R extends RolloutStats = RolloutStats> extends RolloutGroup<R> {
  rewards: Float64Array;
}

/** A group after the advantage estimator: one (sequence-level) advantage per rollout. */
export interface AdvantagedGroup<R extends RolloutStats = RolloutStats> extends ScoredGroup<R> {
  advantages: Float64Array;
}

/** Anything that can be logged as a flat metric value. */
export type MetricValue = number | string | boolean | null;
export type Metrics = Record<string, MetricValue>;
