/**
 * Rollouts: B prompts x G samples in one batched generate() call, each response verified and turned into
 * the typed `Rollout` of core (tokens, sampling log-probs, entropies, `</think>` index, verdict).
 */
import type { Problem, Rng, Rollout, RolloutGroup } from '@brevity/core';
import type { CharTokenizer, Environment } from '@brevity/envs';
import { generate } from '../model/generate.js';
import type { Policy } from '../model/policy.js';

export interface SamplingSettings {
  groupSize: number;
  maxNewTokens: number;
  temperature: number;
  topP: number;
}

export interface RolloutGroupWithProblem extends RolloutGroup<Rollout> {
  problem: Problem;
  /** Prompt ids as the policy saw them (BOS + prompt). */
  promptIds: Int32Array;
}

/** Encodes a problem's prompt as the policy reads it: BOS then the prompt characters. */
export function promptIds(tok: CharTokenizer, problem: Problem): Int32Array {
  return Int32Array.of(tok.bos, ...tok.encode(problem.prompt));
}

/**
 * Samples `groupSize` responses for every problem and verifies them. `timing.generate_s`, when given, grows
 * by the seconds spent in generate() (the rest is verification).
 */
export async function sampleGroups(
  policy: Policy,
  env: Environment,
  tok: CharTokenizer,
  problems: Problem[],
  s: SamplingSettings,
  rng: Rng,
  timing?: { generate_s: number },
): Promise<RolloutGroupWithProblem[]> {
  const prompts = problems.map((p) => promptIds(tok, p));
  const all = prompts.flatMap((p) => Array.from({ length: s.groupSize }, () => p));
  const t0 = performance.now();
  const gens = await generate(policy, all, {
    maxNewTokens: s.maxNewTokens,
    eosId: tok.eos,
    padId: tok.pad,
    temperature: s.temperature,
    topP: s.topP,
    rng,
  });
  if (timing) timing.generate_s += (performance.now() - t0) / 1000;
  return problems.map((problem, g) => {
    const rollouts = gens.slice(g * s.groupSize, (g + 1) * s.groupSize).map((gen): Rollout => {
      const text = tok.decode(gen.tokens, { skipSpecial: true });
      const verdict = gen.truncated ? null : env.verify(text, problem);
      return {
        tokens: gen.tokens,
        logprobs: gen.logprobs,
        entropies: gen.entropies,
        thinkEnd: gen.tokens.indexOf(tok.thinkEnd),
        text,
        length: gen.tokens.length,
        truncated: gen.truncated,
        correct: verdict?.correct ?? false,
        formatValid: verdict?.formatValid ?? false,
        extracted: verdict?.extracted ?? null,
      };
    });
    return {
      promptId: problem.id,
      budget: problem.budget,
      difficulty: problem.difficulty,
      rollouts,
      problem,
      promptIds: prompts[g],
    };
  });
}

/** Rollout statistics of a step (`rollout/*` keys of docs/metrics.md). */
export function rolloutMetrics(groups: RolloutGroup<Rollout>[]): Record<string, number> {
  const all = groups.flatMap((g) => g.rollouts);
  const n = all.length || 1;
  const correct = all.filter((r) => r.correct);
  return {
    'rollout/acc': correct.length / n,
    'rollout/length_mean': all.reduce((s, r) => s + r.length, 0) / n,
    'rollout/length_correct_mean': correct.length
      ? correct.reduce((s, r) => s + r.length, 0) / correct.length
      : NaN,
    'rollout/truncated_frac': all.filter((r) => r.truncated).length / n,
    'rollout/format_frac': all.filter((r) => r.formatValid).length / n,
    'rollout/tokens': all.reduce((s, r) => s + r.length, 0),
  };
}
