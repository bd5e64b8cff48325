/**
 * Answer extraction (research/verifiers.md 4.2). `reward` mode: only a box after the last `</think>`.
 * `eval` mode: boxes, the Minerva sentence, `####`, `Answer:` lines, "the answer is", the last math
 * environment and the last number, in that order. Every scan is linear in the input; regexes run on at
 * most the last 20,000 characters.
 */
import { lastBoxedAnswer } from './boxes.js';
import type { Extraction, VerifyMode } from './types.js';

const REGEX_WINDOW = 20_000;
const NUMBER_WINDOW = 2_000;

export interface Candidate {
  answer: string;
  via: string;
}

/** Splits off the reasoning: the text after the last `</think>`, or null when `<think>` never closes. */
export function afterThink(text: string): string | null {
  const close = text.lastIndexOf('</think>');
  if (close >= 0) return text.slice(close + '</think>'.length);
  return text.includes('<think>') ? null : text;
}

export interface MathEnv {
  content: string;
  start: number;
  end: number;
}

const CLOSERS: Record<string, string> = { $$: '$$', '\\[': '\\]', '\\(': '\\)', $: '$' };

/** LaTeX math environments `$$..$$`, `\[..\]`, `$..$` (one line), `\(..\)` (one line), left to right. */
export function mathEnvs(text: string): MathEnv[] {
  const out: MathEnv[] = [];
  const exhausted = new Set<string>();
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    let open: string | null = null;
    if (ch === '$') open = text[i + 1] === '$' ? '$$' : '$';
    else if (ch === '\\' && (text[i + 1] === '[' || text[i + 1] === '(')) open = text.slice(i, i + 2);
    else if (ch === '\\') {
      i += 2; // an escaped character such as `\$` is never a delimiter
      continue;
    }
    if (open === null || exhausted.has(open)) {
      i++;
      continue;
    }
    const from = i + open.length;
    let close = findCloser(text, from, CLOSERS[open], open === '$' || open === '\\(');
    if (close < 0) {
      if (open !== '$') exhausted.add(open); // no later opener of this kind can close either
      i = from;
      continue;
    }
    out.push({ content: text.slice(from, close), start: i, end: close + CLOSERS[open].length });
    close += CLOSERS[open].length;
    i = close;
  }
  return out;
}

function findCloser(text: string, from: number, closer: string, oneLine: boolean): number {
  const lineEnd = oneLine ? text.indexOf('\n', from) : -1;
  const limit = lineEnd < 0 ? text.length : lineEnd;
  for (let j = from; j < limit; j++) {
    if (text[j] === '\\' && closer === '$') {
      j++; // `\$` inside `$..$`
      continue;
    }
    if (text.startsWith(closer, j)) return j;
  }
  return -1;
}

const SEP_RE = /^\s*(?:,|;|and|or|,\s*and|,\s*or)?\s*$/i;

/** The last math environment, joined with preceding ones separated only by `,`/`and`/`or`; keeps a `%`. */
function lastMathEnv(text: string): string | null {
  const envs = mathEnvs(text).filter((e) => e.content.trim() !== '');
  if (envs.length === 0) return null;
  const pct = (e: MathEnv) => (/^\s*\\?%/.test(text.slice(e.end, e.end + 4)) ? '\\%' : '');
  const parts = [envs[envs.length - 1].content.trim() + pct(envs[envs.length - 1])];
  for (let k = envs.length - 2; k >= 0 && parts.length < 8; k--) {
    if (!SEP_RE.test(text.slice(envs[k].end, envs[k + 1].start))) break;
    parts.unshift(envs[k].content.trim() + pct(envs[k]));
  }
  return parts.join(', ');
}

const NUMBER_RE = /-?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|-?\d*\.?\d+%?/g;

function lastNumberAt(text: string): { value: string; end: number } | null {
  const from = Math.max(0, text.length - NUMBER_WINDOW);
  let last: { value: string; end: number } | null = null;
  for (const m of text.slice(from).matchAll(NUMBER_RE))
    last = { value: m[0], end: from + m.index + m[0].length };
  return last;
}

const lastNumber = (text: string) => lastNumberAt(text)?.value ?? null;

