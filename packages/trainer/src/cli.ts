#!/usr/bin/env node
/**
 * The `brevity` command line. Each command lives in commands/<name>.ts and imports its heavy modules
 * (tfjs above all) inside the handler, so `brevity score` and `brevity serve` start without loading tfjs.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { reportError } from './errors.js';

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('brevity')
    .usage('$0 <command> [options]\n\nLength-aware reward shaping for RL of reasoning models.')
    .strict()
    .demandCommand(1, 'Name a command; `brevity --help` lists them.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

class UsageError extends Error {
  override name = 'UsageError';
}

main().catch((err: unknown) => {
  process.exitCode = reportError(err);
});
