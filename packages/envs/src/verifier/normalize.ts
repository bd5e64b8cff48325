/**
 * Normalisation of an extracted answer, both sides (research/verifiers.md 4.3): unicode, delimiters,
 * layout, thousands separators, currency and degrees, trailing units, the percent flag, shorthand.
 * Never deletes letters inside an answer (Qwen's `m+n` -> `+n`); single-letter units are handled by the
 * value parser, only for a bare `<number> <unit>` against a variable-free gold.
 */

export interface Normalized {
  text: string;
  /** A `%` (or `percent`) ended the answer and was removed. */
  percent: boolean;
}

const UNICODE: [RegExp, string][] = [
  [/[\u2212\u2013\u2014\ufe63\uff0d]/g, '-'],
  [/[\u00d7\u00b7\u22c5]/g, '*'],
  [/\u00f7/g, '/'],
  [/\u03c0/g, '\\pi '],
  [/\u221e/g, '\\infty '],
  [/\u221a/g, '\\sqrt'],
  [/\u2264/g, '\\le '],
  [/\u2265/g, '\\ge '],
  [/\u2260/g, '\\ne '],
  [/\u00b0/g, '^\\circ'],
  [/[\u00a0\u2009\u202f]/g, ' '],
  [/\uff05/g, '%'],
];

/** Trailing unit words, stripped only after a number (research/verifiers.md 4.3 step 6). */
const UNIT_WORDS = [
  'square units',
  'cubic units',
  'sq units',
  'units?',
  'cm',
  'km',
  'mm',
  'inch(?:es)?',
  'in',
  'ft',
  'feet',
  'foot',
  'yd',
  'yards?',
  'miles?',
  'mph',
  'kph',
  'km/h',
  'secs?',
  'seconds?',
  'mins?',
  'minutes?',
  'hrs?',
  'hours?',
  'days?',
  'weeks?',
  'months?',
  'years?',
  'kg',
  'lbs?',
  'pounds?',
  'oz',
  'ml',
  'mL',
  'liters?',
  'litres?',
  'meters?',
  'metres?',
  'grams?',
  'dollars?',
  'cents?',
  'USD',
  'degrees?',
  'sq',
  'cubic',
  'people',
  'students',
  'points?',
  'ways',
];
const UNIT_RE = new RegExp(
  `(?<=[\\d}.)])\\s*(?:square\\s+|sq\\s+|cubic\\s+)?(?:${UNIT_WORDS.join('|')})(?:\\^\\{?[23]\\}?)?\\s*$`,
  'i',
);

function unicode(s: string): string {
  for (const [re, rep] of UNICODE) s = s.replace(re, rep);
  // Full-width digits.
  return s.replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48));
}

function layout(s: string): string {
  return s
    .replace(/\\left\s*\.|\\right\s*\./g, '')
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big|displaystyle|textstyle)(?![a-zA-Z])/g, '')
    .replace(/(\d),\\!\s*(?=\d)/g, '$1') // `10,\!080`
    .replace(/\{,\}/g, '') // `10{,}080`
    .replace(/(\d),\\[ ,](?=\d{3})/g, '$1') // `1,\ 000`
    .replace(/\\!/g, '')
    .replace(/(\d)(?:\\[,;: ]|~)+(?=\d)/g, '$1') // `1\,000`
    .replace(/\\[,;: ]|~|\\q?quad(?![a-zA-Z])/g, ' ')
    .replace(/\\[dtc]frac(?![a-zA-Z])/g, '\\frac')
    .replace(/\\[dt]binom(?![a-zA-Z])/g, '\\binom')
    .replace(
      /\\(?:mathrm|mathbf|textbf|textnormal|textrm|mbox|operatorname|textit|mathit|texttt|mathsf|hbox)(?![a-zA-Z])/g,
      '\\text',
    )
    .replace(/\\(?:leqslant|leq|le)(?![a-zA-Z])/g, '\\le ')
    .replace(/\\(?:geqslant|geq|ge)(?![a-zA-Z])/g, '\\ge ')
    .replace(/\\(?:neq|ne)(?![a-zA-Z])/g, '\\ne ')
    .replace(/\\lt(?![a-zA-Z])/g, '<')
    .replace(/\\gt(?![a-zA-Z])/g, '>');
}

function currencyDegrees(s: string): string {
  return s
    .replace(/\\\$/g, '')
    .replace(/\$/g, '')
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree(?![a-zA-Z])/g, '')
    .replace(/\\text\{\s*degrees?\s*\}/g, '')
    .replace(/^\s*(?:USD|US\$)\s*/, '');
}

/** Detects and removes a trailing percent sign or word. */
function percent(s: string): { text: string; percent: boolean } {
  const m = /(?:\\%|%|\\text\{\s*(?:\\%|%|percent)\s*\}|\s*\bpercent(?:age)?)\s*$/.exec(s);
  if (!m || m.index === 0) return { text: s, percent: false };
  return { text: s.slice(0, m.index).trim(), percent: true };
}

/** Drops a trailing `\text{...}` unit (after a number or expression) and trailing unit words. */
function units(s: string): string {
  for (let k = 0; k < 2; k++) {
    const m = /\\text\s*\{[^{}]*\}(?:\s*\^\s*\{?[23]\}?)?\s*$/.exec(s);
    if (m && m.index > 0) {
      const before = s.slice(0, m.index).trim();
      if (/[\d}a-zA-Z)]$/.test(before) && !/\\text\s*$/.test(before)) s = before;
    }
    s = s.replace(UNIT_RE, '').trim();
  }
  return s;
}

export function normalizeAnswer(raw: string): Normalized {
  // Protect the matrix row separator `\\` from the single-backslash rules below.
  let s = unicode(raw).trim().replace(/\\\\/g, '\uE000');
  s = s.replace(/\\\(|\\\)|\\\[|\\\]/g, ' ');
  s = layout(s);
  s = currencyDegrees(s);
  s = s.replace(/\s+/g, ' ').trim();
  s = s
    .replace(/^:\s*/, '')
    .replace(/(?<!\\)[.,;:]\s*$/, '')
    .trim();
  // A whole answer in scientific notation (`1e5`, `-2.5E-3`) is a number, not 1*e*5; `2e` stays 2*e.
  s = s.replace(/^([+-]?(?:\d+\.?\d*|\.\d+))[eE]([+-]?\d+)$/, '$1\\times10^{$2}');
  const pct = percent(s);
  s = units(pct.text);
  s = s
    .replace(/(?<![\\a-zA-Z])inf(?:inity)?(?![a-zA-Z])/gi, '\\infty')
    .replace(/(^|[\s(\-,[])\.(\d)/g, (_m, pre: string, d: string) => `${pre}0.${d}`) // `.5` -> `0.5`
    .replace(/\s+/g, ' ')
    .trim();
  return { text: s.replace(/\uE000/g, '\\\\'), percent: pct.percent };
}

/** Text-answer normalisation: lowercase, collapsed spaces, `(c)` -> `c`, no leading article. */
export function normalizeText(s: string): string {
  let t = s
    .replace(/\\text\s*\{([^{}]*)\}/g, '$1')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
  t = t.replace(/^\(([a-z])\)$/, '$1');
  t = t.replace(/^(?:a|an|the) /, '');
  return t;
}
