import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTrain } from '../packages/trainer/src/rl/command.js';
import { tmp } from './train-helpers.js';

function config(yaml: string): string {
  const d = tmp('brevity-cfg-');
  mkdirSync(join(d, 'ck'));
  writeFileSync(join(d, 'ck', 'config.json'), '{}');
  const f = join(d, 'train.yaml');
  writeFileSync(f, yaml);
  return f;
}

const ok = 'policy:\n  checkpoint: ck\nreward:\n  name: laser\n  params:\n    targetLength: 64\n';

describe('brevity train: bad configs fail before any compute, naming the field', () => {
  it.each([
    // [case, yaml, overrides, expected message]
    [
      'unknown reward name',
      ok.replace('name: laser', 'name: lazer'),
      [],
      /reward: .*unknown reward "lazer"; known rewards: accuracy/,
    ],
    [
      'params failing the reward schema',
      ok.replace('targetLength: 64', 'targetLength: -3'),
      [],
      /reward: .*targetLength/,
    ],
    [
      'missing required reward param',
      ok.replace('    targetLength: 64\n', '    alpha: 0.5\n'),
      [],
      /reward: .*targetLength/,
    ],
    [
      'a stage reward with bad params',
      ok + 'stages:\n  - fromStep: 2\n    reward:\n      name: kimi\n      params:\n        weight: fast\n',
      [],
      /stages\.0\.reward: .*weight/,
    ],
    [
      'batch not divisible into mini-batches',
      ok,
      ['rollout.prompts=3', 'rollout.groupSize=3', 'optim.miniBatches=2'],
      /optim\.miniBatches: rollout\.prompts x rollout\.groupSize = 9 rollouts do not split into 2 equal mini-batches/,
    ],
    [
      'mini-batch not divisible into micro-batches',
      ok,
      ['optim.microBatch=5'],
      /optim\.microBatch: a mini-batch of 128 rollouts does not split into micro-batches of 5/,
    ],
    [
      'both micro-batch sizes set',
      ok,
      ['optim.microBatch=8', 'optim.microBatchTokens=2048'],
      /optim\.microBatchTokens: set either optim\.microBatch \(rollouts per pass\) or optim\.microBatchTokens \(tokens per pass\), not both/,
    ],
    [
      'a token budget that is not a positive integer',
      ok,
      ['optim.microBatchTokens=0'],
      /optim\.microBatchTokens: /,
    ],
    [
      'missing checkpoint',
      ok.replace('checkpoint: ck', 'checkpoint: nowhere'),
      [],
      /policy\.checkpoint: no checkpoint folder at nowhere/,
    ],
    [
      'unknown field',
      ok + 'rollout:\n  groupsize: 4\n',
      [],
      /train\.yaml:\d+: rollout\.groupsize: unknown field/,
    ],
    [
      'ppo without gae',
      ok + 'algorithm: ppo\n',
      [],
      /advantage\.estimator: algorithm: ppo needs advantage\.estimator: gae/,
    ],
  ])('%s', (_c, yaml, overrides, pattern) => {
    expect(() => resolveTrain({ config: config(yaml), set: overrides })).toThrow(pattern);
  });

  it('a valid config resolves the checkpoint relative to the config file', () => {
    const f = config(ok);
    const r = resolveTrain({ config: f });
    expect(r.policyPath).toBe(join(f, '..', 'ck'));
    expect(r.config.policy.checkpoint).toBe(r.policyPath);
    expect(r.runDir).toBe(join('runs', 'run'));
  });

  it('--resume of a folder that is not a run says so', () => {
    expect(() => resolveTrain({ resume: tmp('brevity-none-') })).toThrow(/not a run folder/);
  });
});
