/**
 * The `brevity sft` config: supervised fine-tuning (teacher forcing, loss on the response only) on an
 * environment's teacher traces, which is how the base model is made. Every option is a zod field whose
 * `.describe()` is its only documentation (style rule 4).
 */
import { z } from 'zod';
import { BACKEND_CHOICES } from '../backend-names.js';
import { ModelShapeSchema } from '../model/config.js';
import { adamwFields } from '../optim/schema.js';

const Optim = z
  .strictObject(
    adamwFields({ lr: 3e-3, beta2: 0.99, weightDecay: 0.01, schedule: 'cosine', warmupSteps: 100 }),
  )
  .prefault({})
  .describe('Optimiser (AdamW) and learning-rate schedule.');

const Eval = z
  .strictObject({
    every: z
      .number()
      .int()
      .nonnegative()
      .default(250)
      .describe('Evaluate on the test split every this many steps (and at the end); 0 = only at the end.'),
    problemsPerDifficulty: z
      .number()
      .int()
      .positive()
      .default(50)
      .describe(
        'Distinct test problems per difficulty (fewer when the split holds fewer, e.g. modchain level 1).',
      ),
    difficulties: z
      .array(z.number().int().positive())
      .nullable()
      .default(null)
      .describe("Difficulty levels to evaluate; null = the training env's minDifficulty..maxDifficulty."),
    samples: z.number().int().positive().default(1).describe('Samples per problem: k of pass@k.'),
    temperature: z.number().nonnegative().default(0).describe('Sampling temperature; 0 = greedy.'),
    maxNewTokens: z
      .number()
      .int()
      .positive()
      .default(112)
      .describe('Generation cap in response tokens (prompt + cap must fit model.ctx).'),
  })
  .prefault({})
  .describe('Evaluation during training.');

export const SftConfig = z
  .strictObject({
    name: z
      .string()
      .default('sft')
      .describe('Run name; the run folder is runs/<name> unless --out is given.'),
    seed: z
      .number()
      .int()
      .default(0)
      .describe('Seed of every random draw (init, data, eval problems, sampling).'),
    steps: z.number().int().positive().default(3000).describe('Optimisation steps.'),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(32)
      .describe('Sequences per step (fresh teacher traces each step).'),
    env: z
      .strictObject({
        name: z
          .string()
          .default('modchain')
          .describe('Environment whose teacher traces are the training data.'),
        params: z
          .record(z.string(), z.unknown())
          .default({})
          .describe("The environment's params (difficulty mix, trace knobs), validated by its own schema."),
      })
      .prefault({})
      .describe('Training environment (it must provide teacherTrace and a tokenizer).'),
    model: ModelShapeSchema,
    optim: Optim,
    eval: Eval,
    checkpoint: z
      .strictObject({
        every: z
          .number()
          .int()
          .positive()
          .default(500)
          .describe('Save a resumable checkpoint every this many steps (and at the end).'),
        keep: z
          .number()
          .int()
          .positive()
          .default(2)
          .describe('Keep this many most recent step checkpoints (older ones are deleted).'),
      })
      .prefault({})
      .describe('Checkpointing.'),
    logEvery: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe('Print a progress line every this many steps when stdout is not a terminal.'),
    backend: z
      .enum(BACKEND_CHOICES)
      .default('auto')
      .describe('tfjs backend; auto takes the first that loads. --backend overrides it.'),
  })
  .superRefine((c, ctx) => {
    if (c.eval.maxNewTokens >= c.model.ctx)
      ctx.addIssue({
        code: 'custom',
        path: ['eval', 'maxNewTokens'],
        message: `eval.maxNewTokens (${c.eval.maxNewTokens}) + the prompt must fit model.ctx (${c.model.ctx})`,
      });
    if (c.optim.warmupSteps >= c.steps && c.optim.schedule !== 'constant')
      ctx.addIssue({
        code: 'custom',
        path: ['optim', 'warmupSteps'],
        message: `warmupSteps (${c.optim.warmupSteps}) must be below steps (${c.steps})`,
      });
  });

export type SftConfig = z.output<typeof SftConfig>;
export type SftConfigInput = z.input<typeof SftConfig>;
