/**
 * `brevity serve`: the scoring service for trainers in other languages (verl, TRL, OpenRLHF).
 *   POST /score    {reward, params?, groups, monitor?, state?, step?, maxLength?, mode?}
 *                  -> {rewards: number[][], metrics, state}   (400 with {error} for bad input)
 *   GET  /rewards  -> {rewards: [{name, summary, source, params (JSON Schema)}]}
 *   GET  /health   -> {status: "ok", ...}
 * Every request builds its own reward, so requests never share state; a stateful reward's state travels in
 * the request and the answer. Bodies over the limit get 413; no request can take the process down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rewardCatalog, type Need } from '@brevity/rewards';
import { UserError } from '../errors.js';
import { parseGroup, type ParsedGroup, type TextJob } from './groups.js';
import { checkMaxLength, prepareReward, scoreBatch } from './score-batch.js';

export interface ServeOptions {
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Reads the body up to `limit` bytes; past it, stops reading and rejects with 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume(); // discard the body so the client can read the answer
      return reject(new HttpError(413, `request body of ${declared} bytes is over the ${limit}-byte limit`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `request body is over the ${limit}-byte limit`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

type Obj = Record<string, unknown>;

const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 60) ?? 'nothing';

/** The value of an optional request field, checked; undefined when missing or null. */
function opt<T>(o: Obj, key: string, ok: (v: unknown) => boolean, expected: string): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!ok(v)) throw new UserError(`${key}: expected ${expected}, got ${show(v)}`);
  return v as T;
}

const isInt = (min: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min;
const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

function groupsOf(v: unknown, key: string, needs: Set<Need>, jobs: TextJob[]): ParsedGroup[] {
  if (!Array.isArray(v)) throw new UserError(`${key}: expected an array of groups, got ${show(v)}`);
  return v.map((g, i) => parseGroup(g, `${key}[${i}]`, needs, jobs));
}

async function handleScore(body: Buffer): Promise<unknown> {
  let req: unknown;
  try {
    req = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new UserError(`malformed JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(req)) throw new UserError('expected a JSON object {"reward", "params", "groups"}');
  const o = req as Obj;
  const name = opt<string>(
    o,
    'reward',
    (v) => typeof v === 'string',
    'a reward name (GET /rewards lists them)',
  );
  if (name === undefined) throw new UserError('reward: required (a reward name; GET /rewards lists them)');
  const params = opt<object>(o, 'params', isPlainObject, 'an object') ?? {};
  const step = opt<number>(o, 'step', isInt(0), 'an integer >= 0') ?? 0;
  const maxLength = opt<number>(o, 'maxLength', isInt(1), 'an integer > 0');
  const mode =
    opt<'reward' | 'eval'>(o, 'mode', (v) => v === 'reward' || v === 'eval', '"reward" or "eval"') ??
    'reward';
  const { reward, needs } = prepareReward(name, params);
  checkMaxLength(reward, maxLength, '"maxLength"');
  const jobs: TextJob[] = [];
  const groups = groupsOf(o.groups, 'groups', needs, jobs);
  const monitor = o.monitor === undefined ? undefined : groupsOf(o.monitor, 'monitor', needs, jobs);
  const res = await scoreBatch({ reward, groups, monitor, jobs, step, maxLength, state: o.state, mode });
  return { rewards: res.rewards.map((v) => Array.from(v)), metrics: res.metrics, state: res.state };
}

/** Routes one request; every failure becomes a JSON error answer. */
async function route(
  req: IncomingMessage,
  res: ServerResponse,
  o: ServeOptions,
  started: number,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const routes: Record<string, string> = { '/score': 'POST', '/rewards': 'GET', '/health': 'GET' };
  const method = routes[path];
  if (!method) throw new HttpError(404, `no route ${path}; try POST /score, GET /rewards, GET /health`);
  if (req.method !== method) {
    res.setHeader('allow', method);
    throw new HttpError(405, `${path} takes ${method}`);
  }
  if (path === '/health')
    return send(res, 200, { status: 'ok', uptimeSeconds: (Date.now() - started) / 1000 });
  if (path === '/rewards') return send(res, 200, { rewards: catalog() });
  send(res, 200, await handleScore(await readBody(req, o.maxBodyBytes)));
}

let cached: unknown;
const catalog = () => (cached ??= rewardCatalog());

const userFacing = new Set(['UserError', 'RewardParamsError', 'RewardInputError']);

export function createScoreServer(o: ServeOptions): Server {
  const started = Date.now();
  return createServer((req, res) => {
    route(req, res, o, started).catch((e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      const status = err instanceof HttpError ? err.status : userFacing.has(err.name) ? 400 : 500;
      if (status === 413) res.setHeader('connection', 'close');
      if (!res.headersSent) send(res, status, { error: err.message });
      else res.destroy();
    });
  });
}
