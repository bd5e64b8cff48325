/** The options every run command shares (`brevity sft`, `brevity train`): overrides, resume, folder, backend. */
import type { Argv } from 'yargs';
import { BACKEND_CHOICES, type BackendChoice } from '../backend-names.js';

export interface RunArgs {
  config?: string;
  set?: string[];
  resume?: string;
  out?: string;
  backend?: BackendChoice;
  maxSteps?: number;
}

export function runOptions(y: Argv<object>, example: string): Argv<RunArgs> {
  return y
    .positional('config', { type: 'string', describe: `YAML config (see \`brevity docs\`), e.g. ${example}` })
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
      choices: [...BACKEND_CHOICES],
      describe: 'tfjs backend (overrides the config)',
    })
    .option('max-steps', {
      type: 'number',
      describe: 'Stop after this many steps of this invocation (resume later)',
    }) as unknown as Argv<RunArgs>;
}
