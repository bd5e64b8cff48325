/** `brevity eval --checkpoint DIR --env modchain`: the eval table of a checkpoint, or JSON with --json. */
import { initBackend, describeBackend } from '../backend.js';
import { loadCheckpoint, readCheckpointConfig } from '../checkpoint/checkpoint.js';
import { UserError } from '../errors.js';
import { checkpointTokenizer, encodePrompt, envOf, envParamsOf, levelsOf, type EnvArgs } from './env-args.js';
import { evaluate, testProblems } from './evaluate.js';
import { formatEvalTable } from './format.js';

export interface EvalArgs extends EnvArgs {
  checkpoint: string;
  problems: number;
  samples: number;
  temperature: number;
  topP: number;
  maxNewTokens?: number;
  json: boolean;
  markdown?: boolean;
}

export async function evalCommand(a: EvalArgs): Promise<void> {
  readCheckpointConfig(a.checkpoint); // a bad checkpoint fails before the backend loads
  const backend = await initBackend(a.backend ?? 'auto');
  if (!a.json) process.stderr.write(describeBackend(backend) + '\n');
  const ck = loadCheckpoint(a.checkpoint, { trainable: false });
  const params = envParamsOf(a.envParams, a.env, ck.config);
  const env = envOf(a.env, params);
  const tok = checkpointTokenizer(a.checkpoint, ck.config);
  const levels = levelsOf(env, a.difficulties || undefined);
  const problems = testProblems(a.env, params, levels, a.problems, a.seed);
  const longest = Math.max(
    ...[...problems.values()].flat().map((q) => encodePrompt(tok, q.prompt, a.env, a.checkpoint).length + 1),
  );
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
