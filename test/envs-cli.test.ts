/**
 * `brevity verify` and `brevity data`: the implementations in-process, and the built CLI as a child process
 * for outputs and exit codes (run `npx tsc -b && node scripts/postbuild.mjs` first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCompletions } from '../packages/trainer/src/data-cli/verify-cli.js';
import { generateRows } from '../packages/trainer/src/data-cli/generate.js';
import { downloadRows } from '../packages/trainer/src/data-cli/fetch.js';

const dir = mkdtempSync(join(tmpdir(), 'brevity-envs-cli-'));
const cli = new URL('../packages/trainer/dist/cli.js', import.meta.url).pathname;
const run = (args: string[], input = '') =>
  spawnSync('node', [cli, ...args], { input, encoding: 'utf8', timeout: 20_000 });

describe('parseCompletions', () => {
  it.each([
    // JSON strings, one per line
    ['"a"\n"\\\\boxed{1}"\n', ['a', '\\boxed{1}']],
    // objects with completion or text
    ['{"completion": "x"}\n{"text": "y"}', ['x', 'y']],
    // plain text: the whole input is one completion
    ['The answer\nis 5.\n', ['The answer\nis 5.']],
    // a mix falls back to plain text
    ['"a"\nplain', ['"a"\nplain']],
  ])('%j', (text, expected) => {
    expect(parseCompletions(text, 'stdin')).toEqual(expected);
  });

  it('refuses empty input', () => {
    expect(() => parseCompletions('\n \n', 'stdin')).toThrow(/stdin: no completions/);
  });
});

describe('generateRows', () => {
  it('is deterministic and carries traces, budgets and check shares', () => {
    const o = { env: 'modchain' as const, n: 50, seed: 3, split: 'test' as const, set: ['maxDifficulty=2'] };
    const a = generateRows(o);
    expect(generateRows(o)).toEqual(a);
    for (const r of a) {
      expect(r.split).toBe('test');
      expect(r.difficulty).toBeLessThanOrEqual(2);
      expect(r.trace.endsWith(`\\boxed{${r.gold}}`)).toBe(true);
      expect(r.traceTokens).toBeGreaterThan(r.budget!);
    }
  });
});

describe('downloadRows', () => {
  it('says it cannot reach the hub and how to pass a local file (closed loopback port)', async () => {
    const t = performance.now();
    await expect(downloadRows('gsm8k', 'http://127.0.0.1:9', 3000)).rejects.toThrow(
      /cannot reach 127\.0\.0\.1:9 .*pass it with --file PATH/,
    );
    expect(performance.now() - t).toBeLessThan(5000);
    await expect(downloadRows('nope', 'http://127.0.0.1:9', 3000)).rejects.toThrow(/unknown dataset "nope"/);
  });
});

describe('brevity verify / data (built CLI)', () => {
  it('prints a verdict and reason per completion', () => {
    const r = run(['verify', '--gold', '72'], '"<think>x</think>\\\\boxed{72}"\n"The answer is 72."\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^1: correct\s+match\s+extracted "72"$/m);
    expect(r.stdout).toMatch(/^2: wrong\s+no_answer\s+extracted \(none\)$/m);
    expect(r.stdout).toMatch(/1\/2 correct against gold "72" \(reward mode\)/);
    const e = run(['verify', '--gold', '72', '--mode', 'eval', '--json'], 'The answer is 72.');
    expect(JSON.parse(e.stdout)).toMatchObject({ index: 1, correct: true, reason: 'match' });
  });

  it('writes testbed JSONL and shows samples', () => {
    const out = join(dir, 'mc.jsonl');
    const r = run(['data', 'modchain', '--n', '20', '--seed', '1', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/20 modchain problems \(train split, seed 1\)/);
    expect(r.stdout).toMatch(/difficulty 1: .* checks \d+% of think tokens/);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(20);
    expect(rows[0]).toHaveProperty('trace');
  });

  it('validates a local dataset copy and reports bad input on one line with exit code 2', () => {
    const good = join(dir, 'g.jsonl');
    writeFileSync(good, JSON.stringify({ question: 'Q?', answer: 'x\n#### 5' }) + '\n');
    const ok = run(['data', 'fetch', 'gsm8k', '--file', good, '--out', join(dir, 'copy.jsonl')]);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/gsm8k: 1 problems \(the reference copy has 1319\)/);
    const bad = run(['data', 'fetch', 'math500', '--endpoint', 'http://127.0.0.1:9', '--timeout-ms', '3000']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^brevity: data fetch math500: cannot reach 127\.0\.0\.1:9 .*--file PATH/);
    const badSet = run(['data', 'modchain', '--set', 'maxDifficulty=12']);
    expect(badSet.status).toBe(2);
    expect(badSet.stderr).toMatch(/modchain params: maxDifficulty/);
  });
});
