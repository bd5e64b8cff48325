/**
 * `brevity analyze entropy`: samples each checkpoint on the same problems with the same random stream,
 * splits every response's token entropies at `</think>` (PEAR's phases) and writes entropy.json,
 * entropy.md and the figures (SVG and PNG, through the renderer of `brevity report`) to --out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng, type Problem } from '@brevity/core';
import { createEnv, type Split } from '@brevity/envs';
import { describeBackend, initBackend } from '../backend.js';
import { loadCheckpoint, readCheckpointConfig } from '../checkpoint/checkpoint.js';
import { UserError } from '../errors.js';
import {
  checkpointTokenizer,
  encodePrompt,
  envOf,
  envParamsOf,
  levelsOf,
  type EnvArgs,
} from '../eval/env-args.js';
import { generate } from '../model/generate.js';
import { renderSvg, svgToPng } from '../report/render.js';
import { entropyRows, phaseEntropies, type EntropySample } from './entropy.js';
import {
  entropyFigures,
  entropyMarkdown,
  type EntropyResult,
  type EntropySettings,
} from './entropy-report.js';

export interface AnalyzeEntropyArgs extends EnvArgs {
  checkpoint: string[];
  label?: string[];
  n: number;
  temperature: number;
  maxNewTokens: number;
  split: Split;
  out: string;
  title: string;
}

/** `n` problems per level from the split (repeats allowed: level 1 of modchain has few prompts). */
function drawProblems(a: AnalyzeEntropyArgs, params: Record<string, unknown>): Problem[] {
  const levels = levelsOf(envOf(a.env, params), a.difficulties);
  const { difficultyWeights: _w, ...rest } = params;
  return levels.flatMap((d) => {
    const level = createEnv(a.env, { ...rest, minDifficulty: d, maxDifficulty: d });
    return level.sample(Rng.from(a.seed).fork(`entropy-d${d}`), a.n, a.split);
  });
}

async function analyzeCheckpoint(
  path: string,
  label: string,
  problems: Problem[],
  a: AnalyzeEntropyArgs,
  verify: (text: string, p: Problem) => { correct: boolean },
): Promise<EntropyResult> {
  const ck = loadCheckpoint(path, { trainable: false });
  const tok = checkpointTokenizer(path, ck.config);
  const prompts = problems.map((p) => Int32Array.of(tok.bos, ...encodePrompt(tok, p.prompt, a.env, path)));
  const longest = Math.max(...prompts.map((p) => p.length));
  if (longest + a.maxNewTokens > ck.policy.config.ctx)
    throw new UserError(
      `--max-new-tokens ${a.maxNewTokens}: prompts of ${longest} tokens + cap exceed the context ${ck.policy.config.ctx} of ${path}`,
    );
  const rng = Rng.from(a.seed).fork('entropy-sampling');
  const samples: EntropySample[] = [];
  for (let i = 0; i < prompts.length; i += 256) {
    const gens = await generate(ck.policy, prompts.slice(i, i + 256), {
      maxNewTokens: a.maxNewTokens,
      eosId: tok.eos,
      padId: tok.pad,
      temperature: a.temperature,
      rng,
    });
    gens.forEach((g, j) => {
      const problem = problems[i + j];
      const text = tok.decode(g.tokens, { skipSpecial: true });
      const phases = phaseEntropies(g.entropies, g.tokens.indexOf(tok.thinkEnd), g.tokens.length);
      samples.push({
        difficulty: problem.difficulty ?? 0,
        length: g.tokens.length,
        correct: !g.truncated && verify(text, problem).correct,
        truncated: g.truncated,
        ...phases,
      });
    });
  }
  ck.policy.dispose();
  return { label, checkpoint: path, rows: entropyRows(samples), samples };
}

function checkArgs(a: AnalyzeEntropyArgs): void {
  for (const [flag, v] of [
    ['--n', a.n],
    ['--max-new-tokens', a.maxNewTokens],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new UserError(`${flag} ${v}: expected an integer >= 1`);
  if (!(a.temperature > 0))
    throw new UserError(
      `--temperature ${a.temperature}: expected a number > 0 (the entropy of sampled responses)`,
    );
  const labels = a.label ?? [];
  if (labels.length > 0 && labels.length !== a.checkpoint.length)
    throw new UserError(`--label: ${labels.length} labels for ${a.checkpoint.length} checkpoints`);
}

export async function analyzeEntropy(a: AnalyzeEntropyArgs): Promise<string[]> {
  checkArgs(a);
  const labels = a.label ?? [];
  for (const c of a.checkpoint) readCheckpointConfig(c); // a bad folder fails before the backend loads
  // The first checkpoint's training env params when it was trained on the same env (as brevity eval).
  const params = envParamsOf(a.envParams, a.env, readCheckpointConfig(a.checkpoint[0]));
  const problems = drawProblems(a, params);
  const env = createEnv(a.env, params);
  const backend = await initBackend(a.backend ?? 'auto');
  process.stderr.write(describeBackend(backend) + '\n');
  const results: EntropyResult[] = [];
  for (const [i, path] of a.checkpoint.entries()) {
    results.push(await analyzeCheckpoint(path, labels[i] ?? path, problems, a, (t, p) => env.verify(t, p)));
    process.stderr.write(`analyzed ${path} (${problems.length} responses)\n`);
  }
  const settings: EntropySettings = {
    env: a.env,
    temperature: a.temperature,
    perDifficulty: a.n,
    split: a.split,
    seed: a.seed,
    maxNewTokens: a.maxNewTokens,
  };
  const out = resolve(a.out);
  mkdirSync(out, { recursive: true });
  const files = [join(out, 'entropy.json'), join(out, 'entropy.md')];
  // Per-response values rounded to 5 digits: the file stays small and regenerates byte-identically.
  const round = (_k: string, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v;
  writeFileSync(files[0], JSON.stringify({ settings, results }, round) + '\n');
  writeFileSync(files[1], entropyMarkdown(a.title, settings, results));
  for (const f of entropyFigures(results)) {
    const svg = await renderSvg(f.spec);
    writeFileSync(join(out, `${f.file}.svg`), svg);
    writeFileSync(join(out, `${f.file}.png`), svgToPng(svg));
    files.push(join(out, `${f.file}.svg`), join(out, `${f.file}.png`));
  }
  return files;
}
