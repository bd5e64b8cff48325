/**
 * A JSONL dataset environment (spec envs.md, last bullet): any JSON Lines file with a field mapping, so
 * GSM8K-style (`#### N`), MATH-style (`answer` LaTeX) or AIME/AMC-style (numeric) data can be scored and
 * evaluated. Bad files fail with `file:line: field: problem`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { ConfigError, type Problem, type Rng } from '@brevity/core';
import { hashSplit, type Environment, type EnvVerdict, type Split } from './env.js';
import { lastBoxedAnswer } from './verifier/boxes.js';
import { verifyAnswer } from './verifier/verify.js';

export const PROMPT_TEMPLATES = {
  boxed: '{question}\nPlease reason step by step, and put your final answer within \\boxed{}.',
  think: '{question}\nThink inside <think> </think>, then give only the final answer in \\boxed{}.',
  plain: '{question}',
} as const;

export const jsonlParamsSchema = z
  .object({
    file: z.string().min(1).describe('Path of the JSON Lines file, one problem object per line.'),
    questionField: z
      .string()
      .optional()
      .describe('Field holding the question; absent means the first of `problem`, `question` present.'),
    answerField: z.string().default('answer').describe('Field holding the gold answer.'),
    answerFormat: z
      .enum(['auto', 'hashes', 'boxed', 'plain', 'number'])
      .default('auto')
      .describe(
        'How to read the answer field. hashes: the text after the last `####` (GSM8K). boxed: the last ' +
          '`\\boxed{}` of a worked solution (MATH `solution`). plain: the field as written (MATH-500 ' +
          '`answer`, AIME strings). number: a JSON number written as an integer when whole (AMC `27.0`). ' +
          'auto: number for JSON numbers, hashes when `####` is present, boxed when `\\boxed` is, else plain.',
      ),
    idField: z
      .string()
      .optional()
      .describe('Field holding a stable id; absent means `unique_id`, then `id`, then the line number.'),
    template: z
      .string()
      .default('boxed')
      .describe(
        'Prompt template: `boxed` (reason step by step, answer in \\boxed{}), `think` (think tags, then ' +
          'a boxed answer), `plain` (the question only), or any string containing `{question}`.',
      ),
    mode: z
      .enum(['reward', 'eval'])
      .default('reward')
      .describe(
        'Verifier mode: reward needs a box after the last </think>; eval uses every extraction rule.',
      ),
    testFraction: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'Share of problems in the test split, assigned by a hash of the question: 1 treats the whole file ' +
          'as a test set (GSM8K test, MATH-500), 0 makes it all training data.',
      ),
    splitSalt: z.string().default('jsonl-v1').describe('Salt of the question hash that assigns splits.'),
    limit: z.number().int().positive().optional().describe('Read at most this many problems (first lines).'),
  })
  .strict();

export type JsonlParams = z.output<typeof jsonlParamsSchema>;

/** A dataset problem is a Problem plus its split. */
interface Row extends Problem {
  split: Split;
}

/** Bad dataset input (a ConfigError, so the CLI prints it as one line): `file:line: field: problem`. */
export class DatasetError extends ConfigError {}

/** Reads the gold answer of one row according to `answerFormat`. */
export function readGold(value: unknown, format: JsonlParams['answerFormat'], where: string): string {
  const fail = (why: string): never => {
    throw new DatasetError(`${where}: ${why}`);
  };
  if (value === undefined || value === null) fail('missing');
  if (format === 'number' || (format === 'auto' && typeof value === 'number')) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) fail(`expected a number, got ${JSON.stringify(value)}`);
    return String(n); // 27.0 -> "27"; 2.5 -> "2.5"
  }
  if (typeof value !== 'string') return fail(`expected a string, got ${typeof value}`);
  const text = value;
  const hashes = text.lastIndexOf('####');
  if (format === 'hashes' || (format === 'auto' && hashes >= 0)) {
    if (hashes < 0) fail('no `####` answer marker');
    const g = text.slice(hashes + 4).trim();
    if (g === '') fail('empty answer after `####`');
    return g;
  }
  if (format === 'boxed' || (format === 'auto' && /\\(?:boxed|fbox)/.test(text))) {
    const b = lastBoxedAnswer(text);
    return b.answer ?? fail('no closed \\boxed{} answer');
  }
  if (text.trim() === '') fail('empty answer');
  return text.trim();
}

