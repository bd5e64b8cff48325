/**
 * Parses and checks groups of rollouts from JSON (a JSONL line for `brevity score`, an array element for
 * `POST /score`). Hand-written checks rather than zod: this is the hot path (100k rollouts per batch), and
 * every message names where the problem is (`file:line: rollouts[3].length: ...`) and what was expected.
 */
import type { Need, RewardGroup, RewardRollout } from '@brevity/rewards';
import { UserError } from '../errors.js';

/** A rollout given as text + gold, whose correct / formatValid the verifier fills in later. */
export interface TextJob {
  rollout: RewardRollout;
  text: string;
  gold: string;
}

/** A parsed group and its promptId exactly as given (string or number), for echoing it back. */
export interface ParsedGroup {
  group: RewardGroup;
  promptId: string | number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An optional field is present unless missing or null (Python clients send None). */
const has = (o: Obj, key: string): boolean => o[key] !== undefined && o[key] !== null;
const show = (v: unknown): string => {
  if (v === undefined) return 'nothing (the field is missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

class Checker {
  constructor(
    readonly where: string,
    readonly needs: ReadonlySet<Need>,
    readonly jobs: TextJob[],
  ) {}

  fail(field: string, msg: string): never {
    throw new UserError(`${this.where}: ${field ? `${field}: ` : ''}${msg}`);
  }

  bool(o: Obj, key: string, path: string): boolean {
    const v = o[key];
    if (typeof v !== 'boolean') this.fail(`${path}.${key}`, `expected true or false, got ${show(v)}`);
    return v;
  }

  int(o: Obj, key: string, path: string, min: number): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      this.fail(`${path}.${key}`, `expected an integer >= ${min}, got ${show(v)}`);
    return v;
  }

  numbers(v: unknown, path: string, integers: boolean): number[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array of numbers, got ${show(v)}`);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isFinite(x) || (integers && !Number.isInteger(x)))
        this.fail(`${path}[${i}]`, `expected ${integers ? 'an integer' : 'a finite number'}, got ${show(x)}`);
    }
    return v as number[];
  }

  /** Fields every rollout may carry: entropies, tokens, thinkEnd, text; required ones per the reward's needs. */
  extras(o: Obj, r: RewardRollout, path: string): void {
    if (has(o, 'entropies')) r.entropies = this.numbers(o.entropies, `${path}.entropies`, false);
    else if (this.needs.has('entropies'))
      this.fail(`${path}.entropies`, 'required by this reward (per-token entropies)');
    if (has(o, 'tokens')) r.tokens = this.numbers(o.tokens, `${path}.tokens`, true);
    else if (this.needs.has('tokens'))
      this.fail(`${path}.tokens`, 'required by this reward (response token ids)');
    if (has(o, 'thinkEnd')) r.thinkEnd = this.int(o, 'thinkEnd', path, -1);
    if (has(o, 'text')) {
      if (typeof o.text !== 'string') this.fail(`${path}.text`, `expected a string, got ${show(o.text)}`);
      r.text = o.text;
    } else if (this.needs.has('text'))
      this.fail(`${path}.text`, 'required by this reward (the response text)');
  }

  rollout(v: unknown, path: string, groupGold: string | undefined): RewardRollout {
    if (!isObj(v))
      this.fail(path, `expected an object {length, correct, formatValid, truncated}, got ${show(v)}`);
    const gold = has(v, 'gold') ? v.gold : groupGold;
    if (gold !== undefined && typeof gold !== 'string')
      this.fail(`${path}.gold`, `expected a string, got ${show(gold)}`);
    const text = typeof v.text === 'string' ? v.text : undefined;
    const verified = text !== undefined && gold !== undefined;
    const r = {} as RewardRollout;
    const lengthGiven = has(v, 'length') || text === undefined;
    if (lengthGiven) r.length = this.int(v, 'length', path, 0);
    if (verified) {
      if (has(v, 'correct') || has(v, 'formatValid'))
        this.fail(path, 'give either correct/formatValid or text + gold (the verifier decides), not both');
      r.correct = false;
      r.formatValid = false;
      this.jobs.push({ rollout: r, text, gold });
    } else {
      r.correct = this.bool(v, 'correct', path);
      r.formatValid = this.bool(v, 'formatValid', path);
    }
    r.truncated = verified && !has(v, 'truncated') ? false : this.bool(v, 'truncated', path);
    this.extras(v, r, path);
    if (!lengthGiven) {
      const t = text as string;
      r.length = r.tokens ? r.tokens.length : codePoints(t, t.length);
      if (r.thinkEnd === undefined && !r.tokens) r.thinkEnd = charIndex(t, '</think>');
    }
    if (r.thinkEnd === undefined && this.needs.has('thinkEnd'))
      this.fail(`${path}.thinkEnd`, 'required by this reward (index of `</think>` in the response, or -1)');
    return r;
  }

  group(v: unknown): ParsedGroup {
    if (!isObj(v)) this.fail('', `expected a JSON object {"promptId", "rollouts": [...]}, got ${show(v)}`);
    const id = v.promptId;
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id)))
      this.fail('promptId', `expected a string or a number, got ${show(id)}`);
    const group: RewardGroup = { promptId: String(id), rollouts: [] };
    if (has(v, 'budget')) {
      if (typeof v.budget !== 'number' || !(v.budget > 0) || !Number.isFinite(v.budget))
        this.fail('budget', `expected a positive number, got ${show(v.budget)}`);
      group.budget = v.budget;
    } else if (this.needs.has('budget'))
      this.fail('budget', 'required by this reward (or set params.targetLength)');
    if (has(v, 'difficulty')) {
      if (typeof v.difficulty !== 'number')
        this.fail('difficulty', `expected a number, got ${show(v.difficulty)}`);
      group.difficulty = v.difficulty;
    }
    if (has(v, 'gold') && typeof v.gold !== 'string')
      this.fail('gold', `expected a string, got ${show(v.gold)}`);
    const rs = v.rollouts;
    if (!Array.isArray(rs) || rs.length === 0)
      this.fail('rollouts', `expected a non-empty array, got ${show(rs)}`);
    for (let i = 0; i < rs.length; i++)
      group.rollouts.push(
        this.rollout(rs[i], `rollouts[${i}]`, has(v, 'gold') ? (v.gold as string) : undefined),
      );
    return { group, promptId: id };
  }
}

/** Number of code points in text[0, end). */
function codePoints(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // low surrogates do not start a code point
  }
  return n;
}

/** Code-point index of `tag` in `text`, or -1 (the unit of a length taken from the text). */
function charIndex(text: string, tag: string): number {
  const i = text.indexOf(tag);
  return i < 0 ? -1 : codePoints(text, i);
}

/** Checks one group given as parsed JSON; `where` prefixes every message (`file:12`, `groups[3]`). */
export function parseGroup(
  value: unknown,
  where: string,
  needs: ReadonlySet<Need>,
  jobs: TextJob[],
): ParsedGroup {
  return new Checker(where, needs, jobs).group(value);
}

/** Parses JSONL text, one group per non-blank line; `source` names the file in messages. */
export function parseGroupsJsonl(
  text: string,
  source: string,
  needs: ReadonlySet<Need>,
  jobs: TextJob[],
): ParsedGroup[] {
  const out: ParsedGroup[] = [];
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const s = text.slice(start, end);
    start = end + 1;
    if (s.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (e) {
      throw new UserError(`${source}:${line}: malformed JSON: ${(e as Error).message}`);
    }
    out.push(parseGroup(value, `${source}:${line}`, needs, jobs));
  }
  return out;
}
