/**
 * A small LaTeX-to-expression parser (research/verifiers.md 4.4): `\frac`, `\sqrt`, powers, `\cdot`,
 * functions, `\binom`, `!`, floor/ceil/abs, subscripted symbols, implicit products. Letter runs split into
 * single-letter symbols (`xy` is `x*y`); every product is made explicit, so mathjs never reads `x(y)` as a
 * function call. The result is a small AST (ast.ts) that prints as a mathjs expression.
 */
import type { Node } from './ast.js';

export { freeVars, hasDecimal, toMathjs, type Node } from './ast.js';

export class LatexParseError extends Error {}

/** Functions written `\name` (or plain `name`) and their mathjs names. */
const FUNCS: Record<string, string> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  sec: 'sec',
  csc: 'csc',
  cot: 'cot',
  arcsin: 'asin',
  arccos: 'acos',
  arctan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  ln: 'log',
  exp: 'exp',
  log: 'log10',
};
const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'zeta',
  'eta',
  'theta',
  'vartheta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'varphi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Sigma',
  'Phi',
  'Psi',
  'Omega',
]);

type Tok = { k: 'num' | 'let' | 'cmd' | 'ch'; v: string };

const MAX_TOKENS = 2000;

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n') i++;
    else if (/[0-9.]/.test(c)) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)/.exec(s.slice(i, i + 1100));
      if (!m) throw new LatexParseError(`stray "." at ${i}`);
      out.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[a-zA-Z]/.test(c)) {
      out.push({ k: 'let', v: c });
      i++;
    } else if (c === '\\') {
      const m = /^\\(?:[a-zA-Z]+|.)/.exec(s.slice(i, i + 40));
      if (!m) throw new LatexParseError('trailing backslash');
      out.push({ k: 'cmd', v: m[0].slice(1) });
      i += m[0].length;
    } else {
      out.push({ k: 'ch', v: c });
      i++;
    }
    if (out.length > MAX_TOKENS) throw new LatexParseError('expression too long');
  }
  return out;
}

const num = (v: string): Node => ({ t: 'num', v });
const bin = (op: '+' | '-' | '*' | '/' | '^', a: Node, b: Node): Node => ({ t: 'bin', op, a, b });
const fn = (name: string, ...args: Node[]): Node => ({ t: 'fn', name, args });

class Parser {
  private p = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(o = 0): Tok | undefined {
    return this.toks[this.p + o];
  }
  private isCh(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && t.k === 'ch' && t.v === v;
  }
  private isCmd(...v: string[]): boolean {
    const t = this.peek();
    return t !== undefined && t.k === 'cmd' && v.includes(t.v);
  }
  private expect(v: string): void {
    if (!this.isCh(v)) throw new LatexParseError(`expected "${v}"`);
    this.p++;
  }
  private enter(): void {
    if (++this.depth > 50) throw new LatexParseError('nesting deeper than 50');
  }

  parseAll(): Node {
    const n = this.expr();
    if (this.p < this.toks.length) throw new LatexParseError(`unexpected "${this.peek()!.v}"`);
    return n;
  }

  expr(): Node {
    this.enter();
    let n = this.term();
    while (this.isCh('+') || this.isCh('-')) {
      const op = this.toks[this.p++].v as '+' | '-';
      n = bin(op, n, this.term());
    }
    this.depth--;
    return n;
  }

  /** Products and quotients, explicit (`*` `/` `\cdot` `\times` `\div`) or implicit (`2x`, `(a)(b)`). */
  term(): Node {
    let n = this.unary();
    for (;;) {
      if (this.isCh('*') || this.isCmd('cdot', 'times', 'ast')) {
        this.p++;
        n = bin('*', n, this.unary());
      } else if (this.isCh('/') || this.isCmd('div')) {
        this.p++;
        n = bin('/', n, this.unary());
      } else if (this.startsAtom()) n = bin('*', n, this.power());
      else return n;
    }
  }

