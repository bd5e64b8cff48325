import { describe, expect, it } from 'vitest';
import { Rng } from '@brevity/core';
import { analyzeTrace, createModchain, modchainSplitCounts, modchainTokenizer } from '@brevity/envs';

describe('modchain', () => {
  it('samples the spec prompt format with the sum mod 10 as gold', () => {
    const env = createModchain();
    for (const p of env.sample(Rng.from(3), 200)) {
      const digits = p.prompt.slice(0, -1).split('+').map(Number);
      expect(p.prompt).toMatch(/^\d(\+\d){1,5}=$/);
      expect(p.difficulty).toBe(digits.length - 1);
      expect(p.gold).toBe(String(digits.reduce((a, b) => a + b, 0) % 10));
      expect(p.id).toBe(`modchain/${digits.join('')}`);
    }
  });

  it('reproduces the spec worked trace shape: steps, a check, boxed answer', () => {
    const env = createModchain({ checkWeights: [0, 1], repairRate: 0 });
    const p = { id: 'x', prompt: '3+4+9+2+8=', gold: '6', difficulty: 4 };
    const t = env.teacherTrace!(p, Rng.from(0));
    expect(t).toMatch(
      /^<think>3\+4=7\.7\+9=6\.6\+2=8\.8\+8=6\.c(3\+4=7|7\+9=6|6\+2=8|8\+8=6)\.<\/think>\\boxed\{6\}$/,
    );
    expect(env.verify(t, p)).toMatchObject({ correct: true, formatValid: true, extracted: '6' });
  });

  it('repairs wrong steps immediately when repairRate is 1 (capped by maxRepairs)', () => {
    const env = createModchain({ checkWeights: [1], repairRate: 1, maxRepairs: 2 });
    const p = { id: 'x', prompt: '3+4+9+2=', gold: '8' };
    const t = env.teacherTrace!(p, Rng.from(1));
    expect(t).toMatch(
      /^<think>3\+4=[0-689]\.c3\+4=7\.7\+9=[0-57-9]\.c7\+9=6\.6\+2=8\.<\/think>\\boxed\{8\}$/,
    );
    const a = env.analyze!(t);
    expect(a).toMatchObject({ steps: 3, checks: 2, repairs: 2, wrongSteps: 2, hasAnswer: true, answer: '8' });
  });

  it('propagates unrepaired errors (errorRate 1) into a wrong final answer', () => {
    const env = createModchain({ checkWeights: [1], repairRate: 0, errorRate: 1 });
    const p = { id: 'x', prompt: '1+1=', gold: '2' };
    const t = env.teacherTrace!(p, Rng.from(2));
    expect(env.verify(t, p).correct).toBe(false);
  });

  it('is deterministic under a seed and the rng state', () => {
    const env = createModchain();
    const a = env.sample(Rng.from(9), 50);
    const b = env.sample(Rng.from(9), 50);
    expect(a).toEqual(b);
    const r1 = Rng.from(4);
    const r2 = Rng.from(4);
    expect(env.teacherTrace!(a[0], r1)).toBe(env.teacherTrace!(a[0], r2));
  });

  it('keeps default traces overthinking at every difficulty and under 80 tokens', () => {
    // The lead's targets: >= 35% of think tokens in checks at every difficulty 1..5, longest trace << 96.
    for (let d = 1; d <= 5; d++) {
      const env = createModchain({ minDifficulty: d, maxDifficulty: d });
      const rng = Rng.from(d);
      let think = 0;
      let checks = 0;
      let longest = 0;
      for (const p of env.sample(rng, 500)) {
        const t = env.teacherTrace!(p, rng);
        const a = env.analyze!(t);
        think += a.thinkTokens;
        checks += a.checkTokens;
        longest = Math.max(longest, env.tokenizer!.encode(t).length + 1);
        expect(env.verify(t, p).correct).toBe(true);
        expect(p.budget).toBe(6 * d + 6);
      }
      expect(checks / think).toBeGreaterThan(0.35);
      expect(longest).toBeLessThanOrEqual(80);
    }
  });

  it('never shares a prompt between train and test, even at difficulty 1', () => {
    const env = createModchain({ minDifficulty: 1, maxDifficulty: 2 });
    const train = new Set(env.sample(Rng.from(1), 3000, 'train').map((p) => p.prompt));
    const test = new Set(env.sample(Rng.from(2), 3000, 'test').map((p) => p.prompt));
    for (const p of test) expect(train.has(p)).toBe(false);
    expect(modchainSplitCounts(1)).toEqual({ total: 100, train: 82, test: 18 });
    expect(modchainSplitCounts(2)).toEqual({ total: 1000, train: 803, test: 197 });
  });

  it('rejects bad params with the field named', () => {
    expect(() => createModchain({ minDifficulty: 4, maxDifficulty: 2 })).toThrow(/minDifficulty/);
    expect(() => createModchain({ maxDifficulty: 9 })).toThrow();
    expect(() => createModchain({ difficultyWeights: [1, 2] })).toThrow(/difficultyWeights/);
  });
});

describe('analyzeTrace', () => {
  const tok = modchainTokenizer();
  it.each([
    // two steps, one redundant check: 7 of 19 think tokens
    [
      '<think>3+4=7.7+9=6.c7+9=6.</think>\\boxed{6}',
      { thinkTokens: 19, checkTokens: 7, checks: 1, repairs: 0 },
    ],
    // a repair: wrong step then the corrected check
    ['<think>3+4=8.c3+4=7.</think>\\boxed{7}', { checks: 1, repairs: 1, repairTokens: 7, wrongSteps: 1 }],
    // truncated: no closing think, no answer
    ['<think>3+4=7.c3+', { closedThink: false, hasAnswer: false, otherTokens: 3 }],
    // no checks at all
    ['<think>1+1=2.</think>\\boxed{2}', { checkShare: 0, steps: 1, hasAnswer: true, answer: '2' }],
  ])('%s', (text, expected) => {
    expect(analyzeTrace(text, { tokenizer: tok, modulus: 10 })).toMatchObject(expected);
  });

  it('accepts token ids with the tokenizer', () => {
    const ids = [tok.bos, ...tok.encode('<think>1+1=2.c1+1=2.</think>\\boxed{2}'), tok.eos];
    expect(analyzeTrace(ids, { tokenizer: tok, modulus: 10 })).toMatchObject({
      thinkTokens: 13,
      checkTokens: 7,
    });
  });
});
