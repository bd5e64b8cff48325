/**
 * Typed answer values (research/verifiers.md 4.3-4.5): Number, Expr, Tuple, Set, Interval, Matrix,
 * Relation, Text, Base. The gold is parsed first; its value is the hint that decides how an ambiguous
 * prediction reads (`(2,5)` is an interval against an interval gold and a tuple against a tuple gold).
 */
import { freeVars, hasDecimal, parseLatex, type Node } from './latex.js';
import { normalizeAnswer, normalizeText } from './normalize.js';
import { matchingClose, splitTop } from './split.js';
import { LIMITS, nestingDepth } from './guard.js';

export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

export interface Piece {
  lo: Value;
  hi: Value;
  loClosed: boolean;
  hiClosed: boolean;
}

export type Value =
  | { kind: 'number'; node: Node; decimal: boolean; percent: boolean }
  | { kind: 'expr'; node: Node; vars: string[]; decimal: boolean }
  | { kind: 'tuple'; items: Value[]; open: string }
  /** `bare`: a list without braces (`1, -2`); `pm`: the two values of `a \pm b`. */
  | { kind: 'set'; items: Value[]; bare: boolean; pm?: boolean }
  | { kind: 'interval'; pieces: Piece[] }
  | { kind: 'matrix'; rows: Value[][] }
  | { kind: 'relation'; ops: RelOp[]; sides: Value[]; lhsText: string }
  | { kind: 'text'; text: string }
  | { kind: 'base'; digits: string; base: number };

export class ValueParseError extends Error {}

export interface ParseCtx {
  /** The gold's value when parsing a prediction (absent while parsing the gold). */
  gold?: Value;
  isGold: boolean;
}

const REL_SEPS: Record<string, RelOp> = {
  '\\le': '<=',
  '\\ge': '>=',
  '\\ne': '!=',
  '\\approx': '=',
  '<=': '<=',
  '>=': '>=',
  '!=': '!=',
  '=': '=',
  '<': '<',
  '>': '>',
};
const FUNC_WORDS = /^(sin|cos|tan|sec|csc|cot|ln|log|exp|sqrt|pi)$/;
/** Letter runs that are function names, alone or before single-letter symbols (`sinx`, `sqrtx`). */
const PLAIN_NAMES =
  /^(?:arcsin|arccos|arctan|sinh|cosh|tanh|sin|cos|tan|sec|csc|cot|ln|log|exp|sqrt|pi)[a-zA-Z]?$/;

/** Parses an answer string (gold or prediction) into a typed value; throws ValueParseError. */
export function parseValue(raw: string, ctx: ParseCtx): Value {
  if (raw.length > LIMITS.answerChars) throw new ValueParseError('answer over 1,000 characters');
  if (nestingDepth(raw) > LIMITS.nesting) throw new ValueParseError('nesting deeper than 50');
  const norm = normalizeAnswer(raw);
  if (norm.text === '') throw new ValueParseError('empty answer');
  const v = parseStructure(norm.text, ctx.gold, ctx);
  if (norm.percent) {
    if (v.kind !== 'number') throw new ValueParseError('percent sign on a non-number');
    return { ...v, percent: true };
  }
  return v;
}

