import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMetrics } from '@brevity/core';
import { tinyCheckpoint, tmp } from './train-helpers.js';

// The built CLI (npm test runs `tsc -b` first), killed for real with SIGKILL mid-run.
const cli = fileURLToPath(new URL('../packages/trainer/dist/cli.js', import.meta.url));

let config: string;
beforeAll(async () => {
  const base = await tinyCheckpoint();
  config = join(tmp('brevity-kill-'), 'train.yaml');
  writeFileSync(
    config,
    [
      `policy: { checkpoint: ${JSON.stringify(base)} }`,
      'reward: { name: cosine }',
      'env: { name: modchain, params: { minDifficulty: 1, maxDifficulty: 2 } }',
      'rollout: { prompts: 2, groupSize: 4, maxNewTokens: 32 }',
      'optim: { lr: 0.01 }',
      'steps: 8',
      'eval: { every: 4, problemsPerDifficulty: 2 }',
      'checkpoint: { every: 2 }',
      'backend: cpu',
    ].join('\n'),
  );
});

const strip = (rows: Record<string, unknown>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !/^(perf|time)\//.test(k))));

function runToEnd(args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'train', ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

describe('brevity train killed with SIGKILL', () => {
  it('resumes from its last checkpoint and logs the same metrics as an uninterrupted run', async () => {
    const whole = join(tmp('brevity-whole-'), 'run');
    runToEnd([config, '--out', whole]);

    const killed = join(tmp('brevity-killed-'), 'run');
    const child = spawn(process.execPath, [cli, 'train', config, '--out', killed], { stdio: 'ignore' });
    const ck = join(killed, 'checkpoints', 'step-4');
    const t0 = Date.now();
    while (!existsSync(ck) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(killed, 'summary.json'))).toBe(false);

    runToEnd(['--resume', killed]);
    expect(strip(readMetrics(join(killed, 'metrics.jsonl')))).toEqual(
      strip(readMetrics(join(whole, 'metrics.jsonl'))),
    );
  }, 120_000);
});
