/**
 * Exact evaluation of a variable-free expression over complex rationals (BigInt). Returns null when the
 * value is irrational (radicals of non-squares, pi, trig, logs) or too large to compute exactly; those go
 * to the BigNumber path. Sizes are guarded and the deadline is checked at every node.
 */
import type { Node } from './latex.js';
import { Deadline, GuardError, LIMITS } from './guard.js';
import {
  isInteger,
  parseDecimal,
  rat,
  ratAdd,
  ratDiv,
  ratEq,
  ratMul,
  ratSub,
  type Rational,
} from './rational.js';

export interface CRat {
  re: Rational;
  im: Rational;
}

const ZERO = rat(0n);
const ONE = rat(1n);
const real = (r: Rational): CRat => ({ re: r, im: ZERO });
const isReal = (c: CRat) => c.im.n === 0n;
export const crEq = (a: CRat, b: CRat) => ratEq(a.re, b.re) && ratEq(a.im, b.im);

const add = (a: CRat, b: CRat): CRat => ({ re: ratAdd(a.re, b.re), im: ratAdd(a.im, b.im) });
const sub = (a: CRat, b: CRat): CRat => ({ re: ratSub(a.re, b.re), im: ratSub(a.im, b.im) });
const mul = (a: CRat, b: CRat): CRat => ({
  re: ratSub(ratMul(a.re, b.re), ratMul(a.im, b.im)),
  im: ratAdd(ratMul(a.re, b.im), ratMul(a.im, b.re)),
});
function div(a: CRat, b: CRat): CRat {
  const den = ratAdd(ratMul(b.re, b.re), ratMul(b.im, b.im));
  if (den.n === 0n) throw new GuardError('division by zero');
  const conj = { re: b.re, im: rat(-b.im.n, b.im.d) };
  const num = mul(a, conj);
  return { re: ratDiv(num.re, den), im: ratDiv(num.im, den) };
}

const bitLen = (x: bigint) => (x < 0n ? -x : x).toString(2).length;

function powInt(b: CRat, e: bigint, dl: Deadline): CRat | null {
  const neg = e < 0n;
  let k = neg ? -e : e;
  const size = Math.max(bitLen(b.re.n), bitLen(b.re.d), bitLen(b.im.n), bitLen(b.im.d));
  if (k > BigInt(LIMITS.exactExponent) || size * Number(k) > LIMITS.exactBits) return null;
  let result = real(ONE);
  let base = b;
  while (k > 0n) {
    dl.check();
    if (k & 1n) result = mul(result, base);
    k >>= 1n;
    if (k > 0n) base = mul(base, base);
  }
  return neg ? div(real(ONE), result) : result;
}

/** Exact integer n-th root of x >= 0, or null. */
function iroot(x: bigint, n: number): bigint | null {
  if (x < 0n) return null;
  if (x < 2n) return x;
  const N = BigInt(n);
  let r = 1n << BigInt(Math.ceil(bitLen(x) / n));
  for (;;) {
    const next = ((N - 1n) * r + x / r ** (N - 1n)) / N;
    if (next >= r) break;
    r = next;
  }
  return r ** N === x ? r : null;
}

/** Exact (p/q)-th root of a non-negative rational, or null. */
function rootRat(r: Rational, n: number): Rational | null {
  const a = iroot(r.n, n);
  const b = iroot(r.d, n);
  return a !== null && b !== null ? rat(a, b) : null;
}

function factorial(n: bigint, dl: Deadline): Rational {
  let f = 1n;
  for (let k = 2n; k <= n; k++) {
    if ((k & 255n) === 0n) dl.check();
    f *= k;
  }
  return rat(f);
}

function binom(n: bigint, k: bigint, dl: Deadline): Rational {
  if (k < 0n || k > n) return ZERO;
  if (k > n - k) k = n - k;
  let r = 1n;
  for (let j = 1n; j <= k; j++) {
    if ((j & 255n) === 0n) dl.check();
    r = (r * (n - k + j)) / j;
  }
  return rat(r);
}

/** Integer k with b^k = x for positive rationals, or null. */
function exactLog(x: Rational, b: Rational): Rational | null {
  if (x.n <= 0n || b.n <= 0n || ratEq(b, ONE)) return null;
  if (ratEq(x, ONE)) return ZERO;
  const guess = Math.round(Math.log(Number(x.n) / Number(x.d)) / Math.log(Number(b.n) / Number(b.d)));
  if (!Number.isFinite(guess) || Math.abs(guess) > 4096 || guess === 0) return null;
  const p =
    guess > 0
      ? rat(b.n ** BigInt(guess), b.d ** BigInt(guess))
      : rat(b.d ** BigInt(-guess), b.n ** BigInt(-guess));
  return ratEq(p, x) ? rat(BigInt(guess)) : null;
}

