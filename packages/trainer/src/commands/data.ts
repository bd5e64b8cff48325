/** `brevity data`: generate testbed problems with teacher traces, or fetch GSM8K / MATH-500 (no tfjs). */
import type { CommandModule } from 'yargs';

interface DataArgv {
  what: 'modchain' | 'arithmetic' | 'fetch';
  dataset?: string;
  n: number;
  seed: number;
  out?: string;
  split: 'train' | 'test';
  set?: string[];
  show: number;
  file?: string;
  'timeout-ms': number;
  endpoint: string;
}

export const dataCommand: CommandModule<object, DataArgv> = {
  command: 'data <what> [dataset]',
  describe:
    'Write testbed problems and teacher traces as JSONL (data modchain|arithmetic), or download a dataset ' +
    '(data fetch gsm8k|math500)',
  builder: (y) =>
    y
      .positional('what', {
        choices: ['modchain', 'arithmetic', 'fetch'] as const,
        describe: 'A testbed to generate, or fetch',
        demandOption: true,
      })
      .positional('dataset', { type: 'string', describe: 'With fetch: gsm8k or math500' })
      .option('n', { type: 'number', default: 1000, describe: 'Number of problems to generate' })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the problem and trace generator' })
      .option('out', { type: 'string', describe: 'Output JSONL file (default: stdout)' })
      .option('split', {
        choices: ['train', 'test'] as const,
        default: 'train' as const,
        describe: 'Which split to draw from (the splits never share a prompt)',
      })
      .option('set', {
        type: 'string',
        array: true,
        describe: 'Environment param override, e.g. --set maxDifficulty=3 --set repairRate=0 (docs/envs.md)',
      })
      .option('show', { type: 'number', default: 3, describe: 'How many samples to print on the terminal' })
      .option('file', {
        type: 'string',
        describe: 'With fetch: use this local JSONL copy instead of the network',
      })
      .option('timeout-ms', {
        type: 'number',
        default: 5000,
        describe: 'With fetch: network timeout per request',
      })
      .option('endpoint', {
        type: 'string',
        default: 'https://datasets-server.huggingface.co',
        describe: 'With fetch: the dataset hub rows API',
      }),
  handler: async (argv) => {
    const { UserError } = await import('../errors.js');
    if (argv.what === 'fetch') {
      const { runFetch } = await import('../data-cli/fetch.js');
      if (!argv.dataset) throw new UserError('data fetch: name a dataset: gsm8k or math500');
      await runFetch({
        dataset: argv.dataset,
        out: argv.out,
        file: argv.file,
        timeoutMs: argv['timeout-ms'],
        endpoint: argv.endpoint,
      });
      return;
    }
    if (argv.dataset !== undefined)
      throw new UserError(`data ${argv.what}: unexpected argument "${argv.dataset}"`);
    if (!Number.isInteger(argv.n) || argv.n <= 0)
      throw new UserError(`--n: expected an integer > 0, got ${argv.n}`);
    const { runGenerate } = await import('../data-cli/generate.js');
    await runGenerate({
      env: argv.what,
      n: argv.n,
      seed: argv.seed,
      out: argv.out,
      split: argv.split,
      set: argv.set ?? [],
      show: argv.show,
    });
  },
};
