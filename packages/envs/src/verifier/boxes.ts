/**
 * `\boxed{...}` / `\fbox{...}` scanning (research/verifiers.md 4.2 step 2): brace matching that honours
 * nesting and treats `\{` `\}` as ordinary characters; an unbalanced box is truncated output and yields
 * nothing; neighbouring boxes merge only when separated by a bare separator (never self-corrections).
 */

export interface Box {
  /** Offset of the backslash of `\boxed` / `\fbox`. */
  start: number;
  /** Offset just past the box. */
  end: number;
  content: string;
  /** True when the box opened a brace that never closed. */
  unclosed: boolean;
}

const BOX_RE = /\\(?:boxed|fbox)(?![A-Za-z])/g;

/** Reads the box whose command starts at `start` (`cmdEnd` just past the command name). */
function readBox(text: string, start: number, cmdEnd: number): Box {
  let i = cmdEnd;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (text[i] !== '{') {
    // `\boxed 7`: up to the next `$`, whitespace or end of text.
    let j = i;
    while (j < text.length && !/[\s$]/.test(text[j])) j++;
    return { start, end: j, content: text.slice(i, j), unclosed: false };
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') {
      j++; // `\{`, `\}` and `\\` are ordinary characters
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return { start, end: j + 1, content: text.slice(i + 1, j), unclosed: false };
    }
  }
  return { start, end: text.length, content: text.slice(i + 1), unclosed: true };
}

/** All boxes of `text`, left to right (a box nested in another box is not listed separately). */
export function findBoxes(text: string): Box[] {
  const out: Box[] = [];
  BOX_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BOX_RE.exec(text)) !== null) {
    const box = readBox(text, m.index, m.index + m[0].length);
    out.push(box);
    if (box.unclosed) break;
    BOX_RE.lastIndex = Math.max(box.end, m.index + m[0].length);
  }
  return out;
}

/** True when the text between two boxes is nothing but a list separator (`,` `;` `and` `or`) or empty. */
function isSeparator(between: string): boolean {
  const s = between
    .replace(/\\q?quad|\\[,;: !]|~|\$|\\\(|\\\)|\\\[|\\\]/g, '')
    .replace(/\\text\{\s*(and|or)\s*\}/g, '$1')
    .trim()
    .toLowerCase();
  return s === '' || s === ',' || s === ';' || s === 'and' || s === 'or' || s === ', and' || s === ', or';
}

/**
 * The final boxed answer of `text`: the last box, merged with directly preceding boxes that are joined only
 * by separators (`\boxed{1}, \boxed{2}` is the list `1, 2`); identical neighbours are de-duplicated.
 * Returns `unclosed` when the last box never closes (truncated output).
 */
export function lastBoxedAnswer(text: string): { answer: string | null; unclosed: boolean } {
  const boxes = findBoxes(text);
  if (boxes.length === 0) return { answer: null, unclosed: false };
  const last = boxes[boxes.length - 1];
  if (last.unclosed) return { answer: null, unclosed: true };
  const parts = [last.content.trim()];
  for (let k = boxes.length - 2; k >= 0; k--) {
    if (!isSeparator(text.slice(boxes[k].end, boxes[k + 1].start))) break;
    const c = boxes[k].content.trim();
    if (c !== parts[0]) parts.unshift(c);
  }
  return { answer: parts.map(unwrapBox).join(', '), unclosed: false };
}

/** `\boxed{\boxed{4}}` and `\boxed{\fbox{4}}` read as `4`. */
function unwrapBox(content: string): string {
  for (let k = 0; k < 8; k++) {
    const inner = findBoxes(content);
    if (inner.length !== 1 || inner[0].unclosed || inner[0].start !== 0 || inner[0].end !== content.length)
      break;
    content = inner[0].content.trim();
  }
  return content;
}
