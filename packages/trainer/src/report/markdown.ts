/**
 * The report's Markdown. Fixed number formats and the model's fixed order, so regenerating a report from
 * the same metrics gives the same bytes: accuracies in % with one decimal, lengths in tokens with one
 * decimal, mean ± unbiased std over seeds.
 */
import type { Aggregate } from './summarize.js';
import type { LabelGroup, ReportModel, ReportRun } from './model.js';

const DASH = '–';

export const pct = (v: number | undefined) => (v === undefined ? DASH : (100 * v).toFixed(1));
export const tokens = (v: number | undefined) => (v === undefined ? DASH : v.toFixed(1));

export function duration(s: number | undefined): string {
  if (s === undefined) return DASH;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `mean ± std` (the mean alone for a single value). */
export function meanStd(a: Aggregate | undefined, f: (v: number) => string): string {
  if (!a) return DASH;
  return a.n === 1 ? f(a.mean) : `${f(a.mean)} ± ${f(a.std)}`;
}

const escape = (s: string) => s.replace(/\|/g, '\\|');

/** A Markdown table; a column whose cells all read as numbers (or a dash) is right-aligned. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escape).join(' | ')} |`;
  const numeric = (i: number) => rows.length > 0 && rows.every((r) => /^([-+]?\d|–)/.test(r[i]));
  const rule = `|${head.map((_, i) => (numeric(i) ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

const status = (r: ReportRun) => (r.run.complete ? 'complete' : 'incomplete');

function runsTable(m: ReportModel): string {
  const rows = m.runs.map((r) => {
    const s = r.summary;
    return [
      r.run.name + (r.run.complete ? '' : ' †'),
      r.run.label,
      r.run.seed === undefined ? DASH : String(r.run.seed),
      status(r),
      String(s.steps),
      duration(s.wallS),
      pct(s.finalAcc),
      s.bestAcc === undefined ? DASH : `${pct(s.bestAcc)} @ ${s.bestStep}`,
      tokens(s.finalLength),
      tokens(s.finalCorrectLength),
    ];
  });
  return mdTable(
    [
      'run',
      'label',
      'seed',
      'status',
      'steps',
      'wall time',
      'final acc (%)',
      'best acc (%) @ step',
      'final length',
      'correct length',
    ],
    rows,
  );
}

function labelsTable(groups: readonly LabelGroup[]): string {
  const rows = groups.map((g) => [
    g.label,
    `${g.complete}/${g.runs.length}`,
    meanStd(g.finalAcc, (v) => pct(v)),
    meanStd(g.bestAcc, (v) => pct(v)),
    meanStd(g.finalLength, tokens),
    meanStd(g.correctLength, tokens),
    meanStd(g.wallS, duration),
  ]);
  const notes = groups
    .filter((g) => g.configDiffs.length > 0)
    .map((g) => `- ${g.label}: the runs also differ in ${g.configDiffs.map((d) => `\`${d}\``).join(', ')}`);
  return [
    mdTable(
      [
        'label',
        'complete runs',
        'final acc (%)',
        'best acc (%)',
        'final length',
        'correct length',
        'wall time',
      ],
      rows,
    ),
    ...(notes.length ? ['', 'Runs grouped under one label should differ only by seed, but:', ...notes] : []),
  ].join('\n');
}

function difficultyTable(m: ReportModel): string | undefined {
  const ks = [...new Set(m.runs.flatMap((r) => [...r.summary.byDifficulty.keys()]))].sort((a, b) => a - b);
  if (ks.length === 0) return undefined;
  const head = ['run', ...ks.flatMap((k) => [`d${k} acc (%)`, `d${k} length`])];
  const rows = m.runs.map((r) => [
    r.run.name,
    ...ks.flatMap((k) => {
      const d = r.summary.byDifficulty.get(k);
      return [pct(d?.acc), tokens(d?.length)];
    }),
  ]);
  return mdTable(head, rows);
}

function paretoTable(m: ReportModel): string | undefined {
  if (m.points.length === 0) return undefined;
  return mdTable(
    ['label', 'final length', 'final acc (%)', 'on the front'],
    m.points.map((p) => [p.label, tokens(p.length), pct(p.acc), p.onFront ? 'yes' : 'no']),
  );
}

export interface Figure {
  file: string;
  caption: string;
}

export function reportMarkdown(title: string, m: ReportModel, figures: readonly Figure[]): string {
  const complete = m.runs.filter((r) => r.run.complete).length;
  const seeded = m.groups.some((g) => g.runs.length > 1);
  const sections: (string | undefined)[] = [
    `# ${title}`,
    `${m.runs.length} runs, ${complete} complete (an incomplete run, marked †, has no summary.json: it is ` +
      'still running, was stopped, or failed). Eval numbers are on the test split at the last eval step; ' +
      'lengths are mean response lengths in tokens; "correct length" is over correct answers only.',
    '## Runs',
    runsTable(m),
    seeded ? '## By label (mean ± std over seeds)' : undefined,
    seeded
      ? 'Standard deviations are unbiased (n - 1); a label with one run shows its value alone.'
      : undefined,
    seeded ? labelsTable(m.groups) : undefined,
  ];
  const diff = difficultyTable(m);
  if (diff) sections.push('## Final eval by difficulty', diff);
  const pareto = paretoTable(m);
  if (pareto)
    sections.push(
      '## Accuracy vs length',
      'One point per label (mean over its runs); a point is on the Pareto front when no other is both ' +
        'shorter (or as short) and more accurate (or as accurate).',
      pareto,
    );
  if (figures.length) {
    sections.push('## Figures');
    for (const f of figures)
      sections.push(`![${f.caption}](${f.file}.svg)\n\n${f.caption} ([PNG](${f.file}.png))`);
  }
  return sections.filter((s) => s !== undefined).join('\n\n') + '\n';
}
