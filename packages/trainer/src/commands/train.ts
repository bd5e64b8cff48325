/** `brevity train`: GRPO/PPO with a length-aware reward, from a YAML config. */
import type { CommandModule } from 'yargs';
import type { TrainArgs } from '../rl/command.js';

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train [config]',
  describe: 'GRPO/PPO training with a length-aware reward (see `brevity docs` for every config option)',
  builder: (y) =>
    y
      .positional('config', {
        type: 'string',
        describe: 'YAML config, e.g. experiments/quickstart/laser.yaml',
      })
      .option('set', {
        type: 'string',
        array: true,
        describe: 'Override a field: --set reward.params.alpha=0.2 (repeatable)',
      })
      .option('resume', {
        type: 'string',
        describe: 'Continue the run in this folder from its newest checkpoint',
      })
      .option('out', { type: 'string', describe: 'Run folder (default runs/<name>)' })
      .option('backend', {
        type: 'string',
        choices: ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'],
        describe: 'tfjs backend (overrides the config)',
      })
      .option('max-steps', {
        type: 'number',
        describe: 'Stop after this many steps of this invocation (resume later)',
      }) as never,
  handler: async (argv) => {
    const { trainCommand: run } = await import('../rl/command.js');
    await run(argv);
  },
};
