/**
 * laser-de: LASER-DE (Liu et al., arXiv 2505.15612, Sec. 5.3): LASER-D plus alpha for incorrect rollouts
 * longer than L_A(d), to keep exploring on prompts the model fails: S = alpha I(R) 1[L <= L_A] +
 * alpha (1 - I(R)) 1[L > L_A]. The code (compute_length_reward_larse_de) limits the bonus to well-formatted
 * wrong answers and adds a repetition filter; exploreInvalid = false selects the former, the filter is left out.
 */
import { createAdaptiveLaser, laserDeParams } from './laser-d.js';
import type { RewardDefinition } from './types.js';

export { laserDeParams, type LaserDeParams } from './laser-d.js';

export const laserDe: RewardDefinition<typeof laserDeParams> = {
  name: 'laser-de',
  summary: 'LASER-D plus alpha for incorrect rollouts longer than the bucket target (exploration).',
  source: 'LASER-DE (arXiv 2505.15612), Sec. 5.3.',
  schema: laserDeParams,
  create: (params) => createAdaptiveLaser('laser-de', params, { invalid: params.exploreInvalid }),
};
