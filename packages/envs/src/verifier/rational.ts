/**
 * Exact rationals over BigInt: number literals compare exactly (no tolerance between integers, ever).
 */

export interface Rational {
  n: bigint;
  d: bigint; // > 0, gcd(n, d) = 1
}

const abs = (x: bigint) => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rat(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('rational with zero denominator');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

/** Max digits of a literal we parse exactly (guard, research/verifiers.md 4.6). */
export const MAX_LITERAL_DIGITS = 1000;

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/** Parses `-12`, `3.50`, `.5`, `025`, `1.5e3` exactly; null for anything else or over 1,000 digits. */
export function parseDecimal(s: string): Rational | null {
  const m = DECIMAL_RE.exec(s);
  if (!m) return null;
  const int = m[2];
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  if (int.length + frac.length > MAX_LITERAL_DIGITS) return null;
  let n = BigInt((int || '0') + frac);
  let d = 10n ** BigInt(frac.length);
  const e = m[4] ? Number(m[4]) : 0;
  if (Math.abs(e) > 400) return null;
  if (e > 0) n *= 10n ** BigInt(e);
  else if (e < 0) d *= 10n ** BigInt(-e);
  if (m[1] === '-') n = -n;
  return rat(n, d);
}

/** True when the literal has a decimal point or exponent (an approximation, for the 6-decimal rule). */
export function isDecimalLiteral(s: string): boolean {
  return /[.eE]/.test(s);
}

export const ratEq = (a: Rational, b: Rational) => a.n === b.n && a.d === b.d;
export const ratAdd = (a: Rational, b: Rational) => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const ratSub = (a: Rational, b: Rational) => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const ratMul = (a: Rational, b: Rational) => rat(a.n * b.n, a.d * b.d);
export const ratDiv = (a: Rational, b: Rational) => rat(a.n * b.d, a.d * b.n);
export const isInteger = (a: Rational) => a.d === 1n;

/** Rounds half-up (away from zero) to `places` decimals; returns the scaled integer. */
export function roundScaled(a: Rational, places: number): bigint {
  const scale = 10n ** BigInt(places);
  const num = abs(a.n) * scale * 2n + a.d;
  const q = num / (2n * a.d);
  return a.n < 0n ? -q : q;
}

/** Nearest double (for display and for random-point arithmetic). */
export function ratToNumber(a: Rational): number {
  const n = Number(a.n);
  const d = Number(a.d);
  if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
  // Scale down huge parts keeping the leading digits.
  const shift = BigInt(Math.max(a.n.toString().length, a.d.toString().length) - 300);
  const f = 10n ** (shift > 0n ? shift : 0n);
  return Number(a.n / f) / Number(a.d / f);
}

export function ratToString(a: Rational): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}
