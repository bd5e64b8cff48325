/** The generated config reference: every schema a user writes, one section each. */
import { configReference } from '@brevity/core';
import { TrainConfig } from './rl/config.js';

export function configDocs(): string {
  return [configReference(TrainConfig, 'brevity train: config reference')].join('\n');
}
