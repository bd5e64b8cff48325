/**
 * Batched KV-cache generation against the full forward pass, on cpu (native kernels and tfjs' own) and wasm;
 * the native fast path against the plain one; EOS stopping, the length cap, greedy limits of temperature and
 * top-p, and seeded reproducibility. Tiny random models, real code.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createPolicy, generate, initBackend, type Policy } from '@brevity/trainer';
import { installNativeKernels, uninstallNativeKernels } from '../packages/trainer/src/kernels/native.js';
import { fullForward, maxAbsDiff, randomPrompts } from './generate-check.js';

const cfg = { vocab: 12, d: 16, layers: 2, heads: 2, ctx: 32 };
const EOS = 1;

// cpu: with the native kernels when the addon is built (in-place KV cache, fused attention and RMSNorm);
// cpu (tfjs kernels): the plain path; wasm: the concat cache on another backend.
describe.each([
  { name: 'cpu', backend: 'cpu', native: true },
  { name: 'cpu (tfjs kernels)', backend: 'cpu', native: false },
  { name: 'wasm', backend: 'wasm', native: false },
] as const)('KV-cache generation on $name', ({ backend, native }) => {
  let policy: Policy;
  beforeAll(async () => {
    await initBackend(backend);
    if (backend === 'cpu' && !native) uninstallNativeKernels();
    policy = createPolicy(cfg, 7);
  });
  afterAll(() => policy.dispose());

  // Cases: plain sampling, a hot temperature (logprobs at T != 1) and nucleus truncation; prompts of mixed
  // lengths (left padding) and early EOS (batch compaction) are exercised in each.
  test.each([
    { temperature: 1, topP: 1 },
    { temperature: 1.7, topP: 1 },
    { temperature: 0.8, topP: 0.6 },
  ])('matches the full forward pass: %o', async ({ temperature, topP }) => {
    const prompts = randomPrompts(9, 3);
    const gens = await generate(policy, prompts, {
      maxNewTokens: 20,
      eosId: EOS,
      temperature,
      topP,
      rng: 11,
    });
    expect(gens.some((g) => !g.truncated)).toBe(true); // some rows stopped early
    expect(gens.some((g) => g.truncated)).toBe(true);
    const full = await fullForward(policy, prompts, gens, temperature);
    for (let b = 0; b < prompts.length; b++) {
      expect(maxAbsDiff(gens[b].logprobs, full[b].logprobs)).toBeLessThan(1e-4);
      expect(maxAbsDiff(gens[b].entropies, full[b].entropies)).toBeLessThan(1e-4);
    }
  });

  test('does not leak tensors', async () => {
    const before = tf.memory().numTensors;
    await generate(policy, randomPrompts(5, 4), { maxNewTokens: 12, eosId: EOS, rng: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

const native = installNativeKernels();
describe.skipIf(!native.ok)(
  `native fast path vs tfjs kernels${native.ok ? '' : ` (skipped: ${native.reason})`}`,
  () => {
    // The in-place cache with fused attention and RMSNorm must sample what the plain path samples.
    test.each([
      { temperature: 1, topP: 1, prompts: 9 },
      { temperature: 0.7, topP: 0.9, prompts: 16 },
    ])('same tokens, log-probs within 1e-5: %o', async ({ temperature, topP, prompts: n }) => {
      await initBackend('cpu');
      const policy = createPolicy({ ...cfg, d: 24, heads: 3 }, 3);
      const prompts = randomPrompts(n, 8);
      const run = () =>
        generate(policy, prompts, { maxNewTokens: 25, eosId: EOS, temperature, topP, rng: 5 });
      expect(installNativeKernels().ok).toBe(true);
      const fast = await run();
      uninstallNativeKernels();
      const plain = await run();
      installNativeKernels();
      policy.dispose();
      expect(fast.map((g) => [...g.tokens])).toEqual(plain.map((g) => [...g.tokens]));
      for (let b = 0; b < n; b++) {
        expect(maxAbsDiff(fast[b].logprobs, plain[b].logprobs)).toBeLessThan(1e-5);
        expect(maxAbsDiff(fast[b].entropies, plain[b].entropies)).toBeLessThan(1e-5);
      }
    });
  },
);

describe('generation semantics (cpu)', () => {
  let policy: Policy;
  beforeAll(async () => {
    await initBackend('cpu');
    policy = createPolicy(cfg, 5);
  });
  afterAll(() => policy.dispose());
  const prompts = randomPrompts(6, 9);

  test('a row stops right after EOS; the others run to the cap and are marked truncated', async () => {
    const gens = await generate(policy, prompts, { maxNewTokens: 15, eosId: EOS, rng: 2 });
    for (const g of gens) {
      const eos = g.tokens.indexOf(EOS);
      if (g.truncated) {
        expect(eos).toBe(-1);
        expect(g.tokens.length).toBe(15);
      } else expect(eos).toBe(g.tokens.length - 1);
      expect(g.logprobs.length).toBe(g.tokens.length);
    }
  });

  test('the same seed gives the same samples; another seed does not', async () => {
    const o = { maxNewTokens: 10, eosId: EOS };
    const [a, b, c] = [
      await generate(policy, prompts, { ...o, rng: 4 }),
      await generate(policy, prompts, { ...o, rng: 4 }),
      await generate(policy, prompts, { ...o, rng: 5 }),
    ];
    expect(a.map((g) => [...g.tokens])).toEqual(b.map((g) => [...g.tokens]));
    expect(a.map((g) => [...g.tokens])).not.toEqual(c.map((g) => [...g.tokens]));
  });

  // Both limits are greedy decoding: temperature 0, and a nucleus so small it holds only the top token.
  test('temperature 0 and top-p 1e-6 both decode greedily (and agree for any seed)', async () => {
    const o = { maxNewTokens: 10, eosId: EOS };
    const greedy = await generate(policy, prompts, { ...o, temperature: 0, rng: 1 });
    const nucleus = await generate(policy, prompts, { ...o, topP: 1e-6, rng: 99 });
    expect(nucleus.map((g) => [...g.tokens])).toEqual(greedy.map((g) => [...g.tokens]));
  });

  test('rejects a cap that does not fit the context', async () => {
    await expect(generate(policy, prompts, { maxNewTokens: 30, eosId: EOS })).rejects.toThrow(
      /exceeds the model context \(32\)/,
    );
  });
});
