/**
 * `brevity train`: the GRPO/PPO loop, top to bottom (style rule 8). Per step: monitor (adaptive rewards),
 * rollout, verify, score, advantage, update, log, eval, checkpoint. Plumbing lives in setup.ts.
 */
import { writeFileSync } from 'node:fs';
import { learningRate, MetricsWriter, type Metrics, type Problem, type Rollout } from '@brevity/core';
import type { Reward, RewardBatch } from '@brevity/rewards';
import { describeBackend, initBackend, type BackendChoice } from '../backend.js';
import { envLevels, evalMetrics, evaluate, testProblems, type EvalReport } from '../eval/evaluate.js';
import { formatEvalTable } from '../eval/format.js';
import { Progress } from '../progress.js';
import { runFiles } from '../sft/run-dir.js';
import {
  groupAdvantages,
  groupsWithSignal,
  miniBatchWeights,
  paddedSlots,
  sampleLength,
  splitBatches,
  type UpdateSample,
} from './batch.js';
import type { TrainConfig } from './config.js';
import { attachGae, responsePass } from './forward-pass.js';
import { rolloutMetrics, sampleGroups, type RolloutGroupWithProblem } from './rollout.js';
import { freshState, resumedState, rewardFor, saveRunCheckpoint, type RunState } from './setup.js';
import { stageAt, type StageSettings } from './stages.js';
import { STAT_KEYS } from './loss.js';
import { updateMiniBatch } from './update.js';

export interface TrainOptions {
  config: TrainConfig;
  runDir: string;
  /** Starting checkpoint folder (resolved path of config.policy.checkpoint). */
  policyPath: string;
  resume?: boolean;
  backend?: BackendChoice;
  /** Stop after this many steps of this invocation (time-boxed runs, tests); the schedule is unchanged. */
  maxSteps?: number;
  quiet?: boolean;
}

export interface TrainSummary {
  steps: number;
  elapsed_s: number;
  lastEval: EvalReport | null;
  bestEvalAcc: number | null;
  final: Metrics;
}

const sampling = (s: RunState, st: StageSettings) => ({
  groupSize: s.cfg.rollout.groupSize,
  maxNewTokens: st.maxNewTokens,
  temperature: s.cfg.rollout.temperature,
  topP: s.cfg.rollout.topP,
});

/** LASER-D/DE: observe the fixed monitor prompts at step 0 and every `monitor.every` steps. */
async function monitor(s: RunState, reward: Reward, st: StageSettings): Promise<void> {
  if (!reward.observe || s.step % s.cfg.monitor.every !== 0) return;
  const groups = await sampleGroups(s.policy, s.env, s.tok, s.monitorProblems, sampling(s, st), s.rng);
  reward.observe({ groups } as RewardBatch);
}

/** Rollouts of one step; with dynamic sampling, zero-variance groups are dropped and (optionally) refilled. */
async function rollouts(s: RunState, reward: Reward, st: StageSettings) {
  const B = s.cfg.rollout.prompts;
  const ctx = { step: s.step, maxLength: st.maxNewTokens };
  let kept: { groups: RolloutGroupWithProblem[]; rewards: Float64Array[] } = { groups: [], rewards: [] };
  let sampled = 0;
  const all: RolloutGroupWithProblem[] = [];
  const timing = { generate_s: 0 };
  for (let round = 0; kept.groups.length < B; round++) {
    const problems: Problem[] = s.env.sample(s.rng, B - kept.groups.length, 'train');
    const groups = await sampleGroups(s.policy, s.env, s.tok, problems, sampling(s, st), s.rng, timing);
    all.push(...groups);
    sampled += groups.length;
    const rewards = reward.score({ groups } as RewardBatch, ctx);
    const keep = st.dynamicSampling
      ? groupsWithSignal(rewards.map((r) => Array.from(r)))
      : groups.map((_, i) => i);
    kept = {
      groups: [...kept.groups, ...keep.map((i) => groups[i])],
      rewards: [...kept.rewards, ...keep.map((i) => rewards[i])],
    };
    if (!st.dynamicSampling || !s.cfg.filter.refill || round >= s.cfg.filter.maxRefillRounds) break;
  }
  return { ...kept, all, keptFrac: kept.groups.length / sampled, generateSecs: timing.generate_s };
}

