/**
 * The SFT loop, top to bottom (style rule 8): setup (backend, env, model, optimizer, or a checkpoint to
 * resume), then per step: teacher batch, loss on the response, AdamW update, log, eval, checkpoint.
 * Deterministic for a config and seed on one backend; a resumed run continues the same metric curve.
 */
import * as tf from '@tensorflow/tfjs';
import { learningRate, MetricsWriter, Rng, truncateMetrics, type Metrics, type Problem } from '@brevity/core';
import { createEnv, type CharTokenizer, type Environment } from '@brevity/envs';
import { initBackend, describeBackend, type BackendChoice } from '../backend.js';
import { UserError } from '../errors.js';
import { envLevels, evalMetrics, evaluate, testProblems, type EvalReport } from '../eval/evaluate.js';
import { formatEvalTable } from '../eval/format.js';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint.js';
import { softmaxCrossEntropy } from '../model/ops.js';
import { createPolicy, type Policy } from '../model/policy.js';
import type { AdamW } from '../optim/adamw.js';
import { adamwFromConfig } from '../optim/schema.js';
import { readStep, trainStep } from '../optim/step.js';
import { Progress } from '../progress.js';
import type { SftConfig } from './config.js';
import { packBatch, teacherExamples } from './data.js';
import { createRunDir, latestCheckpoint, pruneCheckpoints, runFiles } from './run-dir.js';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';

export interface SftOptions {
  config: SftConfig;
  runDir: string;
  /** Continue the run in runDir from its newest checkpoint. */
  resume?: boolean;
  /** Overrides config.backend. */
  backend?: BackendChoice;
  /** Stop after this many steps of this invocation (tests, time-boxed runs); the schedule is unchanged. */
  maxSteps?: number;
  /** No progress output (tests). */
  quiet?: boolean;
}

interface State {
  cfg: SftConfig;
  env: Environment;
  tok: CharTokenizer;
  policy: Policy;
  opt: AdamW;
  dataRng: Rng;
  step: number;
  elapsed: number;
}

