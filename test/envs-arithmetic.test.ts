import { describe, expect, it } from 'vitest';
import { Rng } from '@brevity/core';
import { createArithmetic, parseArithmeticPrompt, printExpr } from '@brevity/envs';

describe('arithmetic', () => {
  it.each([
    // precedence without parentheses
    ['3+4*5=', 23],
    // parentheses at higher levels
    ['(3+4)*12-5=', 79],
    // a right operand of equal precedence keeps its parentheses
    ['9-(4-2)=', 7],
    // negative intermediate results
    ['1-20*1=', -19],
  ])('parses %s and prints it back (value %i)', (prompt, value) => {
    const e = parseArithmeticPrompt(prompt);
    expect(`${printExpr(e)}=`).toBe(prompt);
    const env = createArithmetic({ checkWeights: [1], repairRate: 0 });
    const t = env.teacherTrace!({ id: 'x', prompt, gold: String(value) }, Rng.from(0));
    expect(t.endsWith(`</think>\\boxed{${value}}`)).toBe(true);
  });

  it('writes the spec trace style: one multi-digit step per operation, children first', () => {
    const env = createArithmetic({ checkWeights: [1], repairRate: 0 });
    const t = env.teacherTrace!({ id: 'x', prompt: '(3+4)*12-5=', gold: '79' }, Rng.from(0));
    expect(t).toBe('<think>3+4=7.7*12=84.84-5=79.</think>\\boxed{79}');
  });

  it('keeps difficulties 1-2 free of parentheses and counts one operation per level', () => {
    for (let d = 1; d <= 6; d++) {
      const env = createArithmetic({ minDifficulty: d, maxDifficulty: d });
      for (const p of env.sample(Rng.from(d), 100)) {
        expect((p.prompt.match(/[+*]|(?<=[\d)])-/g) ?? []).length).toBe(d);
        if (d < 3) expect(p.prompt).not.toMatch(/[()]/);
        expect(env.tokenizer!.canEncode(p.prompt)).toBe(true);
      }
    }
  });

  it('repairs wrong steps and the analyser finds them', () => {
    const env = createArithmetic({ checkWeights: [1], repairRate: 1, maxRepairs: 1 });
    const t = env.teacherTrace!({ id: 'x', prompt: '48*2+1=', gold: '97' }, Rng.from(5));
    expect(t).toMatch(/^<think>48\*2=-?\d+\.c48\*2=96\.96\+1=97\.<\/think>\\boxed\{97\}$/);
    expect(env.analyze!(t)).toMatchObject({ repairs: 1, wrongSteps: 1, steps: 2, hasAnswer: true });
  });
});
