/**
 * The entropy analysis as Markdown tables and vega-lite figures (pure: results in, text and specs out), in
 * the fixed formats of `brevity report` so a regenerated file is byte-identical.
 */
import type { TopLevelSpec } from 'vega-lite';
import { mdTable } from '../report/markdown.js';
import type { FigureSpec } from '../report/plots.js';
import { pearson, spearman } from './correlation.js';
import type { EntropyRow, EntropySample, LengthCorrelation } from './entropy.js';

/** The analysis of one checkpoint. */
export interface EntropyResult {
  label: string;
  checkpoint: string;
  rows: EntropyRow[];
  samples: EntropySample[];
}

export interface EntropySettings {
  env: string;
  temperature: number;
  perDifficulty: number;
  split: string;
  seed: number;
  maxNewTokens: number;
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const corr = (c: LengthCorrelation) => [f2(c.pearson), f2(c.spearman)];
/** Responses, accuracy, mean length and the three mean entropies of a row (both tables show them). */
const meanCells = (r: EntropyRow) => [
  String(r.n),
  (100 * r.acc).toFixed(1),
  r.lengthMean.toFixed(1),
  f3(r.thinkMean),
  f3(r.answerMean),
  f3(r.allMean),
];

function levelTable(rows: EntropyRow[]): string {
  return mdTable(
    [
      'difficulty',
      'responses',
      'acc (%)',
      'length',
      'H think',
      'H answer',
      'H all',
      'r(H think, L)',
      'ρ(H think, L)',
      'r(H answer, L)',
      'ρ(H answer, L)',
      'r(H all, L)',
      'ρ(H all, L)',
    ],
    rows.map((r) => [
      r.difficulty === null ? 'all' : String(r.difficulty),
      ...meanCells(r),
      ...corr(r.think),
      ...corr(r.answer),
      ...corr(r.all),
    ]),
  );
}

const pooled = (r: EntropyResult) => r.rows[r.rows.length - 1];

/** Across checkpoints: mean length vs mean entropy per model (PEAR Fig. 2a), with r and rho over models. */
function modelTable(results: EntropyResult[]): string {
  const table = mdTable(
    ['checkpoint', 'responses', 'acc (%)', 'length', 'H think', 'H answer', 'H all'],
    results.map((r) => [r.label, ...meanCells(pooled(r))]),
  );
  if (results.length < 3) return table;
  const L = results.map((r) => pooled(r).lengthMean);
  const line = (name: string, H: number[]) =>
    `- ${name} vs mean length over the ${results.length} checkpoints: r = ${f2(pearson(L, H))}, ρ = ${f2(spearman(L, H))}`;
  return [
    table,
    '',
    line(
      'mean think entropy',
      results.map((r) => pooled(r).thinkMean),
    ),
    line(
      'mean token entropy (whole response)',
      results.map((r) => pooled(r).allMean),
    ),
  ].join('\n');
}

export function entropyMarkdown(title: string, s: EntropySettings, results: EntropyResult[]): string {
  const out = [
    `# ${title}`,
    '',
    `Responses sampled at temperature ${s.temperature} from the ${s.split} split of ${s.env}, ` +
      `${s.perDifficulty} per difficulty (seed ${s.seed}, cap ${s.maxNewTokens} tokens). H think / H answer: ` +
      'mean token entropy (nats) before / after `</think>` (the boundary token in neither; PEAR Eq. 6), H all: ' +
      'over the whole response; lengths in tokens with EOS. r: Pearson, ρ: Spearman correlation with the ' +
      'response length L over the responses of the row (answer columns over responses with a `</think>`).',
    '',
  ];
  if (results.length > 1) out.push('## Checkpoints', '', modelTable(results), '');
  for (const r of results)
    out.push(`## ${r.label}`, '', `Checkpoint: \`${r.checkpoint}\``, '', levelTable(r.rows), '');
  out.push('## Figures', '');
  for (const f of entropyFigures(results))
    out.push(`![${f.caption}](${f.file}.svg)`, '', `${f.caption} ([PNG](${f.file}.png))`, '');
  return out.join('\n');
}

const config = { font: 'DejaVu Sans, Arial, sans-serif', background: 'white' };

/** Every response of the first checkpoint (the reference; one point per response keeps the SVG small). */
function scatter(r: EntropyResult): FigureSpec {
  const values = r.samples.flatMap((s) => [
    { checkpoint: r.label, difficulty: s.difficulty, length: s.length, phase: 'think', entropy: s.think },
    ...(s.answer === null
      ? []
      : [
          {
            checkpoint: r.label,
            difficulty: s.difficulty,
            length: s.length,
            phase: 'answer',
            entropy: s.answer,
          },
        ]),
  ]);
  const spec: TopLevelSpec = {
    config,
    data: { values },
    facet: {
      row: { field: 'checkpoint', type: 'nominal', title: null },
      column: { field: 'phase', type: 'nominal', title: null, sort: ['think', 'answer'] },
    },
    spec: {
      width: 300,
      height: 200,
      mark: { type: 'point', filled: true, opacity: 0.3, size: 16 },
      encoding: {
        x: {
          field: 'length',
          type: 'quantitative',
          title: 'response length (tokens)',
          scale: { zero: false },
        },
        y: { field: 'entropy', type: 'quantitative', title: 'mean token entropy (nats)' },
        color: { field: 'difficulty', type: 'nominal', title: 'difficulty' },
      },
    },
  };
  return {
    file: 'entropy-scatter',
    caption: `Per response of ${r.label}: mean token entropy of the think and answer phases vs response length.`,
    spec,
  };
}

function models(results: EntropyResult[]): FigureSpec {
  const values = results.map((r) => ({
    checkpoint: r.label,
    length: pooled(r).lengthMean,
    think: pooled(r).thinkMean,
  }));
  const x = {
    field: 'length',
    type: 'quantitative' as const,
    title: 'mean length (tokens)',
    scale: { zero: false },
  };
  const y = {
    field: 'think',
    type: 'quantitative' as const,
    title: 'mean think entropy (nats)',
    scale: { zero: false },
  };
  return {
    file: 'entropy-models',
    caption: 'Per checkpoint: mean think-phase token entropy vs mean response length (PEAR Fig. 2a).',
    spec: {
      config,
      width: 360,
      height: 240,
      data: { values },
      layer: [
        { mark: { type: 'point', filled: true, size: 80 }, encoding: { x, y } },
        {
          mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 10 },
          encoding: { x, y, text: { field: 'checkpoint', type: 'nominal' } },
        },
      ],
    },
  };
}

/** The scatter of the first checkpoint's responses, and the per-checkpoint means when there are several. */
export function entropyFigures(results: EntropyResult[]): FigureSpec[] {
  return results.length > 1 ? [scatter(results[0]), models(results)] : [scatter(results[0])];
}