function setupEnv(cfg: SftConfig): { env: Environment; tok: CharTokenizer } {
  let env: Environment;
  try {
    env = createEnv(cfg.env.name, cfg.env.params);
  } catch (e) {
    throw new UserError(`env: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!env.tokenizer)
    throw new UserError(`env ${cfg.env.name} has no tokenizer; SFT needs a synthetic testbed`);
  return { env, tok: env.tokenizer };
}

function makeOptimizer(cfg: SftConfig, policy: Policy): AdamW {
  return adamwFromConfig(
    policy.variables,
    policy.specs.map((s) => s.decay),
    cfg.optim,
  );
}

/** Fresh state, or the newest checkpoint of runDir when resuming. */
function setupState(o: SftOptions): State {
  const cfg = o.config;
  const { env, tok } = setupEnv(cfg);
  if (!o.resume) {
    createRunDir(o.runDir, cfg);
    const policy = createPolicy({ ...cfg.model, vocab: tok.vocabSize }, Rng.from(cfg.seed).fork('init'));
    const dataRng = Rng.from(cfg.seed).fork('data');
    return { cfg, env, tok, policy, opt: makeOptimizer(cfg, policy), dataRng, step: 0, elapsed: 0 };
  }
  const { path } = latestCheckpoint(o.runDir);
  const ck = loadCheckpoint(path);
  if (!ck.config.rng || !ck.optimizer)
    throw new UserError(`${path}: not resumable (no RNG or optimizer state)`);
  const opt = makeOptimizer(cfg, ck.policy);
  opt.load(ck.optimizer);
  truncateMetrics(runFiles(o.runDir).metrics, ck.config.step);
  const elapsed = Number(ck.config.extra.elapsed_s ?? 0);
  return {
    cfg,
    env,
    tok,
    policy: ck.policy,
    opt,
    dataRng: Rng.restore(ck.config.rng),
    step: ck.config.step,
    elapsed,
  };
}

/** One optimisation step on a fresh teacher batch; returns the step's metrics. */
async function sftStep(s: State): Promise<Metrics> {
  const { cfg, policy } = s;
  const t0 = performance.now();
  const batch = packBatch(teacherExamples(s.env, s.tok, s.dataRng, cfg.batchSize), s.tok.pad, cfg.model.ctx);
  const lr = learningRate(s.step, { kind: cfg.optim.schedule, totalSteps: cfg.steps, ...cfg.optim });
  const n = batch.B * batch.T;
  const inputs = [
    tf.tensor2d(batch.ids, [batch.B, batch.T], 'int32'),
    tf.tensor1d(batch.targets, 'int32'),
    tf.tensor1d(batch.weights),
  ] as const;
  const [ids, targets, weights] = inputs;
  const loss = () =>
    softmaxCrossEntropy(tf.reshape(policy.forward(ids).logits, [n, policy.config.vocab]), targets, weights);
  const r = await readStep(trainStep(s.opt, loss, lr));
  tf.dispose([...inputs]);
  const secs = (performance.now() - t0) / 1000;
  return {
    step: s.step,
    'sft/loss': r.loss,
    'sft/grad_norm': r.gradNorm,
    'sft/lr': lr,
    'sft/response_tokens': batch.responseTokens,
    'perf/step_s': secs,
    'perf/tokens_per_s': n / secs,
  };
}

async function checkpoint(s: State, runDir: string): Promise<void> {
  await saveCheckpoint(join(runFiles(runDir).checkpoints, `step-${s.step}`), {
    policy: s.policy,
    optimizer: s.opt,
    tokenizer: s.tok.toJSON(),
    train: { kind: 'sft', ...s.cfg },
    step: s.step,
    rng: s.dataRng.state(),
    extra: { elapsed_s: s.elapsed, env: { name: s.cfg.env.name, params: s.env.params } },
  });
  pruneCheckpoints(runDir, s.cfg.checkpoint.keep);
}

export interface SftSummary {
  steps: number;
  finalLoss: number;
  lastEval: EvalReport | null;
  bestEvalAcc: number | null;
  elapsed_s: number;
}

/** Runs (or resumes) SFT; returns the summary also written to summary.json. */
export async function runSft(o: SftOptions): Promise<SftSummary> {
  const backend = await initBackend(o.backend ?? o.config.backend);
  const log = (s: string) => (o.quiet ? undefined : process.stderr.write(s + '\n'));
  log(describeBackend(backend));
  const s = setupState(o);
  const cfg = s.cfg;
  log(
    `model: ${s.policy.numParams} parameters; run folder ${o.runDir}${o.resume ? `, resumed at step ${s.step}` : ''}`,
  );
  const levels = cfg.eval.difficulties ?? envLevels(s.env);
  const problems = testProblems(
    cfg.env.name,
    cfg.env.params,
    levels,
    cfg.eval.problemsPerDifficulty,
    cfg.seed,
  );
  checkEvalFits(problems, s.tok, cfg);
  const metrics = new MetricsWriter(runFiles(o.runDir).metrics);
  const progress = new Progress({
    total: cfg.steps,
    start: s.step,
    every: cfg.logEvery,
    label: 'sft',
    tty: o.quiet ? false : undefined,
    write: o.quiet ? () => {} : undefined,
  });
  let lastEval: EvalReport | null = null;
  let best: number | null = null;
  let loss = NaN;
  const stopAt = Math.min(cfg.steps, s.step + (o.maxSteps ?? Infinity));
  while (s.step < stopAt) {
    const t0 = performance.now();
    const row = await sftStep(s);
    loss = row['sft/loss'] as number;
    s.step += 1;
    const due = (every: number) => s.step === cfg.steps || (every > 0 && s.step % every === 0);
    if (due(cfg.eval.every)) {
      lastEval = await evaluate(s.policy, s.env, s.tok, problems, { ...cfg.eval, seed: cfg.seed });
      Object.assign(row, evalMetrics(lastEval));
      best = Math.max(best ?? -Infinity, lastEval.overall.acc);
      progress.log(`eval after step ${s.step}:\n${formatEvalTable(lastEval)}`);
    }
    s.elapsed += (performance.now() - t0) / 1000;
    metrics.write({ ...row, 'time/elapsed_s': s.elapsed });
    progress.update(s.step, {
      loss,
      lr: row['sft/lr'] as number,
      ...(lastEval ? { acc: lastEval.overall.acc } : {}),
    });
    if (due(cfg.checkpoint.every)) await checkpoint(s, o.runDir);
  }
  progress.stop();
  const summary: SftSummary = {
    steps: s.step,
    finalLoss: loss,
    lastEval,
    bestEvalAcc: best,
    elapsed_s: s.elapsed,
  };
  if (s.step === cfg.steps)
    writeFileSync(runFiles(o.runDir).summary, JSON.stringify(summary, null, 2) + '\n');
  s.opt.dispose();
  s.policy.dispose();
  return summary;
}

/** Fails before training, not at the first eval, when eval prompts + the cap do not fit the context. */
function checkEvalFits(problems: Map<number, Problem[]>, tok: CharTokenizer, cfg: SftConfig): void {
  const all = [...problems.values()].flat();
  if (all.length === 0) return;
  const longest = Math.max(...all.map((p) => tok.encode(p.prompt).length + 1));
  if (longest + cfg.eval.maxNewTokens > cfg.model.ctx)
    throw new UserError(
      `eval.maxNewTokens (${cfg.eval.maxNewTokens}) + the longest eval prompt (${longest} tokens) exceed model.ctx (${cfg.model.ctx})`,
    );
}
