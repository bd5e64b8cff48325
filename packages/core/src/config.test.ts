import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, applyOverrides, loadConfig, parseOverride } from './config.js';
import { configReference } from './config-docs.js';
import { MetricsWriter, readMetrics, truncateMetrics } from './metrics.js';
import { appendFileSync } from 'node:fs';

const Schema = z.strictObject({
  name: z.string().default('run').describe('Run name.'),
  optim: z
    .strictObject({
      lr: z.number().positive().default(1e-3).describe('Peak learning rate.'),
      schedule: z
        .enum(['constant', 'cosine'])
        .default('constant')
        .describe('constant: fixed; cosine: decays.'),
    })
    .prefault({})
    .describe('Optimiser.'),
  stages: z
    .array(z.strictObject({ steps: z.number().int().describe('Steps in the stage.') }))
    .default([])
    .describe('Stages.'),
});

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'brevity-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('merges extends (child wins), applies overrides and fills defaults, frozen', () => {
    const d = dir({
      'base.yaml': 'name: base\noptim:\n  lr: 0.01\n  schedule: cosine\n',
      'child.yaml': 'extends: base.yaml\noptim:\n  lr: 0.02\n',
    });
    const c = loadConfig(Schema, join(d, 'child.yaml'), ['name=over', 'stages=[{steps: 3}]']);
    expect(c).toEqual({ name: 'over', optim: { lr: 0.02, schedule: 'cosine' }, stages: [{ steps: 3 }] });
    expect(Object.isFrozen(c.optim)).toBe(true);
  });

  it.each([
    // [case, files, overrides, expected one-line error]
    [
      'malformed YAML names file and line',
      { 'a.yaml': 'name: x\noptim: [1, 2\n' },
      [],
      /a\.yaml:\d+: malformed YAML/,
    ],
    [
      'unknown field names file, line and path',
      { 'a.yaml': 'name: x\noptim:\n  lrr: 0.1\n' },
      [],
      /a\.yaml:3: optim\.lrr: unknown field "lrr"/,
    ],
    [
      'wrong type names file, line, path and expected type',
      { 'a.yaml': 'name: x\noptim:\n  lr: fast\n' },
      [],
      /a\.yaml:3: optim\.lr: expected number, received string/,
    ],
    [
      'missing extends target names the file and the target',
      { 'a.yaml': 'extends: nope.yaml\nname: x\n' },
      [],
      /a\.yaml:1: extends: file not found: nope\.yaml/,
    ],
    [
      'bad enum value',
      { 'a.yaml': 'optim:\n  schedule: linear\n' },
      [],
      /a\.yaml:2: optim\.schedule: expected one of/,
    ],
    [
      'override with a wrong type names the override',
      { 'a.yaml': 'name: x\n' },
      ['optim.lr=-1'],
      /--set optim\.lr=-1: optim\.lr: /,
    ],
    ['extends cycle', { 'a.yaml': 'extends: b.yaml\n', 'b.yaml': 'extends: a.yaml\n' }, [], /extends cycle/],
  ])('%s', (_c, files, overrides, pattern) => {
    const d = dir(files as Record<string, string>);
    const e = errorOf(() => loadConfig(Schema, join(d, 'a.yaml'), overrides as string[]));
    expect(e.message.split('\n')[0]).toMatch(pattern);
  });

  it('an error inherited from the base file points at the base file', () => {
    const d = dir({ 'base.yaml': 'optim:\n  lr: nan-ish\n', 'child.yaml': 'extends: base.yaml\nname: c\n' });
    const e = errorOf(() => loadConfig(Schema, join(d, 'child.yaml')));
    expect(e.message).toMatch(/base\.yaml:2: optim\.lr/);
    expect(e.file).toMatch(/base\.yaml$/);
    expect(e.field).toBe('optim.lr');
  });

  it('a missing config file is a clear error', () => {
    const e = errorOf(() => loadConfig(Schema, '/nonexistent/x.yaml'));
    expect(e.message).toMatch(/x\.yaml: config file not found/);
  });
});

describe('overrides', () => {
  it.each([
    // [spec, path, value]: values parse as YAML scalars
    ['a.b=3', ['a', 'b'], 3],
    ['a=1e-4', ['a'], 1e-4],
    ['a=true', ['a'], true],
    ['a=hello', ['a'], 'hello'],
    ['a=[1, 2]', ['a'], [1, 2]],
    ['a==x', ['a'], '=x'],
  ])('%s', (spec, path, value) => {
    expect(parseOverride(spec)).toEqual({ path, value });
  });

  it('indexes into arrays and creates missing objects', () => {
    const out = applyOverrides({ stages: [{ steps: 1 }, { steps: 2 }] }, ['stages.1.steps=5', 'x.y=1']);
    expect(out).toEqual({ stages: [{ steps: 1 }, { steps: 5 }], x: { y: 1 } });
  });

  it('rejects a spec without =, and descending into a scalar', () => {
    expect(() => parseOverride('optim.lr')).toThrow(/expected path=value/);
    expect(() => applyOverrides({ a: 1 }, ['a.b=2'])).toThrow(/a is a number, not an object/);
  });
});

describe('configReference', () => {
  it('lists every option with type, default and description', () => {
    const md = configReference(Schema, 'Test config');
    expect(md).toContain('| `optim.lr` | number (> 0) | `0.001` | Peak learning rate. |');
    expect(md).toContain('| `optim.schedule` | "constant" \\| "cosine" | `"constant"` |');
    expect(md).toContain('`stages`');
  });
});

describe('MetricsWriter', () => {
  it('writes one JSON line per step, nulls non-finite numbers, survives a torn last line', () => {
    const d = dir({});
    const path = join(d, 'm', 'metrics.jsonl');
    const w = new MetricsWriter(path);
    w.write({ step: 0, 'reward/mean': 1 });
    w.write({ step: 1, 'reward/mean': Number.NaN });
    appendFileSync(path, '{"step": 2, "rew');
    expect(readMetrics(path)).toEqual([
      { step: 0, 'reward/mean': 1 },
      { step: 1, 'reward/mean': null },
    ]);
    truncateMetrics(path, 1);
    expect(readMetrics(path)).toEqual([{ step: 0, 'reward/mean': 1 }]);
  });
});
