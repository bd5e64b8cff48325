/** `brevity sft`: supervised fine-tuning on an environment's teacher traces (makes the base model). */
import type { CommandModule } from 'yargs';
import type { SftArgs } from '../sft/command.js';

export const sftCommand: CommandModule<object, SftArgs> = {
  command: 'sft [config]',
  describe:
    'Supervised fine-tuning on teacher traces (modchain by default), with eval, checkpoints and resume',
  builder: (y) =>
    y
      .positional('config', {
        type: 'string',
        describe: 'YAML config (see `brevity docs`), e.g. experiments/base/sft-modchain.yaml',
      })
      .option('set', {
        type: 'string',
        array: true,
        describe: 'Override a field: --set optim.lr=1e-3 (repeatable)',
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
    const { sftCommand: run } = await import('../sft/command.js');
    await run(argv);
  },
};
