/** `brevity report RUN_DIRS...`: report.md with tables, and each figure as SVG and PNG, in one folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findRunDirs, loadRuns, parseLabels } from './load.js';
import { reportMarkdown } from './markdown.js';
import { buildModel, type ReportModel } from './model.js';
import { figureSpecs } from './plots.js';
import { renderSvg, svgToPng } from './render.js';

export { paretoFront, type ParetoPoint } from './pareto.js';
export { buildModel } from './model.js';

export interface ReportArgs {
  runs: readonly string[];
  out: string;
  title: string;
  /** `RUN=LABEL` overrides of the label a run is grouped under. */
  labels?: readonly string[];
}

export interface ReportResult {
  model: ReportModel;
  /** Paths of the files written, report.md first. */
  files: string[];
}

export async function writeReport(a: ReportArgs): Promise<ReportResult> {
  const runs = loadRuns(findRunDirs(a.runs), parseLabels(a.labels ?? []));
  const model = buildModel(runs);
  const out = resolve(a.out);
  mkdirSync(out, { recursive: true });
  const figures = figureSpecs(model);
  const files = [join(out, 'report.md')];
  writeFileSync(files[0], reportMarkdown(a.title, model, figures));
  for (const f of figures) {
    const svg = await renderSvg(f.spec);
    writeFileSync(join(out, `${f.file}.svg`), svg);
    writeFileSync(join(out, `${f.file}.png`), svgToPng(svg));
    files.push(join(out, `${f.file}.svg`), join(out, `${f.file}.png`));
  }
  return { model, files };
}
