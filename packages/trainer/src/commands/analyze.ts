/** `brevity analyze entropy`: PEAR's phase entropies of sampled responses and their correlation with length. */
import type { CommandModule } from 'yargs';
import type { AnalyzeEntropyArgs } from '../analyze/command.js';
import { envOptions } from './env-options.js';

type AnalyzeArgv = AnalyzeEntropyArgs & { what: 'entropy' };

export const analyzeCommand: CommandModule<object, AnalyzeArgv> = {
  command: 'analyze <what>',
  describe:
    'Analyse sampled responses of checkpoints: `entropy` = think/answer-phase token entropy vs response length (PEAR Fig. 2)',
  builder: (y) =>
    envOptions(
      y
        .positional('what', {
          type: 'string',
          choices: ['entropy'],
          demandOption: true,
          describe: 'The analysis',
        })
        .option('checkpoint', {
          type: 'string',
          array: true,
          nargs: 1,
          demandOption: true,
          describe: 'Checkpoint folder (repeat to compare several on the same problems and random stream)',
        })
        .option('label', {
          type: 'string',
          array: true,
          nargs: 1,
          describe: 'Name of each checkpoint in the tables, in --checkpoint order (default: its path)',
        }),
      "the first checkpoint's",
    )
      .option('n', {
        type: 'number',
        default: 200,
        describe: 'Responses per difficulty (one per drawn problem)',
      })
      .option('temperature', {
        type: 'number',
        default: 1,
        describe: 'Sampling temperature (PEAR: the rollout one)',
      })
      .option('max-new-tokens', { type: 'number', default: 96, describe: 'Response cap in tokens' })
      .option('split', {
        type: 'string',
        choices: ['train', 'test'],
        default: 'test',
        describe: 'Problem split',
      })
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'Folder for entropy.json, entropy.md, figures',
      })
      .option('title', {
        type: 'string',
        default: 'Phase entropy vs response length',
        describe: 'Title of entropy.md',
      }) as never,
  handler: async (argv) => {
    const { analyzeEntropy } = await import('../analyze/command.js');
    const files = await analyzeEntropy(argv);
    process.stderr.write(`wrote ${files.slice(0, 2).join(', ')} and ${files.length - 2} figure files\n`);
  },
};
