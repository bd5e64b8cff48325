// Every YAML file shipped under experiments/ loads with the loader its command uses, so a renamed option or
// a bad value fails here and not an hour into a sweep: train configs through resolveTrain (schema, rewards,
// starting checkpoint), SFT configs through loadConfig(SftConfig), each config's env params through the env
// itself, and sweep specs through loadSweepSpec with every run they expand to loaded as its child command
// would (the config file plus the run's --set overrides). A file that only serves as an `extends` base is
// covered by the configs that extend it. Nothing trains.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, loadYamlTree } from '@brevity/core';
import { createEnv } from '@brevity/envs';
import { resolveTrain } from '../packages/trainer/src/rl/command.js';
import { SftConfig } from '../packages/trainer/src/sft/config.js';
import { expandSweep, loadSweepSpec } from '../packages/trainer/src/sweep/index.js';

const root = resolve(new URL('..', import.meta.url).pathname);
const experiments = join(root, 'experiments');

type Kind = 'sweep' | 'train' | 'sft' | 'base';

/** Shipped YAML files (run folders are outputs, not shipped configs). */
const files = readdirSync(experiments, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml') && !f.split('/').includes('runs'))
  .map((f) => join(experiments, f))
  .sort();

const raw = (file: string) => (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;

/** Files some other file names in `extends`. */
const bases = new Set(
  files.flatMap((f) => {
    const ext = raw(f).extends;
    return (Array.isArray(ext) ? ext : ext === undefined ? [] : [ext]).map((t) =>
      resolve(dirname(f), String(t)),
    );
  }),
);

/**
 * A spec lists `runs` or a `grid`; an `extends` target is a base; a config with a reward or a starting
 * policy is an RL run; any other config is an SFT run (it trains a model from scratch).
 */
function kindOf(file: string): Kind {
  const own = raw(file);
  if ('runs' in own || 'grid' in own) return 'sweep';
  if (bases.has(file)) return 'base';
  const merged = loadYamlTree(file).data;
  return 'reward' in merged || 'policy' in merged ? 'train' : 'sft';
}

/** Loads a run config as `brevity <command>` would and builds its env; returns the resolved config. */
function loadRun(
  command: string,
  file: string,
  set: string[] = [],
): { env: { name: string; params: object } } {
  const config =
    command === 'train' ? resolveTrain({ config: file, set }).config : loadConfig(SftConfig, file, set);
  createEnv(config.env.name, config.env.params);
  return config;
}

const table = files.map((file) => ({ file: relative(root, file), abs: file, kind: kindOf(file) }));

describe('experiments/**/*.yaml', () => {
  test('the scan finds the shipped configs of every kind', () => {
    const kinds = new Set(table.map((t) => t.kind));
    expect([...kinds].sort()).toEqual(['base', 'sft', 'sweep', 'train']);
    expect(table.map((t) => t.file)).toContain('experiments/base/sft-modchain.yaml');
  });

  // Each case is one shipped file, loaded the way its kind is.
  test.each(table)('$file ($kind)', ({ abs, kind }) => {
    if (kind === 'base') {
      // Covered through its children; here only that something extends it and it parses as a mapping.
      expect(bases.has(abs)).toBe(true);
      expect(typeof loadYamlTree(abs).data).toBe('object');
    } else if (kind === 'sweep') {
      const loaded = loadSweepSpec(abs);
      expect(['train', 'sft']).toContain(loaded.spec.command);
      const runs = expandSweep(loaded.spec, loaded.file);
      expect(runs.length).toBeGreaterThan(0);
      for (const r of runs) {
        const config = loaded.paths.get(r.config)!;
        try {
          loadRun(loaded.spec.command, config, r.set);
        } catch (e) {
          throw new Error(`run ${r.name} (${r.config} ${r.set.join(' ')}): ${(e as Error).message}`);
        }
      }
    } else {
      expect(loadRun(kind, abs).env.name).toBeTruthy();
    }
  });
});
