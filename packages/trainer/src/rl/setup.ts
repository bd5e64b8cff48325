/**
 * Plumbing of `brevity train`: the run state (policy, reference, value head, optimizer, RNG, rewards per
 * stage), built fresh from a config or restored from the newest checkpoint of a run folder, and saved back.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, truncateMetrics, type Problem } from '@brevity/core';
import { CharTokenizer, createEnv, type Environment } from '@brevity/envs';
import { createReward, type Reward } from '@brevity/rewards';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint.js';
import type { SafeTensor } from '../checkpoint/safetensors.js';
import { UserError } from '../errors.js';
import type { Policy } from '../model/policy.js';
import type { AdamW } from '../optim/adamw.js';
import { adamwFromConfig } from '../optim/schema.js';
import { createRunDir, latestCheckpoint, pruneCheckpoints, runFiles } from '../sft/run-dir.js';
import type { TrainConfig } from './config.js';
import type { ValueHead } from './loss.js';

export interface RunState {
  cfg: TrainConfig;
  env: Environment;
  tok: CharTokenizer;
  policy: Policy;
  reference: Policy | null;
  valueHead: ValueHead | null;
  optimizer: AdamW;
  rng: Rng;
  /** One reward instance per stage index (-1 = the run's own reward), created on first use. */
  rewards: Map<number, Reward>;
  monitorProblems: Problem[];
  step: number;
  elapsed: number;
}

/** Builds every reward the run will use, so bad names or params fail before any compute. */
export function checkRewards(cfg: TrainConfig): void {
  const specs = [
    { where: 'reward', spec: cfg.reward },
    ...cfg.stages.flatMap((s, i) => (s.reward ? [{ where: `stages.${i}.reward`, spec: s.reward }] : [])),
  ];
  for (const { where, spec } of specs) {
    try {
      createReward(spec.name, spec.params);
    } catch (e) {
      throw new UserError(`${where}: ${(e as Error).message}`);
    }
  }
}

export function rewardFor(s: RunState, index: number): Reward {
  let r = s.rewards.get(index);
  if (!r) {
    const spec = index >= 0 ? (s.cfg.stages[index].reward ?? undefined) : s.cfg.reward;
    // A stage without its own reward shares the instance (and state) of the stage before it.
    if (!spec) return rewardFor(s, index - 1);
    r = createReward(spec.name, spec.params);
    s.rewards.set(index, r);
  }
  return r;
}

function makeEnv(cfg: TrainConfig): { env: Environment; tok: CharTokenizer } {
  const env = createEnv(cfg.env.name, cfg.env.params);
  if (!env.tokenizer)
    throw new UserError(`env ${cfg.env.name} has no tokenizer; brevity train needs a synthetic testbed`);
  return { env, tok: env.tokenizer };
}

/** Counter that keeps value-head variable names unique (tfjs requires it) and deterministic. */
let valueHeads = 0;

function makeValueHead(d: number, init?: Map<string, SafeTensor>): ValueHead {
  const w = init?.get('value.w')?.data as Float32Array | undefined;
  const b = init?.get('value.b')?.data as Float32Array | undefined;
  return {
    w: tf.variable(w ? tf.tensor2d(w, [d, 1]) : tf.zeros([d, 1]), true, `value${valueHeads}/w`),
    b: tf.variable(b ? tf.tensor1d(b) : tf.zeros([1]), true, `value${valueHeads++}/b`),
  };
}

function makeOptimizer(cfg: TrainConfig, policy: Policy, vh: ValueHead | null): AdamW {
  const vars = [...policy.variables, ...(vh ? [vh.w, vh.b] : [])];
  const decay = [...policy.specs.map((s) => s.decay), ...(vh ? [true, false] : [])];
  return adamwFromConfig(vars, decay, cfg.optim);
}

/** Resolves the starting checkpoint path (as given, or relative to the config file's folder). */
export function resolvePolicyPath(cfg: TrainConfig, configFile?: string): string {
  const p = cfg.policy.checkpoint;
  if (existsSync(p)) return p;
  if (configFile) {
    const rel = join(configFile, '..', p);
    if (existsSync(rel)) return rel;
  }
  throw new UserError(
    `policy.checkpoint: no checkpoint folder at ${p}${configFile ? ` (nor relative to ${configFile})` : ''}`,
  );
}

