// `brevity report`: synthetic run folders (metrics.jsonl with the keys of docs/metrics.md) -> report.md
// cells, seed aggregation, incomplete runs, the Pareto front, and valid SVG / PNG figures.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { Metrics } from '@brevity/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { paretoAxes } from '../packages/trainer/src/report/axes.js';
import { paretoFront, writeReport } from '../packages/trainer/src/report/index.js';
import type { ReportModel } from '../packages/trainer/src/report/model.js';
import { figureSpecs } from '../packages/trainer/src/report/plots.js';
import { summarizeRun, configDiff } from '../packages/trainer/src/report/summarize.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'brevity-report-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface RunSpec {
  seed: number;
  /** eval/acc at each eval step (steps 4, 9, 14, ...: every 5th). */
  accs: number[];
  /** eval/length_mean at each eval step. */
  lengths: number[];
  complete?: boolean;
  config?: Record<string, unknown>;
  laser?: boolean;
}

/** Writes a run folder: 5 steps per eval, 2 s per step, the documented keys. */
function writeRun(dir: string, r: RunSpec): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ name: 'run', seed: r.seed, reward: { name: 'laser' }, ...r.config }),
  );
  const rows: Record<string, number>[] = [];
  for (let step = 0; step < 5 * r.accs.length; step++) {
    const row: Record<string, number> = {
      step,
      'time/elapsed_s': 2 * (step + 1),
      'reward/mean': step / 10,
      'rollout/length_mean': 300 - step,
      'rollout/acc': 0.5,
    };
    if (r.laser)
      Object.assign(row, {
        'state/laser-d/target.easy': 100 + step,
        'state/laser-d/target.hard': 400 - step,
        'state/laser-d/observed': step,
      });
    const e = (step + 1) / 5 - 1;
    if (Number.isInteger(e))
      Object.assign(row, {
        'eval/acc': r.accs[e],
        'eval/length_mean': r.lengths[e],
        'eval/length_correct_mean': r.lengths[e] - 10,
        'eval/d1/acc': r.accs[e] + 0.1,
        'eval/d1/length_mean': r.lengths[e] - 50,
        'eval/d3/acc': r.accs[e] - 0.1,
        'eval/d3/length_mean': r.lengths[e] + 50,
      });
    rows.push(row);
  }
  writeFileSync(join(dir, 'metrics.jsonl'), rows.map((x) => JSON.stringify(x) + '\n').join(''));
  if (r.complete !== false) writeFileSync(join(dir, 'summary.json'), '{}\n');
}

/** The cells of the table row starting with `first` under heading `section`. */
function row(md: string, section: string, first: string): string[] {
  const body = md.split(`## ${section}\n`)[1].split('\n## ')[0];
  const line = body.split('\n').find((l) => l.startsWith(`| ${first} |`));
  if (!line) throw new Error(`no row ${first} in ${section}`);
  return line.slice(2, -2).split(' | ');
}

describe('paretoFront', () => {
  // x = length (lower is better), y = accuracy (higher is better); the answer is ordered by x.
  test.each([
    { what: 'no points', pts: [], front: [] },
    { what: 'one point', pts: [[5, 0.5]], front: [0] },
    {
      what: 'a trade-off curve is all front',
      pts: [
        [300, 0.7],
        [100, 0.5],
        [200, 0.6],
      ],
      front: [1, 2, 0],
    },
    {
      what: 'shorter and more accurate dominates',
      pts: [
        [100, 0.6],
        [200, 0.5],
        [150, 0.7],
      ],
      front: [0, 2],
    },
    {
      what: 'same length, less accurate is dominated',
      pts: [
        [100, 0.5],
        [100, 0.6],
      ],
      front: [1],
    },
    {
      what: 'same accuracy, longer is dominated',
      pts: [
        [100, 0.5],
        [120, 0.5],
      ],
      front: [0],
    },
    {
      what: 'identical points are both on the front',
      pts: [
        [100, 0.5],
        [100, 0.5],
        [90, 0.4],
      ],
      front: [2, 0, 1],
    },
    {
      what: 'non-finite points are skipped',
      pts: [
        [NaN, 0.9],
        [100, 0.5],
        [50, Infinity],
      ],
      front: [1],
    },
  ])('$what', ({ pts, front }) => {
    expect(paretoFront(pts.map(([x, y]) => ({ x, y })))).toEqual(front);
  });
});

