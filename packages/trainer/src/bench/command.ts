/**
 * `brevity bench`: the speed yardstick on every available backend (a table), or on one backend as a single
 * JSON line (`--json`) to compare with shared/tools/torch_reference.py.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, initBackend, type BackendChoice, type BackendName } from '../backend.js';
import { UserError } from '../errors.js';
import { runBench, type BenchOptions, type BenchResult, type BenchShape } from './bench.js';
import { BENCH_DEFAULTS, MODEL_PRESETS } from './presets.js';

export interface BenchArgs extends Partial<BenchShape> {
  model?: string;
  /** A train config: time GRPO steps of the trainer instead (bench/grpo.ts). */
  grpo?: string;
  /** With --grpo: `--set key=value` overrides of the train config. */
  set?: string[];
  steps: number;
  backend?: BackendChoice | 'all';
  repeats: number;
  json: boolean;
  profile?: boolean;
  /** Compare the backend's fast kernels with tfjs' own end to end instead (bench/check.ts). */
  check?: boolean;
}

/** Preset values, then explicit flags on top. */
export function resolveShape(a: BenchArgs): BenchOptions {
  const preset = a.model === undefined ? {} : MODEL_PRESETS[a.model]?.shape;
  if (!preset)
    throw new UserError(
      `--model ${a.model}: unknown model size (known: ${Object.keys(MODEL_PRESETS).join(', ')})`,
    );
  const shape: BenchShape = { ...BENCH_DEFAULTS, ...preset };
  for (const k of Object.keys(BENCH_DEFAULTS) as (keyof BenchShape)[]) {
    const v = a[k];
    if (v !== undefined) {
      if (!Number.isInteger(v) || v < 1) throw new UserError(`--${k}: expected a positive integer, got ${v}`);
      shape[k] = v;
    }
  }
  if (shape.d % shape.heads !== 0) throw new UserError(`--heads ${shape.heads} must divide --d ${shape.d}`);
  if (!Number.isInteger(a.repeats) || a.repeats < 1)
    throw new UserError(`--repeats: expected a positive integer`);
  if (a.profile && !a.json) throw new UserError('--profile needs --json (one backend, one JSON line)');
  return { ...shape, repeats: a.repeats, ...(a.profile ? { profile: true } : {}) };
}

async function benchOn(
  name: BackendChoice,
  o: BenchOptions,
): Promise<{ backend: BackendName; result: BenchResult }> {
  const report = await initBackend(name).catch((e: Error) => {
    throw new UserError(e.message);
  });
  try {
    return { backend: report.name, result: await runBench(o) };
  } catch (e) {
    throw new UserError(`bench on ${report.name}: ${(e as Error).message}`);
  }
}

