/**
 * Named model sizes for `brevity bench --model NAME`. `ref` is the default workload of
 * shared/tools/torch_reference.py; `base` is the shipped base model (experiments/base/sft-modchain.yaml);
 * `gpu-*` are the sizes of the GPU table in shared/notes/gpu.md.
 */
import type { BenchShape } from './bench.js';

export const BENCH_DEFAULTS: BenchShape = {
  d: 128,
  layers: 2,
  heads: 4,
  vocab: 64,
  ctx: 128,
  batch: 16,
  seq: 128,
  sampleBatch: 64,
  sampleTokens: 64,
};

export const MODEL_PRESETS: Record<string, { describe: string; shape: Partial<BenchShape> }> = {
  ref: { describe: 'the PyTorch reference default (d 128, 2 layers, 4 heads, ctx 128)', shape: {} },
  base: {
    describe:
      'the shipped modchain base model (d 64, 2 layers, 4 heads, ctx 128); SFT batch 32 x 88; 128 rollouts x 80 tokens',
    shape: {
      d: 64,
      layers: 2,
      heads: 4,
      vocab: 21,
      ctx: 128,
      batch: 32,
      seq: 88,
      sampleBatch: 128,
      sampleTokens: 80,
    },
  },
  'gpu-medium': {
    describe: 'gpu.md row 1 (d 256, 4 layers, T 128, batch 16)',
    shape: { d: 256, layers: 4, heads: 4, ctx: 128, seq: 128, batch: 16 },
  },
  'gpu-large': {
    describe: 'gpu.md row 2 (d 512, 8 layers, T 256, batch 32)',
    shape: { d: 512, layers: 8, heads: 8, ctx: 256, seq: 256, batch: 32 },
  },
};
