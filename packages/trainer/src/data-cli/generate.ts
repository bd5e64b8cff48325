/** Implementation of `brevity data modchain|arithmetic`: problems plus teacher traces as JSONL. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { applyOverrides, Rng } from '@brevity/core';
import { createEnv, type Split } from '@brevity/envs';
import { UserError } from '../errors.js';

export interface GenerateOptions {
  env: 'modchain' | 'arithmetic';
  n: number;
  seed: number;
  out?: string;
  split: Split;
  set: string[];
  show: number;
}

export interface GeneratedRow {
  id: string;
  prompt: string;
  gold: string;
  difficulty?: number;
  budget?: number;
  split: Split;
  trace: string;
  /** Response tokens of the trace, EOS included. */
  traceTokens: number;
  /** Share of think tokens in checks. */
  checkShare: number;
}

/** The rows, deterministic in (env params, seed, split). */
export function generateRows(o: Omit<GenerateOptions, 'out' | 'show'>): GeneratedRow[] {
  const params = applyOverrides({}, o.set);
  const env = createEnv(o.env, params);
  const rng = Rng.from(o.seed);
  const traceRng = rng.fork('traces');
  return env.sample(rng, o.n, o.split).map((p) => {
    const trace = env.teacherTrace!(p, traceRng);
    const a = env.analyze!(trace);
    return {
      ...p,
      split: o.split,
      trace,
      traceTokens: env.tokenizer!.encode(trace).length + 1,
      checkShare: Math.round(a.checkShare * 1000) / 1000,
    };
  });
}

function summary(rows: GeneratedRow[]): string {
  const byD = new Map<number, GeneratedRow[]>();
  for (const r of rows) byD.set(r.difficulty ?? 0, [...(byD.get(r.difficulty ?? 0) ?? []), r]);
  const lines = [...byD.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([d, rs]) => {
      const mean = (f: (r: GeneratedRow) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
      return (
        `  difficulty ${d}: ${String(rs.length).padStart(6)} problems, trace ${mean((r) => r.traceTokens).toFixed(1)} ` +
        `tokens (minimal ${mean((r) => r.budget ?? 0).toFixed(1)}), checks ${(100 * mean((r) => r.checkShare)).toFixed(0)}% of think tokens`
      );
    });
  return lines.join('\n');
}

async function write(stream: WriteStream | NodeJS.WriteStream, rows: GeneratedRow[]): Promise<void> {
  for (const r of rows) {
    if (!stream.write(JSON.stringify(r) + '\n'))
      await new Promise<void>((res) => stream.once('drain', () => res()));
  }
}

export async function runGenerate(o: GenerateOptions): Promise<void> {
  let rows: GeneratedRow[];
  try {
    rows = generateRows(o);
  } catch (e) {
    const err = e as Error;
    if (err.name === 'ConfigError') throw err;
    throw new UserError(`data ${o.env}: ${err.message}`);
  }
  const term = o.out ? process.stdout : process.stderr;
  if (o.out) {
    const stream = createWriteStream(o.out);
    const done = new Promise<void>((res, rej) => {
      stream.on('finish', () => res());
      stream.on('error', (e) =>
        rej(new UserError(`--out ${o.out}: cannot write (${(e as NodeJS.ErrnoException).code})`)),
      );
    });
    await write(stream, rows);
    stream.end();
    await done;
  } else await write(process.stdout, rows);
  for (const r of rows.slice(0, o.show))
    term.write(`${r.prompt}  ->  ${r.trace}   (gold ${r.gold}, ${r.traceTokens} tokens)\n`);
  term.write(
    `${rows.length} ${o.env} problems (${o.split} split, seed ${o.seed})${o.out ? ` -> ${o.out}` : ''}\n`,
  );
  term.write(summary(rows) + '\n');
}
