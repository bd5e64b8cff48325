/** User-facing errors: one clear line (or a short list) on stderr, and an exit code; stacks only with DEBUG. */
import { ConfigError } from '@brevity/core';

/** An error caused by the user's input (a flag, a file, a line); printed without a stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}

const userFacing = new Set(['UserError', 'ConfigError', 'UsageError', 'ZodError', 'RewardParamsError']);

/** Prints the error and returns the exit code: 2 for bad input, 1 for anything else. */
export function reportError(err: unknown): number {
  const e = err instanceof Error ? err : new Error(String(err));
  const user = e instanceof UserError || e instanceof ConfigError || userFacing.has(e.name);
  process.stderr.write(`brevity: ${e.message}\n`);
  if (!user || process.env.DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
  return user ? 2 : 1;
}
