/**
 * `brevity score`: the implementation in-process (real rewards, real verifier) for outputs and error messages,
 * and the built CLI as a child process for exit codes, empty stdout on errors, and no tfjs at startup.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScore, type ScoreArgs, type ScoreIo } from '../packages/trainer/src/score/run-score.js';

const dir = mkdtempSync(join(tmpdir(), 'brevity-score-'));
const cli = new URL('../packages/trainer/dist/cli.js', import.meta.url).pathname;

const ro = (length: number, k: 'c' | 'w' | 'i' | 't', extra: object = {}) => ({
  length,
  correct: k === 'c',
  formatValid: k === 'c' || k === 'w',
  truncated: k === 't',
  ...extra,
});
const line = (promptId: unknown, rollouts: object[], extra: object = {}) =>
  JSON.stringify({ promptId, rollouts, ...extra });

/** Runs `brevity score` in-process on `input`; returns stdout, stderr and the error, if any. */
async function score(input: string, args: Partial<ScoreArgs>) {
  let out = '';
  let err = '';
  const io: ScoreIo = {
    stdin: async () => input,
    stdout: async (t) => void (out += t),
    stderr: (t) => void (err += t),
  };
  let error: Error | undefined;
  try {
    await runScore({ reward: 'accuracy', step: 0, mode: 'reward', metrics: false, ...args }, io);
  } catch (e) {
    error = e as Error;
  }
  return {
    out,
    err,
    error,
    lines: out.trim()
      ? out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [],
  };
}

