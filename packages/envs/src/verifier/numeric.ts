/**
 * Numeric evaluation through mathjs: BigNumber at 64 digits for irrational closed forms (research 4.5
 * numbers rule 2), and double/complex evaluation at seeded random points for expressions with variables.
 */
import { createRequire } from 'node:module';
import type { BigNumber, EvalFunction, MathJsInstance } from 'mathjs';
import type { Node } from './latex.js';
import { toMathjs } from './latex.js';
import { evalExact, type CRat } from './exact.js';
import { Deadline, GuardError } from './guard.js';
import { roundScaled, ratToNumber, type Rational } from './rational.js';

type Big = BigNumber;

/**
 * mathjs is loaded on first use (synchronously, its CommonJS build): importing it costs about a second
 * on a busy machine, and the numeric fast path, modchain and `brevity verify` on plain numbers never need it.
 */
let instances: { big: MathJsInstance; dbl: MathJsInstance } | null = null;
export function mathjs(): { big: MathJsInstance; dbl: MathJsInstance } {
  if (!instances) {
    const m = createRequire(import.meta.url)('mathjs') as typeof import('mathjs');
    instances = { big: m.create(m.all, { number: 'BigNumber', precision: 64 }), dbl: m.create(m.all, {}) };
  }
  return instances;
}

/** A complex BigNumber value. */
export interface BigC {
  re: Big;
  im: Big;
}

const exactCache = new WeakMap<Node, CRat | null>();

/** Exact value (cached per node), or null. */
export function exactOf(n: Node, dl: Deadline): CRat | null {
  if (exactCache.has(n)) return exactCache.get(n)!;
  const v = evalExact(n, dl);
  exactCache.set(n, v);
  return v;
}

/** Height of the power tower with non-trivial bases (`9^{9^{9^9}}` is 3). */
export function towerHeight(n: Node): number {
  if (n.t === 'bin' && n.op === '^') {
    const trivial = n.a.t === 'num' && /^(0|1)(\.0*)?$/.test(n.a.v);
    return Math.max(towerHeight(n.a), (trivial ? 0 : 1) + towerHeight(n.b));
  }
  if (n.t === 'bin') return Math.max(towerHeight(n.a), towerHeight(n.b));
  if (n.t === 'neg') return towerHeight(n.a);
  if (n.t === 'fn') return Math.max(0, ...n.args.map(towerHeight));
  return 0;
}

const compiledBig = new Map<string, EvalFunction>();
const compiledDbl = new Map<string, EvalFunction>();
function compile(cache: Map<string, EvalFunction>, math: MathJsInstance, src: string): EvalFunction {
  let f = cache.get(src);
  if (!f) {
    if (cache.size > 5000) cache.clear();
    f = math.compile(src);
    cache.set(src, f);
  }
  return f;
}

const PERIODIC = new Set(['sin', 'cos', 'tan', 'sec', 'csc', 'cot']);

/**
 * decimal.js reduces trig arguments modulo pi at a precision that grows with their size, so
 * `\sin 99999^{99999}` would run for minutes: arguments are bounded (checked in doubles) first.
 */
function guardTrig(n: Node): void {
  if (n.t === 'fn') {
    if (PERIODIC.has(n.name)) {
      const arg = evalAt(n.args[0], {});
      if (arg === null || Math.abs(arg.re) > 1e5 || Math.abs(arg.im) > 1e5)
        throw new GuardError('huge trig argument');
    }
    n.args.forEach(guardTrig);
  } else if (n.t === 'bin') {
    guardTrig(n.a);
    guardTrig(n.b);
  } else if (n.t === 'neg') guardTrig(n.a);
}

/** BigNumber value of a variable-free node at 64 digits; null when it is not a finite number. */
export function evalBig(n: Node, dl: Deadline): BigC | null {
  if (towerHeight(n) > 2) throw new GuardError('power tower deeper than 2');
  guardTrig(n);
  dl.check();
  const { big } = mathjs();
  let v: unknown;
  try {
    v = compile(compiledBig, big, toMathjs(n)).evaluate({});
  } catch {
    return null;
  }
  dl.check();
  let out: BigC | null = null;
  const zero = big.bignumber(0) as Big;
  if (big.isBigNumber(v)) out = { re: v, im: zero };
  else if (big.isComplex(v)) out = { re: big.bignumber(v.re) as Big, im: big.bignumber(v.im) as Big };
  else if (typeof v === 'number') out = { re: big.bignumber(v) as Big, im: zero };
  if (!out || !out.re.isFinite() || !out.im.isFinite()) return null;
  return out;
}

/** Relative closeness at 64 digits: |a-b| <= 1e-20 max(|a|,|b|); a zero side needs both below 1e-50. */
export function bigClose(a: BigC, b: BigC): boolean {
  const part = (x: Big, y: Big) => {
    if (x.isZero() || y.isZero()) return x.abs().lt('1e-50') && y.abs().lt('1e-50');
    const m = x.abs().gt(y.abs()) ? x.abs() : y.abs();
    return x.minus(y).abs().lte(m.times('1e-20'));
  };
  return part(a.re, b.re) && part(a.im, b.im);
}

/** Rounds half-up to `places` decimals: exact values exactly, others from their 64-digit value. */
export function roundTo(exact: CRat | null, n: Node, places: number, dl: Deadline): [string, string] | null {
  if (exact) return [roundScaled(exact.re, places).toString(), roundScaled(exact.im, places).toString()];
  const v = evalBig(n, dl);
  if (!v) return null;
  const r = (x: Big) => x.toDecimalPlaces(places, 4 /* ROUND_HALF_UP */).times(`1e${places}`).toFixed(0);
  return [r(v.re), r(v.im)];
}

export interface Complexish {
  re: number;
  im: number;
}

/** Double (or complex) value of `n` with the variables bound; null when not finite. */
export function evalAt(n: Node, scope: Record<string, unknown>): Complexish | null {
  const { dbl } = mathjs();
  let v: unknown;
  try {
    v = compile(compiledDbl, dbl, toMathjs(n)).evaluate(scope);
  } catch {
    return null;
  }
  let out: Complexish | null = null;
  if (typeof v === 'number') out = { re: v, im: 0 };
  else if (dbl.isComplex(v)) out = { re: v.re, im: v.im };
  else if (dbl.isBigNumber(v)) out = { re: v.toNumber(), im: 0 };
  if (!out || !Number.isFinite(out.re) || !Number.isFinite(out.im)) return null;
  return out;
}

export const complex = (re: number, im: number): unknown => mathjs().dbl.complex(re, im);

/** A double approximation of a variable-free node, for sorting; NaN when unknown. */
export function approx(n: Node, dl: Deadline): number {
  const e = exactOf(n, dl);
  if (e) return ratToNumber(e.re as Rational);
  if (n.t === 'const' && n.name === 'Infinity') return Infinity;
  if (n.t === 'neg' && n.a.t === 'const' && n.a.name === 'Infinity') return -Infinity;
  const v = evalAt(n, {});
  return v ? v.re : NaN;
}