describe('Pareto plot axes', () => {
  // [length, acc %] points -> padded domains (8% of the span each side, 1 when flat; at least 10 accuracy
  // points and 10% of the longest length; outwards to 0.1) and the points outside them (drawn clamped).
  test.each([
    {
      what: 'domains from the data, not from 0',
      pts: [
        [100, 50],
        [200, 60],
      ],
      x: [92, 208],
      y: [49.2, 60.8],
      off: [],
    },
    {
      what: 'a collapsed run (below 10% of the best accuracy) is left out of both domains',
      pts: [
        [30, 98],
        [40, 99],
        [1, 0],
      ],
      x: [29.2, 40.8],
      y: [90, 100],
      off: [2],
    },
    {
      what: 'one point: at least 10 accuracy points and 10% of the length, kept inside 0..100',
      pts: [[50, 100]],
      x: [47.5, 52.5],
      y: [90, 100],
      off: [],
    },
    {
      what: 'every run at 0: nothing counts as collapsed',
      pts: [
        [1, 0],
        [2, 0],
      ],
      x: [0.9, 2.1],
      y: [0, 10],
      off: [],
    },
    {
      what: 'accuracies 0.6 points apart are not stretched over the whole axis',
      pts: [
        [33, 100],
        [41, 99.4],
      ],
      x: [32.3, 41.7],
      y: [90, 100],
      off: [],
    },
    {
      what: 'a low but not collapsed run stays on the scale; lengths cut at 0',
      pts: [
        [1, 10],
        [100, 90],
      ],
      x: [0, 108],
      y: [3.6, 96.4],
      off: [],
    },
  ])('$what', ({ pts, x, y, off }) => {
    const points = pts.map(([length, acc]) => ({ length, acc }));
    const axes = paretoAxes(points);
    expect(axes.x).toEqual(x);
    expect(axes.y).toEqual(y);
    expect(points.flatMap((p, i) => (axes.offScale(p) ? [i] : []))).toEqual(off);
  });
});

interface Scale {
  domain: number[];
  clamp: boolean;
}
type ParetoLayer = { encoding: { x: { scale: Scale }; y: { scale: Scale } }; data: { values: object[] } };

/** The pareto figure's layers; every layer must share the same x and y scale. */
function paretoLayers(model: ReportModel): { layers: ParetoLayer[]; caption: string } {
  const f = figureSpecs(model).find((s) => s.file === 'pareto')!;
  return { layers: (f.spec as unknown as { layer: ParetoLayer[] }).layer, caption: f.caption };
}

describe('run summaries', () => {
  test('final and best eval, ties to the earliest step, steps and wall time from the last row', () => {
    const rows: Metrics[] = [
      { step: 0, 'time/elapsed_s': 1 },
      { step: 1, 'time/elapsed_s': 2, 'eval/acc': 0.4, 'eval/length_mean': 90 },
      { step: 2, 'time/elapsed_s': 3, 'eval/acc': 0.6, 'eval/length_mean': 80 },
      { step: 3, 'time/elapsed_s': 4, 'eval/acc': 0.6, 'eval/length_mean': 70 },
      { step: 4, 'time/elapsed_s': 5.5, 'eval/acc': 0.5, 'eval/length_mean': 60, 'eval/d2/acc': 0.25 },
      { step: 5, 'time/elapsed_s': 6.5 },
    ];
    const s = summarizeRun(rows);
    expect(s).toMatchObject({
      steps: 6,
      wallS: 6.5,
      evalStep: 4,
      finalAcc: 0.5,
      finalLength: 60,
      bestAcc: 0.6,
      bestStep: 2,
    });
    expect(s.finalCorrectLength).toBeUndefined();
    expect([...s.byDifficulty]).toEqual([[2, { acc: 0.25, length: undefined }]]);
  });

  test('no rows: zero steps, everything else undefined', () => {
    expect(summarizeRun([])).toMatchObject({
      steps: 0,
      wallS: undefined,
      finalAcc: undefined,
      bestAcc: undefined,
    });
  });

  test('config differences ignore seed and name', () => {
    expect(
      configDiff({ seed: 1, name: 'a', r: { lt: 64, a: 1 } }, { seed: 2, name: 'b', r: { lt: 128, a: 1 } }),
    ).toEqual(['r.lt']);
  });
});