  unary(): Node {
    if (this.isCh('-')) {
      this.p++;
      return { t: 'neg', a: this.unary() };
    }
    if (this.isCh('+')) {
      this.p++;
      return this.unary();
    }
    return this.power();
  }

  power(): Node {
    const base = this.postfix(this.atom());
    if (this.isCh('^')) {
      this.p++;
      const e = this.isCh('{') ? this.group() : this.isCh('-') ? this.unary() : this.power();
      return bin('^', base, e);
    }
    return base;
  }

  private postfix(n: Node): Node {
    while (this.isCh('!')) {
      this.p++;
      n = fn('factorial', n);
    }
    return n;
  }

  private startsAtom(): boolean {
    const t = this.peek();
    if (!t) return false;
    if (t.k === 'num' || t.k === 'let') return true;
    if (t.k === 'ch') return t.v === '(' || t.v === '{' || (t.v === '|' && !this.absOpen);
    return !['cdot', 'times', 'div', 'ast', 'rfloor', 'rceil', 'rvert', 'right', '}', 'pm', 'mp'].includes(
      t.v,
    );
  }

  private absOpen = false;

  /** `{...}` group. */
  group(): Node {
    this.expect('{');
    const n = this.expr();
    this.expect('}');
    return n;
  }

  /** A `\frac`/`\sqrt` argument: a braced group or one token (`\frac12`, `\frac{270}7`, `\sqrt3`). */
  private arg(): Node {
    if (this.isCh('{')) return this.group();
    const t = this.peek();
    if (!t) throw new LatexParseError('missing argument');
    if (t.k === 'num' && t.v.length > 1 && /^\d+$/.test(t.v)) {
      // One digit only: the rest stays for the next argument (`\frac12` is 1/2).
      this.toks[this.p] = { k: 'num', v: t.v.slice(1) };
      return num(t.v[0]);
    }
    return this.atom();
  }

  atom(): Node {
    const t = this.peek();
    if (!t) throw new LatexParseError('unexpected end');
    if (t.k === 'num') {
      this.p++;
      return num(t.v);
    }
    if (t.k === 'let') return this.letter();
    if (t.k === 'ch') return this.bracket(t.v);
    return this.command(t.v);
  }

  private letter(): Node {
    const t = this.toks[this.p];
    // Plain function names (`sin(x)`, `ln x`, `sqrt(2)`) are kept whole.
    for (const name of [...Object.keys(FUNCS), 'sqrt', 'pi']) {
      const word = this.toks
        .slice(this.p, this.p + name.length)
        .map((x) => (x.k === 'let' ? x.v : '#'))
        .join('');
      const next = this.toks[this.p + name.length];
      if (word === name && !(next && next.k === 'let')) {
        this.p += name.length;
        if (name === 'pi') return { t: 'const', name: 'pi' };
        return this.applyFunc(name === 'sqrt' ? 'sqrt' : FUNCS[name]);
      }
    }
    this.p++;
    if (t.v === 'e') return { t: 'const', name: 'e' };
    if (t.v === 'i') return { t: 'const', name: 'i' };
    return { t: 'sym', name: t.v + this.subscript() };
  }

  /** `_1`, `_{12}`, `_{n+1}` after a symbol, as part of its name. */
  private subscript(): string {
    if (!this.isCh('_')) return '';
    this.p++;
    if (this.isCh('{')) {
      let s = '';
      this.p++;
      while (this.peek() && !this.isCh('}')) s += this.toks[this.p++].v.replace(/[^A-Za-z0-9]/g, '');
      this.expect('}');
      return `_${s}`;
    }
    const t = this.peek();
    if (!t) throw new LatexParseError('missing subscript');
    if (t.k === 'num' && t.v.length > 1 && /^\d+$/.test(t.v)) {
      this.toks[this.p] = { k: 'num', v: t.v.slice(1) };
      return `_${t.v[0]}`;
    }
    this.p++;
    return `_${t.v}`;
  }

