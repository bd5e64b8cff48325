/**
 * The report's figures as vega-lite specs (pure: model in, spec out): (a) accuracy vs length with the
 * Pareto front (LASER Fig. 1/5), (b) eval accuracy and length over steps, (c) LASER-D/DE target length per
 * difficulty bucket over steps, (d) rollout length and reward over steps. One colour per label.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Metrics } from '@brevity/core';
import { COLLAPSED_SHARE, paretoAxes, placeTexts, type PlotPoint } from './axes.js';
import type { ReportModel } from './model.js';
import { evalRows, num } from './summarize.js';

export interface FigureSpec {
  /** File name without extension. */
  file: string;
  caption: string;
  spec: TopLevelSpec;
}

const WIDTH = 360;
const HEIGHT = 240;
const config = { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' };

const colorOf = (labels: readonly string[]) => ({
  field: 'label',
  type: 'nominal' as const,
  title: 'label',
  scale: { domain: [...labels] },
});

/** `label: 12.5% at 3.1 tokens (off scale)`: the text of a point drawn clamped to the plot's edge. */
const offScaleText = (name: string, p: PlotPoint) =>
  `${name}: ${p.acc.toFixed(1)}% at ${p.length.toFixed(1)} tokens (off scale)`;

/** The plotted values: one point per label, one per run with a final eval, and the axes fitted to them. */
function paretoData(m: ReportModel) {
  const points = m.points.map((p) => ({
    label: p.label,
    length: p.length,
    acc: 100 * p.acc,
    front: p.onFront,
  }));
  const runs = m.runs.flatMap((r) =>
    r.summary.finalAcc === undefined || r.summary.finalLength === undefined
      ? []
      : [
          {
            label: r.run.label,
            run: r.run.name,
            length: r.summary.finalLength,
            acc: 100 * r.summary.finalAcc,
          },
        ],
  );
  const axes = paretoAxes([...points, ...runs]);
  const seeded = runs.length > points.length;
  const offLabels = new Set(points.filter((p) => axes.offScale(p)).map((p) => p.label));
  const texts = [
    ...points.map((p) => ({ ...p, text: offLabels.has(p.label) ? offScaleText(p.label, p) : p.label })),
    // A collapsed seed of a label whose mean is on the scale (its label's text is elsewhere).
    ...(seeded
      ? runs
          .filter((r) => axes.offScale(r) && !offLabels.has(r.label))
          .map((r) => ({ ...r, text: offScaleText(r.run, r) }))
      : []),
  ];
  return {
    points,
    runs,
    axes,
    seeded,
    texts: placeTexts(texts, axes, WIDTH),
    offScale: texts.some((t) => t.text !== t.label),
  };
}

function paretoSpec(m: ReportModel): FigureSpec | undefined {
  if (m.points.length === 0) return undefined;
  const labels = m.groups.map((g) => g.label);
  const { points, runs, axes, seeded, texts, offScale } = paretoData(m);
  // Domains from the data (not from 0), clamped, so one collapsed run does not squash the others.
  const scale = (domain: [number, number]) => ({ domain, clamp: true, nice: false, zero: false });
  const x = {
    field: 'length',
    type: 'quantitative' as const,
    title: 'mean length (tokens)',
    scale: scale(axes.x),
  };
  const y = { field: 'acc', type: 'quantitative' as const, title: 'accuracy (%)', scale: scale(axes.y) };
  return {
    file: 'pareto',
    caption:
      'Final eval accuracy vs mean length, one filled point per label (mean over seeds), its runs as ' +
      'open points; the dashed line joins the Pareto front.' +
      (offScale
        ? ` Axes fit the points above ${100 * COLLAPSED_SHARE}% of the best accuracy; a point below ` +
          '(a collapsed run) sits on the edge, labelled with its values.'
        : ''),
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config,
      layer: [
        ...(seeded
          ? [
              {
                data: { values: runs },
                mark: { type: 'point' as const, opacity: 0.5 },
                encoding: { x, y, color: colorOf(labels) },
              },
            ]
          : []),
        {
          data: { values: points.filter((p) => p.front) },
          mark: { type: 'line', strokeDash: [4, 3], color: '#888' },
          encoding: { x, y, order: { field: 'length', type: 'quantitative' } },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 80 },
          encoding: {
            x,
            y,
            color: colorOf(labels),
            shape: { field: 'front', type: 'nominal', title: 'on front' },
          },
        },
        {
          data: { values: texts },
          mark: {
            type: 'text',
            align: { expr: 'datum.align' },
            dx: { expr: 'datum.dx' },
            dy: { expr: '-7 - 12 * datum.stack' },
            fontSize: 10,
          },
          encoding: { x, y, text: { field: 'text', type: 'nominal' } },
        },
      ],
    },
  };
}