describe('brevity score (in-process)', () => {
  it('scores every group in input order, echoes promptIds, skips blank lines', async () => {
    const input = [
      line('a', [ro(3000, 'c'), ro(5000, 'c'), ro(100, 'w'), ro(16384, 't')]),
      '',
      line(7, [ro(4096, 'c')]),
      '   ',
    ].join('\r\n');
    const r = await score(input, { reward: 'laser', params: '{"targetLength": 4096}' });
    expect(r.error).toBeUndefined();
    expect(r.lines).toEqual([
      { promptId: 'a', rewards: [1.5, 1, -0.5, -1] },
      { promptId: 7, rewards: [1.5] },
    ]);
  });

  it('treats null optional fields as missing (Python None)', async () => {
    const input = line(
      'a',
      [ro(5, 'c', { thinkEnd: null, entropies: null, tokens: null, text: null, gold: null })],
      {
        budget: null,
        gold: null,
      },
    );
    expect((await score(input, { reward: 'accuracy' })).lines).toEqual([{ promptId: 'a', rewards: [1] }]);
    const needed = await score(input, { reward: 'pear' });
    expect(needed.error?.message).toMatch(/rollouts\[0\]\.entropies: required by this reward/);
  });

  it('passes --step and --max-length to the reward', async () => {
    const schedule = [
      { fromStep: 0, limit: 100 },
      { fromStep: 5, limit: 50 },
    ];
    const input = line('a', [ro(80, 'c')]);
    const p = JSON.stringify({ schedule });
    expect((await score(input, { reward: 'thinkprune', params: p, step: 4 })).lines[0].rewards).toEqual([1]);
    expect((await score(input, { reward: 'thinkprune', params: p, step: 5 })).lines[0].rewards).toEqual([0]);
    const cos = await score(line('a', [ro(3584, 'c')]), { reward: 'cosine', maxLength: 14336 });
    expect(cos.lines[0].rewards[0]).toBeCloseTo(1.8536, 4);
  });

  // Each case: input lines, reward, params, expected message (line number and field named), nothing written.
  it.each([
    {
      what: 'malformed JSON',
      input: [line('a', [ro(1, 'c')]), '{"promptId": "b",'],
      err: /^stdin:2: malformed JSON/,
    },
    {
      what: 'missing field',
      input: [line('a', [{ length: 1, correct: true, truncated: false }])],
      err: /^stdin:1: rollouts\[0\]\.formatValid: expected true or false, got nothing/,
    },
    {
      what: 'wrong type',
      input: [line('a', [ro(1, 'c')]), line('b', [ro(1, 'c'), { ...ro(1, 'c'), length: '12' }])],
      err: /^stdin:2: rollouts\[1\]\.length: expected an integer >= 0, got "12"/,
    },
    { what: 'negative length', input: [line('a', [ro(-1, 'c')])], err: /rollouts\[0\]\.length/ },
    { what: 'empty rollouts', input: [line('a', [])], err: /^stdin:1: rollouts: expected a non-empty array/ },
    { what: 'not an object', input: ['[1, 2]'], err: /^stdin:1: expected a JSON object/ },
    {
      what: 'no promptId',
      input: [JSON.stringify({ rollouts: [ro(1, 'c')] })],
      err: /^stdin:1: promptId: expected a string or a number/,
    },
    {
      what: 'bad entropy',
      input: [line('a', [ro(2, 'c', { thinkEnd: 0, entropies: [0.1, 'x'] })])],
      reward: 'pear',
      err: /rollouts\[0\]\.entropies\[1\]: expected a finite number/,
    },
    {
      what: 'entropies missing',
      input: [line('a', [ro(2, 'c', { thinkEnd: 0 })])],
      reward: 'pear',
      err: /rollouts\[0\]\.entropies: required by this reward/,
    },
    {
      what: 'budget missing',
      input: [line('a', [ro(2, 'c')])],
      reward: 'l1-exact',
      err: /^stdin:1: budget: required by this reward/,
    },
    {
      what: 'text and verdict both',
      input: [line('a', [{ text: 'x', correct: true }], { gold: '1' })],
      err: /give either correct\/formatValid or text \+ gold/,
    },
    {
      what: 'bad params',
      input: [line('a', [ro(1, 'c')])],
      reward: 'laser',
      params: '{"targetLength": "4k"}',
      err: /laser: params\.targetLength: expected number/,
    },
    {
      what: 'malformed params',
      input: [line('a', [ro(1, 'c')])],
      params: '{',
      err: /^--params: malformed JSON/,
    },
    {
      what: 'unknown reward',
      input: [line('a', [ro(1, 'c')])],
      reward: 'lazer',
      err: /unknown reward "lazer"/,
    },
    {
      what: 'cap missing',
      input: [line('a', [ro(1, 'c')])],
      reward: 'conciser',
      err: /conciser needs the generation cap: pass --max-length/,
    },
  ])('$what -> an error naming it, nothing written', async ({ input, reward, params, err }) => {
    const r = await score(input.join('\n'), { reward: reward ?? 'accuracy', params });
    expect(r.error?.message).toMatch(err);
    expect(['UserError', 'RewardParamsError']).toContain(r.error?.name);
    expect(r.out).toBe('');
  });

  it('--monitor adapts LASER-D targets; --save-state / --load-state carry them to a later call', async () => {
    const monitor = join(dir, 'monitor.jsonl');
    writeFileSync(monitor, line('m', [ro(100, 'c'), ro(200, 'c'), ro(300, 'c')]) + '\n');
    const state = join(dir, 'state.json');
    const params = JSON.stringify({ lowerBound: 100, upperBound: 1000, interval: 100 });
    // Monitor: one easy prompt (3/3), |C| = ceil(2 * 3 / 3) = 2, P(200) * 2 = 4/3 >= 1 -> easy target 200.
    const input = line('x', [ro(150, 'c'), ro(250, 'c'), ro(5000, 'w')]);
    const first = await score(input, { reward: 'laser-d', params, monitor, saveState: state, metrics: true });
    expect(first.lines).toEqual([{ promptId: 'x', rewards: [1.5, 1, -0.5] }]);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({
      targets: { easy: 200, medium: 1000, hard: 1000 },
      observed: 1,
    });
    expect(JSON.parse(first.err)).toMatchObject({ reward: 'laser-d', 'target.easy': 200 });
    const again = await score(input, { reward: 'laser-d', params, loadState: state });
    expect(again.lines).toEqual(first.lines);
    const fresh = await score(input, { reward: 'laser-d', params });
    expect(fresh.lines[0].rewards).toEqual([1.5, 1.5, -0.5]);
    expect(fresh.err).toMatch(/note: laser-d without --monitor/);
  });

  it('a malformed monitor line is named by file and line', async () => {
    const monitor = join(dir, 'bad-monitor.jsonl');
    writeFileSync(
      monitor,
      line('m', [ro(1, 'c')]) + '\n' + line('n', [ro(1, 'c', { truncated: 'no' })]) + '\n',
    );
    const r = await score(line('x', [ro(1, 'c')]), {
      reward: 'laser-d',
      params: '{"lowerBound":1,"upperBound":9}',
      monitor,
    });
    expect(r.error?.message).toBe(`${monitor}:2: rollouts[0].truncated: expected true or false, got "no"`);
  });

  it('text + gold rollouts are verified by the envs verifier; length from tokens or the text', async () => {
    const rollouts = [
      { text: '<think>6*7</think> \\boxed{42}' }, // 29 characters, correct
      { text: '<think>hm</think> \\boxed{41}', tokens: [1, 2, 3] }, // length 3 from the tokens, wrong
      { text: '<think>x</think> The answer is 42' }, // no box: invalid in reward mode, correct in eval mode
      { text: '<think>x</think> \\boxed{42}', truncated: true }, // truncated: never correct
    ];
    const input = line('q', rollouts, { gold: '42' });
    expect((await score(input, { reward: 'accuracy' })).lines[0].rewards).toEqual([1, 0, 0, 0]);
    expect((await score(input, { reward: 'accuracy', mode: 'eval' })).lines[0].rewards).toEqual([1, 0, 1, 0]);
    expect(
      (await score(input, { reward: 'laser', params: '{"targetLength": 29}' })).lines[0].rewards,
    ).toEqual([1.5, -0.5, -1, -1]);
    expect(
      (await score(input, { reward: 'laser', params: '{"targetLength": 28}' })).lines[0].rewards[0],
    ).toBe(1);
    // Without a gold the text only feeds rewards that read it (format), and the verdict must be given.
    const plainText = line('q', [
      ro(5, 'c', { text: '<think>a</think>\\boxed{1}' }),
      ro(5, 'c', { text: 'a' }),
    ]);
    expect((await score(plainText, { reward: 'format' })).lines[0].rewards).toEqual([1, 0]);
  });
});

