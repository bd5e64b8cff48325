/** Top-level splitting of an answer string, aware of `() [] {}`, `\{ \}` and `\langle \rangle` nesting. */

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** Walks `s`, calling `visit(i, depth)` at every top-level position; returns false to stop early. */
function walk(s: string, visit: (i: number) => number | void): void {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const m = /^\\(langle|rangle|begin|end|[{}])/.exec(s.slice(i, i + 8));
      if (m && (m[1] === 'langle' || m[1] === '{' || m[1] === 'begin')) depth++;
      else if (m && (m[1] === 'rangle' || m[1] === '}' || m[1] === 'end')) depth--;
      if (depth === 0 && !m) {
        const skip = visit(i);
        if (typeof skip === 'number') {
          i = skip - 1;
          continue;
        }
      }
      i += m ? m[0].length - 1 : 1;
      continue;
    }
    if (OPEN.has(c)) depth++;
    else if (CLOSE.has(c)) depth--;
    else if (depth === 0) {
      const skip = visit(i);
      if (typeof skip === 'number') i = skip - 1;
    }
  }
}

/** Splits on top-level occurrences of any of `seps` (longest first); returns the pieces and separators. */
export function splitTop(s: string, seps: readonly string[]): { parts: string[]; seps: string[] } {
  const sorted = [...seps].sort((a, b) => b.length - a.length);
  const parts: string[] = [];
  const found: string[] = [];
  let last = 0;
  walk(s, (i) => {
    const sep = sorted.find(
      (x) => s.startsWith(x, i) && (!/^\\[a-zA-Z]+$/.test(x) || !/[a-zA-Z]/.test(s[i + x.length] ?? '')),
    );
    if (!sep) return;
    parts.push(s.slice(last, i));
    found.push(sep);
    last = i + sep.length;
    return last;
  });
  parts.push(s.slice(last));
  return { parts: parts.map((p) => p.trim()), seps: found };
}

/** Index of the bracket closing the one at `open` (any of `)]}` closes any opener), or -1. */
export function matchingClose(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      if (s.startsWith('\\{', i) || s.startsWith('\\langle', i)) depth++;
      else if (s.startsWith('\\}', i) || s.startsWith('\\rangle', i)) {
        depth--;
        if (depth === 0) return i;
      }
      i++;
      continue;
    }
    if (OPEN.has(c)) depth++;
    else if (CLOSE.has(c)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
