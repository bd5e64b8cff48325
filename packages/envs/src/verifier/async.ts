/**
 * `verifyAnswerAsync`: the hard-kill guarantee (research/verifiers.md 4.6). Each check runs in a
 * worker_threads Worker; when it outlives `timeoutMs` the worker is terminated and the verdict is
 * `timeout`. JS cannot interrupt synchronous code any other way. Requests are served one at a time.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { VerifyMode, VerifyResult } from './types.js';

export interface AsyncVerifyOptions {
  mode?: VerifyMode;
  /** Wall-clock limit including the worker round trip; default 2,000 ms (the research spec's 2 s). */
  timeoutMs?: number;
}

interface Job {
  completion: string;
  gold: string;
  mode: VerifyMode;
  timeoutMs: number;
  resolve: (r: VerifyResult) => void;
  reject: (e: Error) => void;
}

let worker: Worker | null = null;
let nextId = 0;
const queue: Job[] = [];
let busy = false;

/** The compiled worker: next to this file in dist, or in dist when running from the TS sources. */
function workerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const candidates = here.endsWith('.ts')
    ? [here.replace(/\/src\/verifier\/async\.ts$/, '/dist/verifier/worker.js')]
    : [here.replace(/async\.js$/, 'worker.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`verifyAnswerAsync: ${candidates[0]} is missing; build first (npx tsc -b)`);
  return found;
}

function spawn(): Worker {
  const w = new Worker(workerPath());
  w.unref();
  return w;
}

const TIMEOUT: VerifyResult = { correct: false, formatValid: false, extracted: null, reason: 'timeout' };

function pump(): void {
  if (busy || queue.length === 0) return;
  const job = queue.shift()!;
  busy = true;
  let w: Worker;
  try {
    w = worker ??= spawn();
  } catch (e) {
    // A setup problem (no build), not an input problem: every waiting call learns why.
    busy = false;
    for (const j of [job, ...queue.splice(0)]) j.reject(e as Error);
    return;
  }
  const id = nextId++;
  const finish = (r: VerifyResult) => {
    clearTimeout(timer);
    w.off('message', onMessage);
    w.off('error', onError);
    busy = false;
    job.resolve(r);
    pump();
  };
  const onMessage = (m: { id: number; result: VerifyResult }) => {
    if (m.id === id) finish(m.result);
  };
  const onError = () => {
    worker = null;
    finish(TIMEOUT);
  };
  const timer = setTimeout(() => {
    worker = null;
    void w.terminate();
    finish(TIMEOUT);
  }, job.timeoutMs);
  w.on('message', onMessage);
  w.on('error', onError);
  w.postMessage({
    id,
    completion: job.completion,
    gold: job.gold,
    opts: { mode: job.mode, budgetMs: job.timeoutMs },
  });
}

/**
 * Like `verifyAnswer`, in a worker that is killed after `timeoutMs` (verdict `timeout`). Rejects only when
 * the worker cannot start (the package is not built); any input gives a verdict.
 */
export function verifyAnswerAsync(
  completion: string,
  gold: string,
  opts: AsyncVerifyOptions = {},
): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    queue.push({
      completion: String(completion ?? ''),
      gold: String(gold ?? ''),
      mode: opts.mode === 'eval' ? 'eval' : 'reward',
      timeoutMs: opts.timeoutMs ?? 2000,
      resolve,
      reject,
    });
    pump();
  });
}

/** Terminates the verifier worker (a later call starts a fresh one). */
export async function closeVerifierWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}
