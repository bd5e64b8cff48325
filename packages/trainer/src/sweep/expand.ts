/**
 * Expands a sweep spec into named runs, deterministically: grid runs first (configs in file order, axes
 * crossed in file order, the last axis varying fastest), then the explicit runs, each repeated per seed.
 * Names read like `laser-lt64__seed1`: the label (config name and axis parts joined by `-`), then the seed.
 */
import { ConfigError } from '@brevity/core';
import type { SweepSpec } from './spec.js';

/** One run of a sweep, ready to execute. */
export interface PlannedRun {
  /** Folder name: `<label>` or `<label>__seed<k>`. */
  name: string;
  /** The name without the seed suffix; runs sharing a label differ only by seed. */
  label: string;
  /** Config file as written in the spec. */
  config: string;
  /** `--set` overrides in order: sweep-wide, axes or run, then the seed. */
  set: string[];
  seed: number | undefined;
}

interface Variant {
  label: string;
  config: string;
  set: string[];
  seeds: readonly number[] | undefined;
}

/** Renders an axis value as a name part: `1e-4` -> `0.0001`, anything outside [A-Za-z0-9_.+-] -> `_`. */
export function valueName(v: number | string | boolean): string {
  return String(v)
    .replace(/[^A-Za-z0-9_.+-]/g, '_')
    .replace(/_{2,}/g, '_');
}

/** A `--set` value as YAML text: strings that YAML would read as another type are quoted. */
function setValue(v: number | string | boolean): string {
  if (typeof v !== 'string') return String(v);
  return /^[A-Za-z_][\w./-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v)
    ? v
    : JSON.stringify(v);
}

type AxisSpec = NonNullable<SweepSpec['grid']>['axes'][number];

/** The (name part, overrides) choices of one axis. */
function axisChoices(axis: AxisSpec): { part: string; set: string[] }[] {
  if (axis.options) return axis.options.map((o) => ({ part: axis.name + o.name, set: [...o.set] }));
  return (axis.values ?? []).map((v) => ({
    part: axis.name + valueName(v),
    set: [`${axis.path}=${setValue(v)}`],
  }));
}

function gridVariants(spec: SweepSpec): Variant[] {
  if (!spec.grid) return [];
  let combos: { parts: string[]; set: string[] }[] = [{ parts: [], set: [] }];
  for (const axis of spec.grid.axes) {
    const choices = axisChoices(axis);
    combos = combos.flatMap((c) =>
      choices.map((ch) => ({ parts: [...c.parts, ch.part], set: [...c.set, ...ch.set] })),
    );
  }
  return Object.entries(spec.grid.configs).flatMap(([name, config]) =>
    combos.map((c) => ({ label: [name, ...c.parts].join('-'), config, set: c.set, seeds: spec.seeds })),
  );
}

/** Expands a validated spec into runs; throws ConfigError when two runs would share a folder. */
export function expandSweep(spec: SweepSpec, file = '(spec)'): PlannedRun[] {
  const variants: Variant[] = [
    ...gridVariants(spec),
    ...spec.runs.map((r) => ({
      label: r.name,
      config: r.config,
      set: [...r.set],
      seeds: r.seeds ?? spec.seeds,
    })),
  ];
  const runs: PlannedRun[] = [];
  for (const v of variants) {
    const common = [...spec.set, ...v.set];
    if (!v.seeds)
      runs.push({ name: v.label, label: v.label, config: v.config, set: common, seed: undefined });
    else
      for (const seed of v.seeds)
        runs.push({
          name: `${v.label}__seed${seed}`,
          label: v.label,
          config: v.config,
          set: [...common, `${spec.seedPath}=${seed}`],
          seed,
        });
  }
  const seen = new Set<string>();
  for (const r of runs) {
    if (seen.has(r.name))
      throw new ConfigError(
        `${file}: two runs are both named "${r.name}"; rename a config, axis or run so every run has its own folder`,
        file,
      );
    seen.add(r.name);
  }
  return runs;
}

/** Splits a run folder name into its label and seed (`laser-lt64__seed1` -> laser-lt64, 1). */
export function splitRunName(name: string): { label: string; seed: number | undefined } {
  const m = /^(.*)__seed(-?\d+)$/.exec(name);
  return m ? { label: m[1], seed: Number(m[2]) } : { label: name, seed: undefined };
}