/** The rightmost math environment or number (whichever ends later) of an anchored remainder. */
function insideRemainder(rem: string): string | null {
  const envs = mathEnvs(rem).filter((e) => e.content.trim() !== '');
  const env = envs[envs.length - 1];
  const num = lastNumberAt(rem);
  if (env && (!num || env.end >= num.end)) return lastMathEnv(rem);
  return num ? num.value : null;
}

function lastMatch(re: RegExp, text: string): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(re)) last = m as RegExpExecArray;
  return last;
}

/** Remainder of "the answer is": up to a blank line or a period followed by whitespace or the end. */
function sentenceRemainder(rest: string): string {
  const blank = rest.search(/\n\s*\n/);
  let s = blank >= 0 ? rest.slice(0, blank) : rest;
  const stop = s.search(/\.(?:\s|$)/);
  if (stop >= 0) s = s.slice(0, stop);
  return s;
}

const trimAnswer = (s: string) =>
  s
    .trim()
    .replace(/^[:\s]+/, '')
    .replace(/[.,;:\s]+$/, '');

/** Anchored candidates for eval mode (steps 3-6): each yields the whole remainder, then what is inside it. */
function anchoredCandidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  const lower = text.toLowerCase();
  const hope = lower.lastIndexOf('. i hope it is correct');
  if (hope >= 0) {
    const a = lower.lastIndexOf('the final answer is', hope);
    if (a >= 0) out.push({ answer: text.slice(a + 'the final answer is'.length, hope), via: 'minerva' });
  }
  const hashes = text.lastIndexOf('####');
  if (hashes >= 0) out.push({ answer: text.slice(hashes + 4).split('\n')[0], via: 'hashes' });
  const line = lastMatch(/\banswer\s*:/gi, text);
  if (line) out.push({ answer: text.slice(line.index + line[0].length).split('\n')[0], via: 'answer-line' });
  const is = lastMatch(/\b(?:final answer|the answer)\s+is\b:?/gi, text);
  if (is) out.push({ answer: sentenceRemainder(text.slice(is.index + is[0].length)), via: 'answer-is' });
  const expanded: Candidate[] = [];
  for (const c of out) {
    const whole = trimAnswer(c.answer);
    if (whole) expanded.push({ answer: whole, via: c.via });
    const inner = c.via === 'minerva' ? null : insideRemainder(c.answer);
    if (inner && trimAnswer(inner) !== whole)
      expanded.push({ answer: trimAnswer(inner), via: `${c.via}-inner` });
  }
  return expanded;
}

/**
 * Every candidate answer in priority order; `verifyAnswer` takes the first that parses. Returns the reason
 * when there can be none (truncated reasoning, or an unclosed last box).
 */
export function extractCandidates(
  completion: string,
  mode: VerifyMode,
): { candidates: Candidate[]; reason?: 'no_answer' | 'truncated' } {
  const text = typeof completion === 'string' ? completion : String(completion ?? '');
  const after = afterThink(text);
  if (after === null) return { candidates: [], reason: 'truncated' };
  const box = lastBoxedAnswer(after);
  if (box.unclosed) return { candidates: [], reason: 'no_answer' };
  const candidates: Candidate[] = [];
  if (box.answer !== null && box.answer !== '') candidates.push({ answer: box.answer, via: 'box' });
  if (mode === 'eval') {
    const tail = after.slice(-REGEX_WINDOW);
    candidates.push(...anchoredCandidates(tail));
    const env = lastMathEnv(tail);
    if (env) candidates.push({ answer: env, via: 'math-env' });
    const num = lastNumber(tail);
    if (num) candidates.push({ answer: num, via: 'last-number' });
  }
  return candidates.length > 0 ? { candidates } : { candidates, reason: 'no_answer' };
}

/** The first candidate answer (without checking that it parses; `verifyAnswer` does that). */
export function extractFirst(completion: string, mode: VerifyMode): Extraction {
  const { candidates, reason } = extractCandidates(completion, mode);
  if (candidates.length === 0) return { answer: null, reason: reason ?? 'no_answer' };
  return { answer: candidates[0].answer, via: candidates[0].via };
}
