import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@brevity/core';
import { createEnv, createJsonlEnv, readGold } from '@brevity/envs';

const dir = mkdtempSync(join(tmpdir(), 'brevity-ds-'));
function file(name: string, lines: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n'));
  return f;
}

describe('readGold', () => {
  it.each([
    // GSM8K: the text after the last ####
    ['Work...\n#### 1,450,000', 'auto', '1,450,000'],
    // MATH solution: the last closed box
    ['So $x = \\boxed{\\frac{1}{2}}$.', 'auto', '\\frac{1}{2}'],
    // MATH-500 answer field as written
    ['\\left( 3, \\frac{\\pi}{2} \\right)', 'auto', '\\left( 3, \\frac{\\pi}{2} \\right)'],
    // AMC floats become integers
    [27.0, 'auto', '27'],
    [-1.0, 'number', '-1'],
    // AIME zero padding is kept in the gold (the verifier compares 025 = 25)
    ['025', 'plain', '025'],
  ] as const)('%j (%s) -> %s', (value, format, gold) => {
    expect(readGold(value, format, 'f:1: answer')).toBe(gold);
  });

  it.each([
    [undefined, 'auto', /f:1: answer: missing/],
    ['no marker', 'hashes', /no `####`/],
    ['\\boxed{1', 'boxed', /no closed/],
    ['abc', 'number', /expected a number/],
    [{ a: 1 }, 'auto', /expected a string/],
  ] as const)('rejects %j as %s', (value, format, msg) => {
    expect(() => readGold(value, format, 'f:1: answer')).toThrow(msg);
  });
});

describe('jsonl environment', () => {
  const gsm = file('gsm.jsonl', [
    JSON.stringify({ question: 'Q1?', answer: 'a\n#### 72' }),
    JSON.stringify({ question: 'Q2?', answer: 'b\n#### 1,450' }),
    '',
    JSON.stringify({ question: 'Q3?', answer: 'c\n#### -3' }),
  ]);

  it('maps fields, renders the template and verifies in the chosen mode', () => {
    const env = createJsonlEnv({ file: gsm, template: 'Q: {question}\nA:' });
    const probs = env.problems('test');
    expect(probs.map((p) => p.gold)).toEqual(['72', '1,450', '-3']);
    expect(probs[0]).toMatchObject({ id: 'gsm.jsonl/1', prompt: 'Q: Q1?\nA:' });
    expect(env.verify('\\boxed{1450}', probs[1]).correct).toBe(true);
    expect(env.verify('The answer is 1450.', probs[1]).correct).toBe(false);
    const evalEnv = createJsonlEnv({ file: gsm, mode: 'eval' });
    expect(evalEnv.verify('The answer is 1450.', probs[1]).correct).toBe(true);
  });

  it('samples deterministically from a split and says when a split is empty', () => {
    const env = createEnv('jsonl', { file: gsm });
    expect(env.sample(Rng.from(1), 5, 'test')).toEqual(env.sample(Rng.from(1), 5, 'test'));
    expect(() => env.sample(Rng.from(1), 1, 'train')).toThrow(/train split is empty \(testFraction 1\)/);
  });

  it.each([
    [['{"question": "Q", "answer": "#### 1"}', '{not json'], /bad\.jsonl:2: not valid JSON/],
    [['{"answer": "#### 1"}'], /bad\.jsonl:1: problem\/question: missing/],
    [['{"question": "Q", "answer": "none"}'], /bad\.jsonl:1: answer: no `####`/],
    [['[1,2]'], /bad\.jsonl:1: expected a JSON object/],
    [[''], /bad\.jsonl: no problems/],
  ])('names the file, line and field of bad input %#', (lines, msg) => {
    const f = file('bad.jsonl', lines);
    expect(() =>
      createJsonlEnv({
        file: f,
        answerFormat: lines[0].includes('####') || lines[0].includes('none') ? 'hashes' : 'auto',
      }),
    ).toThrow(msg);
  });

  it('reports a missing file and bad params clearly', () => {
    expect(() => createEnv('jsonl', { file: join(dir, 'nope.jsonl') })).toThrow(
      /nope\.jsonl: cannot read the dataset file \(ENOENT\)/,
    );
    expect(() => createEnv('jsonl', { file: gsm, mode: 'fast' })).toThrow(/jsonl params: mode/);
    expect(() => createEnv('jsonl', { file: gsm, template: 'no placeholder' })).toThrow(/template/);
    expect(() => createEnv('nope')).toThrow(
      /unknown environment "nope" \(known: modchain, arithmetic, jsonl\)/,
    );
  });
});
