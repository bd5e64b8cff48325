/**
 * Teacher traces shared by the two testbeds: `<think>` steps `a+b=r.`, redundant checks `c a+b=r.`, wrong
 * steps repaired by an immediate check, `</think>\boxed{answer}`. The knobs are zod fields (style rule 4).
 */
import { z } from 'zod';
import type { Rng } from '@brevity/core';

/** An operand: a literal integer, or the stated result of an earlier step. */
export type Operand = number | { ref: number };
export type Op = '+' | '-' | '*';
export interface ChainStep {
  a: Operand;
  op: Op;
  b: Operand;
}

export interface ChainSpec {
  steps: ChainStep[];
  /** The true result of one operation (modchain reduces mod 10). */
  apply(op: Op, a: number, b: number): number;
  /** A plausible wrong result, different from `right`. */
  wrong(right: number, rng: Rng): number;
}

export const traceKnobs = {
  checkWeights: z
    .array(z.number().nonnegative())
    .min(1)
    .default([0, 0, 1, 1, 1])
    .describe(
      'Relative probability of 0, 1, 2, ... redundant checks per trace, drawn independently of difficulty ' +
        '(the overthinking). Each check recomputes a random correct earlier step (`c7+9=6.`) after the last ' +
        'step. docs/envs.md lists the check share and trace length per difficulty these weights give.',
    ),
  repairRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe(
      'Per-step probability of a wrong step immediately followed by a check that repairs it ' +
        '(`7+9=5.c7+9=6.`); the chain continues from the repaired value. These are the checks that help.',
    ),
  maxRepairs: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe('At most this many repaired wrong steps per trace (bounds the longest trace).'),
  errorRate: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe(
      'Per-step probability of a wrong step that is NOT repaired: the error propagates and the trace ends ' +
        'in a wrong answer (a noisy teacher). 0 keeps every teacher answer correct.',
    ),
};

export interface TraceKnobs {
  checkWeights: number[];
  repairRate: number;
  maxRepairs: number;
  errorRate: number;
}

/** Difficulty-mix fields for a testbed whose levels run 1..max. */
export function difficultySchema(max: number, defaultMax: number) {
  return {
    minDifficulty: z.number().int().min(1).max(max).default(1).describe('Lowest difficulty level sampled.'),
    maxDifficulty: z
      .number()
      .int()
      .min(1)
      .max(max)
      .default(defaultMax)
      .describe(`Highest difficulty level sampled (levels 1..${max} exist).`),
    difficultyWeights: z
      .array(z.number().nonnegative())
      .optional()
      .describe(
        'Relative sampling weight of each level from minDifficulty to maxDifficulty (one entry per level); ' +
          'absent means uniform.',
      ),
  };
}

export interface DifficultyMix {
  minDifficulty: number;
  maxDifficulty: number;
  difficultyWeights?: number[];
}

/** zod refinement: min <= max and one weight per level. */
export function refineDifficulty(p: DifficultyMix, ctx: z.RefinementCtx): void {
  if (p.minDifficulty > p.maxDifficulty) {
    ctx.addIssue({
      code: 'custom',
      path: ['minDifficulty'],
      message: 'minDifficulty must not exceed maxDifficulty',
    });
  }
  const levels = p.maxDifficulty - p.minDifficulty + 1;
  const w = p.difficultyWeights;
  if (w && (w.length !== levels || !w.some((x) => x > 0))) {
    ctx.addIssue({
      code: 'custom',
      path: ['difficultyWeights'],
      message: `expected ${levels} non-negative weights (one per level ${p.minDifficulty}..${p.maxDifficulty}), not all 0`,
    });
  }
}

export function drawDifficulty(rng: Rng, p: DifficultyMix): number {
  if (p.difficultyWeights) return p.minDifficulty + rng.weighted(p.difficultyWeights);
  return rng.intBetween(p.minDifficulty, p.maxDifficulty);
}

/** Builds the response text. Without `rng` the trace is minimal (no checks, no errors). */
export function buildChainTrace(spec: ChainSpec, knobs: TraceKnobs, rng?: Rng): string {
  const stated: number[] = [];
  const okSteps: number[] = [];
  const text: string[] = [];
  let repairs = 0;
  const val = (o: Operand) => (typeof o === 'number' ? o : stated[o.ref]);
  spec.steps.forEach((s, i) => {
    const a = val(s.a);
    const b = val(s.b);
    const right = spec.apply(s.op, a, b);
    const expr = `${a}${s.op}${b}=`;
    if (rng && repairs < knobs.maxRepairs && knobs.repairRate > 0 && rng.bernoulli(knobs.repairRate)) {
      repairs++;
      text.push(`${expr}${spec.wrong(right, rng)}.c${expr}${right}.`);
      stated.push(right);
    } else if (rng && knobs.errorRate > 0 && rng.bernoulli(knobs.errorRate)) {
      const w = spec.wrong(right, rng);
      text.push(`${expr}${w}.`);
      stated.push(w);
      return;
    } else {
      text.push(`${expr}${right}.`);
      stated.push(right);
    }
    okSteps.push(i);
  });
  if (rng && okSteps.length > 0) {
    const nChecks = rng.weighted(knobs.checkWeights);
    for (let c = 0; c < nChecks; c++) {
      const i = rng.choice(okSteps);
      const s = spec.steps[i];
      text.push(`c${val(s.a)}${s.op}${val(s.b)}=${stated[i]}.`);
    }
  }
  return `<think>${text.join('')}</think>\\boxed{${stated[stated.length - 1]}}`;
}
