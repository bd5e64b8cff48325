/** Staged runs (ConciseR: GRPO++ then L-GRPO; ThinkPrune: shrinking caps): the settings in force at a step. */
import type { TrainConfig } from './config.js';

export interface StageSettings {
  /** Index into config.stages, or -1 before the first stage. */
  index: number;
  reward: TrainConfig['reward'];
  maxNewTokens: number;
  dynamicSampling: boolean;
  clipHigh: number;
}

/**
 * Settings at `step`: the run's own, then each stage with fromStep <= step applied in order, so a stage
 * inherits what the stages before it set and overrides only the fields it names.
 */
export function stageAt(config: TrainConfig, step: number): StageSettings {
  const out: StageSettings = {
    index: -1,
    reward: config.reward,
    maxNewTokens: config.rollout.maxNewTokens,
    dynamicSampling: config.filter.dynamicSampling,
    clipHigh: config.loss.clipHigh,
  };
  config.stages.forEach((s, i) => {
    if (s.fromStep > step) return;
    out.index = i;
    out.reward = s.reward ?? out.reward;
    out.maxNewTokens = s.maxNewTokens ?? out.maxNewTokens;
    out.dynamicSampling = s.dynamicSampling ?? out.dynamicSampling;
    out.clipHigh = s.clipHigh ?? out.clipHigh;
  });
  return out;
}
