/**
 * The policy's architecture: a pre-norm decoder-only transformer (RMSNorm, causal multi-head attention,
 * ReLU MLP, learned absolute positions, untied output head), the same definition as
 * shared/tools/torch_reference.py plus a final RMSNorm before the head.
 */
import { z } from 'zod';

/** The architecture fields other than the vocabulary (which the tokenizer sets). */
export const modelShapeFields = {
  d: z.number().int().min(1).default(128).describe('Model width (embedding and residual size).'),
  layers: z.number().int().min(1).default(2).describe('Number of transformer blocks.'),
  heads: z.number().int().min(1).default(4).describe('Attention heads per block; must divide `d`.'),
  ctx: z
    .number()
    .int()
    .min(2)
    .default(128)
    .describe('Context length: the longest prompt + response the model can see (learned positions).'),
  mlpRatio: z.number().int().min(1).default(4).describe('MLP hidden width as a multiple of `d`.'),
  normEps: z.number().positive().default(1e-6).describe('Epsilon inside RMSNorm.'),
  initStd: z
    .number()
    .positive()
    .default(0.02)
    .describe('Std of the normal init of weight matrices (residual projections get it / sqrt(2 layers)).'),
};

const headsDivideD = (c: { d: number; heads: number }) => c.d % c.heads === 0;
const headsMessage = () => ({ message: '`heads` must divide `d`', path: ['heads'] });

export const ModelConfigSchema = z
  .strictObject({
    vocab: z.number().int().min(2).describe('Vocabulary size (the tokenizer sets it).'),
    ...modelShapeFields,
  })
  .refine(headsDivideD, headsMessage());

/** The model section of a training config: the architecture without the vocabulary. */
export const ModelShapeSchema = z
  .strictObject(modelShapeFields)
  .refine(headsDivideD, headsMessage())
  .prefault({})
  .describe('Policy architecture (the vocabulary comes from the environment tokenizer).');

export type ModelConfig = z.output<typeof ModelConfigSchema>;
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;

/** Parses and fills defaults; throws a zod error naming the bad field. */
export function modelConfig(input: ModelConfigInput): ModelConfig {
  return ModelConfigSchema.parse(input);
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** How the parameter is initialised. */
  init: 'ones' | 'normal' | 'normal-residual';
  /** AdamW decays matrices only (not norm gains). */
  decay: boolean;
}

/** Every parameter of the model, in a fixed order (the checkpoint and optimizer state follow it). */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const { d, vocab, ctx } = c;
  const h = d * c.mlpRatio;
  const specs: ParamSpec[] = [
    { name: 'tok_emb', shape: [vocab, d], init: 'normal', decay: true },
    { name: 'pos_emb', shape: [ctx, d], init: 'normal', decay: true },
  ];
  for (let i = 0; i < c.layers; i++) {
    const p = `blocks.${i}.`;
    specs.push(
      { name: `${p}norm1`, shape: [d], init: 'ones', decay: false },
      { name: `${p}qkv`, shape: [d, 3 * d], init: 'normal', decay: true },
      { name: `${p}proj`, shape: [d, d], init: 'normal-residual', decay: true },
      { name: `${p}norm2`, shape: [d], init: 'ones', decay: false },
      { name: `${p}fc1`, shape: [d, h], init: 'normal', decay: true },
      { name: `${p}fc2`, shape: [h, d], init: 'normal-residual', decay: true },
    );
  }
  specs.push(
    { name: 'norm_f', shape: [d], init: 'ones', decay: false },
    { name: 'head', shape: [d, vocab], init: 'normal', decay: true },
  );
  return specs;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Total number of parameters. */
export function paramCount(c: ModelConfig): number {
  return paramSpecs(c).reduce((n, s) => n + sizeOf(s.shape), 0);
}
