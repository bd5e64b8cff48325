/** The generated config reference: every schema a user writes, one section each. */
import { configReference } from '@brevity/core';
import { TrainConfig } from './rl/config.js';
import { SftConfig } from './sft/config.js';
import { SweepSpec } from './sweep/spec.js';

export function configDocs(): string {
  return [
    configReference(TrainConfig, '`brevity train` config'),
    configReference(SftConfig, '`brevity sft` config'),
    configReference(SweepSpec, '`brevity sweep` spec'),
  ].join('\n');
}
