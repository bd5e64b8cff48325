/**
 * The GRPO trainer on webgpu with the fused WGSL kernels (attention, RMSNorm, cross-entropy, AdamW): the same
 * samples, rewards and gradient norms as on the cpu backend, and a run stopped at a checkpoint and resumed on
 * webgpu logs the same metrics as one that was not (the fused AdamW's moments go through the checkpoint).
 * Runs on a GPU when Dawn finds one, else on Mesa's software adapter; skipped with the reason otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, SOFTWARE_WEBGPU } from '../packages/trainer/src/backend.js';
import { FUSED_KERNELS } from '../packages/trainer/src/kernels/fused-names.js';
import {
  countWebgpuLaunches,
  installWebgpuKernels,
  leftOutGroups,
} from '../packages/trainer/src/kernels/webgpu-fused.js';
import { hasKernel } from '../packages/trainer/src/model/fused.js';
import { runTrain } from '../packages/trainer/src/rl/train.js';
import { tinyCheckpoint, tinyConfig, tmp } from './train-helpers.js';

async function webgpuSkipReason(): Promise<string> {
  for (const opts of [{}, SOFTWARE_WEBGPU]) {
    try {
      await initBackend('webgpu', opts);
      return '';
    } catch (e) {
      if (opts === SOFTWARE_WEBGPU) return ` (skipped: ${(e as Error).message.split('\n')[0]})`;
    }
  }
  return '';
}
const skipReason = await webgpuSkipReason();

/** The metrics of a run, without timings (which differ between runs). */
function metrics(runDir: string): Record<string, number>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>)
    .map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !/^(time|perf)\//.test(k))));
}

describe.skipIf(skipReason !== '')(`GRPO on webgpu${skipReason}`, () => {
  let checkpoint: string;
  beforeAll(async () => {
    checkpoint = await tinyCheckpoint();
  }, 120_000);

  it('samples, rewards and gradient norms match the cpu backend step for step', async () => {
    const config = tinyConfig(checkpoint, ['steps=3']);
    const run = async (backend: 'cpu' | 'webgpu') => {
      const runDir = tmp(`brevity-${backend}-`);
      await runTrain({ config, runDir, policyPath: checkpoint, backend, quiet: true });
      return metrics(runDir);
    };
    const [cpu, gpu] = [await run('cpu'), await run('webgpu')];
    expect(gpu.length).toBe(cpu.length);
    gpu.forEach((row, i) => {
      for (const k of ['rollout/length_mean', 'reward/mean', 'rollout/acc'])
        expect(row[k], `step ${row.step} ${k}`).toBe(cpu[i][k]); // the same samples
      for (const k of ['actor/grad_norm', 'actor/pg_loss', 'actor/entropy']) {
        expect(cpu[i][k], `step ${row.step} ${k}`).toBeTypeOf('number');
        expect(row[k], `step ${row.step} ${k}`).toBeCloseTo(cpu[i][k], 4);
      }
    });
  }, 120_000);

  it('gradients summed over micro-batches in place give the metrics of one add per tensor, exactly', async () => {
    const config = tinyConfig(checkpoint, ['steps=2', 'optim.microBatchTokens=64']);
    const run = async () => {
      const runDir = tmp('brevity-webgpu-micro-');
      await runTrain({ config, runDir, policyPath: checkpoint, backend: 'webgpu', quiet: true });
      return runDir;
    };
    let inPlace = '';
    const launched = await countWebgpuLaunches(async () => (inPlace = await run()));
    installWebgpuKernels([...leftOutGroups(), 'accumulate']);
    let plain = '';
    try {
      expect(hasKernel(FUSED_KERNELS.addTensors)).toBe(false);
      const without = await countWebgpuLaunches(async () => (plain = await run()));
      expect(launched.total).toBeLessThan(without.total);
    } finally {
      installWebgpuKernels();
    }
    const passes = readFileSync(join(inPlace, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Record<string, number>)['perf/micro_batches']);
    expect(Math.min(...passes)).toBeGreaterThan(1); // several micro-batches every step
    expect(metrics(inPlace)).toEqual(metrics(plain));
  }, 120_000);

  it('a run resumed from its checkpoint logs what an uninterrupted one does', async () => {
    const config = tinyConfig(checkpoint, ['steps=3']);
    const run = (runDir: string, more: { maxSteps?: number; resume?: boolean } = {}) =>
      runTrain({ config, runDir, policyPath: checkpoint, backend: 'webgpu', quiet: true, ...more });
    const [full, cut] = [tmp('brevity-webgpu-full-'), tmp('brevity-webgpu-cut-')];
    await run(full);
    await run(cut, { maxSteps: 2 });
    await run(cut, { resume: true });
    expect(metrics(cut)).toEqual(metrics(full));
  }, 120_000);
});
