/** `brevity sft`: supervised fine-tuning on an environment's teacher traces (makes the base model). */
import type { CommandModule } from 'yargs';
import { runOptions, type RunArgs } from './run-options.js';

export const sftCommand: CommandModule<object, RunArgs> = {
  command: 'sft [config]',
  describe:
    'Supervised fine-tuning on teacher traces (modchain by default), with eval, checkpoints and resume',
  builder: (y) => runOptions(y, 'experiments/base/sft-modchain.yaml'),
  handler: async (argv) => {
    const { sftCommand: run } = await import('../sft/command.js');
    await run(argv);
  },
};
