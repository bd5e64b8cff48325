/** `brevity bench`: train-step time and sampling throughput per backend (the speed yardstick). */
import type { CommandModule } from 'yargs';
import { BACKEND_CHOICES } from '../backend-names.js';
import type { BenchArgs } from '../bench/command.js';

const int = (describe: string) => ({ type: 'number' as const, describe });

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'Median Adam train-step time and KV-cache sampling tokens/s of a model size, per backend',
  builder: (y) =>
    y
      .option('model', {
        type: 'string',
        describe:
          'Named size: ref (the PyTorch reference default), base, gpu-medium, gpu-large; flags override it',
      })
      .option('backend', {
        type: 'string',
        choices: ['all', ...BACKEND_CHOICES],
        describe: 'Backend(s) to measure: the table tries all by default; --json uses auto by default',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print ONE JSON line (train_step_ms, sample_tokens_per_s, ...) for one backend',
      })
      .option('grpo', {
        type: 'string',
        describe:
          'Time GRPO steps of this train config instead (e.g. experiments/quickstart/laser.yaml): sampling, scoring, update',
      })
      .option('set', {
        type: 'string',
        array: true,
        describe: 'With --grpo: override a field of the train config, e.g. --set optim.microBatchTokens=null',
      })
      .option('steps', {
        type: 'number',
        default: 5,
        describe: 'With --grpo: timed trainer steps (medians reported), after 2 untimed ones',
      })
      .option('profile', {
        type: 'boolean',
        default: false,
        describe:
          'With --json: add kernel vs wall time of a train step and a sampling run, the heaviest kernels, and the launch and read costs (GPU times on webgpu need timestamp queries: BREVITY_DAWN_FLAGS=enable-dawn-features=allow_unsafe_apis)',
      })
      .option('check', {
        type: 'boolean',
        default: false,
        describe:
          "Instead of timing: compare the backend's fast kernels (webgpu's WGSL programs, the cpu backend's native ones) with tfjs' own through train steps and a generation; exits 1 when they differ",
      })
      .option('repeats', {
        type: 'number',
        default: 5,
        describe: 'Timed runs per measurement (median reported)',
      })
      .option('d', int('Model width (default 128)'))
      .option('layers', int('Transformer blocks (default 2)'))
      .option('heads', int('Attention heads (default 4)'))
      .option('vocab', int('Vocabulary size (default 64)'))
      .option('ctx', int('Context length (default 128)'))
      .option('batch', int('Train batch in sequences (default 16)'))
      .option('seq', int('Train sequence length (default 128)'))
      .option('sample-batch', int('Sequences sampled at once (default 64)'))
      .option('sample-tokens', int('Tokens sampled per sequence (default 64)')) as never,
  handler: async (argv) => {
    const { benchCommand: run } = await import('../bench/command.js');
    await run(argv);
  },
};
