/**
 * PEAR's phase entropies (Huang et al., arXiv 2510.08026, Eqs. 5-6) and how they relate to response length
 * (PEAR Fig. 2: entropy grows with length; the thinking phase carries more entropy than the answer). Pure:
 * per-response token entropies in, per-difficulty means and correlations out.
 */
import { pearson, spearman } from './correlation.js';

/** One sampled response, reduced to what the analysis needs. */
export interface EntropySample {
  difficulty: number;
  /** Response tokens, EOS included. */
  length: number;
  correct: boolean;
  truncated: boolean;
  /** Mean token entropy (nats) before `</think>`; over every token when there is no `</think>` (PEAR). */
  think: number;
  /** Mean token entropy after `</think>` (EOS included); null without `</think>` or with nothing after it. */
  answer: number | null;
  /** Mean token entropy over the whole response. */
  all: number;
}

/**
 * Phase means of one response's entropies: think = positions [0, k), answer = (k, length), with k the
 * index of `</think>` (the boundary token is in neither phase, PEAR Eq. 6); no `</think>` means k = length.
 */
export function phaseEntropies(
  entropies: ArrayLike<number>,
  thinkEnd: number,
  length: number,
): { think: number; answer: number | null; all: number } {
  const avg = (a: number, b: number) => {
    let s = 0;
    for (let i = a; i < b; i++) s += entropies[i];
    return b > a ? s / (b - a) : 0;
  };
  const k = thinkEnd >= 0 && thinkEnd < length ? thinkEnd : length;
  return { think: avg(0, k), answer: k + 1 < length ? avg(k + 1, length) : null, all: avg(0, length) };
}

/** Pearson r and Spearman rho of one entropy with response length. */
export interface LengthCorrelation {
  n: number;
  pearson: number;
  spearman: number;
}

export interface EntropyRow {
  /** Difficulty level, or null for all levels pooled. */
  difficulty: number | null;
  n: number;
  acc: number;
  lengthMean: number;
  thinkMean: number;
  answerMean: number;
  allMean: number;
  think: LengthCorrelation;
  answer: LengthCorrelation;
  all: LengthCorrelation;
}

const avgOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function correlate(rows: EntropySample[], pick: (s: EntropySample) => number | null): LengthCorrelation {
  const pairs = rows.flatMap((s) => {
    const v = pick(s);
    return v === null ? [] : [[s.length, v] as const];
  });
  const L = pairs.map((p) => p[0]);
  const H = pairs.map((p) => p[1]);
  return { n: pairs.length, pearson: pearson(L, H), spearman: spearman(L, H) };
}

function row(samples: EntropySample[], difficulty: number | null): EntropyRow {
  const answers = samples.flatMap((s) => (s.answer === null ? [] : [s.answer]));
  return {
    difficulty,
    n: samples.length,
    acc: avgOf(samples.map((s) => +s.correct)),
    lengthMean: avgOf(samples.map((s) => s.length)),
    thinkMean: avgOf(samples.map((s) => s.think)),
    answerMean: avgOf(answers),
    allMean: avgOf(samples.map((s) => s.all)),
    think: correlate(samples, (s) => s.think),
    answer: correlate(samples, (s) => s.answer),
    all: correlate(samples, (s) => s.all),
  };
}

/** One row per difficulty (ascending), then the pooled row. */
export function entropyRows(samples: EntropySample[]): EntropyRow[] {
  const levels = [...new Set(samples.map((s) => s.difficulty))].sort((a, b) => a - b);
  return [
    ...levels.map((d) =>
      row(
        samples.filter((s) => s.difficulty === d),
        d,
      ),
    ),
    row(samples, null),
  ];
}
