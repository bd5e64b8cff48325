/** Environment registry: `createEnv(name, params)` and `envNames()`. */
import type { Environment } from './env.js';
import { createModchain } from './modchain.js';

type Factory = (params: Record<string, unknown>) => Environment;

const FACTORIES: Record<string, Factory> = {
  modchain: (p) => createModchain(p),
};

export function envNames(): string[] {
  return Object.keys(FACTORIES);
}

/** Builds a named environment; params are validated by the environment's zod schema. */
export function createEnv(name: string, params: Record<string, unknown> = {}): Environment {
  const f = FACTORIES[name];
  if (!f) throw new Error(`unknown environment "${name}" (known: ${envNames().join(', ')})`);
  return f(params);
}
