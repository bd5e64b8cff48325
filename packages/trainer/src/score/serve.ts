/** Runs the scoring server until SIGINT / SIGTERM, then closes it and lets the process exit. */
import { UserError } from '../errors.js';
import { createScoreServer } from './server.js';

export interface ServeArgs {
  host: string;
  port: number;
  maxBodyBytes: number;
}

export async function serve(a: ServeArgs): Promise<void> {
  const server = createScoreServer({ maxBodyBytes: a.maxBodyBytes });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE' || e.code === 'EACCES'
          ? new UserError(`cannot listen on ${a.host}:${a.port}: ${e.code}`)
          : e,
      ),
    );
    server.listen(a.port, a.host, resolve);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : a.port;
  process.stderr.write(
    `brevity serve: listening on http://${a.host}:${port} (POST /score, GET /rewards, GET /health)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
