/**
 * Checkpoints (spec trainer.md, "Policy and generation"): a folder with `config.json` (model, tokenizer,
 * training config, step, RNG and reward state), `model.safetensors` (weights by parameter name),
 * `optimizer.safetensors` (AdamW moments, for resume) and optionally `extra.safetensors` (tensors that are
 * not part of the policy, e.g. a value head). Saving is atomic (written beside, then renamed); loading
 * validates every name and shape against the config and lists what does not match.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RngState } from '@brevity/core';
import { UserError } from '../errors.js';
import { ModelConfigSchema, paramSpecs, type ModelConfig } from '../model/config.js';
import { Policy } from '../model/policy.js';
import type { AdamW, AdamWState } from '../optim/adamw.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors.js';

export class CheckpointError extends UserError {
  override name = 'CheckpointError';
}

const RngStateSchema = z.object({
  seed: z.string(),
  alea: z.object({ c: z.number(), s0: z.number(), s1: z.number(), s2: z.number() }),
});

export const CheckpointConfigSchema = z.looseObject({
  format: z.literal('brevity-checkpoint'),
  version: z.literal(1),
  model: ModelConfigSchema,
  tokenizer: z.unknown().nullable().default(null),
  train: z.unknown().nullable().default(null),
  step: z.number().int().min(0),
  rng: RngStateSchema.nullable().default(null),
  rewardState: z.unknown().nullable().default(null),
  optimizerStep: z.number().int().min(0).nullable().default(null),
  extra: z.record(z.string(), z.unknown()).default({}),
});
export type CheckpointConfig = z.output<typeof CheckpointConfigSchema>;

export interface SaveOptions {
  policy: Policy;
  optimizer?: AdamW | null;
  /** The tokenizer's toJSON(), so a checkpoint decodes on its own. */
  tokenizer?: unknown;
  /** The resolved training config. */
  train?: unknown;
  step: number;
  rng?: RngState | null;
  rewardState?: unknown;
  /** Tensors outside the policy (e.g. a value head), saved to extra.safetensors. */
  extraTensors?: Map<string, SafeTensor>;
  /** Free-form JSON stored under `extra` in config.json. */
  extra?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  policy: Policy;
  config: CheckpointConfig;
  /** AdamW state when the checkpoint has one (for resume). */
  optimizer: AdamWState | null;
  extraTensors: Map<string, SafeTensor>;
}

async function writeWeights(dir: string, o: SaveOptions): Promise<void> {
  const weights = await o.policy.weights();
  const tensors = new Map<string, SafeTensor>();
  for (const s of o.policy.specs)
    tensors.set(s.name, { dtype: 'F32', shape: s.shape, data: weights.get(s.name)! });
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'brevity' });
  if (o.optimizer) {
    const st = await o.optimizer.state();
    const opt = new Map<string, SafeTensor>();
    o.policy.specs.forEach((s, i) => {
      opt.set(`m.${s.name}`, { dtype: 'F32', shape: s.shape, data: st.m[i] });
      opt.set(`v.${s.name}`, { dtype: 'F32', shape: s.shape, data: st.v[i] });
    });
    writeSafetensors(join(dir, 'optimizer.safetensors'), opt, { step: String(st.step) });
  }
  if (o.extraTensors?.size) writeSafetensors(join(dir, 'extra.safetensors'), o.extraTensors);
}

