/** `brevity report RUN_DIRS...`: Markdown tables and plots (SVG, PNG) comparing finished or running runs. */
import type { CommandModule } from 'yargs';

interface ReportArgv {
  runs: string[];
  out: string;
  title: string;
  label: string[];
}

export const reportCommand: CommandModule<object, ReportArgv> = {
  command: 'report <runs..>',
  describe:
    'Write report.md (per-run and per-label tables, mean ± std over seeds) and plots (Pareto front, curves) for run folders',
  builder: (y) =>
    y
      .positional('runs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Run folders, or folders of runs (a sweep runsDir)',
      })
      .option('out', { type: 'string', default: 'report', describe: 'Folder for report.md and the figures' })
      .option('title', { type: 'string', default: 'Brevity report', describe: 'Title of report.md' })
      .option('label', {
        type: 'string',
        array: true,
        nargs: 1,
        default: [],
        describe: 'RUN=LABEL: group a run under LABEL (default: its name without the __seed<k> suffix)',
      }),
  handler: async (argv) => {
    const { writeReport } = await import('../report/index.js');
    const { files } = await writeReport({
      runs: argv.runs,
      out: argv.out,
      title: argv.title,
      labels: argv.label,
    });
    process.stderr.write(`wrote ${files[0]} and ${files.length - 1} figure files\n`);
  },
};
