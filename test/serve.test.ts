/**
 * `brevity serve`: the real server on 127.0.0.1 with an ephemeral port. 50 requests in parallel must each get
 * their own answer; malformed JSON, wrong types and oversized bodies get 4xx answers and the server lives on.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { createReward } from '@brevity/rewards';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoreServer } from '../packages/trainer/src/score/server.js';

const server = createScoreServer({ maxBodyBytes: 64 * 1024 });
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ro = (length: number, correct: boolean, formatValid = correct) => ({
  length,
  correct,
  formatValid,
  truncated: false,
});

async function post(body: string | object, path = '/score') {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** POST with chunked transfer encoding (no content-length), to exercise the streaming limit. */
function postChunked(chunks: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      base + '/score',
      { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('brevity serve', () => {
  it('GET /health and GET /rewards (names and JSON Schemas of the params)', async () => {
    const h = await fetch(base + '/health');
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok' });
    const r = (await (await fetch(base + '/rewards')).json()) as {
      rewards: { name: string; params: object }[];
    };
    expect(r.rewards.map((x) => x.name)).toContain('laser-de');
    expect(r.rewards).toHaveLength(18);
    expect(r.rewards.find((x) => x.name === 'laser')?.params).toMatchObject({
      type: 'object',
      required: ['targetLength'],
    });
  });

  it('answers 50 parallel requests, each with its own rewards', async () => {
    // Request i uses one of three rewards and lengths that depend on i, so a mixed-up answer cannot match.
    const reqs = Array.from({ length: 50 }, (_, i) => {
      const name = ['laser', 'l1-exact', 'kimi'][i % 3];
      const params = name === 'kimi' ? { weight: 0.5 } : { targetLength: 1000 + 10 * i };
      const groups = Array.from({ length: 1 + (i % 4) }, (_, g) => ({
        promptId: `r${i}g${g}`,
        rollouts: [
          ro(1000 + 10 * i + g, true),
          ro(990 + 7 * i, true),
          ro(500 + i, false, true),
          ro(20 + g, false),
        ],
      }));
      return { reward: name, params, groups };
    });
    const answers = await Promise.all(reqs.map((r) => post(r)));
    answers.forEach((a, i) => {
      const r = reqs[i];
      const want = createReward(r.reward, r.params).score(r, { step: 0, maxLength: Number.NaN });
      expect(a.status, `request ${i}`).toBe(200);
      expect(a.body.rewards, `request ${i}`).toEqual(want.map((v) => Array.from(v)));
    });
  });

  it('carries LASER-D state through the request and the answer', async () => {
    const params = { lowerBound: 100, upperBound: 1000, interval: 100 };
    const monitor = [{ promptId: 'm', rollouts: [ro(100, true), ro(200, true), ro(300, true)] }];
    const groups = [{ promptId: 'x', rollouts: [ro(150, true), ro(250, true), ro(5000, false, true)] }];
    const first = await post({ reward: 'laser-d', params, monitor, groups });
    expect(first.body).toMatchObject({
      rewards: [[1.5, 1, -0.5]],
      state: { targets: { easy: 200, medium: 1000, hard: 1000 }, observed: 1 },
      metrics: { 'target.easy': 200 },
    });
    const again = await post({ reward: 'laser-d', params, groups, state: first.body.state });
    expect(again.body.rewards).toEqual(first.body.rewards);
    const fresh = await post({ reward: 'laser-d', params, groups });
    expect(fresh.body.rewards).toEqual([[1.5, 1.5, -0.5]]);
  });

  // Each case: body, expected status, expected error text.
  it.each([
    { what: 'malformed JSON', body: '{"reward": "accuracy", ', status: 400, err: /^malformed JSON/ },
    { what: 'not an object', body: '[1]', status: 400, err: /expected a JSON object/ },
    { what: 'no reward', body: { groups: [] }, status: 400, err: /^reward: required/ },
    {
      what: 'unknown reward',
      body: { reward: 'lazer', groups: [] },
      status: 400,
      err: /unknown reward "lazer"/,
    },
    {
      what: 'bad params',
      body: { reward: 'laser', params: { targetLength: -5 }, groups: [] },
      status: 400,
      err: /params\.targetLength/,
    },
    {
      what: 'groups not an array',
      body: { reward: 'accuracy', groups: {} },
      status: 400,
      err: /^groups: expected an array/,
    },
    {
      what: 'wrong rollout type',
      body: {
        reward: 'accuracy',
        groups: [
          { promptId: 'a', rollouts: [ro(1, true)] },
          { promptId: 'b', rollouts: [{ ...ro(1, true), length: '1' }] },
        ],
      },
      status: 400,
      err: /^groups\[1\]: rollouts\[0\]\.length: expected an integer >= 0, got "1"/,
    },
    {
      what: 'bad step',
      body: { reward: 'accuracy', groups: [], step: -1 },
      status: 400,
      err: /^step: expected an integer >= 0/,
    },
    {
      what: 'cap missing',
      body: { reward: 'cosine', groups: [] },
      status: 400,
      err: /cosine needs the generation cap: pass "maxLength"/,
    },
    {
      what: 'bad state',
      body: {
        reward: 'laser-d',
        params: { lowerBound: 1, upperBound: 2 },
        groups: [],
        state: { targets: 1 },
      },
      status: 400,
      err: /state\.targets/,
    },
    { what: 'oversized body', body: 'x'.repeat(65 * 1024), status: 413, err: /over the 65536-byte limit/ },
  ])('$what -> $status', async ({ body, status, err }) => {
    const a = await post(body);
    expect(a.status).toBe(status);
    expect(a.body.error).toMatch(err);
  });

  it('refuses an oversized chunked body, wrong methods and unknown paths, and stays up', async () => {
    expect(await postChunked(Array.from({ length: 80 }, () => 'y'.repeat(1024)))).toBe(413);
    expect((await fetch(base + '/score')).status).toBe(405);
    expect((await fetch(base + '/nope')).status).toBe(404);
    const ok = await post({ reward: 'accuracy', groups: [{ promptId: 'a', rollouts: [ro(1, true)] }] });
    expect(ok).toMatchObject({ status: 200, body: { rewards: [[1]] } });
  });
});

describe('brevity serve (built CLI)', () => {
  const cli = new URL('../packages/trainer/dist/cli.js', import.meta.url).pathname;
  it.runIf(existsSync(cli))('listens on the port it prints and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 10_000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(err);
          if (!m) return;
          clearTimeout(timer);
          resolve(m[1]);
        });
      });
      expect((await fetch(url + '/health')).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