function parseStructure(s: string, hint: Value | undefined, ctx: ParseCtx): Value {
  s = s.trim().replace(/^[a-zA-Z]\s*\\in\s*/, '');
  if (s === '') throw new ValueParseError('empty element');
  const matrix = parseMatrix(s, hint, ctx);
  if (matrix) return matrix;
  if (/^(?:\\emptyset|\\varnothing|\\\{\s*\\\}|\{\s*\})$/.test(s))
    return { kind: 'set', items: [], bare: false };
  if (/^\\mathbb\s*\{?R\}?$/.test(s)) return realLine();
  const union = splitTop(s, ['\\cup', ' U ']);
  if (union.parts.length > 1)
    return { kind: 'interval', pieces: union.parts.flatMap((p) => asInterval(p, ctx)) };
  // `-2 and 1`, `x = 5 \text{ or } x = 6`: with digits around, `and`/`or` separate list elements (a
  // wordy text answer such as `\text{Navin and Evelyn}` has none and stays text).
  if (/\d/.test(s)) s = s.replace(/\s*\\text\s*\{\s*(?:and|or)\s*\}\s*|\s+(?:and|or)\s+/g, ', ');
  const list = splitTop(s, [',', ';']);
  if (list.parts.length > 1) return parseList(s, list.parts, hint, ctx);
  const rel = splitTop(s, Object.keys(REL_SEPS));
  if (rel.parts.length > 1) {
    if (rel.parts.some((p) => p === '')) throw new ValueParseError('relation with an empty side');
    const ops = rel.seps.map((x) => REL_SEPS[x]);
    return {
      kind: 'relation',
      ops,
      sides: rel.parts.map((p) => parseStructure(p, undefined, ctx)),
      lhsText: rel.parts[0],
    };
  }
  const pm = splitTop(s, ['\\pm', '\\mp']);
  if (pm.parts.length === 2) {
    const [a, b] = pm.parts;
    const items = a === '' ? [b, `-(${b})`] : [`${a}+(${b})`, `${a}-(${b})`];
    return { kind: 'set', items: items.map((x) => parseScalar(x, undefined, ctx)), bare: false, pm: true };
  }
  return parseBracketed(s, hint, ctx) ?? parseScalar(s, hint, ctx);
}

const realLine = (): Value => ({
  kind: 'interval',
  pieces: [{ lo: infinity(-1), hi: infinity(1), loClosed: false, hiClosed: false }],
});

function infinity(sign: 1 | -1): Value {
  const inf: Node = { t: 'const', name: 'Infinity' };
  return { kind: 'number', node: sign > 0 ? inf : { t: 'neg', a: inf }, decimal: false, percent: false };
}

/** `\{1 \pm \sqrt 5, -2\}` is the three-element set: pm pairs inside a list are spliced in. */
const flattenPm = (items: Value[]): Value[] =>
  items.flatMap((v) => (v.kind === 'set' && v.pm ? v.items : [v]));

const THOUSANDS = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const isScalarKind = (v: Value | undefined) => v === undefined || v.kind === 'number' || v.kind === 'expr';

function parseList(s: string, parts: string[], hint: Value | undefined, ctx: ParseCtx): Value {
  // `7,425,000` is a number for a scalar gold (and always in a gold); `32, 349` (comma-space) is a list.
  if (THOUSANDS.test(s) && (ctx.isGold || isScalarKind(hint)))
    return parseScalar(s.replace(/,/g, ''), hint, ctx);
  const itemHint = (i: number) =>
    hint && (hint.kind === 'tuple' || hint.kind === 'set')
      ? hint.items[Math.min(i, hint.items.length - 1)]
      : undefined;
  const items = flattenPm(parts.map((p, i) => parseStructure(p, itemHint(i), ctx)));
  // `x = -5, p = 14/3`: assignments to different names read as the ordered tuple of their values;
  // `x = 5, x = 6` (one name) is the set of its values.
  if (items.every((v) => v.kind === 'relation' && isAssignment(v))) {
    const rels = items as (Value & { kind: 'relation' })[];
    const values = rels.map((v) => v.sides[v.sides.length - 1]);
    const oneName = rels.every((v) => v.lhsText.replace(/\s+/g, '') === rels[0].lhsText.replace(/\s+/g, ''));
    return oneName ? { kind: 'set', items: values, bare: true } : { kind: 'tuple', items: values, open: '' };
  }
  return { kind: 'set', items, bare: true };
}

