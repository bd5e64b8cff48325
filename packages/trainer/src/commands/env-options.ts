/**
 * The flags of the commands that sample checkpoints on an environment's problems (`brevity eval`,
 * `brevity analyze`): which env and params, which levels, the seed, the backend (read by eval/env-args.ts).
 */
import type { Argv } from 'yargs';
import { BACKEND_CHOICES } from '../backend-names.js';
import type { EnvArgs } from '../eval/env-args.js';

/** `whose`: the checkpoint whose training env params are the default, e.g. "the first checkpoint's". */
export function envOptions<T>(y: Argv<T>, whose: string): Argv<T & EnvArgs> {
  return y
    .option('env', { type: 'string', default: 'modchain', describe: 'Environment the problems come from' })
    .option('env-params', {
      type: 'string',
      describe: `Environment params as JSON (default: ${whose} training params for the same env)`,
    })
    .option('difficulties', {
      type: 'string',
      describe: "Levels, e.g. 1-5 or 1,3,8 (default: the env's range)",
    })
    .option('seed', { type: 'number', default: 0, describe: 'Seed of the problem draw and the sampling' })
    .option('backend', {
      type: 'string',
      choices: [...BACKEND_CHOICES],
      describe: 'tfjs backend',
    }) as unknown as Argv<T & EnvArgs>;
}