function renderPrompt(template: string, question: string): string {
  const t = (PROMPT_TEMPLATES as Record<string, string>)[template] ?? template;
  return t.replace('{question}', question);
}

/** Parses the file into problems; throws DatasetError naming the file, line and field. */
export function loadJsonlProblems(p: JsonlParams, text?: string): Row[] {
  let body = text;
  if (body === undefined) {
    try {
      body = readFileSync(p.file, 'utf8');
    } catch (e) {
      throw new DatasetError(
        `${p.file}: cannot read the dataset file (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }
  if (!(PROMPT_TEMPLATES as Record<string, string>)[p.template] && !p.template.includes('{question}')) {
    throw new DatasetError(`template: expected boxed, think, plain or a string containing {question}`);
  }
  const rows: Row[] = [];
  const seen = new Set<string>();
  const lines = body.split('\n');
  for (let i = 0; i < lines.length && (p.limit === undefined || rows.length < p.limit); i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${p.file}:${i + 1}`;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new DatasetError(`${where}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new DatasetError(`${where}: expected a JSON object`);
    const qField = p.questionField ?? ['problem', 'question'].find((f) => typeof obj[f] === 'string');
    const question = qField === undefined ? undefined : obj[qField];
    if (typeof question !== 'string' || question.trim() === '') {
      throw new DatasetError(`${where}: ${qField ?? 'problem/question'}: missing or not a string`);
    }
    const gold = readGold(obj[p.answerField], p.answerFormat, `${where}: ${p.answerField}`);
    const idRaw = obj[p.idField ?? ''] ?? obj.unique_id ?? obj.id;
    let id = `${basename(p.file)}/${idRaw ?? i + 1}`;
    if (seen.has(id)) id = `${id}#${i + 1}`;
    seen.add(id);
    const split = hashSplit(question, p.splitSalt, p.testFraction);
    rows.push({ id, prompt: renderPrompt(p.template, question), gold, split });
  }
  if (rows.length === 0) throw new DatasetError(`${p.file}: no problems in the file`);
  return rows;
}

export function createJsonlEnv(params: Partial<z.input<typeof jsonlParamsSchema>>): Environment & {
  problems(split?: Split): Problem[];
} {
  const p = jsonlParamsSchema.parse(params);
  const rows = loadJsonlProblems(p);
  const bySplit: Record<Split, Problem[]> = { train: [], test: [] };
  const splitOfId = new Map<string, Split>();
  for (const { split, ...prob } of rows) {
    bySplit[split].push(prob);
    splitOfId.set(prob.id, split);
  }
  return {
    name: 'jsonl',
    params: p,
    sample(rng: Rng, n: number, split: Split = 'train'): Problem[] {
      const pool = bySplit[split];
      if (pool.length === 0) {
        throw new DatasetError(
          `${p.file}: the ${split} split is empty (testFraction ${p.testFraction}); set testFraction ` +
            `between 0 and 1 to split the file`,
        );
      }
      return Array.from({ length: n }, () => pool[rng.int(pool.length)]);
    },
    problems(split?: Split): Problem[] {
      return split ? [...bySplit[split]] : [...bySplit.train, ...bySplit.test];
    },
    verify(completion: string, problem: Problem): EnvVerdict {
      const v = verifyAnswer(completion, problem.gold, { mode: p.mode });
      return { correct: v.correct, formatValid: v.formatValid, extracted: v.extracted, reason: v.reason };
    },
    splitOf: (prob: Problem) => splitOfId.get(prob.id) ?? hashSplit(prob.prompt, p.splitSalt, p.testFraction),
  };
}
