/**
 * `brevity bench --grpo CONFIG`: where the time of a GRPO step goes, measured by running the trainer itself
 * (runTrain, no copy of its loop) for a few steps of a train config in a temporary run folder, without eval
 * or checkpoints, and reading the step's `perf/*` metrics: sampling (generate), scoring (verification and
 * reward), update (log-probs, loss, gradients, AdamW). Medians over the steps after the warm-up ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice } from '../backend-names.js';
import { resolveTrain } from '../rl/command.js';
import { runTrain } from '../rl/train.js';
import { median } from './bench.js';

export interface GrpoBenchOptions {
  config: string;
  /** `key=value` overrides of the config (as `brevity train --set`). */
  set?: string[];
  /** Timed steps (medians over them) and untimed steps before them. */
  steps: number;
  warmup: number;
  backend?: BackendChoice;
}

export interface GrpoBenchResult {
  config: string;
  steps: number;
  step_s: number;
  sample_s: number;
  score_s: number;
  update_s: number;
  /** Response tokens sampled per step and their rate over the sampling time alone. */
  rollout_tokens: number;
  sample_tokens_per_s: number;
  step_runs_s: number[];
}

/** Runs warmup + steps trainer steps of `config` and returns the medians of their timings. */
export async function benchGrpo(o: GrpoBenchOptions): Promise<GrpoBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'brevity-bench-grpo-'));
  try {
    const r = resolveTrain({
      config: o.config,
      set: [...(o.set ?? []), 'eval.every=0', 'checkpoint.every=1000000000'],
    });
    const total = o.warmup + o.steps;
    if (r.config.steps <= total)
      throw new Error(`${o.config} runs ${r.config.steps} steps; the bench needs more than ${total}`);
    await runTrain({
      config: r.config,
      runDir: dir,
      policyPath: r.policyPath,
      backend: o.backend,
      maxSteps: total,
      quiet: true,
    });
    const rows = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>)
      .filter((m) => m.step >= o.warmup);
    const med = (k: string) => Math.round(median(rows.map((m) => m[k])) * 1e4) / 1e4;
    const tokens = median(rows.map((m) => m['rollout/tokens']));
    return {
      config: o.config,
      steps: rows.length,
      step_s: med('perf/step_s'),
      sample_s: med('perf/sample_s'),
      score_s: med('perf/score_s'),
      update_s: med('perf/update_s'),
      rollout_tokens: tokens,
      sample_tokens_per_s: Math.round(median(rows.map((m) => m['rollout/tokens'] / m['perf/sample_s']))),
      step_runs_s: rows.map((m) => Math.round(m['perf/step_s'] * 1e4) / 1e4),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
