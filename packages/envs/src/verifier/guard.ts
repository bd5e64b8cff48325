/** Time budget and size guards (research/verifiers.md 4.6). */

/** The check ran past its time budget: the verdict is `timeout`. */
export class TimeoutError extends Error {}

/** A size guard fired (huge exponent, factorial, power tower): the value is not evaluated. */
export class GuardError extends Error {}

export class Deadline {
  private readonly end: number;
  constructor(budgetMs: number) {
    this.end = performance.now() + budgetMs;
  }
  check(): void {
    if (performance.now() > this.end) throw new TimeoutError('verifier time budget exceeded');
  }
}

export const LIMITS = {
  /** Longest extracted answer, in characters. */
  answerChars: 1000,
  /** Deepest bracket nesting of an answer. */
  nesting: 50,
  /** Largest exponent evaluated exactly; larger ones go to BigNumber. */
  exactExponent: 10_000,
  /** Largest result of exact integer powering, in bits. */
  exactBits: 200_000,
  /** Largest factorial / binomial argument evaluated at all. */
  factorialArg: 10_000,
  /** Largest factorial evaluated exactly (BigInt); larger ones go to BigNumber. */
  exactFactorial: 3_000,
} as const;

/** Deepest nesting of `( [ {` in `s` (an unbalanced closer just lowers the count). */
export function nestingDepth(s: string): number {
  let d = 0;
  let max = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) max = Math.max(max, ++d);
    else if (c === 41 || c === 93 || c === 125) d--;
  }
  return max;
}
