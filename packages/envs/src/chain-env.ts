/**
 * What the two chain testbeds (modchain, arithmetic) share around their own problems: the hash-split
 * params, the alphabet beyond their operators, and the Environment built from a problem drawer and the
 * chain of a prompt.
 */
import { z } from 'zod';
import type { Problem, Rng } from '@brevity/core';
import { drawInSplit, hashSplit, type Environment, type EnvVerdict, type Split } from './env.js';
import type { CharTokenizer } from './tokenizer.js';
import { analyzeTrace, type TraceAnalysis } from './trace-analysis.js';
import { verifyAnswer } from './verifier/verify.js';
import {
  buildChainTrace,
  drawDifficulty,
  type ChainSpec,
  type DifficultyMix,
  type TraceKnobs,
} from './chain-trace.js';

/** Digits, then the testbed's operators, then `= .`, the check marker `c` and the answer wrapper. */
export function chainAlphabet(operators: readonly string[]): string[] {
  return [...'0123456789', ...operators, '=', '.', 'c', '\\boxed{', '}'];
}

/** Split fields of a chain testbed: the held-out share (described per testbed) and the salt of its hash. */
export function splitParams(defaultSalt: string, testFractionDoc: string) {
  return {
    testFraction: z.number().gt(0).lt(1).default(0.2).describe(testFractionDoc),
    splitSalt: z
      .string()
      .default(defaultSalt)
      .describe('Salt of the prompt hash that assigns splits; change it to draw a different held-out set.'),
  };
}

export interface SplitParams {
  testFraction: number;
  splitSalt: string;
}

/** The params every chain testbed has (its own fields besides). */
export type ChainParams = Readonly<Record<string, unknown>> & SplitParams & DifficultyMix & TraceKnobs;

export interface ChainTestbed {
  name: string;
  /** The parsed params (saved with a run). */
  params: ChainParams;
  tokenizer: CharTokenizer;
  /** One problem of difficulty `d`, of either split. */
  draw(rng: Rng, d: number): Problem;
  /** The chain a prompt asks for (throws on a prompt of another testbed). */
  chainOf(prompt: string): ChainSpec;
  /** Step results are taken modulo this when analysing a trace; absent means exact integers. */
  modulus?: number;
}

/** The Environment of a chain testbed: each sample draws a difficulty, then a problem of the split. */
export function chainEnvironment(t: ChainTestbed): Environment {
  const { params: p, tokenizer: tok } = t;
  const splitOf = (prob: Problem): Split => hashSplit(prob.prompt, p.splitSalt, p.testFraction);
  return {
    name: t.name,
    params: p,
    tokenizer: tok,
    sample(rng: Rng, n: number, split: Split = 'train'): Problem[] {
      return Array.from({ length: n }, () => {
        const d = drawDifficulty(rng, p);
        return drawInSplit(() => t.draw(rng, d), splitOf, split);
      });
    },
    verify(completion: string, problem: Problem): EnvVerdict {
      const v = verifyAnswer(completion, problem.gold, { mode: 'reward' });
      return { correct: v.correct, formatValid: v.formatValid, extracted: v.extracted, reason: v.reason };
    },
    teacherTrace(problem: Problem, rng: Rng): string {
      return buildChainTrace(t.chainOf(problem.prompt), p, rng);
    },
    analyze(completion: string): TraceAnalysis {
      return analyzeTrace(completion, { tokenizer: tok, modulus: t.modulus });
    },
    splitOf,
  };
}