/** A fresh run: the policy from the starting checkpoint, a frozen copy as reference when KL is on. */
export function freshState(cfg: TrainConfig, policyPath: string, runDir: string): RunState {
  const { env, tok } = makeEnv(cfg);
  const start = loadCheckpoint(policyPath);
  const ckTok = start.config.tokenizer ? CharTokenizer.fromJSON(start.config.tokenizer as never) : null;
  if (ckTok && ckTok.vocabSize !== tok.vocabSize)
    throw new UserError(
      `policy.checkpoint ${policyPath}: its tokenizer has ${ckTok.vocabSize} tokens but env ${cfg.env.name} has ${tok.vocabSize}`,
    );
  createRunDir(runDir, cfg);
  const reference = cfg.loss.klCoef > 0 ? loadCheckpoint(policyPath, { trainable: false }).policy : null;
  const valueHead = cfg.algorithm === 'ppo' ? makeValueHead(start.policy.config.d) : null;
  const rng = Rng.from(cfg.seed).fork('train');
  const monitorProblems = env.sample(Rng.from(cfg.seed).fork('monitor'), cfg.monitor.prompts, 'train');
  const optimizer = makeOptimizer(cfg, start.policy, valueHead);
  return {
    cfg,
    env,
    tok,
    policy: start.policy,
    reference,
    valueHead,
    optimizer,
    rng,
    rewards: new Map(),
    monitorProblems,
    step: 0,
    elapsed: 0,
  };
}

/** Restores the newest checkpoint of a run folder; metrics after it are dropped so the curve continues. */
export function resumedState(cfg: TrainConfig, runDir: string): RunState {
  const { env, tok } = makeEnv(cfg);
  const { path } = latestCheckpoint(runDir);
  const ck = loadCheckpoint(path);
  if (!ck.config.rng || !ck.optimizer)
    throw new UserError(`${path}: not resumable (no RNG or optimizer state)`);
  const extra = ck.config.extra as { elapsed_s?: number; reference?: string };
  const reference =
    cfg.loss.klCoef > 0 ? loadCheckpoint(extra.reference ?? path, { trainable: false }).policy : null;
  const valueHead = cfg.algorithm === 'ppo' ? makeValueHead(ck.policy.config.d, ck.extraTensors) : null;
  const optimizer = makeOptimizer(cfg, ck.policy, valueHead);
  const opt = ck.optimizer;
  if (valueHead) {
    const get = (k: string) => ck.extraTensors.get(k)?.data as Float32Array;
    opt.m.push(get('opt.m.value.w'), get('opt.m.value.b'));
    opt.v.push(get('opt.v.value.w'), get('opt.v.value.b'));
  }
  optimizer.load(opt);
  const s: RunState = {
    cfg,
    env,
    tok,
    policy: ck.policy,
    reference,
    valueHead,
    optimizer,
    rng: Rng.restore(ck.config.rng),
    rewards: new Map(),
    monitorProblems: env.sample(Rng.from(cfg.seed).fork('monitor'), cfg.monitor.prompts, 'train'),
    step: ck.config.step,
    elapsed: Number(extra.elapsed_s ?? 0),
  };
  const states = (ck.config.rewardState ?? {}) as Record<string, unknown>;
  for (const [k, st] of Object.entries(states)) {
    const r = rewardFor(s, Number(k));
    r.load?.(st);
  }
  truncateMetrics(runFiles(runDir).metrics, s.step);
  return s;
}

/** Saves a resumable checkpoint at the current step and prunes old ones (keeps the newest 2). */
export async function saveRunCheckpoint(s: RunState, runDir: string, policyPath: string): Promise<void> {
  const rewardState: Record<string, unknown> = {};
  for (const [k, r] of s.rewards) if (r.state) rewardState[k] = r.state();
  const extraTensors = new Map<string, SafeTensor>();
  if (s.valueHead) {
    const st = await s.optimizer.state();
    const n = s.policy.specs.length;
    const d = s.policy.config.d;
    extraTensors.set('value.w', {
      dtype: 'F32',
      shape: [d, 1],
      data: (await s.valueHead.w.data()) as Float32Array,
    });
    extraTensors.set('value.b', {
      dtype: 'F32',
      shape: [1],
      data: (await s.valueHead.b.data()) as Float32Array,
    });
    extraTensors.set('opt.m.value.w', { dtype: 'F32', shape: [d, 1], data: st.m[n] });
    extraTensors.set('opt.m.value.b', { dtype: 'F32', shape: [1], data: st.m[n + 1] });
    extraTensors.set('opt.v.value.w', { dtype: 'F32', shape: [d, 1], data: st.v[n] });
    extraTensors.set('opt.v.value.b', { dtype: 'F32', shape: [1], data: st.v[n + 1] });
  }
  await saveCheckpoint(join(runFiles(runDir).checkpoints, `step-${s.step}`), {
    policy: s.policy,
    optimizer: s.optimizer,
    tokenizer: s.tok.toJSON(),
    train: { kind: 'grpo', ...s.cfg },
    step: s.step,
    rng: s.rng.state(),
    rewardState,
    extraTensors,
    extra: {
      elapsed_s: s.elapsed,
      reference: policyPath,
      env: { name: s.cfg.env.name, params: s.env.params },
    },
  });
  pruneCheckpoints(runDir, 2);
}
