/** `brevity serve`: the HTTP scoring service (POST /score, GET /rewards, GET /health); no model, no tfjs. */
import type { CommandModule } from 'yargs';

interface ServeArgv {
  host: string;
  port: number;
  'max-body-mb': number;
}

export const serveCommand: CommandModule<object, ServeArgv> = {
  command: 'serve',
  describe: 'Serve reward scoring over HTTP for trainers in other languages (docs/rewards.md has the API)',
  builder: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('port', { type: 'number', default: 8000, describe: 'Port (0 picks a free one)' })
      .option('max-body-mb', {
        type: 'number',
        default: 16,
        describe: 'Largest request body in MiB (413 above)',
      }),
  handler: async (argv) => {
    const { UserError } = await import('../errors.js');
    if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535)
      throw new UserError(`--port: expected an integer in 0..65535, got ${argv.port}`);
    if (!(argv['max-body-mb'] > 0)) throw new UserError(`--max-body-mb: expected a positive number`);
    const { serve } = await import('../score/serve.js');
    await serve({
      host: argv.host,
      port: argv.port,
      maxBodyBytes: Math.floor(argv['max-body-mb'] * 2 ** 20),
    });
  },
};
