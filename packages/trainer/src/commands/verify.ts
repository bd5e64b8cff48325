/** `brevity verify`: check completions against a gold answer by hand (no model, no tfjs). */
import type { CommandModule } from 'yargs';

interface VerifyArgv {
  gold: string;
  mode: 'reward' | 'eval';
  file?: string;
  json: boolean;
}

export const verifyCommand: CommandModule<object, VerifyArgv> = {
  command: 'verify',
  describe:
    'Verify completions (stdin or --file: one JSON string per line, or one plain-text completion) against --gold',
  builder: (y) =>
    y
      .option('gold', { type: 'string', demandOption: true, describe: 'Gold answer (LaTeX, a number, ...)' })
      .option('mode', {
        choices: ['reward', 'eval'] as const,
        default: 'reward' as const,
        describe: 'reward: only a \\boxed{} after the last </think> counts; eval: every extraction rule',
      })
      .option('file', { type: 'string', describe: 'Read completions from this file instead of stdin' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON verdict per line' }),
  handler: async (argv) => {
    const { runVerify } = await import('../data-cli/verify-cli.js');
    await runVerify({ gold: argv.gold, mode: argv.mode, file: argv.file, json: argv.json });
  },
};
