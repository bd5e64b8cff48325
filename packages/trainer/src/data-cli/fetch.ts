/**
 * Implementation of `brevity data fetch gsm8k|math500`: pages through the Hugging Face datasets-server rows
 * API with a short timeout, or validates a local copy given with --file. Without network it says so and
 * how to pass a local file instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadJsonlProblems, jsonlParamsSchema } from '@brevity/envs';
import { UserError } from '../errors.js';

export interface FetchOptions {
  dataset: string;
  out?: string;
  file?: string;
  timeoutMs: number;
  endpoint: string;
}

/** Where each dataset lives on the hub, and how its rows map onto the JSONL environment. */
export const DATASETS = {
  gsm8k: { hub: 'openai/gsm8k', config: 'main', split: 'test', answerFormat: 'hashes', rows: 1319 },
  math500: {
    hub: 'HuggingFaceH4/MATH-500',
    config: 'default',
    split: 'test',
    answerFormat: 'plain',
    rows: 500,
  },
} as const;

const PAGE = 100;

function spec(name: string) {
  const d = (DATASETS as Record<string, (typeof DATASETS)[keyof typeof DATASETS]>)[name];
  if (!d)
    throw new UserError(`data fetch: unknown dataset "${name}" (known: ${Object.keys(DATASETS).join(', ')})`);
  return d;
}

async function getPage(
  url: string,
  timeoutMs: number,
): Promise<{ rows: { row: unknown }[]; num_rows_total: number }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  const body = (await res.json()) as { rows?: { row: unknown }[]; num_rows_total?: number };
  if (!Array.isArray(body.rows) || typeof body.num_rows_total !== 'number')
    throw new Error('unexpected response shape');
  return { rows: body.rows, num_rows_total: body.num_rows_total };
}

/** Downloads every row of the dataset; throws UserError with the local-file instructions when it cannot. */
export async function downloadRows(name: string, endpoint: string, timeoutMs: number): Promise<unknown[]> {
  const d = spec(name);
  const host = (() => {
    try {
      return new URL(endpoint).host;
    } catch {
      throw new UserError(`--endpoint: not a URL: ${endpoint}`);
    }
  })();
  const rows: unknown[] = [];
  let total = Infinity;
  for (let offset = 0; offset < total; offset += PAGE) {
    const q = new URLSearchParams({
      dataset: d.hub,
      config: d.config,
      split: d.split,
      offset: String(offset),
      length: String(PAGE),
    });
    const url = `${endpoint.replace(/\/$/, '')}/rows?${q}`;
    try {
      const page = await getPage(url, timeoutMs);
      total = page.num_rows_total;
      rows.push(...page.rows.map((r) => r.row));
      if (page.rows.length === 0) break;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
      const cause = err.cause?.code ?? err.cause?.errors?.[0]?.code ?? err.cause?.message ?? err.message;
      const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause;
      throw new UserError(
        `data fetch ${name}: cannot reach ${host} (${why}). Download ${d.hub} (${d.split} split) as JSONL ` +
          `yourself and pass it with --file PATH, e.g. brevity data fetch ${name} --file ${name}_test.jsonl ` +
          `--out data/${name}_test.jsonl; the project's copies are in ../shared/data/.`,
      );
    }
  }
  return rows;
}

export async function runFetch(o: FetchOptions): Promise<void> {
  const d = spec(o.dataset);
  let lines: string[];
  if (o.file) {
    let text: string;
    try {
      text = readFileSync(o.file, 'utf8');
    } catch (e) {
      throw new UserError(`--file ${o.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    lines = text.split('\n').filter((l) => l.trim() !== '');
  } else {
    lines = (await downloadRows(o.dataset, o.endpoint, o.timeoutMs)).map((r) => JSON.stringify(r));
  }
  const source = o.file ?? `${o.endpoint} ${d.hub}`;
  // Validate through the dataset environment: every row must have a question and a readable gold.
  const params = jsonlParamsSchema.parse({ file: source, answerFormat: d.answerFormat });
  const problems = loadJsonlProblems(params, lines.join('\n'));
  const body = lines.join('\n') + '\n';
  if (o.out) writeFileSync(o.out, body);
  else process.stdout.write(body);
  const note = problems.length === d.rows ? '' : ` (the reference copy has ${d.rows})`;
  process.stderr.write(
    `${o.dataset}: ${problems.length} problems${note} from ${source}${o.out ? ` -> ${o.out}` : ''}\n`,
  );
  const envParams = JSON.stringify({ file: o.out ?? 'FILE', answerFormat: d.answerFormat });
  process.stderr.write(`environment: jsonl with params ${envParams}\n`);
}
