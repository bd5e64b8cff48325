/**
 * The `brevity train` config (GRPO and PPO). Every option is a zod field whose `.describe()` is its only
 * documentation (style rule 4); defaults follow the anchors in research/trainers.md unless a comment says why.
 */
import { z } from 'zod';
import { BACKEND_CHOICES } from '../backend-names.js';
import { adamwFields } from '../optim/schema.js';

const RewardSpec = z
  .strictObject({
    name: z
      .string()
      .describe(
        'Reward name (docs/rewards.md lists them: laser, laser-d, laser-de, grpo-lambda, pear, conciser, ...).',
      ),
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The reward's params; validated by its own schema."),
  })
  .describe('The reward that scores each rollout.');

const Rollout = z
  .strictObject({
    prompts: z.number().int().positive().default(16).describe('B: prompts per step.'),
    groupSize: z.number().int().min(2).default(8).describe('G: rollouts per prompt (the GRPO group).'),
    maxNewTokens: z
      .number()
      .int()
      .positive()
      .default(96)
      .describe('Generation cap in response tokens (the ctx.maxLength rewards see).'),
    temperature: z.number().positive().default(1).describe('Sampling temperature.'),
    topP: z.number().gt(0).max(1).default(1).describe('Nucleus sampling mass; 1 disables it.'),
  })
  .prefault({})
  .describe('Rollout sampling.');

const Advantage = z
  .strictObject({
    estimator: z
      .enum(['grpo', 'dr-grpo', 'rloo', 'gae'])
      .default('grpo')
      .describe(
        'grpo: (r - group mean) / (group std + eps) (DeepSeekMath Eq. 3). dr-grpo: r - group mean, no std (Liu et al. 2025). ' +
          'rloo: leave-one-out baseline (Ahmadian et al. 2024). gae: per-token GAE from a value head (PPO; set by algorithm: ppo).',
      ),
    epsilon: z
      .number()
      .nonnegative()
      .default(1e-6)
      .describe('Added to the group std before dividing (verl 1e-6).'),
  })
  .prefault({})
  .describe('Advantage estimation.');

