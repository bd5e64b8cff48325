/**
 * The sweep spec: a YAML file listing runs as a grid (configs x axes x seeds) or as an explicit list.
 * Validated by zod through core's loadConfig, so every error names the file, the line and the field.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { loadConfig } from '@brevity/core';
import { z } from 'zod';

/** Characters allowed in a name part; run names become folder names. */
const NAME_PART = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;
const namePart = (what: string) =>
  z
    .string()
    .regex(NAME_PART, `${what} must start with a letter or digit and use only letters, digits and _ . + -`)
    .refine((s) => !s.includes('__'), `${what} must not contain "__" (it separates the seed suffix)`);

const SetList = z.array(z.string().regex(/^[^=\s]+=/, 'expected path=value, e.g. optim.lr=1e-4')).default([]);

const Axis = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.+-]*$/, 'use only letters, digits and _ . + -')
      .describe(
        'Short name of the axis in run names: axis `lt` with value 64 gives `lt64`; an empty name gives the value alone.',
      ),
    path: z
      .string()
      .min(1)
      .optional()
      .describe('Config field that `values` are set on, as in `--set <path>=<value>`. Use with `values`.'),
    values: z
      .array(z.union([z.number(), z.string(), z.boolean()]))
      .min(1)
      .optional()
      .describe('Values of `path`, one run per value. Use with `path`.'),
    options: z
      .array(
        z.strictObject({
          name: namePart('an option name').describe('Name of the option in run names (after the axis name).'),
          set: SetList.describe('The `--set path=value` overrides this option applies.'),
        }),
      )
      .min(1)
      .optional()
      .describe('Named sets of overrides, one run per option (for settings that change together).'),
  })
  .superRefine((a, ctx) => {
    const scalar = a.path !== undefined || a.values !== undefined;
    if (scalar === (a.options !== undefined))
      ctx.addIssue({ code: 'custom', message: 'give either `path` and `values`, or `options`' });
    else if (scalar && (a.path === undefined || a.values === undefined))
      ctx.addIssue({ code: 'custom', message: '`path` and `values` go together' });
  })
  .describe('One axis of the grid.');

const Seeds = z
  .array(z.number().int())
  .min(1)
  .refine((s) => new Set(s).size === s.length, 'seeds must be distinct');

const ExplicitRun = z
  .strictObject({
    name: namePart('a run name').describe('Run name (the folder name, before the `__seed<k>` suffix).'),
    config: z
      .string()
      .min(1)
      .describe('Config file of the run, relative to the spec file (or the working directory).'),
    set: SetList.describe('`--set path=value` overrides of this run (after the sweep-wide `set`).'),
    seeds: Seeds.optional().describe('Seeds of this run; replaces the sweep-wide `seeds`.'),
  })
  .describe('One run of an explicit list.');

export const SweepSpec = z
  .strictObject({
    runsDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Folder holding one folder per run, relative to the working directory; default runs/<spec file name>.',
      ),
    command: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'a command name such as train or sft')
      .default('train')
      .describe('The command each run executes: `train` (RL) or `sft`.'),
    cli: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Node script run as `node <cli> <command> ...` instead of the brevity CLI, relative to the spec file (custom drivers, tests).',
      ),
    args: z
      .array(z.string())
      .default([])
      .describe('Extra arguments passed to every run, e.g. ["--backend", "wasm"].'),
    seeds: Seeds.optional().describe(
      'Seeds; each run is repeated once per seed as `<name>__seed<k>` with `--set <seedPath>=<k>`. Absent: one run, the config seed.',
    ),
    seedPath: z.string().min(1).default('seed').describe('Config field the seed is set on.'),
    set: SetList.describe('`--set path=value` overrides applied to every run (before the per-run ones).'),
    grid: z
      .strictObject({
        configs: z
          .record(namePart('a config name'), z.string().min(1))
          .refine((r) => Object.keys(r).length > 0, 'list at least one config')
          .describe(
            'Base configs by name, e.g. `laser: laser.yaml` (paths relative to the spec file or the working directory); the name starts each run name.',
          ),
        axes: z
          .array(Axis)
          .default([])
          .describe('Axes crossed with every config: one run per combination of their values.'),
      })
      .optional()
      .describe('A grid: every config crossed with every axis value (and every seed).'),
    runs: z.array(ExplicitRun).default([]).describe('Runs listed one by one (in addition to the grid).'),
  })
  .refine((s) => s.grid !== undefined || s.runs.length > 0, 'the spec lists no runs: give `grid` or `runs`')
  .describe('A sweep: runs as a grid or a list, executed with `brevity sweep SPEC`.');

export type SweepSpec = z.output<typeof SweepSpec>;

/** A spec with its file: paths in it are resolved against the file's folder. */
export interface LoadedSpec {
  file: string;
  spec: SweepSpec;
  /** Absolute paths of every file the spec names, keyed by the name as written. */
  paths: Map<string, string>;
  runsDir: string;
  /** Absolute path of the node script run for each run. */
  cli: string | undefined;
}

/** Resolves a path relative to the spec folder, else to the working directory; undefined if neither exists. */
function findFile(specDir: string, p: string): string | undefined {
  for (const base of [specDir, process.cwd()]) {
    const abs = resolve(base, p);
    if (existsSync(abs)) return abs;
  }
  return undefined;
}

/** Adds an issue for every named file that does not exist, so the error points at its line. */
function checkFiles(specDir: string, paths: Map<string, string>) {
  return (s: SweepSpec, ctx: z.RefinementCtx) => {
    const check = (p: string, path: (string | number)[]) => {
      const abs = findFile(specDir, p);
      if (abs) paths.set(p, abs);
      else
        ctx.addIssue({
          code: 'custom',
          path,
          message: `file not found: ${p} (looked in ${specDir} and ${process.cwd()})`,
        });
    };
    if (s.cli !== undefined) check(s.cli, ['cli']);
    for (const [name, p] of Object.entries(s.grid?.configs ?? {})) check(p, ['grid', 'configs', name]);
    s.runs.forEach((r, i) => check(r.config, ['runs', i, 'config']));
  };
}

/** Loads and validates a sweep spec; throws ConfigError naming file:line: field on any problem. */
export function loadSweepSpec(file: string): LoadedSpec {
  const abs = resolve(file);
  const paths = new Map<string, string>();
  const spec = loadConfig(SweepSpec.superRefine(checkFiles(dirname(abs), paths)), abs) as SweepSpec;
  const runsDir = resolve(spec.runsDir ?? `runs/${basename(abs, extname(abs))}`);
  return { file: abs, spec, paths, runsDir, cli: spec.cli === undefined ? undefined : paths.get(spec.cli) };
}
