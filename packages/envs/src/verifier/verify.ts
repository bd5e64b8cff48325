/**
 * `verifyAnswer(completion, gold, {mode})` (spec envs.md, "The verifier"): extraction, normalisation,
 * typed comparison under a time budget. Never throws: every failure is a verdict with a reason.
 */
import { lastBoxedAnswer } from './boxes.js';
import { valuesEqual } from './compare.js';
import { extractCandidates } from './extract.js';
import { Deadline, GuardError, TimeoutError } from './guard.js';
import { normalizeAnswer } from './normalize.js';
import { mathjs } from './numeric.js';
import { parseDecimal, ratEq } from './rational.js';
import type { Extraction, VerifyMode, VerifyOptions, VerifyReason, VerifyResult } from './types.js';
import { parseValue, type Value } from './values.js';

/** In-process budget per call: typical checks take well under 1 ms, guarded worst cases tens of ms. */
const DEFAULT_BUDGET_MS = 1000;

/** The gold as the verifier reads it: a boxed gold is unboxed; a GSM8K solution gives its `####` tail. */
export function goldAnswer(gold: unknown): string {
  const g = typeof gold === 'number' ? String(gold) : String(gold ?? '');
  if (g.includes('\\boxed') || g.includes('\\fbox')) {
    const b = lastBoxedAnswer(g);
    if (b.answer !== null) return b.answer;
  }
  const hashes = g.lastIndexOf('####');
  return hashes >= 0 ? g.slice(hashes + 4).trim() : g;
}

const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
const THOUSANDS = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
/** `1,450,000` -> `1450000` (a plain number gold is a scalar, so grouped digits are one number). */
const ungroup = (s: string) => (THOUSANDS.test(s) ? s.replace(/,/g, '') : s);

/** Fast path: both sides plain decimal literals (the GSM8K / AIME / modchain case). */
function fastNumeric(pred: string, gold: string): VerifyReason | null {
  const p = ungroup(pred.trim());
  const g = ungroup(gold.trim());
  if (!PLAIN_NUMBER.test(p) || !PLAIN_NUMBER.test(g)) return null;
  const a = parseDecimal(p);
  const b = parseDecimal(g);
  if (!a || !b) return null;
  if (ratEq(a, b)) return 'match';
  // Integers never match approximately; with a decimal, only the 6-place rule could still apply.
  return !p.includes('.') && !g.includes('.') ? 'mismatch' : null;
}

interface GoldParse {
  text: string;
  norm: string;
  value: Value | null;
}

const goldCache = new Map<string, GoldParse>();

function parseGold(gold: string): GoldParse {
  let hit = goldCache.get(gold);
  if (!hit) {
    let value: Value | null = null;
    try {
      value = parseValue(gold, { isGold: true });
    } catch {
      value = null;
    }
    hit = { text: gold, norm: squash(gold), value };
    if (goldCache.size > 10_000) goldCache.clear();
    goldCache.set(gold, hit);
  }
  return hit;
}

function squash(s: string): string {
  try {
    const n = normalizeAnswer(s);
    return `${n.text.replace(/\s+/g, '')}${n.percent ? '%' : ''}`;
  } catch {
    return s;
  }
}

/** Compares one candidate with the gold: match, mismatch, parse_error (try the next candidate) or timeout. */
function compareOne(pred: string, gold: GoldParse, deadline: () => Deadline): VerifyReason {
  const fast = fastNumeric(pred, gold.text);
  if (fast) return fast;
  if (squash(pred) === gold.norm && gold.norm !== '') return 'match';
  const dl = deadline();
  let p: Value;
  try {
    p = parseValue(pred, { gold: gold.value ?? undefined, isGold: false });
  } catch (e) {
    if (e instanceof TimeoutError) return 'timeout';
    return 'parse_error';
  }
  if (!gold.value) return 'mismatch';
  try {
    return valuesEqual(gold.value, p, dl) ? 'match' : 'mismatch';
  } catch (e) {
    if (e instanceof TimeoutError) return 'timeout';
    if (e instanceof GuardError) return 'mismatch';
    return 'mismatch';
  }
}

export function verifyAnswer(completion: string, gold: string, opts: VerifyOptions = {}): VerifyResult {
  const mode: VerifyMode = opts.mode === 'eval' ? 'eval' : 'reward';
  try {
    // The budget starts once mathjs is loaded: its one-time load is not the answer's fault.
    let dl: Deadline | null = null;
    const deadline = () => {
      if (!dl) {
        mathjs();
        dl = new Deadline(opts.budgetMs ?? DEFAULT_BUDGET_MS);
      }
      return dl;
    };
    const { candidates, reason } = extractCandidates(completion, mode);
    if (candidates.length === 0) {
      return { correct: false, formatValid: false, extracted: null, reason: reason ?? 'no_answer' };
    }
    const g = parseGold(goldAnswer(gold));
    let firstUnparsed: string | null = null;
    for (const c of candidates) {
      const out = compareOne(c.answer, g, deadline);
      if (out === 'parse_error') {
        firstUnparsed ??= c.answer;
        continue;
      }
      return { correct: out === 'match', formatValid: true, extracted: c.answer, reason: out };
    }
    return { correct: false, formatValid: true, extracted: firstUnparsed, reason: 'parse_error' };
  } catch (e) {
    const reason: VerifyReason = e instanceof TimeoutError ? 'timeout' : 'parse_error';
    return { correct: false, formatValid: false, extracted: null, reason };
  }
}

/** The answer `verifyAnswer` would compare: the first extraction candidate that parses. */
export function extractAnswer(completion: string, opts: { mode?: VerifyMode } = {}): Extraction {
  try {
    const { candidates, reason } = extractCandidates(completion, opts.mode === 'eval' ? 'eval' : 'reward');
    for (const c of candidates) {
      try {
        parseValue(c.answer, { isGold: false });
        return { answer: c.answer, via: c.via };
      } catch {
        continue;
      }
    }
    if (candidates.length > 0) return { answer: candidates[0].answer, via: candidates[0].via };
    return { answer: null, reason: reason ?? 'no_answer' };
  } catch {
    return { answer: null, reason: 'no_answer' };
  }
}
