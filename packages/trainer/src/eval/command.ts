/** `brevity eval --checkpoint DIR --env modchain`: the eval table of a checkpoint, or JSON with --json. */
import { createEnv, CharTokenizer, type CharTokenizerJSON } from '@brevity/envs';
import { initBackend, describeBackend, type BackendChoice } from '../backend.js';
import { loadCheckpoint, readCheckpointConfig } from '../checkpoint/checkpoint.js';
import { UserError } from '../errors.js';
import { evaluate, testProblems } from './evaluate.js';
import { formatEvalTable } from './format.js';

export interface EvalArgs {
  checkpoint: string;
  env: string;
  envParams?: string;
  difficulties?: string;
  problems: number;
  samples: number;
  temperature: number;
  topP: number;
  maxNewTokens?: number;
  seed: number;
  json: boolean;
  markdown?: boolean;
  backend?: BackendChoice;
}

/** `1-5` or `1,3,5` -> [1..5] / [1,3,5]. */
export function parseLevels(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new UserError(`--difficulties ${spec}: expected levels like 1-5 or 1,3,5`);
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    for (let d = lo; d <= hi; d++) out.push(d);
  }
  return out;
}

function envParams(a: EvalArgs, saved: { name?: string; params?: Record<string, unknown> } | undefined) {
  if (a.envParams) {
    try {
      return JSON.parse(a.envParams) as Record<string, unknown>;
    } catch (e) {
      throw new UserError(`--env-params: not valid JSON (${(e as Error).message})`);
    }
  }
  // The checkpoint's training env params (trace knobs, split salt) when it was trained on the same env.
  return saved?.name === a.env ? (saved.params ?? {}) : {};
}

export async function evalCommand(a: EvalArgs): Promise<void> {
  readCheckpointConfig(a.checkpoint); // a bad checkpoint fails before the backend loads
  const backend = await initBackend(a.backend ?? 'auto');
  if (!a.json) process.stderr.write(describeBackend(backend) + '\n');
  const ck = loadCheckpoint(a.checkpoint, { trainable: false });
  const saved = ck.config.extra.env as { name?: string; params?: Record<string, unknown> } | undefined;
  const params = envParams(a, saved);
  let env;
  try {
    env = createEnv(a.env, params);
  } catch (e) {
    throw new UserError(`--env ${a.env}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!ck.config.tokenizer) throw new UserError(`${a.checkpoint}: the checkpoint has no tokenizer`);
  const tok = CharTokenizer.fromJSON(ck.config.tokenizer as CharTokenizerJSON);
  const p = env.params as { minDifficulty?: number; maxDifficulty?: number };
  const levels = a.difficulties
    ? parseLevels(a.difficulties)
    : parseLevels(`${p.minDifficulty ?? 1}-${p.maxDifficulty ?? 1}`);
  const problems = testProblems(a.env, params, levels, a.problems, a.seed);
  const longest = Math.max(...[...problems.values()].flat().map((q) => tok.encode(q.prompt).length + 1));
  const maxNewTokens = a.maxNewTokens ?? ck.policy.config.ctx - longest;
  if (maxNewTokens < 1 || longest + maxNewTokens > ck.policy.config.ctx)
    throw new UserError(
      `--max-new-tokens ${maxNewTokens}: prompts of ${longest} tokens + cap exceed the model context ${ck.policy.config.ctx}`,
    );
  const report = await evaluate(ck.policy, env, tok, problems, { ...a, maxNewTokens });
  ck.policy.dispose();
  if (a.json) {
    const out = { checkpoint: a.checkpoint, env: a.env, backend: backend.name, maxNewTokens, ...report };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else process.stdout.write(formatEvalTable(report, a.markdown) + '\n');
}