function smallInt(c: CRat, limit: number): bigint | null {
  if (!isReal(c) || !isInteger(c.re)) return null;
  if (c.re.n < 0n) return null;
  if (c.re.n > BigInt(limit)) throw new GuardError(`argument ${c.re.n} over ${limit}`);
  return c.re.n;
}

function evalFn(name: string, args: (CRat | null)[], dl: Deadline): CRat | null {
  if (args.some((a) => a === null)) return null;
  const [a, b] = args as CRat[];
  switch (name) {
    case 'sqrt':
    case 'nthRoot': {
      const n = name === 'sqrt' ? 2 : b && isReal(b) && isInteger(b.re) ? Number(b.re.n) : 0;
      if (n < 2 || n > 64 || !isReal(a)) return null;
      if (a.re.n >= 0n) {
        const r = rootRat(a.re, n);
        return r ? real(r) : null;
      }
      if (n % 2 === 1) {
        const r = rootRat(rat(-a.re.n, a.re.d), n);
        return r ? real(rat(-r.n, r.d)) : null;
      }
      const r = n === 2 ? rootRat(rat(-a.re.n, a.re.d), 2) : null;
      return r ? { re: ZERO, im: r } : null;
    }
    case 'factorial': {
      const n = smallInt(a, LIMITS.factorialArg);
      return n === null || n > BigInt(LIMITS.exactFactorial) ? null : real(factorial(n, dl));
    }
    case 'combinations': {
      const n = smallInt(a, LIMITS.factorialArg);
      const k = smallInt(b, LIMITS.factorialArg);
      return n === null || k === null ? null : real(binom(n, k, dl));
    }
    case 'abs':
      return isReal(a) ? real(a.re.n < 0n ? rat(-a.re.n, a.re.d) : a.re) : null;
    case 'floor':
    case 'ceil': {
      if (!isReal(a)) return null;
      const q = a.re.n / a.re.d; // truncates toward zero
      const exact = q * a.re.d === a.re.n;
      const f = exact ? q : a.re.n < 0n ? q - 1n : q;
      return real(rat(name === 'floor' || exact ? f : f + 1n));
    }
    case 'log':
    case 'log10': {
      const base = name === 'log10' ? real(rat(10n)) : b;
      if (!base || !isReal(a) || !isReal(base)) return null;
      const k = exactLog(a.re, base.re);
      return k ? real(k) : null;
    }
    default:
      return null;
  }
}

/** Exact value of a variable-free node, or null when irrational or too big to compute exactly. */
export function evalExact(n: Node, dl: Deadline): CRat | null {
  dl.check();
  switch (n.t) {
    case 'num': {
      const r = parseDecimal(n.v);
      if (!r) throw new GuardError('literal over 1,000 digits');
      return real(r);
    }
    case 'const':
      return n.name === 'i' ? { re: ZERO, im: ONE } : null;
    case 'sym':
      return null;
    case 'neg': {
      const a = evalExact(n.a, dl);
      return a && { re: rat(-a.re.n, a.re.d), im: rat(-a.im.n, a.im.d) };
    }
    case 'fn':
      return evalFn(
        n.name,
        n.args.map((x) => evalExact(x, dl)),
        dl,
      );
    case 'bin': {
      const a = evalExact(n.a, dl);
      const b = evalExact(n.b, dl);
      if (!a || !b) return null;
      if (n.op === '+') return add(a, b);
      if (n.op === '-') return sub(a, b);
      if (n.op === '*') return mul(a, b);
      if (n.op === '/') return div(a, b);
      return power(a, b, dl);
    }
  }
}

function power(a: CRat, b: CRat, dl: Deadline): CRat | null {
  if (!isReal(b)) return null;
  if (isInteger(b.re)) {
    if (a.re.n === 0n && a.im.n === 0n && b.re.n < 0n) throw new GuardError('division by zero');
    return powInt(a, b.re.n, dl);
  }
  // Rational exponent p/q of a positive real base: exact when the q-th root is.
  if (!isReal(a) || a.re.n < 0n || b.re.d > 64n) return null;
  const root = rootRat(a.re, Number(b.re.d));
  return root ? powInt(real(root), b.re.n, dl) : null;
}
