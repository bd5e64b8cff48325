/**
 * `arithmetic`, the harder testbed (spec envs.md): integer expressions with + - * (parentheses from
 * difficulty 3), difficulty = number of operations. The teacher evaluates the tree left to right, one
 * multi-digit step per operation (`48*2=96.`), with the same checks and repairs as modchain.
 */
import { z } from 'zod';
import type { Problem, Rng } from '@brevity/core';
import type { Environment } from './env.js';
import { CharTokenizer } from './tokenizer.js';
import { chainAlphabet, chainEnvironment, splitParams } from './chain-env.js';
import {
  buildChainTrace,
  difficultySchema,
  refineDifficulty,
  traceKnobs,
  type ChainSpec,
  type ChainStep,
  type Op,
} from './chain-trace.js';

export const ARITHMETIC_MAX_DIFFICULTY = 6;

export const arithmeticParamsSchema = z
  .object({
    ...difficultySchema(ARITHMETIC_MAX_DIFFICULTY, 4),
    ...traceKnobs,
    maxOperand: z
      .number()
      .int()
      .min(2)
      .max(999)
      .default(20)
      .describe('Operands are drawn uniformly from 0..maxOperand (multiplication operands from 0..12).'),
    ...splitParams(
      'arithmetic-v1',
      'Share of distinct expressions held out as the test split, assigned by a hash of the prompt.',
    ),
  })
  .strict()
  .superRefine(refineDifficulty);

export type ArithmeticParams = z.output<typeof arithmeticParamsSchema>;

export const ARITHMETIC_ALPHABET = chainAlphabet(['+', '-', '*', '(', ')']);

export function arithmeticTokenizer(): CharTokenizer {
  return new CharTokenizer(ARITHMETIC_ALPHABET);
}

type Expr = number | { op: Op; a: Expr; b: Expr };

const PREC: Record<Op, number> = { '+': 1, '-': 1, '*': 2 };

/** Prints with the fewest parentheses that parse back to the same tree (operators left-associative). */
export function printExpr(e: Expr): string {
  if (typeof e === 'number') return String(e);
  const side = (c: Expr, right: boolean) => {
    const s = printExpr(c);
    if (typeof c === 'number') return s;
    const needs = PREC[c.op] < PREC[e.op] || (right && PREC[c.op] === PREC[e.op]);
    return needs ? `(${s})` : s;
  };
  return `${side(e.a, false)}${e.op}${side(e.b, true)}`;
}

function randomExpr(rng: Rng, ops: number, maxOperand: number): Expr {
  if (ops === 0) return rng.intBetween(0, maxOperand);
  const left = rng.int(ops);
  const op = rng.choice<Op>(['+', '-', '*']);
  if (op === '*') {
    // Keep products small: one side a single small operand.
    const small = rng.intBetween(0, 12);
    const other = randomExpr(rng, ops - 1, maxOperand);
    return rng.bernoulli(0.5) ? { op, a: small, b: other } : { op, a: other, b: small };
  }
  return { op, a: randomExpr(rng, left, maxOperand), b: randomExpr(rng, ops - 1 - left, maxOperand) };
}

const apply = (op: Op, a: number, b: number) => (op === '+' ? a + b : op === '-' ? a - b : a * b);

/** Post-order steps: children first, left before right; operands refer to earlier steps. */
function stepsOf(e: Expr): ChainStep[] {
  const steps: ChainStep[] = [];
  const walk = (x: Expr): number | { ref: number } => {
    if (typeof x === 'number') return x;
    const a = walk(x.a);
    const b = walk(x.b);
    steps.push({ a, op: x.op, b });
    return { ref: steps.length - 1 };
  };
  walk(e);
  return steps;
}

const DELTAS = [-10, -2, -1, 1, 2, 10];

function spec(e: Expr): ChainSpec {
  return { steps: stepsOf(e), apply, wrong: (right, rng) => right + rng.choice(DELTAS) };
}

/** Parses a prompt (`(3+4)*12-5=`) back into its tree. */
export function parseArithmeticPrompt(prompt: string): Expr {
  if (!/^[\d+\-*()]+=$/.test(prompt)) throw new Error(`not an arithmetic prompt: ${JSON.stringify(prompt)}`);
  const s = prompt.slice(0, -1);
  let i = 0;
  const atom = (): Expr => {
    if (s[i] === '(') {
      i++;
      const e = sum();
      i++;
      return e;
    }
    const m = /^\d+/.exec(s.slice(i))!;
    i += m[0].length;
    return Number(m[0]);
  };
  const prod = (): Expr => {
    let e = atom();
    while (s[i] === '*') {
      i++;
      e = { op: '*', a: e, b: atom() };
    }
    return e;
  };
  const sum = (): Expr => {
    let e = prod();
    while (s[i] === '+' || s[i] === '-') {
      const op = s[i++] as Op;
      e = { op, a: e, b: prod() };
    }
    return e;
  };
  return sum();
}

const valueOf = (e: Expr): number => (typeof e === 'number' ? e : apply(e.op, valueOf(e.a), valueOf(e.b)));
const NO_KNOBS = { checkWeights: [1], repairRate: 0, maxRepairs: 0, errorRate: 0 };

export function arithmeticProblem(e: Expr, difficulty: number, tok: CharTokenizer): Problem {
  const prompt = `${printExpr(e)}=`;
  return {
    id: `arithmetic/${prompt.slice(0, -1)}`,
    prompt,
    gold: String(valueOf(e)),
    difficulty,
    budget: tok.encode(buildChainTrace(spec(e), NO_KNOBS)).length + 1,
  };
}

export function createArithmetic(params: Partial<z.input<typeof arithmeticParamsSchema>> = {}): Environment {
  const p = arithmeticParamsSchema.parse(params);
  const tok = arithmeticTokenizer();
  return chainEnvironment({
    name: 'arithmetic',
    params: p,
    tokenizer: tok,
    draw(rng, d) {
      for (;;) {
        const e = randomExpr(rng, d, p.maxOperand);
        // Below difficulty 3 the expression is written without parentheses.
        if (d >= 3 || !printExpr(e).includes('(')) return arithmeticProblem(e, d, tok);
      }
    },
    chainOf: (prompt) => spec(parseArithmeticPrompt(prompt)),
  });
}