/** `\{..\}` sets, `(a,b)` tuples or intervals, `[a,b]`, `(a,b]`, `\langle a,b \rangle`. */
function parseBracketed(s: string, hint: Value | undefined, ctx: ParseCtx): Value | null {
  if (s.startsWith('\\{') && s.endsWith('\\}') && matchingClose(s, 0) === s.length - 2) {
    const inner = s.slice(2, -2).trim();
    const parts = inner === '' ? [] : splitTop(inner, [',', ';']).parts;
    const h = hint && hint.kind === 'set' ? hint.items[0] : undefined;
    return { kind: 'set', items: flattenPm(parts.map((p) => parseStructure(p, h, ctx))), bare: false };
  }
  if (s.startsWith('\\langle') && s.endsWith('\\rangle') && matchingClose(s, 0) === s.length - 7) {
    return tupleOf(s.slice(7, -7), '()', hint, ctx);
  }
  const open = s[0];
  const close = s[s.length - 1];
  if (!'(['.includes(open) || !')]'.includes(close) || matchingClose(s, 0) !== s.length - 1) return null;
  const parts = splitTop(s.slice(1, -1), [',']).parts;
  if (parts.length === 1) return null; // `(x)` or `[x]`: a bracketed expression, read by parseScalar
  const looksInterval =
    open !== close.replace(')', '(').replace(']', '[') || s.includes('\\infty') || open === '[';
  const wantTuple = hint?.kind === 'tuple';
  if (parts.length === 2 && (hint?.kind === 'interval' || (looksInterval && !wantTuple))) {
    return { kind: 'interval', pieces: asInterval(s, ctx) };
  }
  return tupleOf(s.slice(1, -1), open + close, hint, ctx);
}

function tupleOf(inner: string, open: string, hint: Value | undefined, ctx: ParseCtx): Value {
  const parts = splitTop(inner, [',']).parts;
  const h = (i: number) => (hint && hint.kind === 'tuple' ? hint.items[i] : undefined);
  return { kind: 'tuple', items: parts.map((p, i) => parseStructure(p, h(i), ctx)), open };
}

/** One interval piece `(a,b]`; endpoints are scalar values. */
function asInterval(s: string, ctx: ParseCtx): Piece[] {
  s = s.trim();
  if (/^\\mathbb\s*\{?R\}?$/.test(s)) return (realLine() as { pieces: Piece[] }).pieces;
  const open = s[0];
  const close = s[s.length - 1];
  if (!'(['.includes(open) || !')]'.includes(close)) throw new ValueParseError(`not an interval: ${s}`);
  const parts = splitTop(s.slice(1, -1), [',']).parts;
  if (parts.length !== 2) throw new ValueParseError(`an interval needs two endpoints: ${s}`);
  return [
    {
      lo: parseScalar(parts[0], undefined, ctx),
      hi: parseScalar(parts[1], undefined, ctx),
      loClosed: open === '[',
      hiClosed: close === ']',
    },
  ];
}

/** `\begin{pmatrix} a & b \\ c & d \end{pmatrix}` (also bmatrix, matrix, array); vmatrix is a determinant. */
function parseMatrix(s: string, _hint: Value | undefined, ctx: ParseCtx): Value | null {
  const m = /^\\begin\s*\{([pbvBV]?matrix|array)\}(?:\s*\{[^{}]*\})?([\s\S]*)\\end\s*\{\1\}$/.exec(s);
  if (!m) return null;
  const rows = m[2]
    .split(/\\\\/)
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => r.split('&').map((c) => parseScalar(c, undefined, ctx)));
  if (rows.length === 0 || rows.some((r) => r.length !== rows[0].length))
    throw new ValueParseError('ragged matrix');
  if (m[1] === 'vmatrix') return determinant(rows);
  return { kind: 'matrix', rows };
}

function determinant(rows: Value[][]): Value {
  const n = rows.length;
  if (n !== rows[0].length || n > 4) throw new ValueParseError('determinant of a non-square or >4x4 matrix');
  const node = (i: number, j: number): Node => {
    const v = rows[i][j];
    if (v.kind !== 'number' && v.kind !== 'expr') throw new ValueParseError('non-scalar matrix entry');
    return v.node;
  };
  const det = (cols: number[], row: number): Node => {
    if (cols.length === 1) return node(row, cols[0]);
    let acc: Node | null = null;
    cols.forEach((c, k) => {
      const term: Node = {
        t: 'bin',
        op: '*',
        a: node(row, c),
        b: det(
          cols.filter((x) => x !== c),
          row + 1,
        ),
      };
      acc = acc === null ? term : { t: 'bin', op: k % 2 === 0 ? '+' : '-', a: acc, b: term };
    });
    return acc!;
  };
  return scalarOf(det([...Array(n).keys()], 0));
}

