/**
 * `verifyAnswer(completion, gold, {mode})` (spec envs.md, "The verifier"): extraction, normalisation,
 * typed comparison. Never throws: any internal failure is a verdict.
 */
import { extractCandidates, extractFirst } from './extract.js';
import { lastBoxedAnswer } from './boxes.js';
import { parseDecimal, ratEq } from './rational.js';
import type { Extraction, VerifyMode, VerifyOptions, VerifyResult } from './types.js';

type Outcome = 'match' | 'mismatch' | 'parse_error' | 'timeout';

function light(s: string): string {
  return s
    .replace(/\\[,;:!]|\s|\$/g, '')
    .replace(/\{,\}/g, '')
    .replace(/^(-?\d{1,3})((?:,\d{3})+)(?=$|\.)/, (_m, a: string, b: string) => a + b.replace(/,/g, ''))
    .replace(/[.]$/, '');
}

function compare(pred: string, gold: string): Outcome {
  const p = light(pred);
  const g = light(gold);
  const pn = parseDecimal(p);
  const gn = parseDecimal(g);
  if (pn && gn) return ratEq(pn, gn) ? 'match' : 'mismatch';
  if (p === '') return 'parse_error';
  return p === g ? 'match' : 'mismatch';
}

/** The gold as the verifier reads it: a boxed gold is unboxed first. */
export function goldAnswer(gold: string): string {
  if (gold.includes('\\boxed') || gold.includes('\\fbox')) {
    const b = lastBoxedAnswer(gold);
    if (b.answer !== null) return b.answer;
  }
  return gold;
}

export function verifyAnswer(completion: string, gold: string, opts: VerifyOptions = {}): VerifyResult {
  const mode: VerifyMode = opts.mode ?? 'reward';
  try {
    const { candidates, reason } = extractCandidates(completion, mode);
    if (candidates.length === 0) {
      return { correct: false, formatValid: false, extracted: null, reason: reason ?? 'no_answer' };
    }
    const g = goldAnswer(String(gold));
    let firstError: string | null = null;
    for (const c of candidates) {
      const out = compare(c.answer, g);
      if (out === 'parse_error') {
        firstError ??= c.answer;
        continue;
      }
      return { correct: out === 'match', formatValid: true, extracted: c.answer, reason: out };
    }
    return { correct: false, formatValid: true, extracted: firstError, reason: 'parse_error' };
  } catch {
    return { correct: false, formatValid: false, extracted: null, reason: 'parse_error' };
  }
}

export function extractAnswer(completion: string, opts: { mode?: VerifyMode } = {}): Extraction {
  try {
    return extractFirst(completion, opts.mode ?? 'reward');
  } catch {
    return { answer: null, reason: 'no_answer' };
  }
}
