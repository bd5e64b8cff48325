/** The killable worker path of the verifier (research/verifiers.md 4.6). Needs `npx tsc -b` first. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeVerifierWorker, verifyAnswerAsync } from '@brevity/envs';

afterAll(() => closeVerifierWorker());

describe('verifyAnswerAsync', () => {
  it('gives the same verdicts as verifyAnswer', async () => {
    const cases = [
      ['<think>x</think>\\boxed{\\frac12}', '0.5', true],
      ['\\boxed{(x+1)^2}', 'x^2+2x+1', true],
      ['\\boxed{3}', '4', false],
    ] as const;
    for (const [c, g, ok] of cases)
      expect((await verifyAnswerAsync(c, g, { mode: 'eval' })).correct).toBe(ok);
  });

  it('terminates the worker when the limit passes and recovers for the next call', async () => {
    await closeVerifierWorker();
    // A fresh worker needs far more than 1 ms to load mathjs, so this request is killed.
    const t = performance.now();
    const v = await verifyAnswerAsync('\\boxed{1}', '1', { timeoutMs: 1 });
    expect(v).toEqual({ correct: false, formatValid: false, extracted: null, reason: 'timeout' });
    expect(performance.now() - t).toBeLessThan(1000);
    const next = await verifyAnswerAsync('\\boxed{1}', '1', { timeoutMs: 10_000 });
    expect(next.reason).toBe('match');
  });

  it('serves concurrent requests in order', async () => {
    const golds = Array.from({ length: 20 }, (_, i) => String(i));
    const out = await Promise.all(golds.map((g) => verifyAnswerAsync(`\\boxed{${g}}`, g)));
    expect(out.every((v) => v.correct)).toBe(true);
  });
});
