/** Every environment passes the shared conformance suite (spec envs.md, "Environment contract"). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnv, envNames, runConformance, type Environment } from '@brevity/envs';

function tinyDataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'brevity-envs-'));
  const file = join(dir, 'mixed.jsonl');
  const rows = [
    { question: 'Natalia sold 48 clips...', answer: 'She sold 48/2 = 24.\n#### 72' },
    { question: 'How many?', answer: 'So 1,000 + 450 = 1,450\n#### 1,450' },
    { problem: 'Compute 1/2 + 1/4.', answer: '\\frac34' },
    { problem: 'Solve for the interval.', answer: '(-\\infty, 2) \\cup (3, \\infty)' },
    { problem: 'Find the pair.', answer: '\\left( 3, \\frac{\\pi}{2} \\right)' },
    { problem: 'Which?', answer: '\\text{(C)}' },
    { problem: 'AMC-style', answer: 27.0 },
    { problem: 'AIME-style', answer: '025' },
    { problem: 'Matrix', answer: '\\begin{pmatrix} -2 \\\\ -14 \\\\ -7 \\end{pmatrix}' },
    { problem: 'Line', answer: 'y = 2x + 3' },
  ];
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

const ENVS: [string, () => Environment][] = [
  ['modchain', () => createEnv('modchain')],
  [
    'modchain, difficulty 1 only (100 prompts)',
    () => createEnv('modchain', { minDifficulty: 1, maxDifficulty: 1 }),
  ],
  ['modchain, noisy teacher', () => createEnv('modchain', { errorRate: 0.2 })],
  ['arithmetic', () => createEnv('arithmetic')],
  ['arithmetic, levels 5-6', () => createEnv('arithmetic', { minDifficulty: 5, maxDifficulty: 6 })],
  ['jsonl, mixed formats, split 50/50', () => createEnv('jsonl', { file: tinyDataset(), testFraction: 0.5 })],
];

describe('conformance', () => {
  it('covers every registered environment', () => {
    const covered = new Set(ENVS.map(([n]) => n.split(',')[0]));
    for (const name of envNames()) expect(covered.has(name)).toBe(true);
  });

  it.each(ENVS)('%s passes every check', (_name, make) => {
    const report = runConformance(make());
    const failed = report.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect(failed).toEqual([]);
    expect(report.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'determinism',
        'split disjointness',
        'gold verifies',
        'garbage fails',
        'throughput',
      ]),
    );
  });

  it('catches a broken environment (the suite has teeth)', () => {
    const good = createEnv('modchain');
    const broken: Environment = {
      ...good,
      name: 'broken',
      sample: (rng, n) => good.sample(rng, n, 'train'), // ignores the split: test shares train problems
      verify: () => ({ correct: true, formatValid: true, extracted: 'x', reason: 'match' }), // accepts garbage
    };
    const failed = runConformance(broken)
      .filter((c) => !c.ok)
      .map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(['split disjointness', 'garbage fails']));
  });
});
