/**
 * The conformance suite every environment passes (spec envs.md, "Environment contract"): determinism under
 * a seed, split disjointness, gold written in the required format verifies, garbage does not, throughput;
 * plus teacher traces and tokenizer round trips where the environment has them. Pure: returns a report.
 */
import { Rng, type Problem } from '@brevity/core';
import type { Environment } from './env.js';

export interface ConformanceCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConformanceOptions {
  /** Problems drawn per split (default 300). */
  n?: number;
  /** Minimum verifications per second (default 2,000: "thousands per second"). */
  minVerifyPerSecond?: number;
  seed?: number;
}

/** The gold in the format every environment requires in reward mode: a box after a closed think. */
export const goldCompletion = (p: Problem) => `<think>solving</think>The answer is \\boxed{${p.gold}}`;

/** Completions that must never verify, whatever the gold. */
export function garbageCompletions(p: Problem): string[] {
  return [
    '',
    'garbage',
    `<think>${p.gold}`, // truncated reasoning
    `<think>\\boxed{${p.gold}}`, // box inside an unclosed think
    `The answer is \\boxed{${p.gold}`, // unclosed box
    `\\boxed{${p.gold}} wait, no: \\boxed{${p.gold}0+1}`, // self-correction to a wrong answer
    `</think>\\boxed{}`,
    `\\boxed{\\frac{}{}}`,
  ];
}

const check = (name: string, ok: boolean, detail: string): ConformanceCheck => ({ name, ok, detail });

function split(env: Environment, seed: number, n: number) {
  let test: Problem[] = [];
  let testError = '';
  try {
    test = env.sample(Rng.from(seed + 1), n, 'test');
  } catch (e) {
    testError = (e as Error).message;
  }
  return { train: env.sample(Rng.from(seed), n, 'train'), test, testError };
}

export function runConformance(env: Environment, opts: ConformanceOptions = {}): ConformanceCheck[] {
  const n = opts.n ?? 300;
  const seed = opts.seed ?? 7;
  const out: ConformanceCheck[] = [];
  const a = env.sample(Rng.from(seed), n);
  const b = env.sample(Rng.from(seed), n);
  const rng = Rng.from(seed);
  env.sample(rng, 5);
  const resumed = Rng.restore(rng.state());
  const same = JSON.stringify(a) === JSON.stringify(b);
  const cont = JSON.stringify(env.sample(rng, 5)) === JSON.stringify(env.sample(resumed, 5));
  out.push(
    check(
      'determinism',
      same && cont,
      `same seed, same ${n} problems: ${same}; restored rng state continues: ${cont}`,
    ),
  );

  const { train, test, testError } = split(env, seed, n);
  const trainIds = new Set(train.map((p) => p.id));
  const shared = test.filter((p) => trainIds.has(p.id)).length;
  const labelled = env.splitOf
    ? [...train.map((p) => env.splitOf!(p) === 'train'), ...test.map((p) => env.splitOf!(p) === 'test')]
    : [];
  const wrongLabel = labelled.filter((x) => !x).length;
  out.push(
    check(
      'split disjointness',
      shared === 0 && wrongLabel === 0,
      `${shared} shared ids between ${train.length} train and ${test.length} test draws; ${wrongLabel} mislabelled` +
        (testError ? ` (test split: ${testError})` : ''),
    ),
  );

  const pool = [...train, ...test];
  const badGold = pool.filter((p) => !env.verify(goldCompletion(p), p).correct);
  out.push(
    check(
      'gold verifies',
      badGold.length === 0,
      `${pool.length - badGold.length}/${pool.length}` +
        (badGold[0] ? `; first failure: ${badGold[0].id} gold ${JSON.stringify(badGold[0].gold)}` : ''),
    ),
  );

  let passed = 0;
  let total = 0;
  for (const p of pool.slice(0, 100)) {
    for (const g of garbageCompletions(p)) {
      total++;
      if (env.verify(g, p).correct) passed++;
    }
  }
  out.push(check('garbage fails', passed === 0, `${passed} of ${total} garbage completions verified`));

  out.push(throughput(env, pool, opts.minVerifyPerSecond ?? 2000));
  if (env.teacherTrace) out.push(teacher(env, pool));
  if (env.tokenizer) {
    const tok = env.tokenizer;
    const bad = pool.filter((p) => tok.decode(tok.encode(p.prompt)) !== p.prompt).length;
    out.push(check('tokenizer round trip', bad === 0, `${bad} prompts that do not round-trip`));
  }
  return out;
}

function throughput(env: Environment, pool: Problem[], min: number): ConformanceCheck {
  const items = pool.slice(0, 200).map((p) => [goldCompletion(p), p] as const);
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 200) {
    for (const [c, p] of items) env.verify(c, p);
    count += items.length;
  }
  const rate = (count / (performance.now() - t0)) * 1000;
  return check('throughput', rate >= min, `${Math.round(rate)} verifications/s (minimum ${min})`);
}

function teacher(env: Environment, pool: Problem[]): ConformanceCheck {
  const rng = Rng.from(11);
  const errorRate = Number((env.params as { errorRate?: number }).errorRate ?? 0);
  const wrong = pool.slice(0, 200).filter((p) => !env.verify(env.teacherTrace!(p, rng), p).correct).length;
  // A noisy teacher (errorRate > 0) may end wrong; a clean one never does.
  const ok = errorRate > 0 || wrong === 0;
  return check('teacher traces verify', ok, `${wrong} wrong teacher answers (errorRate ${errorRate})`);
}