const Loss = z
  .strictObject({
    aggregation: z
      .enum(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'])
      .default('token-mean')
      .describe(
        'token-mean: every token weighs the same (DAPO, verl default). seq-mean-token-mean: every sequence weighs the same ' +
          '(GRPO paper; favours short wrong answers). seq-mean-token-sum-norm: token sum over a constant, rollout.maxNewTokens (Dr.GRPO).',
      ),
    clipLow: z
      .number()
      .nonnegative()
      .default(0.2)
      .describe('PPO clip epsilon below 1 (ratio >= 1 - clipLow).'),
    clipHigh: z
      .number()
      .nonnegative()
      .default(0.2)
      .describe('PPO clip epsilon above 1; 0.28 is DAPO clip-higher.'),
    dualClip: z
      .number()
      .gt(1)
      .nullable()
      .default(null)
      .describe('Dual-clip constant c for negative advantages (Ye et al. 2020; verl 3.0); null disables it.'),
    klCoef: z
      .number()
      .nonnegative()
      .default(0)
      .describe('Coefficient of the KL-to-reference term in the loss; 0 loads no reference.'),
    klEstimator: z
      .enum(['k1', 'k2', 'k3'])
      .default('k3')
      .describe(
        'k1: log ratio. k2: squared log ratio / 2. k3: low-variance unbiased (verl low_var_kl, the GRPO paper).',
      ),
    entropyCoef: z.number().default(0).describe('Entropy bonus coefficient (verl and TRL default 0).'),
  })
  .prefault({})
  .describe('Policy loss.');

const Filter = z
  .strictObject({
    dynamicSampling: z
      .boolean()
      .default(false)
      .describe(
        'Drop groups whose rewards all equal (zero variance, no gradient; DAPO Sec. 3.2). All-correct groups with different lengths stay.',
      ),
    refill: z
      .boolean()
      .default(false)
      .describe('With dynamicSampling, sample more prompts until the batch is full again.'),
    maxRefillRounds: z
      .number()
      .int()
      .nonnegative()
      .default(3)
      .describe('Upper bound on extra sampling rounds per step.'),
    overlong: z
      .boolean()
      .default(false)
      .describe('Mask truncated rollouts out of the loss (DAPO overlong filtering).'),
  })
  .prefault({})
  .describe('Which rollouts enter the loss.');

const Optim = z
  .strictObject({
    // A 0.1M-parameter policy needs far larger steps than the 1e-6 of LLM recipes.
    ...adamwFields({ lr: 1e-4, beta2: 0.999, weightDecay: 0, schedule: 'constant', warmupSteps: 0 }),
    miniBatches: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Optimizer steps per rollout batch per epoch; each takes 1/miniBatches of the rollouts.'),
    epochs: z.number().int().positive().default(1).describe('Passes over each rollout batch (PPO epochs).'),
    microBatch: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('Rollouts per forward/backward pass (gradient accumulation); null = the whole mini-batch.'),
    microBatchTokens: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe(
        'Token budget of a forward/backward pass, instead of microBatch: each mini-batch is sorted by prompt + response ' +
          'length and cut greedily into micro-batches of at most this many padded slots (rows x longest row; a longer ' +
          'rollout goes alone). The same gradient up to float rounding, with fewer padded tokens but more passes: on cpu ' +
          "and wasm passes are cheap and 512-1024 about halves the quickstart's update (docs/performance.md); on webgpu " +
          'per-launch overhead dominates, so keep few large passes there (a large budget or null). null = microBatch decides.',
      ),
  })
  .prefault({})
  .describe('Optimiser and update schedule.');

const Ppo = z
  .strictObject({
    gamma: z.number().min(0).max(1).default(1).describe('GAE discount.'),
    lambda: z.number().min(0).max(1).default(0.95).describe('GAE lambda.'),
    valueCoef: z.number().nonnegative().default(0.5).describe('Weight of the value loss.'),
    valueClip: z
      .number()
      .positive()
      .nullable()
      .default(0.2)
      .describe('Value clipping range around the old values; null disables it.'),
  })
  .prefault({})
  .describe('PPO (algorithm: ppo) options.');

const Stage = z
  .strictObject({
    fromStep: z.number().int().nonnegative().describe('First step of this stage.'),
    reward: RewardSpec.optional().describe(
      'Reward from this stage on; omitted keeps the reward (and its state) of the stage before.',
    ),
    maxNewTokens: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Generation cap for this stage (ThinkPrune-style shrinking caps).'),
    dynamicSampling: z.boolean().optional().describe('Override filter.dynamicSampling in this stage.'),
    clipHigh: z.number().nonnegative().optional().describe('Override loss.clipHigh in this stage.'),
  })
  .describe('A stage of a staged run.');

export const TrainConfig = z
  .strictObject({
    name: z
      .string()
      .default('run')
      .describe('Run name; the run folder is runs/<name> unless --out is given.'),
    seed: z.number().int().default(0).describe('Seed of every random draw (prompts, sampling, init).'),
    algorithm: z
      .enum(['grpo', 'ppo'])
      .default('grpo')
      .describe('grpo: group-relative advantages, no critic. ppo: value head + GAE.'),
    steps: z.number().int().positive().default(50).describe('Optimisation steps (rollout batches).'),
    env: z
      .strictObject({
        name: z.string().default('modchain').describe('Environment name (modchain, arithmetic, jsonl).'),
        params: z.record(z.string(), z.unknown()).default({}).describe("The environment's params."),
      })
      .prefault({})
      .describe('Training environment.'),
    policy: z
      .strictObject({
        checkpoint: z
          .string()
          .describe(
            'Checkpoint folder to start from (relative to the config file or the working directory).',
          ),
      })
      .describe('Initial policy.'),
    reward: RewardSpec,
    rollout: Rollout,
    advantage: Advantage,
    loss: Loss,
    filter: Filter,
    optim: Optim,
    ppo: Ppo,
    stages: z
      .array(Stage)
      .default([])
      .describe('Optional stages, each from a step on, with its own reward, cap and options.'),
    monitor: z
      .strictObject({
        prompts: z
          .number()
          .int()
          .positive()
          .default(32)
          .describe('Fixed monitor subset of training prompts for rewards that observe (LASER-D/DE).'),
        every: z
          .number()
          .int()
          .positive()
          .default(10)
          .describe('Observe at step 0 and every this many steps (LASER-D monitorEvery).'),
      })
      .prefault({})
      .describe('Monitor batches for adaptive rewards.'),
    eval: z
      .strictObject({
        every: z
          .number()
          .int()
          .nonnegative()
          .default(10)
          .describe('Evaluate every this many steps (and at the end); 0 = only at the end.'),
        problemsPerDifficulty: z
          .number()
          .int()
          .positive()
          .default(50)
          .describe('Test problems per difficulty.'),
        samples: z
          .number()
          .int()
          .positive()
          .default(1)
          .describe('Samples per problem (k of pass@k; accuracy uses the first).'),
        temperature: z.number().nonnegative().default(0).describe('Eval temperature; 0 = greedy.'),
      })
      .prefault({})
      .describe('Periodic evaluation on the test split.'),
    checkpoint: z
      .strictObject({
        every: z
          .number()
          .int()
          .positive()
          .default(10)
          .describe('Save a resumable checkpoint every this many steps (and at the end).'),
      })
      .prefault({})
      .describe('Checkpointing.'),
    backend: z
      .enum(BACKEND_CHOICES)
      .default('auto')
      .describe('tfjs backend; auto takes the first that loads. --backend overrides it.'),
  })
  .superRefine((c, ctx) => {
    for (let i = 1; i < c.stages.length; i++) {
      if (c.stages[i].fromStep <= c.stages[i - 1].fromStep)
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'fromStep'],
          message: 'stages must be in increasing fromStep order',
        });
    }
    const n = c.rollout.prompts * c.rollout.groupSize;
    if (n % c.optim.miniBatches !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['optim', 'miniBatches'],
        message: `rollout.prompts x rollout.groupSize = ${n} rollouts do not split into ${c.optim.miniBatches} equal mini-batches`,
      });
    if (c.optim.microBatch !== null && (n / c.optim.miniBatches) % c.optim.microBatch !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['optim', 'microBatch'],
        message: `a mini-batch of ${n / c.optim.miniBatches} rollouts does not split into micro-batches of ${c.optim.microBatch}`,
      });
    if (c.optim.microBatch !== null && c.optim.microBatchTokens !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['optim', 'microBatchTokens'],
        message:
          'set either optim.microBatch (rollouts per pass) or optim.microBatchTokens (tokens per pass), not both',
      });
    if (c.algorithm === 'ppo' && c.advantage.estimator !== 'gae')
      ctx.addIssue({
        code: 'custom',
        path: ['advantage', 'estimator'],
        message: 'algorithm: ppo needs advantage.estimator: gae',
      });
    if (c.algorithm === 'grpo' && c.advantage.estimator === 'gae')
      ctx.addIssue({
        code: 'custom',
        path: ['advantage', 'estimator'],
        message: 'advantage.estimator: gae needs algorithm: ppo (a value head)',
      });
  });

export type TrainConfig = z.output<typeof TrainConfig>;
export type TrainConfigInput = z.input<typeof TrainConfig>;
