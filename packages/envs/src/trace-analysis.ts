/**
 * Where the think tokens of a chain trace go (for `brevity eval`: "share of think tokens spent on checks").
 * Works on the trace style of both testbeds: steps `a+b=r.`, checks `c a+b=r.`, inside `<think>...</think>`,
 * then `\boxed{...}`. A check right after a step with the same expression and a different result is a
 * repair; any other check is a redundant restatement. A plain step is always counted as a step, even when
 * it repeats an earlier one (`4+0=4.4+0=4.` is a legitimate chain for `8+6+0+0=`).
 */
import type { CharTokenizer } from './tokenizer.js';
import { lastBoxedAnswer } from './verifier/boxes.js';

export interface TraceAnalysis {
  /** Tokens strictly between `<think>` and `</think>` (to the end of the text when unclosed). */
  thinkTokens: number;
  /** Tokens in checks (redundant plus repairing), each including its marker and final `.`. */
  checkTokens: number;
  /** Tokens in checks that do not change the step right before them. */
  redundantTokens: number;
  /** Tokens in checks that correct the step right before them. */
  repairTokens: number;
  /** Plain steps (not checks). */
  steps: number;
  /** Checks (`c...`), repairs included. */
  checks: number;
  repairs: number;
  /** Steps and checks whose stated result is arithmetically wrong. */
  wrongSteps: number;
  /** Think tokens that are neither steps nor checks (malformed text). */
  otherTokens: number;
  /** `checkTokens / thinkTokens` (0 without think tokens). */
  checkShare: number;
  closedThink: boolean;
  /** A closed `\boxed{}` after `</think>`. */
  hasAnswer: boolean;
  answer: string | null;
}

export interface AnalyzeOptions {
  /** Counts tokens of each piece; without it every character is one token. */
  tokenizer?: CharTokenizer;
  /** Step results are taken modulo this (modchain: 10); absent means exact integers. */
  modulus?: number;
}

const STEP_RE = /^(-?\d+)([+\-*])(-?\d+)=(-?\d+)$/;

function stepIsRight(expr: RegExpExecArray, modulus: number | undefined): boolean {
  const a = Number(expr[1]);
  const b = Number(expr[3]);
  const r = Number(expr[4]);
  const v = expr[2] === '+' ? a + b : expr[2] === '-' ? a - b : a * b;
  return modulus ? ((v % modulus) + modulus) % modulus === r : v === r;
}

function countTokens(s: string, tok: CharTokenizer | undefined): number {
  if (!tok || !tok.canEncode(s)) return s.length;
  return tok.encode(s).length;
}

/** Analyses a response (text, or token ids together with `opts.tokenizer`). */
export function analyzeTrace(input: string | ArrayLike<number>, opts: AnalyzeOptions = {}): TraceAnalysis {
  const tok = opts.tokenizer;
  if (typeof input !== 'string' && !tok) throw new Error('analyzeTrace: token ids need opts.tokenizer');
  const text = typeof input === 'string' ? input : tok!.decode(input, { skipSpecial: true });
  const open = text.indexOf('<think>');
  const close = text.lastIndexOf('</think>');
  const bodyStart = open >= 0 ? open + '<think>'.length : 0;
  const closedThink = close >= bodyStart;
  const body = text.slice(bodyStart, closedThink ? close : text.length);
  const out: TraceAnalysis = {
    thinkTokens: 0,
    checkTokens: 0,
    redundantTokens: 0,
    repairTokens: 0,
    steps: 0,
    checks: 0,
    repairs: 0,
    wrongSteps: 0,
    otherTokens: 0,
    checkShare: 0,
    closedThink,
    hasAnswer: false,
    answer: null,
  };
  let prevStep: RegExpExecArray | null = null;
  const pieces = body.split('.');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const withDot = i < pieces.length - 1 ? piece + '.' : piece;
    if (withDot === '') continue;
    const n = countTokens(withDot, tok);
    out.thinkTokens += n;
    const isCheck = piece.startsWith('c');
    const m = STEP_RE.exec(isCheck ? piece.slice(1) : piece);
    if (!m) {
      out.otherTokens += n;
      prevStep = null;
      continue;
    }
    const right = stepIsRight(m, opts.modulus);
    if (!right) out.wrongSteps++;
    if (isCheck) {
      out.checks++;
      out.checkTokens += n;
      const repairs =
        prevStep &&
        `${prevStep[1]}${prevStep[2]}${prevStep[3]}` === `${m[1]}${m[2]}${m[3]}` &&
        prevStep[4] !== m[4];
      if (repairs) {
        out.repairs++;
        out.repairTokens += n;
      } else out.redundantTokens += n;
      prevStep = null;
    } else {
      out.steps++;
      prevStep = m;
    }
  }
  out.checkShare = out.thinkTokens > 0 ? out.checkTokens / out.thinkTokens : 0;
  if (closedThink) {
    const box = lastBoxedAnswer(text.slice(close + '</think>'.length));
    out.hasAnswer = box.answer !== null;
    out.answer = box.answer;
  }
  return out;
}
