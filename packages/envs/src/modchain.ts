/**
 * `modchain`, the default overthinking testbed (spec envs.md, "Synthetic testbeds"): prompt `3+4+9+2+8=`
 * with k = difficulty + 1 single digits, answer the sum mod 10. Teacher traces carry one running-sum step
 * per term, then redundant checks drawn independently of difficulty (the overthinking), and at a set rate
 * a wrong step immediately repaired by a check (so some checks do help).
 */
import { z } from 'zod';
import type { Problem } from '@brevity/core';
import { hashSplit, type Environment } from './env.js';
import { CharTokenizer } from './tokenizer.js';
import {
  buildChainTrace,
  difficultySchema,
  refineDifficulty,
  traceKnobs,
  type ChainSpec,
} from './chain-trace.js';
import { chainAlphabet, chainEnvironment, splitParams } from './chain-env.js';

export const MODCHAIN_MAX_DIFFICULTY = 8;

export const modchainParamsSchema = z
  .object({
    ...difficultySchema(MODCHAIN_MAX_DIFFICULTY, 5),
    ...traceKnobs,
    ...splitParams(
      'modchain-v1',
      'Share of the distinct prompts of each difficulty held out as the test split, assigned by a hash of ' +
        'the prompt (so the splits never share a prompt; at difficulty 1 the 100 prompts split about 80/20).',
    ),
  })
  .strict()
  .superRefine(refineDifficulty);

export type ModchainParams = z.output<typeof modchainParamsSchema>;

/** The modchain alphabet: digits, `+ = .`, the check marker `c`, and the answer wrapper `\boxed{` `}`. */
export const MODCHAIN_ALPHABET = chainAlphabet(['+']);

export function modchainTokenizer(): CharTokenizer {
  return new CharTokenizer(MODCHAIN_ALPHABET);
}

/** The digits of a modchain prompt (`3+4+9=` -> [3,4,9]); throws on anything else. */
export function parseModchainPrompt(prompt: string): number[] {
  if (!/^\d(\+\d)+=$/.test(prompt)) throw new Error(`not a modchain prompt: ${JSON.stringify(prompt)}`);
  return prompt.slice(0, -1).split('+').map(Number);
}

export function modchainProblem(digits: readonly number[], tok: CharTokenizer): Problem {
  const prompt = `${digits.join('+')}=`;
  const gold = String(digits.reduce((a, b) => a + b, 0) % 10);
  const minimal = buildChainTrace(modchainSpec(digits), NO_KNOBS);
  return {
    id: `modchain/${digits.join('')}`,
    prompt,
    gold,
    difficulty: digits.length - 1,
    // The teacher's minimal response length in tokens, EOS included (L1's budget).
    budget: tok.encode(minimal).length + 1,
  };
}

const NO_KNOBS = { checkWeights: [1], repairRate: 0, maxRepairs: 0, errorRate: 0 };

/** The running-sum chain: step i adds digit i+1 to the previous step's stated result, mod 10. */
export function modchainSpec(digits: readonly number[]): ChainSpec {
  return {
    steps: digits.slice(1).map((b, i) => ({ a: i === 0 ? digits[0] : { ref: i - 1 }, op: '+' as const, b })),
    apply: (_op, a, b) => (a + b) % 10,
    wrong: (right, rng) => (right + 1 + rng.int(9)) % 10,
  };
}

export function createModchain(params: Partial<z.input<typeof modchainParamsSchema>> = {}): Environment {
  const tok = modchainTokenizer();
  return chainEnvironment({
    name: 'modchain',
    params: modchainParamsSchema.parse(params),
    tokenizer: tok,
    draw: (rng, d) =>
      modchainProblem(
        Array.from({ length: d + 1 }, () => rng.int(10)),
        tok,
      ),
    chainOf: (prompt) => modchainSpec(parseModchainPrompt(prompt)),
    modulus: 10,
  });
}

/**
 * Exact number of distinct prompts per split at difficulty `d` (enumerated; 10^(d+1) prompts, so keep d
 * small). Reported in docs/envs.md so no one wonders whether small spaces overlap.
 */
export function modchainSplitCounts(d: number, params: Partial<z.input<typeof modchainParamsSchema>> = {}) {
  const p = modchainParamsSchema.parse(params);
  const k = d + 1;
  const total = 10 ** k;
  let test = 0;
  for (let x = 0; x < total; x++) {
    const prompt = `${x.toString().padStart(k, '0').split('').join('+')}=`;
    if (hashSplit(prompt, p.splitSalt, p.testFraction) === 'test') test++;
  }
  return { total, train: total - test, test };
}
