/**
 * How the commands that sample a checkpoint (`brevity eval`, `brevity analyze`) turn their flags into an
 * environment: --env-params or the checkpoint's own training params, the env itself, the levels, and the
 * checkpoint's tokenizer. Bad input is a UserError naming the flag.
 */
import { CharTokenizer, createEnv, type CharTokenizerJSON, type Environment } from '@brevity/envs';
import type { BackendChoice } from '../backend-names.js';
import type { CheckpointConfig } from '../checkpoint/checkpoint.js';
import { UserError } from '../errors.js';

/** The flags these commands share (commands/env-options.ts defines them). */
export interface EnvArgs {
  env: string;
  envParams?: string;
  difficulties?: string;
  seed: number;
  backend?: BackendChoice;
}

/** `1-5` or `1,3,5` -> [1..5] / [1,3,5]. */
export function parseLevels(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new UserError(`--difficulties ${spec}: expected levels like 1-5 or 1,3,5`);
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    for (let d = lo; d <= hi; d++) out.push(d);
  }
  return out;
}

/**
 * --env-params as JSON; without it the checkpoint's training env params (trace knobs, split salt) when it
 * was trained on the same env, else none.
 */
export function envParamsOf(
  json: string | undefined,
  env: string,
  ck: Pick<CheckpointConfig, 'extra'>,
): Record<string, unknown> {
  if (json) {
    try {
      return JSON.parse(json) as Record<string, unknown>;
    } catch (e) {
      throw new UserError(`--env-params: not valid JSON (${(e as Error).message})`);
    }
  }
  const saved = ck.extra?.env as { name?: string; params?: Record<string, unknown> } | undefined;
  return saved?.name === env ? (saved.params ?? {}) : {};
}

/** The environment `--env name` with its params; an unknown name or bad params name --env. */
export function envOf(name: string, params: Record<string, unknown>): Environment {
  try {
    return createEnv(name, params);
  } catch (e) {
    throw new UserError(`--env ${name}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** --difficulties, else every level the env samples. */
export function levelsOf(env: Environment, spec: string | undefined): number[] {
  const p = env.params as { minDifficulty?: number; maxDifficulty?: number };
  return parseLevels(spec ?? `${p.minDifficulty ?? 1}-${p.maxDifficulty ?? 1}`);
}

/** The tokenizer saved with the checkpoint at `path`. */
export function checkpointTokenizer(path: string, ck: Pick<CheckpointConfig, 'tokenizer'>): CharTokenizer {
  if (!ck.tokenizer) throw new UserError(`${path}: the checkpoint has no tokenizer`);
  return CharTokenizer.fromJSON(ck.tokenizer as CharTokenizerJSON);
}

/** A prompt's token ids; a character the checkpoint never saw (a prompt of another env) names --env. */
export function encodePrompt(tok: CharTokenizer, prompt: string, env: string, path: string): Int32Array {
  try {
    return tok.encode(prompt);
  } catch (e) {
    throw new UserError(
      `--env ${env}: the tokenizer of ${path} cannot read the prompt ${JSON.stringify(prompt)} ` +
        `(${(e as Error).message.split(' (')[0]}); sample a checkpoint on the env it was trained on`,
    );
  }
}