function scalarOf(node: Node, decimal = hasDecimal(node)): Value {
  const vars = [...freeVars(node)].sort();
  return vars.length === 0
    ? { kind: 'number', node, decimal, percent: false }
    : { kind: 'expr', node, vars, decimal };
}

/** Text, base numbers, mixed numbers, single-letter units, and finally a LaTeX expression. */
function parseScalar(s: string, hint: Value | undefined, ctx: ParseCtx): Value {
  s = s.trim();
  const text = /^\\text\s*\{([^{}]*)\}$/.exec(s);
  if (text) {
    const inner = text[1].trim();
    if (/^-?\d+(?:\.\d+)?$/.test(inner)) return parseScalar(inner, hint, ctx);
    return { kind: 'text', text: normalizeText(inner) };
  }
  if (hint?.kind === 'text' && /^[a-zA-Z0-9\s()'-]+$/.test(s) && /[a-zA-Z]/.test(s)) {
    return { kind: 'text', text: normalizeText(s) };
  }
  if (/^\(?[A-E]\)$/.test(s)) return { kind: 'text', text: normalizeText(s.replace(/^\(?/, '(')) };
  if (/^[a-zA-Z]+(?: [a-zA-Z]+)*$/.test(s)) {
    const words = s.split(' ');
    if (words.length > 1 || (s.length >= 4 && !FUNC_WORDS.test(s)))
      return { kind: 'text', text: normalizeText(s) };
  }
  if (/^\d+:\d+$/.test(s)) return { kind: 'text', text: s.replace(/^0+(?=\d)/, '') };
  const base = /^(\d+)_\{?(\d+)\}?$/.exec(s);
  if (base) return { kind: 'base', digits: base[1].replace(/^0+(?=\d)/, ''), base: Number(base[2]) };
  const mixed = /^(-?)(\d+)\s*\\frac\s*\{(\d+)\}\s*\{(\d+)\}$/.exec(s);
  if (mixed && BigInt(mixed[3]) < BigInt(mixed[4])) {
    const whole = `(${mixed[2]}+\\frac{${mixed[3]}}{${mixed[4]}})`;
    return scalarOf(parseLatex(mixed[1] ? `-${whole}` : whole));
  }
  // Against a numeric gold, a bare number followed by words is the number (`5 m`, `18 apples`, `3 more
  // marbles`); never inside an expression (`x+2t` keeps its t).
  const unit = /^(-?\d+(?:\.\d+)?)(?:\s*[mshgL]|(?:\s+[a-zA-Z]{2,}){1,4})$/.exec(s);
  if (unit && hint?.kind === 'number') return parseScalar(unit[1], hint, ctx);
  // Prose (`The largest n is 34`) would parse as a product of letters: refuse runs of 3+ plain letters.
  for (const m of s.matchAll(/(?<![\\a-zA-Z])[a-zA-Z]{3,}/g)) {
    if (!PLAIN_NAMES.test(m[0])) throw new ValueParseError(`prose, not math: "${m[0]}"`);
  }
  try {
    return scalarOf(parseLatex(s));
  } catch (e) {
    throw new ValueParseError((e as Error).message);
  }
}

/** True when the relation is an assignment `LHS = RHS` with a symbol-like LHS (`x`, `a_1`, `f(x)`, `|AB|`). */
export function isAssignment(v: Value): boolean {
  if (v.kind !== 'relation' || v.ops.some((o) => o !== '=')) return false;
  const lhs = v.lhsText.replace(/\s+/g, '');
  return (
    /^[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?'*$/.test(lhs) ||
    /^\\[a-zA-Z]+(?:_\{?[a-zA-Z0-9]+\}?)?$/.test(lhs) ||
    /^[a-zA-Z](?:\^\{?-1\}?)?\([a-zA-Z0-9,]+\)$/.test(lhs) ||
    /^\|[^|]+\|$/.test(lhs) ||
    /^(?:\\overline\{[A-Z]+\}|[A-Z]{2,3}|[A-Z]:[A-Z]|(?:m)?\\angle[A-Z]+)$/.test(lhs) ||
    /^\([a-zA-Z](?:,[a-zA-Z])+\)$/.test(lhs) ||
    /^\\text\{[a-zA-Z ]+\}$/.test(lhs)
  );
}