/** Update samples with sequence-level advantages (GRPO family) or GAE targets (PPO). */
async function updateSamples(
  s: RunState,
  groups: RolloutGroupWithProblem[],
  rewards: Float64Array[],
): Promise<UpdateSample[]> {
  const est = s.cfg.advantage.estimator === 'gae' ? 'grpo' : s.cfg.advantage.estimator;
  const adv = groupAdvantages(
    rewards.map((r) => Array.from(r)),
    est,
    s.cfg.advantage.epsilon,
  );
  const samples = groups.flatMap((g, gi) =>
    g.rollouts.map((r: Rollout, ri): UpdateSample => ({
      prompt: g.promptIds,
      response: r.tokens,
      oldLogprobs: r.logprobs,
      advantage: adv[gi][ri],
      inLoss: !(s.cfg.filter.overlong && r.truncated) && r.tokens.length > 0,
    })),
  );
  if (s.valueHead) {
    const { values } = await responsePass(s.policy, samples, {
      padId: s.tok.pad,
      temperature: s.cfg.rollout.temperature,
      valueHead: s.valueHead,
    });
    attachGae(
      samples,
      rewards.flatMap((r) => Array.from(r)),
      values,
      s.cfg.ppo.gamma,
      s.cfg.ppo.lambda,
    );
  }
  return samples;
}

/** Epochs x mini-batches of optimizer steps; returns the `actor/*` (and `critic/*`) metrics. */
async function update(s: RunState, samples: UpdateSample[], st: StageSettings): Promise<Metrics> {
  const c = s.cfg;
  const refLogprobs = s.reference
    ? await responsePass(s.reference, samples, { padId: s.tok.pad, temperature: c.rollout.temperature }).then(
        (r) => new Map(samples.map((x, i) => [x, r.logprobs[i]])),
      )
    : null;
  const lr = learningRate(s.step, {
    kind: c.optim.schedule,
    lr: c.optim.lr,
    warmupSteps: c.optim.warmupSteps,
    totalSteps: c.steps,
    minLrRatio: c.optim.minLrRatio,
  });
  const loss = {
    ...c.loss,
    clipHigh: st.clipHigh,
    temperature: c.rollout.temperature,
    valueCoef: c.ppo.valueCoef,
    valueClip: c.ppo.valueClip,
  };
  const ctx = {
    policy: s.policy,
    valueHead: s.valueHead,
    optimizer: s.optimizer,
    loss,
    padId: s.tok.pad,
    refLogprobs,
  };
  const sums = Object.fromEntries(STAT_KEYS.map((k) => [k, 0])) as Record<(typeof STAT_KEYS)[number], number>;
  let gradNorm = 0;
  let steps = 0;
  const pad = { slots: 0, tokens: 0, passes: 0 };
  const micro =
    c.optim.microBatchTokens === null
      ? c.optim.microBatch
      : { tokens: c.optim.microBatchTokens, lengthOf: sampleLength };
  for (let e = 0; e < c.optim.epochs; e++) {
    const order = c.optim.epochs > 1 || c.optim.miniBatches > 1 ? s.rng : undefined;
    for (const micros of splitBatches(samples, c.optim.miniBatches, micro, order)) {
      // Weights of the whole mini-batch, in the order of micros.flat() (the micro-batches may be sorted).
      const w = miniBatchWeights(micros.flat(), c.loss.aggregation, st.maxNewTokens);
      const r = await updateMiniBatch(micros, w, ctx, lr);
      for (const k of STAT_KEYS) sums[k] += r.stats[k];
      gradNorm += r.gradNorm;
      steps++;
      const p = paddedSlots(micros, sampleLength);
      pad.slots += p.slots;
      pad.tokens += p.tokens;
      pad.passes += micros.length;
    }
  }
  const per = (k: (typeof STAT_KEYS)[number]) => sums[k] / Math.max(1, sums.tokens);
  const m: Metrics = {
    'actor/pg_loss': per('pg_loss'),
    'actor/kl': per('kl'),
    'actor/entropy': per('entropy'),
    'actor/clip_frac': per('clip_frac'),
    'actor/grad_norm': gradNorm / steps,
    'actor/lr': lr,
    'perf/pad_fraction': 1 - pad.tokens / Math.max(1, pad.slots),
    'perf/micro_batches': pad.passes,
  };
  if (s.valueHead)
    Object.assign(m, { 'critic/value_loss': per('value_loss'), 'critic/vf_clip_frac': per('vf_clip_frac') });
  return m;
}

function rewardLogs(reward: Reward, rewards: Float64Array[]): Metrics {
  const all = rewards.flatMap((r) => Array.from(r));
  const mean = all.reduce((a, b) => a + b, 0) / (all.length || 1);
  const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length || 1));
  const m: Metrics = { 'reward/mean': mean, 'reward/std': std };
  for (const [k, v] of Object.entries(reward.metrics?.() ?? {})) m[`state/${reward.name}/${k}`] = v;
  return m;
}

