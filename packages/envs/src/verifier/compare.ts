/**
 * Typed equivalence, gold first (research/verifiers.md 4.5). Numbers compare exactly as rationals; a
 * decimal literal allows rounding to 6 places unless the gold is an integer; percent only with a `%`.
 * Expressions compare at seeded random points; tuples, sets, intervals, matrices and relations by type.
 */
import type { Node } from './latex.js';
import { crEq, type CRat } from './exact.js';
import type { Deadline } from './guard.js';
import { approx, bigClose, evalBig, exactOf, roundTo } from './numeric.js';
import { isInteger } from './rational.js';
import { exprEqual, relationEqual } from './symbolic.js';
import { isAssignment, type Piece, type RelOp, type Value } from './values.js';

type Num = { node: Node; decimal: boolean };

const isRealInt = (c: CRat | null) => c !== null && c.im.n === 0n && isInteger(c.re);
const isInf = (n: Node): number =>
  n.t === 'const' && n.name === 'Infinity' ? 1 : n.t === 'neg' ? -isInf(n.a) : 0;

/** Decimal places of a plain literal gold (`-0.0000672` -> 7), else 0. */
function literalDecimals(n: Node): number {
  const lit = n.t === 'neg' ? n.a : n;
  if (lit.t !== 'num') return 0;
  const dot = lit.v.indexOf('.');
  return dot < 0 ? 0 : Math.min(lit.v.length - dot - 1, 60);
}

/** Number rules 1-3 (no percent). */
function numEq(g: Num, p: Num, dl: Deadline): boolean {
  const gi = isInf(g.node);
  const pi = isInf(p.node);
  if (gi || pi) return gi === pi;
  const ge = exactOf(g.node, dl);
  const pe = exactOf(p.node, dl);
  if (ge && pe && crEq(ge, pe)) return true;
  if (!g.decimal && !p.decimal) {
    if (ge && pe) return false;
    const a = evalBig(g.node, dl);
    const b = evalBig(p.node, dl);
    return a !== null && b !== null && bigClose(a, b);
  }
  // A decimal literal is involved: never between integers (2.0001 vs 2), else 6-decimal rounding.
  if (isRealInt(ge)) return false;
  // Math-Verify's 6 places; a gold literal written with more decimals (`.0000672`) is compared at its own.
  const places = Math.max(6, literalDecimals(g.node));
  const a = roundTo(ge, g.node, places, dl);
  const b = roundTo(pe, p.node, places, dl);
  return a !== null && b !== null && a[0] === b[0] && a[1] === b[1];
}

const over100 = (n: Num): Num => ({
  node: { t: 'bin', op: '/', a: n.node, b: { t: 'num', v: '100' } },
  decimal: n.decimal,
});

/** Numbers with the percent convention: `p%` matches g = p or g = p/100; never scaled without a `%`. */
function numberEqual(g: Value & { kind: 'number' }, p: Value & { kind: 'number' }, dl: Deadline): boolean {
  if (p.percent && !g.percent) return numEq(g, p, dl) || numEq(g, over100(p), dl);
  if (g.percent && !p.percent) return numEq(g, p, dl) || numEq(over100(g), p, dl);
  return numEq(g, p, dl);
}

/** The value of an assignment (`x = 5` -> 5; a chain `a = b = c` -> c). */
const rhs = (v: Value & { kind: 'relation' }): Value => v.sides[v.sides.length - 1];

export function valuesEqual(g: Value, p: Value, dl: Deadline): boolean {
  dl.check();
  // An equation prediction against a non-equation gold: its last right-hand side (`x=11`, `48/2=24`).
  if (p.kind === 'relation' && g.kind !== 'relation' && p.ops.every((o) => o === '=')) {
    return valuesEqual(g, rhs(p), dl);
  }
  // `\boxed{15\frac{39}{40}}, or \boxed{\frac{639}{40}}`: several boxes that all equal a scalar gold.
  if ((g.kind === 'number' || g.kind === 'expr') && p.kind === 'set' && p.bare) {
    return p.items.every((x) => valuesEqual(g, x, dl));
  }
  switch (g.kind) {
    case 'number':
      return p.kind === 'number' && numberEqual(g, p, dl);
    case 'expr':
      return p.kind === 'expr' && exprEqual(g, p, dl);
    case 'text':
      return p.kind === 'text' && g.text === p.text;
    case 'base':
      return p.kind === 'base' && g.base === p.base && g.digits === p.digits;
    case 'tuple':
      return tupleEqual(g, p, dl);
    case 'set':
      if (g.items.length === 0) return emptyValue(p);
      return p.kind === 'set' && multisetEqual(g.items, p.items, dl);
    case 'interval':
      return intervalEqual(g, p, dl);
    case 'matrix':
      return (
        p.kind === 'matrix' &&
        p.rows.length === g.rows.length &&
        g.rows.every(
          (row, i) =>
            row.length === p.rows[i].length && row.every((x, j) => valuesEqual(x, p.rows[i][j], dl)),
        )
      );
    case 'relation':
      return relationGold(g, p, dl);
  }
}

const emptyValue = (p: Value) =>
  (p.kind === 'set' && p.items.length === 0) || (p.kind === 'interval' && p.pieces.length === 0);

function tupleEqual(g: Value & { kind: 'tuple' }, p: Value, dl: Deadline): boolean {
  let items: Value[];
  if (p.kind === 'tuple') {
    // Bracket types must agree, except for a gold read from a list of assignments (`x = 1, y = 2`).
    if (g.open !== '' && p.open !== '' && g.open !== p.open) return false;
    items = p.items;
  } else if (p.kind === 'set' && p.bare)
    items = p.items; // `3, 2` against `(3,2)`: in order
  else if (p.kind === 'relation' && p.ops.length === 1 && p.ops[0] === '=' && p.sides[0].kind === 'tuple') {
    return valuesEqual(g, p.sides[1], dl); // `(p,q) = (3,2)`
  } else return false;
  return items.length === g.items.length && g.items.every((x, i) => valuesEqual(x, items[i], dl));
}

