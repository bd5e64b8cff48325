/** `brevity score`: score a JSONL batch of groups with one reward (no model, no tfjs). */
import type { CommandModule } from 'yargs';

interface ScoreArgv {
  reward: string;
  params?: string;
  input?: string;
  monitor?: string;
  step: number;
  'max-length'?: number;
  mode: 'reward' | 'eval';
  'load-state'?: string;
  'save-state'?: string;
  metrics: boolean;
}

export const scoreCommand: CommandModule<object, ScoreArgv> = {
  command: 'score',
  describe: 'Score a JSONL batch of groups (stdin) with a reward; one {"promptId","rewards"} line per group',
  builder: (y) =>
    y
      .option('reward', {
        type: 'string',
        demandOption: true,
        describe: 'Reward name (docs/rewards.md lists them)',
      })
      .option('params', {
        type: 'string',
        describe: 'Reward params as JSON, e.g. \'{"targetLength": 4096}\'',
      })
      .option('input', { type: 'string', describe: 'JSONL file of groups instead of stdin' })
      .option('monitor', {
        type: 'string',
        describe: 'JSONL monitor batch given to observe first (LASER-D/DE)',
      })
      .option('step', { type: 'number', default: 0, describe: 'Training step (ThinkPrune schedule)' })
      .option('max-length', { type: 'number', describe: 'Generation cap in tokens (ctx.maxLength)' })
      .option('mode', {
        choices: ['reward', 'eval'] as const,
        default: 'reward' as const,
        describe: 'Verifier mode for rollouts given as text + gold',
      })
      .option('load-state', { type: 'string', describe: 'JSON file with a reward state to restore first' })
      .option('save-state', { type: 'string', describe: 'Write the reward state after scoring to this file' })
      .option('metrics', {
        type: 'boolean',
        default: false,
        describe: 'Print the reward metrics as JSON on stderr',
      }),
  handler: async (argv) => {
    const { UserError } = await import('../errors.js');
    if (!Number.isInteger(argv.step) || argv.step < 0)
      throw new UserError(`--step: expected an integer >= 0, got ${argv.step}`);
    const maxLength = argv['max-length'];
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0))
      throw new UserError(`--max-length: expected an integer > 0, got ${maxLength}`);
    const { runScore } = await import('../score/run-score.js');
    await runScore({
      reward: argv.reward,
      params: argv.params,
      input: argv.input,
      monitor: argv.monitor,
      step: argv.step,
      maxLength,
      mode: argv.mode,
      loadState: argv['load-state'],
      saveState: argv['save-state'],
      metrics: argv.metrics,
    });
  },
};
