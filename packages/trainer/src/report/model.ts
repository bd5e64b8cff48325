/**
 * What a report shows, computed once from the loaded runs: a summary per run, the runs of each label
 * aggregated over seeds, and one accuracy-length point per label with its Pareto-front membership.
 */
import type { RunData } from './load.js';
import { paretoFront } from './pareto.js';
import { aggregate, configDiff, summarizeRun, type Aggregate, type RunSummary } from './summarize.js';

export interface ReportRun {
  run: RunData;
  summary: RunSummary;
}

export interface LabelGroup {
  label: string;
  runs: ReportRun[];
  complete: number;
  finalAcc: Aggregate | undefined;
  bestAcc: Aggregate | undefined;
  finalLength: Aggregate | undefined;
  correctLength: Aggregate | undefined;
  wallS: Aggregate | undefined;
  /** Config fields (other than seed and name) in which the group's runs differ. */
  configDiffs: string[];
}

export interface LabelPoint {
  label: string;
  /** Mean final eval length over the label's runs that have one. */
  length: number;
  /** Mean final eval accuracy over the same runs. */
  acc: number;
  onFront: boolean;
}

export interface ReportModel {
  runs: ReportRun[];
  groups: LabelGroup[];
  points: LabelPoint[];
}

function groupOf(label: string, runs: ReportRun[]): LabelGroup {
  const pick = (f: (s: RunSummary) => number | undefined) => aggregate(runs.map((r) => f(r.summary)));
  const withConfig = runs.filter((r) => r.run.config);
  const diffs = new Set<string>();
  for (const r of withConfig.slice(1))
    for (const d of configDiff(withConfig[0].run.config, r.run.config)) diffs.add(d);
  return {
    label,
    runs,
    complete: runs.filter((r) => r.run.complete).length,
    finalAcc: pick((s) => s.finalAcc),
    bestAcc: pick((s) => s.bestAcc),
    finalLength: pick((s) => s.finalLength),
    correctLength: pick((s) => s.finalCorrectLength),
    wallS: pick((s) => s.wallS),
    configDiffs: [...diffs].sort(),
  };
}

function labelPoints(groups: readonly LabelGroup[]): LabelPoint[] {
  const pts = groups.flatMap((g) => {
    const both = g.runs.filter(
      (r) => r.summary.finalAcc !== undefined && r.summary.finalLength !== undefined,
    );
    if (both.length === 0) return [];
    const acc = aggregate(both.map((r) => r.summary.finalAcc))!.mean;
    const length = aggregate(both.map((r) => r.summary.finalLength))!.mean;
    return [{ label: g.label, length, acc, onFront: false }];
  });
  for (const i of paretoFront(pts.map((p) => ({ x: p.length, y: p.acc })))) pts[i].onFront = true;
  return pts.sort((a, b) => a.length - b.length || b.acc - a.acc);
}

/** Runs are expected in report order (loadRuns sorts them); groups follow the first run of each label. */
export function buildModel(data: readonly RunData[]): ReportModel {
  const runs = data.map((run) => ({ run, summary: summarizeRun(run.rows) }));
  const byLabel = new Map<string, ReportRun[]>();
  for (const r of runs) byLabel.set(r.run.label, [...(byLabel.get(r.run.label) ?? []), r]);
  const groups = [...byLabel].map(([label, rs]) => groupOf(label, rs));
  return { runs, groups, points: labelPoints(groups) };
}
