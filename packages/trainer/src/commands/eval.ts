/** `brevity eval`: accuracy, lengths, think-token use and pass@k per difficulty for a checkpoint. */
import type { CommandModule } from 'yargs';
import type { EvalArgs } from '../eval/command.js';
import { envOptions } from './env-options.js';

export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe:
    'Evaluate a checkpoint on the test split: accuracy, lengths, check share, truncation, pass@k per difficulty',
  builder: (y) =>
    envOptions(
      y.option('checkpoint', { type: 'string', demandOption: true, describe: 'Checkpoint folder' }),
      "the checkpoint's",
    )
      .option('problems', { type: 'number', default: 100, describe: 'Distinct test problems per difficulty' })
      .option('samples', { type: 'number', default: 1, describe: 'Samples per problem (k of pass@k)' })
      .option('temperature', { type: 'number', default: 0, describe: 'Sampling temperature; 0 = greedy' })
      .option('top-p', { type: 'number', default: 1, describe: 'Nucleus mass; 1 disables it' })
      .option('max-new-tokens', {
        type: 'number',
        describe: 'Response cap (default: what the context leaves)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON object instead of the table',
      })
      .option('markdown', {
        type: 'boolean',
        default: false,
        describe: 'Print the table as Markdown (for READMEs)',
      }) as never,
  handler: async (argv) => {
    const { evalCommand: run } = await import('../eval/command.js');
    await run(argv);
  },
};