/** Writes a checkpoint folder (replacing an existing one atomically). */
export async function saveCheckpoint(dir: string, o: SaveOptions): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeWeights(tmp, o);
  const config: CheckpointConfig = {
    format: 'brevity-checkpoint',
    version: 1,
    model: o.policy.config,
    tokenizer: o.tokenizer ?? null,
    train: o.train ?? null,
    step: o.step,
    rng: o.rng ?? null,
    rewardState: o.rewardState ?? null,
    optimizerStep: o.optimizer ? o.optimizer.step : null,
    extra: o.extra ?? {},
  };
  writeFileSync(join(tmp, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Reads and validates config.json of a checkpoint folder. */
export function readCheckpointConfig(dir: string): CheckpointConfig {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CheckpointError(`checkpoint ${dir}: no such folder`);
  const file = join(dir, 'config.json');
  if (!existsSync(file))
    throw new CheckpointError(`checkpoint ${dir}: config.json is missing (not a checkpoint folder?)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = CheckpointConfigSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CheckpointError(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

/** Every name/shape problem between a weights file and what the config expects, as readable lines. */
export function weightMismatches(
  model: ModelConfig,
  tensors: Map<string, SafeTensor>,
  prefix = '',
): string[] {
  // `tensors` is keyed without the prefix; the prefix only names them in messages.
  const problems: string[] = [];
  const expected = paramSpecs(model);
  const dims = `d=${model.d}, layers=${model.layers}, heads=${model.heads}, vocab=${model.vocab}, ctx=${model.ctx}, mlpRatio=${model.mlpRatio}`;
  for (const s of expected) {
    const t = tensors.get(s.name);
    if (!t) problems.push(`missing tensor ${prefix + s.name} (expected shape [${s.shape}])`);
    else if (t.dtype !== 'F32') problems.push(`tensor ${prefix + s.name} is ${t.dtype}, expected F32`);
    else if (t.shape.join() !== s.shape.join())
      problems.push(
        `tensor ${prefix + s.name} has shape [${t.shape}] but the config (${dims}) expects [${s.shape}]`,
      );
  }
  const names = new Set(expected.map((s) => s.name));
  for (const name of tensors.keys())
    if (!names.has(name))
      problems.push(`unexpected tensor ${prefix + name} (not a parameter of this model config)`);
  return problems;
}

function mismatchError(file: string, problems: string[]): CheckpointError {
  const shown = problems.slice(0, 6).map((p) => `  - ${p}`);
  if (problems.length > 6) shown.push(`  - ... and ${problems.length - 6} more`);
  return new CheckpointError(`${file} does not match config.json:\n${shown.join('\n')}`);
}

function readOptimizer(dir: string, config: CheckpointConfig): AdamWState | null {
  const file = join(dir, 'optimizer.safetensors');
  if (!existsSync(file)) return null;
  const { tensors, metadata } = readSafetensors(file);
  const m = new Map<string, SafeTensor>();
  const v = new Map<string, SafeTensor>();
  const problems: string[] = [];
  for (const [name, t] of tensors) {
    if (name.startsWith('m.')) m.set(name.slice(2), t);
    else if (name.startsWith('v.')) v.set(name.slice(2), t);
    else problems.push(`unexpected tensor ${name} (optimizer tensors are m.<param> and v.<param>)`);
  }
  problems.push(...weightMismatches(config.model, m, 'm.'), ...weightMismatches(config.model, v, 'v.'));
  if (problems.length) throw mismatchError(file, problems);
  const specs = paramSpecs(config.model);
  return {
    step: Number(metadata.step ?? config.optimizerStep ?? 0),
    m: specs.map((s) => m.get(s.name)!.data as Float32Array),
    v: specs.map((s) => v.get(s.name)!.data as Float32Array),
  };
}

/** Loads a checkpoint folder into a new policy on the active backend. */
export function loadCheckpoint(dir: string, opts: { trainable?: boolean } = {}): LoadedCheckpoint {
  const config = readCheckpointConfig(dir);
  const file = join(dir, 'model.safetensors');
  if (!existsSync(file)) throw new CheckpointError(`checkpoint ${dir}: model.safetensors is missing`);
  const { tensors } = readSafetensors(file);
  const problems = weightMismatches(config.model, tensors);
  if (problems.length) throw mismatchError(file, problems);
  const policy = new Policy(
    config.model,
    (s) => tensors.get(s.name)!.data as Float32Array,
    opts.trainable ?? true,
  );
  const extraFile = join(dir, 'extra.safetensors');
  return {
    policy,
    config,
    optimizer: readOptimizer(dir, config),
    extraTensors: existsSync(extraFile) ? readSafetensors(extraFile).tensors : new Map(),
  };
}