async function trainStep(s: RunState): Promise<Metrics> {
  const t0 = performance.now();
  const st = stageAt(s.cfg, s.step);
  const reward = rewardFor(s, st.index);
  await monitor(s, reward, st);
  const tr = performance.now();
  const { groups, rewards, all, keptFrac, generateSecs } = await rollouts(s, reward, st);
  const rolloutSecs = (performance.now() - tr) / 1000;
  const tu = performance.now();
  const row: Metrics = {
    step: s.step,
    stage: st.index,
    ...rolloutMetrics(all),
    'rollout/groups_kept_frac': keptFrac,
    ...rewardLogs(reward, rewards),
  };
  if (groups.length > 0) Object.assign(row, await update(s, await updateSamples(s, groups, rewards), st));
  row['perf/rollout_tokens_per_s'] = (row['rollout/tokens'] as number) / rolloutSecs;
  row['perf/sample_s'] = generateSecs;
  row['perf/score_s'] = rolloutSecs - generateSecs;
  row['perf/update_s'] = (performance.now() - tu) / 1000;
  row['perf/step_s'] = (performance.now() - t0) / 1000;
  return row;
}

/** Runs (or resumes) a training run; returns the summary also written to summary.json. */
export async function runTrain(o: TrainOptions): Promise<TrainSummary> {
  const backend = await initBackend(o.backend ?? o.config.backend);
  const log = (x: string) => (o.quiet ? undefined : process.stderr.write(x + '\n'));
  log(describeBackend(backend));
  const s = o.resume ? resumedState(o.config, o.runDir) : freshState(o.config, o.policyPath, o.runDir);
  const c = s.cfg;
  log(
    `policy: ${s.policy.numParams} parameters; run folder ${o.runDir}${o.resume ? `, resumed at step ${s.step}` : ''}`,
  );
  const levels = envLevels(s.env);
  const problems = testProblems(c.env.name, c.env.params, levels, c.eval.problemsPerDifficulty, c.seed);
  const evalOpts = {
    samples: c.eval.samples,
    temperature: c.eval.temperature,
    maxNewTokens: c.rollout.maxNewTokens,
    seed: c.seed,
  };
  const metrics = new MetricsWriter(runFiles(o.runDir).metrics);
  const progress = new Progress({
    total: c.steps,
    start: s.step,
    every: 1,
    label: 'train',
    tty: o.quiet ? false : undefined,
    write: o.quiet ? () => {} : undefined,
  });
  let lastEval: EvalReport | null = null;
  let best: number | null = null;
  let row: Metrics = {};
  const stopAt = Math.min(c.steps, s.step + (o.maxSteps ?? Infinity));
  while (s.step < stopAt) {
    const t0 = performance.now();
    if (s.step === 0 && c.eval.every > 0) {
      lastEval = await evaluate(s.policy, s.env, s.tok, problems, {
        ...evalOpts,
        maxNewTokens: stageAt(c, 0).maxNewTokens,
      });
      metrics.write({ step: -1, ...evalMetrics(lastEval), 'time/elapsed_s': 0 });
      progress.log(`eval before training:\n${formatEvalTable(lastEval)}`);
    }
    row = await trainStep(s);
    s.step += 1;
    const due = (every: number) => s.step === c.steps || (every > 0 && s.step % every === 0);
    if (due(c.eval.every)) {
      lastEval = await evaluate(s.policy, s.env, s.tok, problems, {
        ...evalOpts,
        maxNewTokens: stageAt(c, s.step - 1).maxNewTokens,
      });
      Object.assign(row, evalMetrics(lastEval));
      best = Math.max(best ?? -Infinity, lastEval.overall.acc);
      progress.log(`eval after step ${s.step}:\n${formatEvalTable(lastEval)}`);
    }
    s.elapsed += (performance.now() - t0) / 1000;
    metrics.write({ ...row, 'time/elapsed_s': s.elapsed });
    progress.update(s.step, {
      reward: row['reward/mean'] as number,
      acc: row['rollout/acc'] as number,
      len: row['rollout/length_mean'] as number,
      'tok/s': row['perf/rollout_tokens_per_s'] as number,
    });
    if (due(c.checkpoint.every)) await saveRunCheckpoint(s, o.runDir, o.policyPath);
  }
  progress.stop();
  const summary: TrainSummary = {
    steps: s.step,
    elapsed_s: s.elapsed,
    lastEval,
    bestEvalAcc: best,
    final: row,
  };
  if (s.step === c.steps) writeFileSync(runFiles(o.runDir).summary, JSON.stringify(summary, null, 2) + '\n');
  s.optimizer.dispose();
  s.policy.dispose();
  s.reference?.dispose();
  return summary;
}
