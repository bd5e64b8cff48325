/**
 * `brevity score`: reads a JSONL batch of groups (stdin or --input), scores it with one reward, and writes one
 * line `{"promptId", "rewards"}` per group in input order. Everything is checked before anything is written,
 * so a malformed line leaves stdout empty and the exit code non-zero.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { parseGroupsJsonl, type ParsedGroup, type TextJob } from './groups.js';
import { checkMaxLength, prepareReward, scoreBatch } from './score-batch.js';
import type { VerifyMode } from './verify-text.js';

export interface ScoreArgs {
  reward: string;
  params?: string;
  input?: string;
  monitor?: string;
  step: number;
  maxLength?: number;
  mode: VerifyMode;
  loadState?: string;
  saveState?: string;
  metrics: boolean;
}

function parseJsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${flag}: malformed JSON: ${(e as Error).message}`);
  }
}

/** Where `brevity score` reads and writes; tests pass strings and buffers instead of the process streams. */
export interface ScoreIo {
  stdin(): Promise<string>;
  stdout(text: string): Promise<void>;
  stderr(text: string): void;
}

export const processIo: ScoreIo = {
  async stdin() {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdout: (text) =>
    new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve()))),
  stderr: (text) => void process.stderr.write(text),
};

async function readText(file: string | undefined, io: ScoreIo): Promise<string> {
  if (file === undefined || file === '-') return io.stdin();
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** One output line per group: promptId echoed as given, rewards as JSON numbers. */
export function formatLines(groups: ParsedGroup[], rewards: Float64Array[]): string {
  const parts: string[] = new Array(groups.length);
  for (let g = 0; g < groups.length; g++) {
    const v = rewards[g];
    const nums: string[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]))
        throw new Error(`reward ${i} of group ${groups[g].group.promptId} is ${v[i]}`);
      nums[i] = String(v[i]);
    }
    parts[g] = `{"promptId":${JSON.stringify(groups[g].promptId)},"rewards":[${nums.join(',')}]}\n`;
  }
  return parts.join('');
}

export async function runScore(a: ScoreArgs, io: ScoreIo = processIo): Promise<void> {
  const params = a.params === undefined ? {} : parseJsonFlag('--params', a.params);
  const { reward, needs } = prepareReward(a.reward, params);
  checkMaxLength(reward, a.maxLength, '--max-length N');
  const jobs: TextJob[] = [];
  const source = a.input === undefined || a.input === '-' ? 'stdin' : a.input;
  const groups = parseGroupsJsonl(await readText(a.input, io), source, needs, jobs);
  const monitor = a.monitor
    ? parseGroupsJsonl(await readText(a.monitor, io), a.monitor, needs, jobs)
    : undefined;
  if (reward.needs.includes('monitor') && !monitor && !a.loadState)
    io.stderr(
      `brevity: note: ${reward.name} without --monitor or --load-state: every target is upperBound\n`,
    );
  const state = a.loadState ? parseJsonFlag(a.loadState, await readText(a.loadState, io)) : undefined;
  const res = await scoreBatch({
    reward,
    groups,
    monitor,
    jobs,
    step: a.step,
    maxLength: a.maxLength,
    state,
    mode: a.mode,
  });
  const out = formatLines(groups, res.rewards);
  if (a.saveState) await writeFile(a.saveState, JSON.stringify(res.state) + '\n');
  await io.stdout(out);
  if (a.metrics) io.stderr(JSON.stringify({ reward: reward.name, ...res.metrics }) + '\n');
}