async function jsonLine(a: BenchArgs, o: BenchOptions): Promise<void> {
  const { backend, result } = await benchOn(a.backend === 'all' || !a.backend ? 'auto' : a.backend, o);
  const { repeats: _r, profile: _p, ...shape } = o;
  const line = { framework: 'tfjs', version: tf.version.tfjs, backend, ...shape, ...result };
  process.stdout.write(JSON.stringify(line) + '\n');
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

async function table(a: BenchArgs, o: BenchOptions): Promise<void> {
  const names: BackendName[] =
    !a.backend || a.backend === 'all' || a.backend === 'auto' ? [...BACKENDS] : [a.backend];
  const widths = [15, 10, 16, 16];
  const lines = [row(['backend', 'params', 'train step ms', 'sample tok/s'], widths)];
  const shape = `d ${o.d}, ${o.layers} layers, ${o.heads} heads, vocab ${o.vocab}, ctx ${o.ctx}`;
  process.stderr.write(
    `bench: ${shape}; train ${o.batch} x ${o.seq}; sample ${o.sampleBatch} x ${o.sampleTokens}; median of ${o.repeats}\n`,
  );
  for (const name of names) {
    try {
      process.stderr.write(`  running ${name}...\n`);
      const { result } = await benchOn(name, o);
      lines.push(
        row(
          [
            name,
            String(result.params),
            result.train_step_ms.toFixed(1),
            result.sample_tokens_per_s.toFixed(0),
          ],
          widths,
        ),
      );
    } catch (e) {
      const why = (e as Error).message.replace(/^backend \S+ could not be loaded \(\S+: (.*)\)$/, '$1');
      lines.push(`${name.padEnd(widths[0])}  skipped: ${why}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** One GRPO-step breakdown per backend: a JSON line each (`--json`) or a table. */
async function grpoBench(a: BenchArgs): Promise<void> {
  const { benchGrpo } = await import('./grpo.js');
  if (!Number.isInteger(a.steps) || a.steps < 1) throw new UserError('--steps: expected a positive integer');
  const names: BackendChoice[] = a.json
    ? [a.backend === 'all' || !a.backend ? 'auto' : a.backend]
    : !a.backend || a.backend === 'all' || a.backend === 'auto'
      ? [...BACKENDS]
      : [a.backend];
  const widths = [15, 9, 11, 10, 11, 14];
  const lines = [row(['backend', 'step s', 'sample s', 'score s', 'update s', 'sample tok/s'], widths)];
  for (const name of names) {
    let backend: BackendName;
    try {
      backend = (await initBackend(name)).name;
    } catch (e) {
      if (a.json) throw new UserError((e as Error).message);
      lines.push(`${name.padEnd(widths[0])}  skipped: ${(e as Error).message}`);
      continue;
    }
    process.stderr.write(`  running ${a.steps} + 2 GRPO steps of ${a.grpo} on ${backend}...
`);
    const r = await benchGrpo({ config: a.grpo!, set: a.set, steps: a.steps, warmup: 2, backend });
    if (a.json) process.stdout.write(JSON.stringify({ framework: 'tfjs', backend, ...r }) + '\n');
    const cells = [r.step_s, r.sample_s, r.score_s, r.update_s].map((x) => x.toFixed(3));
    lines.push(row([backend, ...cells, String(r.sample_tokens_per_s)], widths));
  }
  if (!a.json) process.stdout.write(lines.join('\n') + '\n');
}

/** `--check`: the backend's fast kernels against tfjs' own; a JSON line or a table; fails when one differs. */
async function checkBench(a: BenchArgs): Promise<void> {
  if (a.grpo !== undefined || a.profile) throw new UserError('--check runs alone: no --grpo or --profile');
  const name = a.backend === 'all' || !a.backend ? 'auto' : a.backend;
  const backend = (
    await initBackend(name).catch((e: Error) => {
      throw new UserError(e.message);
    })
  ).name;
  const { checkKernels } = await import('./check.js');
  const r = await checkKernels().catch((e: Error) => {
    throw new UserError(`bench --check on ${backend}: ${e.message}`);
  });
  if (a.json) process.stdout.write(JSON.stringify({ framework: 'tfjs', ...r }) + '\n');
  else {
    const lines = r.cases.map(
      (c) =>
        `${c.ok ? 'ok  ' : 'FAIL'}  ${c.max_rel_diff.toExponential(2).padStart(9)}  (<= ${c.tolerance})  ${c.name}`,
    );
    process.stdout.write([`fast kernels vs tfjs' own on ${backend}:`, ...lines].join('\n') + '\n');
  }
  if (!r.ok) {
    process.stderr.write(`brevity: bench --check: the fast kernels of ${backend} differ from tfjs' own\n`);
    process.exitCode = 1;
  }
}

export async function benchCommand(a: BenchArgs): Promise<void> {
  if (a.check) return checkBench(a);
  if (a.grpo !== undefined) return grpoBench(a);
  if (a.set?.length) throw new UserError('--set applies to --grpo (a train config) only');
  const o = resolveShape(a);
  if (a.json) await jsonLine(a, o);
  else await table(a, o);
}
