/** The expression AST of the LaTeX parser, its mathjs printer and small queries. */

export type Node =
  | { t: 'num'; v: string }
  | { t: 'sym'; name: string }
  | { t: 'const'; name: 'pi' | 'e' | 'i' | 'Infinity' }
  | { t: 'neg'; a: Node }
  | { t: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: Node; b: Node }
  | { t: 'fn'; name: string; args: Node[] };

const PREC: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 3 };

/** The expression as a mathjs string, fully parenthesised; symbols are prefixed `v_` to avoid mathjs names. */
export function toMathjs(n: Node): string {
  switch (n.t) {
    case 'num':
      return n.v.startsWith('.') ? `0${n.v}` : n.v;
    case 'sym':
      return `v_${n.name}`;
    case 'const':
      return n.name;
    case 'neg':
      return `(-${toMathjs(n.a)})`;
    case 'bin': {
      // Left-nested chains of the same precedence (`x+x+...+x`) print flat: mathjs parses deep
      // parentheses slowly, and a left operand never needs them under left associativity.
      const flat = n.op !== '^' && n.a.t === 'bin' && PREC[n.a.op] === PREC[n.op];
      const left = flat ? toMathjs(n.a).slice(1, -1) : toMathjs(n.a);
      return `(${left}${n.op}${toMathjs(n.b)})`;
    }
    case 'fn':
      return `${n.name}(${n.args.map(toMathjs).join(',')})`;
  }
}

/** Free variables of an expression, sorted. */
export function freeVars(n: Node, out = new Set<string>()): Set<string> {
  if (n.t === 'sym') out.add(n.name);
  else if (n.t === 'neg') freeVars(n.a, out);
  else if (n.t === 'bin') {
    freeVars(n.a, out);
    freeVars(n.b, out);
  } else if (n.t === 'fn') n.args.forEach((a) => freeVars(a, out));
  return out;
}

/** True when a decimal literal (an approximation) appears anywhere. */
export function hasDecimal(n: Node): boolean {
  if (n.t === 'num') return n.v.includes('.');
  if (n.t === 'neg') return hasDecimal(n.a);
  if (n.t === 'bin') return hasDecimal(n.a) || hasDecimal(n.b);
  if (n.t === 'fn') return n.args.some(hasDecimal);
  return false;
}