/** A row per (run, step) with the given metrics present, for line charts. */
function series(
  m: ReportModel,
  pick: (rows: readonly Metrics[]) => readonly Metrics[],
  keys: Record<string, string>,
) {
  return m.runs.flatMap((r) =>
    pick(r.run.rows).flatMap((row) => {
      const out: Record<string, string | number> = {
        run: r.run.name,
        label: r.run.label,
        step: num(row.step) ?? 0,
      };
      for (const [name, key] of Object.entries(keys)) {
        const v = num(row[key]);
        if (v === undefined) return [];
        out[name] = key.endsWith('acc') ? 100 * v : v;
      }
      return [out];
    }),
  );
}

/** A figure of line charts over steps, one panel per metric, one line per run. */
interface CurveFigure {
  file: string;
  caption: string;
  /** Which rows of a run are drawn. */
  rows: (rows: readonly Metrics[]) => readonly Metrics[];
  panels: { field: string; key: string; title: string }[];
  /** Marks each row with a point (eval rows are sparse). */
  points: boolean;
}

const CURVES: CurveFigure[] = [
  {
    file: 'eval-curves',
    caption: 'Eval accuracy and mean length over training steps, one line per run.',
    rows: evalRows,
    panels: [
      { field: 'acc', key: 'eval/acc', title: 'eval accuracy (%)' },
      { field: 'length', key: 'eval/length_mean', title: 'eval mean length (tokens)' },
    ],
    points: true,
  },
  {
    file: 'rollout-curves',
    caption: 'Training rollouts: mean length and mean reward over steps, one line per run.',
    rows: (rows) => rows,
    panels: [
      { field: 'length', key: 'rollout/length_mean', title: 'rollout mean length (tokens)' },
      { field: 'reward', key: 'reward/mean', title: 'mean reward' },
    ],
    points: false,
  },
];

function curveFigure(m: ReportModel, c: CurveFigure): FigureSpec | undefined {
  const values = series(m, c.rows, Object.fromEntries(c.panels.map((p) => [p.field, p.key])));
  if (values.length === 0) return undefined;
  const labels = m.groups.map((g) => g.label);
  const spec = {
    config,
    data: { values },
    hconcat: c.panels.map((p) => ({
      width: WIDTH,
      height: HEIGHT,
      mark: { type: 'line' as const, point: c.points },
      encoding: {
        x: { field: 'step', type: 'quantitative' as const, title: 'step' },
        y: { field: p.field, type: 'quantitative' as const, title: p.title, scale: { zero: false } },
        color: colorOf(labels),
        detail: { field: 'run', type: 'nominal' as const },
      },
    })),
  } satisfies TopLevelSpec;
  return { file: c.file, caption: c.caption, spec };
}

/** LASER-D/DE target keys: `state/laser-d/target.easy` or `state/laser-de/target_easy` -> bucket `easy`. */
const TARGET_KEY = /^state\/(laser-de?)\/target[._]([^/]+)$/;

function targetCurves(m: ReportModel): FigureSpec | undefined {
  const values = m.runs.flatMap((r) =>
    r.run.rows.flatMap((row) =>
      Object.entries(row).flatMap(([key, v]) => {
        const match = TARGET_KEY.exec(key);
        const target = num(v);
        return match && target !== undefined
          ? [{ run: r.run.name, step: num(row.step) ?? 0, bucket: match[2], target }]
          : [];
      }),
    ),
  );
  if (values.length === 0) return undefined;
  const runs = [...new Set(values.map((v) => v.run))];
  return {
    file: 'laser-targets',
    caption: 'LASER-D/DE adaptive target length per difficulty bucket over steps, one panel per run.',
    spec: {
      config,
      data: { values },
      facet: { field: 'run', type: 'nominal', title: null, sort: runs },
      columns: 3,
      spec: {
        width: 240,
        height: 160,
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'target', type: 'quantitative', title: 'target length (tokens)' },
          color: { field: 'bucket', type: 'nominal', title: 'bucket', sort: ['easy', 'medium', 'hard'] },
        },
      },
    },
  };
}

/** The figures the model has data for, in report order. */
export function figureSpecs(m: ReportModel): FigureSpec[] {
  const [evalCurves, rolloutCurves] = CURVES.map((c) => curveFigure(m, c));
  return [paretoSpec(m), evalCurves, targetCurves(m), rolloutCurves].filter((f) => f !== undefined);
}
