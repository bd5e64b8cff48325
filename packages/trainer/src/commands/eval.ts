/** `brevity eval`: accuracy, lengths, think-token use and pass@k per difficulty for a checkpoint. */
import type { CommandModule } from 'yargs';
import { BACKEND_CHOICES } from '../backend-names.js';
import type { EvalArgs } from '../eval/command.js';

export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe:
    'Evaluate a checkpoint on the test split: accuracy, lengths, check share, truncation, pass@k per difficulty',
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'Checkpoint folder' })
      .option('env', { type: 'string', default: 'modchain', describe: 'Environment to evaluate on' })
      .option('env-params', {
        type: 'string',
        describe: "Environment params as JSON (default: the checkpoint's training params for the same env)",
      })
      .option('difficulties', {
        type: 'string',
        describe: "Levels, e.g. 1-5 or 1,3,8 (default: the env's range)",
      })
      .option('problems', { type: 'number', default: 100, describe: 'Distinct test problems per difficulty' })
      .option('samples', { type: 'number', default: 1, describe: 'Samples per problem (k of pass@k)' })
      .option('temperature', { type: 'number', default: 0, describe: 'Sampling temperature; 0 = greedy' })
      .option('top-p', { type: 'number', default: 1, describe: 'Nucleus mass; 1 disables it' })
      .option('max-new-tokens', {
        type: 'number',
        describe: 'Response cap (default: what the context leaves)',
      })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the problem draw and the sampling' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON object instead of the table',
      })
      .option('markdown', {
        type: 'boolean',
        default: false,
        describe: 'Print the table as Markdown (for READMEs)',
      })
      .option('backend', {
        type: 'string',
        choices: [...BACKEND_CHOICES],
        describe: 'tfjs backend',
      }) as never,
  handler: async (argv) => {
    const { evalCommand: run } = await import('../eval/command.js');
    await run(argv);
  },
};
