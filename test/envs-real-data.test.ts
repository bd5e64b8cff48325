/**
 * Acceptance on the real evaluation sets (spec envs.md: "For each, verify(gold written in \boxed{}) must be
 * correct for every problem"): GSM8K test, MATH-500, AIME 2024, AMC 2023 from ../shared/data (or
 * BREVITY_DATA_DIR). Each gold, boxed inside a short solution, must verify; the same solution with a
 * perturbed answer must not. Counts and every understood failure are in docs/verifier.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGold, verifyAnswer, type VerifyMode } from '@brevity/envs';

const repoRoot = resolve(new URL('..', import.meta.url).pathname);
const dataDir = process.env.BREVITY_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data');
const present = existsSync(join(dataDir, 'gsm8k_test.jsonl'));
if (!present) console.warn(`envs-real-data: skipped, no datasets in ${dataDir} (set BREVITY_DATA_DIR)`);

const SETS = [
  {
    name: 'gsm8k',
    file: 'gsm8k_test.jsonl',
    rows: 1319,
    gold: (r: Record<string, unknown>) => readGold(r.answer, 'hashes', 'gsm8k'),
  },
  {
    name: 'math500',
    file: 'math500_test.jsonl',
    rows: 500,
    gold: (r: Record<string, unknown>) => readGold(r.answer, 'plain', 'math500'),
  },
  {
    name: 'aime24',
    file: 'aime24_test.jsonl',
    rows: 30,
    gold: (r: Record<string, unknown>) => readGold(r.answer, 'plain', 'aime24'),
  },
  {
    name: 'amc23',
    file: 'amc23_test.jsonl',
    rows: 40,
    gold: (r: Record<string, unknown>) => readGold(r.answer, 'number', 'amc23'),
  },
];

/** Understood failures (documented in docs/verifier.md): none at present. */
const KNOWN_FAILURES: Record<string, string[]> = { gsm8k: [], math500: [], aime24: [], amc23: [] };

/** A wrong answer: the first non-zero digit plus one; else a changed word or `+1` appended. */
function perturb(g: string): string {
  const m = /[1-9]/.exec(g) ?? /\d/.exec(g);
  if (m) return g.slice(0, m.index) + String(Number(m[0]) + 1) + g.slice(m.index + 1);
  if (/\\text\{/.test(g)) return g.replace(/\}$/, 'x}');
  return `${g}+1`;
}

const solution = (answer: string, style: string): string =>
  style === 'boxed'
    ? `<think>Let me work it out.</think>The computation gives the result, so the answer is $\\boxed{${answer}}$.`
    : `Some work.\nFinal Answer: The final answer is $${answer}$. I hope it is correct.`;

describe.skipIf(!present)('real datasets: gold verifies, perturbed gold does not', () => {
  it.each(SETS)('$name', ({ name, file, rows, gold }) => {
    const lines = readFileSync(join(dataDir, file), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(rows);
    const failures: string[] = [];
    const counts = { gold: 0, perturbed: 0, minerva: 0 };
    for (const line of lines) {
      const g = gold(JSON.parse(line));
      const cases: [string, string, VerifyMode, boolean, keyof typeof counts][] = [
        [solution(g, 'boxed'), g, 'reward', true, 'gold'],
        [solution(perturb(g), 'boxed'), g, 'reward', false, 'perturbed'],
        [solution(g, 'minerva'), g, 'eval', true, 'minerva'],
      ];
      for (const [text, gd, mode, want, key] of cases) {
        if (verifyAnswer(text, gd, { mode }).correct === want) counts[key]++;
        else failures.push(`${key}: ${g}`);
      }
    }
    console.info(
      `${name}: ${rows} problems; gold verifies ${counts.gold}, perturbed rejected ${counts.perturbed}, eval-mode Minerva sentence ${counts.minerva}`,
    );
    expect(failures).toEqual(KNOWN_FAILURES[name]);
  });
});
