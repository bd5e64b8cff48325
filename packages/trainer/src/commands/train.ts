/** `brevity train`: GRPO/PPO with a length-aware reward, from a YAML config. */
import type { CommandModule } from 'yargs';
import { runOptions, type RunArgs } from './run-options.js';

export const trainCommand: CommandModule<object, RunArgs> = {
  command: 'train [config]',
  describe: 'GRPO/PPO training with a length-aware reward (see `brevity docs` for every config option)',
  builder: (y) => runOptions(y, 'experiments/quickstart/laser.yaml'),
  handler: async (argv) => {
    const { trainCommand: run } = await import('../rl/command.js');
    await run(argv);
  },
};