  private bracket(c: string): Node {
    if (c === '(' || c === '[') {
      this.p++;
      const n = this.expr();
      this.expect(c === '(' ? ')' : ']');
      return n;
    }
    if (c === '{') return this.group();
    if (c === '|') {
      this.p++;
      const saved = this.absOpen;
      this.absOpen = true;
      const n = this.expr();
      this.absOpen = saved;
      this.expect('|');
      return fn('abs', n);
    }
    throw new LatexParseError(`unexpected "${c}"`);
  }

  private command(name: string): Node {
    this.p++;
    switch (name) {
      case 'frac': {
        const a = this.arg();
        return bin('/', a, this.arg());
      }
      case 'sqrt': {
        if (this.isCh('[')) {
          this.p++;
          const n = this.expr();
          this.expect(']');
          return fn('nthRoot', this.arg(), n);
        }
        return fn('sqrt', this.arg());
      }
      case 'binom': {
        const n = this.arg();
        return fn('combinations', n, this.arg());
      }
      case 'pi':
        return { t: 'const', name: 'pi' };
      case 'infty':
        return { t: 'const', name: 'Infinity' };
      case 'lfloor':
      case 'lceil': {
        const n = this.expr();
        if (!this.isCmd(name === 'lfloor' ? 'rfloor' : 'rceil'))
          throw new LatexParseError(`unclosed \\${name}`);
        this.p++;
        return fn(name === 'lfloor' ? 'floor' : 'ceil', n);
      }
      case 'lvert':
      case '|': {
        const n = this.expr();
        if (!this.isCmd(name === '|' ? '|' : 'rvert')) throw new LatexParseError('unclosed absolute value');
        this.p++;
        return fn('abs', n);
      }
      case 'text':
        return this.textArg();
      case 'log':
        if (this.isCh('_')) {
          this.p++;
          const b = this.arg();
          return fn('log', this.funcArg(), b);
        }
        return this.applyFunc('log10');
    }
    if (FUNCS[name]) return this.applyFunc(FUNCS[name]);
    if (GREEK.has(name)) return { t: 'sym', name: name + this.subscript() };
    throw new LatexParseError(`unsupported \\${name}`);
  }

  /** `\text{12}` is the number 12; `\text{x}` a symbol; other words do not parse as math. */
  private textArg(): Node {
    this.expect('{');
    let s = '';
    while (this.peek() && !this.isCh('}')) s += this.toks[this.p++].v;
    this.expect('}');
    if (/^\d+(\.\d+)?$/.test(s)) return num(s);
    if (/^[a-zA-Z]$/.test(s)) return s === 'e' ? { t: 'const', name: 'e' } : { t: 'sym', name: s };
    throw new LatexParseError(`text "${s}" in an expression`);
  }

  /** `\sin^2 x` is `sin(x)^2`; `\sin^{-1}` is arcsin. */
  private applyFunc(name: string): Node {
    let pow: Node | null = null;
    if (this.isCh('^')) {
      this.p++;
      pow = this.isCh('{') ? this.group() : this.atom();
    }
    const inv = pow && pow.t === 'neg' && pow.a.t === 'num' && pow.a.v === '1';
    const fname = inv && /^(sin|cos|tan)$/.test(name) ? `a${name}` : name;
    const a = fn(fname, this.funcArg());
    return pow && !inv ? bin('^', a, pow) : a;
  }

  /** A function argument: `(...)`, `{...}`, or an implicit product of atoms (`\sin 2x`). */
  private funcArg(): Node {
    if (this.isCh('(') || this.isCh('{')) return this.power();
    let n = this.power();
    while (this.startsAtom() && !this.isCmd(...Object.keys(FUNCS), 'log')) n = bin('*', n, this.power());
    return n;
  }
}

/** Parses a normalised LaTeX expression; throws LatexParseError on anything it does not understand. */
export function parseLatex(s: string): Node {
  const toks = tokenize(s);
  if (toks.length === 0) throw new LatexParseError('empty expression');
  return new Parser(toks).parseAll();
}