/** Multiset equality by bipartite matching (backtracking; answers have few elements). */
function multisetEqual(gs: Value[], ps: Value[], dl: Deadline): boolean {
  if (gs.length !== ps.length) return false;
  if (gs.length > 12) return false;
  const used = new Array<boolean>(ps.length).fill(false);
  const memo = new Map<string, boolean>();
  const eq = (i: number, j: number) => {
    const k = `${i},${j}`;
    if (!memo.has(k)) memo.set(k, valuesEqual(gs[i], ps[j], dl));
    return memo.get(k)!;
  };
  const go = (i: number): boolean => {
    if (i === gs.length) return true;
    for (let j = 0; j < ps.length; j++) {
      if (used[j] || !eq(i, j)) continue;
      used[j] = true;
      if (go(i + 1)) return true;
      used[j] = false;
    }
    return false;
  };
  return go(0);
}

/** Sorted, with touching pieces merged (`[0,1] U (1,2]` is `[0,2]`; `(0,9) U (9,36)` stays two). */
function canonical(pieces: Piece[], dl: Deadline): Piece[] {
  const key = (v: Value) => (v.kind === 'number' ? approx(v.node, dl) : NaN);
  const sorted = [...pieces].sort((a, b) => key(a.lo) - key(b.lo));
  const out: Piece[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && (last.hiClosed || p.loClosed) && valuesEqual(last.hi, p.lo, dl)) {
      out[out.length - 1] = { ...last, hi: p.hi, hiClosed: p.hiClosed };
    } else out.push(p);
  }
  return out;
}

function intervalEqual(g: Value & { kind: 'interval' }, p: Value, dl: Deadline): boolean {
  const pv = p.kind === 'relation' ? inequalityToInterval(p) : p;
  if (!pv || pv.kind !== 'interval') return g.pieces.length === 0 && pv !== null && emptyValue(pv);
  const a = canonical(g.pieces, dl);
  const b = canonical(pv.pieces, dl);
  return (
    a.length === b.length &&
    a.every(
      (x, i) =>
        x.loClosed === b[i].loClosed &&
        x.hiClosed === b[i].hiClosed &&
        valuesEqual(x.lo, b[i].lo, dl) &&
        valuesEqual(x.hi, b[i].hi, dl),
    )
  );
}

const INF: Value = { kind: 'number', node: { t: 'const', name: 'Infinity' }, decimal: false, percent: false };
const NEG_INF: Value = { kind: 'number', node: { t: 'neg', a: INF.node }, decimal: false, percent: false };
const isVar = (v: Value) => v.kind === 'expr' && v.node.t === 'sym';
const lessOps = (ops: RelOp[]) => ops.every((o) => o === '<' || o === '<=');
const moreOps = (ops: RelOp[]) => ops.every((o) => o === '>' || o === '>=');

/**
 * `x > 3`, `-2 \le x \le 7`: an inequality whose variable stands alone with constant bounds, as an
 * interval. Anything else (`x^2-5x+6 \le 0`) is not converted, so a copied question never passes.
 */
export function inequalityToInterval(r: Value & { kind: 'relation' }): (Value & { kind: 'interval' }) | null {
  const { ops, sides } = r;
  if (!lessOps(ops) && !moreOps(ops)) return null;
  const vi = sides.findIndex(isVar);
  if (vi < 0 || sides.some((s, i) => i !== vi && s.kind !== 'number')) return null;
  // Orient as lo < x < hi.
  const asc = lessOps(ops);
  const seq = asc ? sides : [...sides].reverse();
  const opsAsc = asc ? ops : [...ops].reverse();
  const x = asc ? vi : sides.length - 1 - vi;
  if (seq.length === 2) {
    const closed = opsAsc[0].endsWith('=');
    return x === 0
      ? { kind: 'interval', pieces: [{ lo: NEG_INF, hi: seq[1], loClosed: false, hiClosed: closed }] }
      : { kind: 'interval', pieces: [{ lo: seq[0], hi: INF, loClosed: closed, hiClosed: false }] };
  }
  if (seq.length === 3 && x === 1) {
    const pieces = [
      { lo: seq[0], hi: seq[2], loClosed: opsAsc[0].endsWith('='), hiClosed: opsAsc[1].endsWith('=') },
    ];
    return { kind: 'interval', pieces };
  }
  return null;
}

function relationGold(g: Value & { kind: 'relation' }, p: Value, dl: Deadline): boolean {
  if (p.kind !== 'relation') {
    // An assignment gold against a bare value compares its right-hand side; `7 = 11a+c` never does.
    if (isAssignment(g)) return valuesEqual(rhs(g), p, dl);
    const iv = inequalityToInterval(g);
    return iv !== null && p.kind === 'interval' && intervalEqual(iv, p, dl);
  }
  if (isAssignment(g) && isAssignment(p) && g.lhsText.replace(/\s+/g, '') === p.lhsText.replace(/\s+/g, '')) {
    if (valuesEqual(rhs(g), rhs(p), dl)) return true;
  }
  const gi = inequalityToInterval(g);
  const pi = inequalityToInterval(p);
  if (gi && pi) return intervalEqual(gi, pi, dl);
  return relationEqual(g, p, dl, (a, b) => valuesEqual(a, b, dl));
}