describe('report', () => {
  let out: string;
  let md: string;
  let runs: string;
  let model: ReportModel;
  beforeAll(async () => {
    runs = join(root, 'sweep');
    writeRun(join(runs, 'laser-lt64__seed1'), { seed: 1, accs: [0.3, 0.5, 0.45], lengths: [150, 120, 100] });
    writeRun(join(runs, 'laser-lt64__seed2'), { seed: 2, accs: [0.3, 0.4, 0.55], lengths: [150, 130, 110] });
    writeRun(join(runs, 'laser-lt128__seed1'), {
      seed: 1,
      accs: [0.4, 0.7],
      lengths: [250, 210],
      laser: true,
    });
    writeRun(join(runs, 'laser-lt128__seed2'), {
      seed: 2,
      accs: [0.4],
      lengths: [240],
      complete: false,
      config: { steps: 99 },
    });
    writeRun(join(runs, 'trunc__seed1'), { seed: 1, accs: [0.2, 0.35], lengths: [300, 260] });
    out = join(root, 'out');
    model = (await writeReport({ runs: [runs], out, title: 'Test sweep' })).model;
    md = readFileSync(join(out, 'report.md'), 'utf8');
  });

  test('per-run cells: steps, wall time, final and best accuracy, lengths, status', () => {
    // cells: run, label, seed, status, steps, wall, final acc, best acc @ step, final length, correct length
    expect(row(md, 'Runs', 'laser-lt64__seed1')).toEqual([
      'laser-lt64__seed1',
      'laser-lt64',
      '1',
      'complete',
      '15',
      '30.0 s',
      '45.0',
      '50.0 @ 9',
      '100.0',
      '90.0',
    ]);
    expect(row(md, 'Runs', 'laser-lt128__seed1')).toEqual([
      'laser-lt128__seed1',
      'laser-lt128',
      '1',
      'complete',
      '10',
      '20.0 s',
      '70.0',
      '70.0 @ 9',
      '210.0',
      '200.0',
    ]);
  });

  test('an incomplete run is flagged in its row and in its label count', () => {
    expect(row(md, 'Runs', 'laser-lt128__seed2 †').slice(3, 5)).toEqual(['incomplete', '5']);
    expect(md).toContain('5 runs, 4 complete');
    expect(row(md, 'By label (mean ± std over seeds)', 'laser-lt128')[1]).toBe('1/2');
  });

  test('runs differing only by seed are aggregated: mean ± unbiased std', () => {
    // final acc 0.45, 0.55 -> 50.0 ± 7.1; best 0.5, 0.55 -> 52.5 ± 3.5; length 100, 110 -> 105.0 ± 7.1
    expect(row(md, 'By label (mean ± std over seeds)', 'laser-lt64')).toEqual([
      'laser-lt64',
      '2/2',
      '50.0 ± 7.1',
      '52.5 ± 3.5',
      '105.0 ± 7.1',
      '95.0 ± 7.1',
      '30.0 s ± 0.0 s',
    ]);
    expect(row(md, 'By label (mean ± std over seeds)', 'trunc')).toEqual([
      'trunc',
      '1/1',
      '35.0',
      '35.0',
      '260.0',
      '250.0',
      '20.0 s',
    ]);
    expect(md).toContain('- laser-lt128: the runs also differ in `steps`');
  });

  test('per-difficulty cells at the final eval', () => {
    expect(row(md, 'Final eval by difficulty', 'laser-lt64__seed2')).toEqual([
      'laser-lt64__seed2',
      '65.0',
      '60.0',
      '45.0',
      '160.0',
    ]);
  });

  test('Pareto table: label means, ordered by length, front marked', () => {
    const body = md.split('## Accuracy vs length\n')[1].split('\n## ')[0];
    const rows = body.split('\n').filter((l) => /^\| [a-z]/.test(l) && !l.startsWith('| label'));
    // laser-lt128: mean of 210 and 240 (the incomplete run counts, with its last eval)
    expect(rows).toEqual([
      '| laser-lt64 | 105.0 | 50.0 | yes |',
      '| laser-lt128 | 225.0 | 55.0 | yes |',
      '| trunc | 260.0 | 35.0 | no |',
    ]);
  });

  test('figures: valid SVG and PNG for each plot with data', () => {
    for (const f of ['pareto', 'eval-curves', 'laser-targets', 'rollout-curves']) {
      const svg = readFileSync(join(out, `${f}.svg`), 'utf8');
      expect(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(new Resvg(svg).width).toBeGreaterThan(100); // resvg parses it
      const png = readFileSync(join(out, `${f}.png`));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.readUInt32BE(16)).toBeGreaterThan(200); // IHDR width
      expect(md).toContain(`![`);
      expect(md).toContain(`](${f}.svg)`);
    }
    expect(readFileSync(join(out, 'laser-targets.svg'), 'utf8')).toContain('laser-lt128__seed1');
  });

  test('Pareto axes fit the data: every layer shares the padded, clamped domains', () => {
    // accuracies 35..70 % (labels and seeds), lengths 100..260 tokens; nothing collapsed
    const { layers, caption } = paretoLayers(model);
    for (const l of layers) {
      expect(l.encoding.x.scale).toMatchObject({ domain: [87.2, 272.8], clamp: true });
      expect(l.encoding.y.scale).toMatchObject({ domain: [32.2, 72.8], clamp: true });
    }
    expect(caption).not.toContain('collapsed');
  });

  test('regenerating gives identical tables and figures', async () => {
    const again = join(root, 'again');
    await writeReport({ runs: [runs], out: again, title: 'Test sweep' });
    expect(readFileSync(join(again, 'report.md'), 'utf8')).toBe(md);
    expect(readFileSync(join(again, 'pareto.svg'), 'utf8')).toBe(
      readFileSync(join(out, 'pareto.svg'), 'utf8'),
    );
  });

  test('--label regroups runs; a run with no eval and a torn last line still gets a row', async () => {
    const dir = join(root, 'solo', 'early');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'metrics.jsonl'), '{"step":0,"time/elapsed_s":1.5}\n{"step":1,"ti');
    const o = join(root, 'relabel');
    const res = await writeReport({
      runs: [join(runs, 'laser-lt64__seed1'), join(runs, 'trunc__seed1'), dir],
      out: o,
      title: 'T',
      labels: ['trunc__seed1=laser-lt64'],
    });
    const text = readFileSync(join(o, 'report.md'), 'utf8');
    expect(row(text, 'By label (mean ± std over seeds)', 'laser-lt64')[2]).toBe('40.0 ± 7.1');
    expect(row(text, 'Runs', 'early †')).toEqual([
      'early †',
      'early',
      '–',
      'incomplete',
      '1',
      '1.5 s',
      '–',
      '–',
      '–',
      '–',
    ]);
    expect(res.files.map((f) => f.split('/').pop())).toContain('pareto.png');
  });

  test('a collapsed run stays on the plot, clamped and labelled, without squashing the others', async () => {
    const dir = join(root, 'collapse');
    writeRun(join(dir, 'good__seed1'), { seed: 1, accs: [0.9], lengths: [30] });
    writeRun(join(dir, 'good__seed2'), { seed: 2, accs: [0.95], lengths: [32] });
    writeRun(join(dir, 'lucky__seed1'), { seed: 1, accs: [0.92], lengths: [31] });
    writeRun(join(dir, 'lucky__seed2'), { seed: 2, accs: [0], lengths: [1] });
    writeRun(join(dir, 'empty'), { seed: 0, accs: [0], lengths: [1] });
    const o = join(root, 'collapse-out');
    const res = await writeReport({ runs: [dir], out: o, title: 'T' });
    const { layers, caption } = paretoLayers(res.model);
    // best 95 %: the 0 % points are out; good's seeds, lucky's seed 1 and both label means (lucky: 46 % at
    // 16 tokens) set the domains: lengths 16..32 -> 14.7..33.3, accuracies 46..95 -> 42..99
    for (const l of layers) {
      expect(l.encoding.x.scale).toMatchObject({ domain: [14.7, 33.3], clamp: true });
      expect(l.encoding.y.scale).toMatchObject({ domain: [42, 99], clamp: true });
    }
    const texts = layers.flatMap((l) => l.data.values as { text?: string; stack?: number }[]);
    // lucky's mean is on the scale, so its collapsed seed gets its own text, stacked above empty's at the
    // same clamped corner
    expect(texts.filter((t) => t.text?.endsWith('(off scale)')).map((t) => [t.text, t.stack])).toEqual([
      ['empty: 0.0% at 1.0 tokens (off scale)', 0],
      ['lucky__seed2: 0.0% at 1.0 tokens (off scale)', 1],
    ]);
    expect(caption).toContain('a collapsed run');
    expect(readFileSync(join(o, 'report.md'), 'utf8')).toContain('a collapsed run');
    expect(readFileSync(join(o, 'pareto.svg'), 'utf8')).toContain('(off scale)');
  });

  test.each([
    {
      what: 'a folder without runs',
      make: (d: string) => mkdirSync(d, { recursive: true }),
      message: /neither a run folder .* nor a folder of runs/,
    },
    { what: 'a missing folder', make: () => {}, message: /no such folder/ },
    {
      what: 'a malformed metrics line before the last',
      make: (d: string) => {
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'metrics.jsonl'), '{"step":0}\nnot json\n{"step":2}\n');
      },
      message: /metrics\.jsonl:2: malformed metrics line/,
    },
    {
      what: 'a bad --label',
      make: (d: string) => writeRun(d, { seed: 0, accs: [0.1], lengths: [1] }),
      labels: ['x'],
      message: /--label x: expected RUN=LABEL/,
    },
  ])('error: $what', async ({ make, message, labels }) => {
    const d = join(root, `bad-${Math.random().toString(36).slice(2)}`);
    make(d);
    await expect(writeReport({ runs: [d], out: join(root, 'bad-out'), title: 'T', labels })).rejects.toThrow(
      message,
    );
  });
});
