/**
 * Evaluation on the test split (spec trainer.md, "Evaluation"): accuracy, pass@k, mean response length,
 * mean length of correct answers, mean think length, the share of think tokens spent on checks (and on
 * redundant checks alone), truncation rate; overall and per difficulty. Generation is batched over all
 * problems x samples at once.
 */
import { Rng, type Problem } from '@brevity/core';
import { createEnv, type CharTokenizer, type Environment } from '@brevity/envs';
import { generate } from '../model/generate.js';
import type { Policy } from '../model/policy.js';

export interface EvalOptions {
  /** Samples per problem (k of pass@k). */
  samples: number;
  temperature: number;
  topP?: number;
  maxNewTokens: number;
  seed: number;
  /** Most sequences per generate() call. */
  batchSize?: number;
}

export interface EvalStats {
  /** Difficulty level, or null for the overall row. */
  difficulty: number | null;
  problems: number;
  samples: number;
  acc: number;
  passAtK: number;
  lengthMean: number;
  lengthCorrectMean: number;
  thinkMean: number;
  /** Share of think tokens in checks (redundant and repairing). */
  checkShare: number;
  /** Share of think tokens in redundant checks (restatements that change nothing). */
  redundantShare: number;
  truncatedFrac: number;
  formatFrac: number;
}

export interface EvalReport {
  k: number;
  temperature: number;
  overall: EvalStats;
  byDifficulty: EvalStats[];
}

/**
 * Up to `n` distinct test problems per difficulty, drawn with a seeded Rng. Levels are selected through the
 * environment's minDifficulty/maxDifficulty params (the difficulty contract of the synthetic testbeds).
 */
export function testProblems(
  envName: string,
  params: Record<string, unknown>,
  difficulties: number[],
  n: number,
  seed: number,
): Map<number, Problem[]> {
  const out = new Map<number, Problem[]>();
  for (const d of difficulties) {
    const { difficultyWeights: _w, ...rest } = params;
    const env = createEnv(envName, { ...rest, minDifficulty: d, maxDifficulty: d });
    const rng = Rng.from(seed).fork(`eval-d${d}`);
    const seen = new Map<string, Problem>();
    // Rejection draws: small levels (modchain d1 has ~20 test prompts) stop at what exists.
    for (let tries = 0; seen.size < n && tries < 20 * n; tries++) {
      const [p] = env.sample(rng, 1, 'test');
      if (!seen.has(p.id)) seen.set(p.id, p);
    }
    out.set(d, [...seen.values()]);
  }
  return out;
}

interface Scored {
  difficulty: number;
  problem: string;
  correct: boolean;
  formatValid: boolean;
  length: number;
  truncated: boolean;
  think: number;
  checks: number;
  redundant: number;
}

function summarize(rows: Scored[], difficulty: number | null): EvalStats {
  const n = rows.length || 1;
  const sum = (f: (r: Scored) => number) => rows.reduce((s, r) => s + f(r), 0);
  const correct = rows.filter((r) => r.correct);
  const byProblem = new Map<string, boolean>();
  for (const r of rows) byProblem.set(r.problem, (byProblem.get(r.problem) ?? false) || r.correct);
  const think = sum((r) => r.think);
  return {
    difficulty,
    problems: byProblem.size,
    samples: rows.length,
    acc: correct.length / n,
    passAtK: [...byProblem.values()].filter(Boolean).length / (byProblem.size || 1),
    lengthMean: sum((r) => r.length) / n,
    lengthCorrectMean: correct.length ? correct.reduce((s, r) => s + r.length, 0) / correct.length : NaN,
    thinkMean: think / n,
    checkShare: think ? sum((r) => r.checks) / think : 0,
    redundantShare: think ? sum((r) => r.redundant) / think : 0,
    truncatedFrac: sum((r) => +r.truncated) / n,
    formatFrac: sum((r) => +r.formatValid) / n,
  };
}

/** Generates, verifies and analyses every problem `samples` times; returns overall and per-level stats. */
export async function evaluate(
  policy: Policy,
  env: Environment,
  tok: CharTokenizer,
  problems: Map<number, Problem[]>,
  o: EvalOptions,
): Promise<EvalReport> {
  const jobs = [...problems].flatMap(([d, ps]) =>
    ps.flatMap((p) => Array.from({ length: o.samples }, () => ({ d, p }))),
  );
  const rng = Rng.from(o.seed).fork('eval-sampling');
  const rows: Scored[] = [];
  const size = o.batchSize ?? 256;
  for (let i = 0; i < jobs.length; i += size) {
    const chunk = jobs.slice(i, i + size);
    const prompts = chunk.map(({ p }) => Int32Array.of(tok.bos, ...tok.encode(p.prompt)));
    const gens = await generate(policy, prompts, {
      maxNewTokens: o.maxNewTokens,
      eosId: tok.eos,
      padId: tok.pad,
      temperature: o.temperature,
      topP: o.topP ?? 1,
      rng,
    });
    chunk.forEach(({ d, p }, j) => {
      const g = gens[j];
      const text = tok.decode(g.tokens, { skipSpecial: true });
      const v = g.truncated ? { correct: false, formatValid: false } : env.verify(text, p);
      const a = env.analyze?.(text);
      rows.push({
        difficulty: d,
        problem: p.id,
        correct: v.correct,
        formatValid: v.formatValid,
        length: g.tokens.length,
        truncated: g.truncated,
        think: a?.thinkTokens ?? 0,
        checks: a?.checkTokens ?? 0,
        redundant: a?.redundantTokens ?? 0,
      });
    });
  }
  return {
    k: o.samples,
    temperature: o.temperature,
    overall: summarize(rows, null),
    byDifficulty: [...problems.keys()].map((d) =>
      summarize(
        rows.filter((r) => r.difficulty === d),
        d,
      ),
    ),
  };
}

/** Flat metric keys for metrics.jsonl (`eval/acc`, `eval/d3/acc`, ...). */
export function evalMetrics(r: EvalReport): Record<string, number> {
  const flat = (s: EvalStats, prefix: string) => ({
    [`${prefix}acc`]: s.acc,
    [`${prefix}pass@${r.k}`]: s.passAtK,
    [`${prefix}length_mean`]: s.lengthMean,
    [`${prefix}length_correct_mean`]: s.lengthCorrectMean,
    [`${prefix}think_mean`]: s.thinkMean,
    [`${prefix}check_share`]: s.checkShare,
    [`${prefix}truncated_frac`]: s.truncatedFrac,
  });
  const out: Record<string, number> = flat(r.overall, 'eval/');
  for (const s of r.byDifficulty) Object.assign(out, flat(s, `eval/d${s.difficulty}/`));
  return out;
}

/** The difficulty levels an environment samples (its minDifficulty..maxDifficulty params), or [] without levels. */
export function envLevels(env: Environment): number[] {
  const p = env.params as { minDifficulty?: number; maxDifficulty?: number };
  if (p.minDifficulty === undefined || p.maxDifficulty === undefined) return [];
  return Array.from({ length: p.maxDifficulty - p.minDifficulty + 1 }, (_, i) => p.minDifficulty! + i);
}
