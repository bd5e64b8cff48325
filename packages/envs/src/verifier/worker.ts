/** Worker-thread entry of `verifyAnswerAsync`: verifies one request at a time. */
import { parentPort } from 'node:worker_threads';
import { verifyAnswer } from './verify.js';
import type { VerifyOptions } from './types.js';

interface Request {
  id: number;
  completion: string;
  gold: string;
  opts: VerifyOptions;
}

parentPort?.on('message', (m: Request) => {
  parentPort!.postMessage({ id: m.id, result: verifyAnswer(m.completion, m.gold, m.opts) });
});
