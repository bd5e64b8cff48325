/**
 * Expressions with free variables (research/verifiers.md 4.5): equal variable sets, then seeded
 * random-point testing (8 real points in [0.3, 2.7] and 2 complex points; at least 5 valid points; every
 * valid point within 1e-9 (1+|a|+|b|)). Equations compare lhs-rhs up to a constant factor k != 0;
 * inequalities need k > 0 for the same direction and k < 0 for a flipped one.
 */
import type { Node } from './latex.js';
import { freeVars } from './latex.js';
import { Deadline, GuardError, LIMITS } from './guard.js';
import { complex, evalAt, exactOf, type Complexish } from './numeric.js';
import type { RelOp, Value } from './values.js';

const REAL_POINTS = 8;
const COMPLEX_POINTS = 2;
const MIN_VALID = 5;

/** Deterministic points: irrational-looking offsets in [0.3, 2.7], then complex ones near the real axis. */
function points(vars: string[]): Record<string, unknown>[] {
  const frac = (x: number) => x - Math.floor(x);
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < REAL_POINTS + COMPLEX_POINTS; k++) {
    const scope: Record<string, unknown> = {};
    vars.forEach((v, j) => {
      const u = frac(0.1234567 + k * 0.6180339887 + j * 0.4142135623);
      const w = frac(0.7654321 + k * 0.7548776662 + j * 0.569840291);
      // Complex points sit close to the real axis (arg < 0.4) so that principal branches of log and
      // roots agree with the real identities the answers rely on (`\log x^3 = 3 \log x`).
      scope[`v_${v}`] = k < REAL_POINTS ? 0.3 + 2.4 * u : complex(0.5 + 1.5 * u, 0.05 + 0.15 * w);
    });
    out.push(scope);
  }
  return out;
}

/** Factorials and binomials of huge constant arguments are refused before any evaluation. */
function guard(n: Node, dl: Deadline): void {
  if (n.t === 'fn') {
    if (
      (n.name === 'factorial' || n.name === 'combinations') &&
      n.args.every((a) => freeVars(a).size === 0)
    ) {
      for (const a of n.args) {
        const e = exactOf(a, dl);
        if (e && e.re.n > BigInt(LIMITS.factorialArg) * e.re.d)
          throw new GuardError('factorial argument too large');
      }
    }
    n.args.forEach((a) => guard(a, dl));
  } else if (n.t === 'bin') {
    guard(n.a, dl);
    guard(n.b, dl);
  } else if (n.t === 'neg') guard(n.a, dl);
}

const mag = (z: Complexish) => Math.hypot(z.re, z.im);
const sameVars = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

export function exprEqual(g: Value & { kind: 'expr' }, p: Value & { kind: 'expr' }, dl: Deadline): boolean {
  if (!sameVars(g.vars, p.vars)) return false;
  guard(g.node, dl);
  guard(p.node, dl);
  let valid = 0;
  for (const scope of points(g.vars)) {
    dl.check();
    const a = evalAt(g.node, scope);
    const b = evalAt(p.node, scope);
    if (!a || !b) continue;
    if (mag({ re: a.re - b.re, im: a.im - b.im }) > 1e-9 * (1 + mag(a) + mag(b))) return false;
    valid++;
  }
  return valid >= MIN_VALID;
}

/** lhs - rhs of a two-sided relation, oriented so that `<`/`<=` read as `D < 0`. */
function difference(r: Value & { kind: 'relation' }): { d: Node; op: RelOp } | null {
  if (r.sides.length !== 2) return null;
  const [l, rr] = r.sides;
  if ((l.kind !== 'expr' && l.kind !== 'number') || (rr.kind !== 'expr' && rr.kind !== 'number')) return null;
  const op = r.ops[0];
  const flip = op === '>' || op === '>=';
  const d: Node = flip
    ? { t: 'bin', op: '-', a: rr.node, b: l.node }
    : { t: 'bin', op: '-', a: l.node, b: rr.node };
  const canon: RelOp = op === '>' ? '<' : op === '>=' ? '<=' : op;
  return { d, op: canon };
}

/** Equations/inequalities with the same solution set shape: D_p = k D_g for a constant k (sign rules above). */
export function relationEqual(
  g: Value & { kind: 'relation' },
  p: Value & { kind: 'relation' },
  dl: Deadline,
  sideEqual: (a: Value, b: Value) => boolean,
): boolean {
  if (g.sides.length !== p.sides.length) return false;
  if (g.sides.length > 2) {
    // Chains (`a < x < b` with non-constant bounds): same operators, sides equal in order.
    return g.ops.every((o, i) => o === p.ops[i]) && g.sides.every((s, i) => sideEqual(s, p.sides[i]));
  }
  const a = difference(g);
  const b = difference(p);
  if (!a || !b || a.op !== b.op) return false;
  const vars = [...new Set([...freeVars(a.d), ...freeVars(b.d)])].sort();
  if (!sameVars([...freeVars(a.d)].sort(), [...freeVars(b.d)].sort())) return false;
  guard(a.d, dl);
  guard(b.d, dl);
  let k: Complexish | null = null;
  let valid = 0;
  for (const scope of points(vars).slice(0, REAL_POINTS)) {
    dl.check();
    const x = evalAt(a.d, scope);
    const y = evalAt(b.d, scope);
    if (!x || !y || Math.abs(x.im) > 1e-12 || Math.abs(y.im) > 1e-12) continue;
    const tiny = (z: Complexish) => mag(z) < 1e-12;
    if (tiny(x) || tiny(y)) {
      if (tiny(x) !== tiny(y)) return false;
      valid++;
      continue;
    }
    const r = { re: y.re / x.re, im: 0 };
    if (k === null) k = r;
    else if (Math.abs(r.re - k.re) > 1e-8 * (1 + Math.abs(k.re))) return false;
    valid++;
  }
  if (valid < MIN_VALID || k === null) return valid >= MIN_VALID && k === null && a.op === '=';
  if (a.op === '=' || a.op === '!=') return k.re !== 0;
  return k.re > 0;
}
