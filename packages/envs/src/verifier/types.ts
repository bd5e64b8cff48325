/** Verifier contracts (spec envs.md, "The verifier"; research/verifiers.md section 4.1). */

/** `reward`: only a box after the last `</think>` counts. `eval`: the full extraction order. */
export type VerifyMode = 'reward' | 'eval';

export type VerifyReason = 'no_answer' | 'truncated' | 'parse_error' | 'timeout' | 'mismatch' | 'match';

export interface VerifyOptions {
  /** Extraction mode; default `reward`. */
  mode?: VerifyMode;
  /** Wall-clock budget for one in-process check, in ms (checked during evaluation); default 1,000. */
  budgetMs?: number;
}

export interface VerifyResult {
  correct: boolean;
  /** An answer was found in the required format (false for no_answer and truncated). */
  formatValid: boolean;
  /** The extracted answer string, or null when nothing could be extracted. */
  extracted: string | null;
  reason: VerifyReason;
}

export interface Extraction {
  /** The answer text, or null. */
  answer: string | null;
  /** Why nothing was found, when `answer` is null. */
  reason?: 'no_answer' | 'truncated';
  /** Which rule found it (box, minerva, hashes, answer-line, answer-is, math-env, last-number). */
  via?: string;
}
