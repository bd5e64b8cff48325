/** Environment registry: `createEnv(name, params)` and `envNames()`. */
import { z } from 'zod';
import { ConfigError } from '@brevity/core';
import type { Environment } from './env.js';
import { createArithmetic } from './arithmetic.js';
import { createModchain } from './modchain.js';
import { createJsonlEnv } from './dataset.js';

type Factory = (params: Record<string, unknown>) => Environment;

const FACTORIES: Record<string, Factory> = {
  modchain: (p) => createModchain(p),
  arithmetic: (p) => createArithmetic(p),
  jsonl: (p) => createJsonlEnv(p),
};

export function envNames(): string[] {
  return Object.keys(FACTORIES);
}

/** Builds a named environment; params are validated by its zod schema (errors name the field). */
export function createEnv(name: string, params: Record<string, unknown> = {}): Environment {
  const f = FACTORIES[name];
  if (!f) throw new ConfigError(`unknown environment "${name}" (known: ${envNames().join(', ')})`);
  try {
    return f(params);
  } catch (e) {
    if (e instanceof z.ZodError) {
      const lines = e.issues.map((i) => `${name} params: ${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new ConfigError(lines.join('\n'), undefined, undefined, e.issues[0]?.path.join('.'));
    }
    throw e;
  }
}
