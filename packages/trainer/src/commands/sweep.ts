/** `brevity sweep SPEC`: runs every run of a sweep spec as a child process, resumably. */
import type { CommandModule } from 'yargs';

interface SweepArgv {
  spec: string;
  jobs: number;
  'dry-run': boolean;
}

export const sweepCommand: CommandModule<object, SweepArgv> = {
  command: 'sweep <spec>',
  describe:
    'Run every run of a sweep spec (grid or list; see docs/experiments.md), skipping complete runs and resuming interrupted ones',
  builder: (y) =>
    y
      .positional('spec', { type: 'string', demandOption: true, describe: 'Sweep spec (YAML)' })
      .option('jobs', { alias: 'j', type: 'number', default: 1, describe: 'Runs executed at the same time' })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe:
          'Print the expanded runs, what each needs (start, resume, skip) and its command; run nothing',
      }),
  handler: async (argv) => {
    const { sweep } = await import('../sweep/index.js');
    const outcome = await sweep({ spec: argv.spec, jobs: argv.jobs, dryRun: argv['dry-run'] });
    if (!outcome) return;
    if (outcome.interrupted) process.exitCode = outcome.interrupted === 'SIGINT' ? 130 : 143;
    else if (outcome.failed > 0) {
      process.stderr.write(`brevity: ${outcome.failed} run(s) failed; their log.txt says why\n`);
      process.exitCode = 1;
    }
  },
};