describe('brevity score (built CLI)', () => {
  const built = existsSync(cli);
  it.runIf(built)('exit code 2, one line on stderr and empty stdout for a malformed line', () => {
    const input = line('a', [ro(1, 'c')]) + '\n' + line('b', [{ length: 1 }]) + '\n';
    const p = spawnSync(process.execPath, [cli, 'score', '--reward', 'accuracy'], {
      input,
      encoding: 'utf8',
    });
    expect(p.status).toBe(2);
    expect(p.stdout).toBe('');
    expect(p.stderr).toBe(
      'brevity: stdin:2: rollouts[0].correct: expected true or false, got nothing (the field is missing)\n',
    );
  });

  it.runIf(built)('scores without loading tfjs (a resolve hook refuses @tensorflow/*)', () => {
    writeFileSync(
      join(dir, 'hooks.mjs'),
      "export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('tfjs loaded: ' + s); return next(s, c); }\n",
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
    const input = line('a', [ro(3000, 'c'), ro(5000, 'c')]) + '\n';
    const args = [
      '--import',
      join(dir, 'register.mjs'),
      cli,
      'score',
      '--reward',
      'laser',
      '--params',
      '{"targetLength":4096}',
    ];
    const p = spawnSync(process.execPath, args, { input, encoding: 'utf8' });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    expect(p.stdout).toBe('{"promptId":"a","rewards":[1.5,1]}\n');
  });
});
