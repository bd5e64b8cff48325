/** Errors of the rewards package; each message names the reward and the offending field. */
import type { z } from 'zod';

/** Bad reward params (or an unknown reward name, or a bad saved state); `field` is the dotted path. */
export class RewardParamsError extends Error {
  override name = 'RewardParamsError';
  constructor(
    message: string,
    readonly reward?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A batch that lacks an input the reward needs (entropies, budget, a max length, ...). */
export class RewardInputError extends Error {
  override name = 'RewardInputError';
}

/** One zod issue as `path: what is wrong`, with the path rooted at `root` (e.g. `params`). */
export function describeIssue(issue: z.core.$ZodIssue, root: string): { field: string; message: string } {
  const path = [root, ...issue.path.map(String)].filter((p) => p !== '');
  if (issue.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0]].join('.');
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return { field, message: `${field}: unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}` };
  }
  const field = path.join('.');
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const text = missing
    ? `required (expected ${issue.expected})`
    : issue.message.replace(/^Invalid input: /, '');
  return { field, message: `${field}: ${text}` };
}

/** Validates params against a schema; throws one RewardParamsError listing every issue. */
export function parseParams<S extends z.ZodType>(
  reward: string,
  schema: S,
  raw: unknown,
  root: string,
): z.output<S> {
  const res = schema.safeParse(raw ?? {});
  if (res.success) return res.data;
  const issues = res.error.issues.map((i) => describeIssue(i, root));
  const text = issues.map((i) => `${reward}: ${i.message}`).join('\n');
  throw new RewardParamsError(text, reward, issues[0].field);
}
