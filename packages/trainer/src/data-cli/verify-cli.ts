/** Implementation of `brevity verify`: read completions, print verdict and reason for each. */
import { readFileSync } from 'node:fs';
import { verifyAnswer, type VerifyMode } from '@brevity/envs';
import { UserError } from '../errors.js';

export interface VerifyCliOptions {
  gold: string;
  mode: VerifyMode;
  file?: string;
  json: boolean;
}

/**
 * Completions from text: when every non-empty line is JSON (a string, or an object with `completion` or
 * `text`), one completion per line; otherwise the whole text is one plain-text completion.
 */
export function parseCompletions(text: string, where: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UserError(`${where}: no completions to verify`);
  const parsed: string[] = [];
  for (const line of lines) {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return [text.replace(/\n$/, '')];
    }
    if (typeof v === 'string') parsed.push(v);
    else if (v && typeof v === 'object' && typeof (v as { completion?: unknown }).completion === 'string') {
      parsed.push((v as { completion: string }).completion);
    } else if (v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string') {
      parsed.push((v as { text: string }).text);
    } else return [text.replace(/\n$/, '')];
  }
  return parsed;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UserError('no completions: pipe them on stdin or pass --file PATH');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runVerify(o: VerifyCliOptions): Promise<void> {
  let text: string;
  if (o.file) {
    try {
      text = readFileSync(o.file, 'utf8');
    } catch (e) {
      throw new UserError(`--file ${o.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  } else text = await readStdin();
  const completions = parseCompletions(text, o.file ?? 'stdin');
  let correct = 0;
  completions.forEach((c, i) => {
    const v = verifyAnswer(c, o.gold, { mode: o.mode });
    if (v.correct) correct++;
    if (o.json) process.stdout.write(JSON.stringify({ index: i + 1, ...v }) + '\n');
    else {
      const shown = v.extracted === null ? '(none)' : JSON.stringify(v.extracted);
      process.stdout.write(
        `${i + 1}: ${v.correct ? 'correct' : 'wrong  '}  ${v.reason.padEnd(11)} extracted ${shown}\n`,
      );
    }
  });
  if (!o.json) {
    process.stdout.write(
      `${correct}/${completions.length} correct against gold ${JSON.stringify(o.gold)} (${o.mode} mode)\n`,
    );
  }
}
