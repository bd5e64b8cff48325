// Before/after speed table of `brevity bench --json` on this machine: every variant runs in its own
// process, the variants take turns for --rounds rounds (so load from other jobs spreads over all of them),
// and the table reports the median over rounds of each variant's median step time and sampling rate.
//
// Variants (--variants, comma-separated):
//   before:wasm, before:cpu, before:cpu+native
//                            the CLI at --before REF (default c0ee89b, the commit before the fused kernels and
//                            the in-place KV cache; its native addon had matmul + elementwise kernels), built
//                            once in tmp/bench-before/<sha> (a git worktree)
//   wasm, cpu, cpu+native    the current build (cpu: BREVITY_NATIVE=0, tfjs' own kernels)
//   torch                    shared/tools/torch_reference.py on the same shape, --threads 1 (Debian's python3)
// With --grpo CONFIG the variants time GRPO steps of that train config instead (bench --grpo; a before:
// variant reads the config as it was at --before):
// sampling, scoring and update seconds per step. A variant may carry --set style overrides of the config
// after '@' (e.g. cpu+native@optim.microBatchTokens=1024, several joined by '@'): that variant runs the
// config resolved with them, written to tmp/bench-grpo/.
//
// Usage: npm run build && node scripts/bench-compare.mjs [--model base] [--rounds 3] [--repeats 5]
//          [--variants ...] [--before REF] [--torch PATH] [--python /usr/bin/python3]
//        node scripts/bench-compare.mjs --grpo experiments/quickstart/laser.yaml [--steps 5] [--rounds 3]
//          [--variants cpu+native,cpu+native@optim.microBatchTokens=1024]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'base' },
    rounds: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '5' },
    variants: { type: 'string' },
    before: { type: 'string', default: 'c0ee89b' },
    torch: { type: 'string', default: join(root, '..', 'shared', 'tools', 'torch_reference.py') },
    python: { type: 'string', default: '/usr/bin/python3' },
    grpo: { type: 'string' },
    steps: { type: 'string', default: '5' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  // The comment block at the top of this file is the help text.
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const head = text.slice(
    0,
    text.findIndex((l) => !l.startsWith('//')),
  );
  console.log(head.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const NOW = join(root, 'packages/trainer/dist/cli.js');
const VARIANTS = {
  'before:wasm': { cli: 'before', backend: 'wasm', env: { BREVITY_NATIVE: '0' } },
  'before:cpu': { cli: 'before', backend: 'cpu', env: { BREVITY_NATIVE: '0' } },
  'before:cpu+native': { cli: 'before', backend: 'cpu', env: {} },
  wasm: { cli: 'now', backend: 'wasm', env: {} },
  cpu: { cli: 'now', backend: 'cpu', env: { BREVITY_NATIVE: '0' } },
  'cpu+native': { cli: 'now', backend: 'cpu', env: {} },
  torch: { cli: 'torch' },
};
const defaults = args.grpo ? 'wasm,cpu+native' : 'before:wasm,before:cpu,wasm,cpu,cpu+native,torch';
const names = (args.variants ?? defaults).split(',');
/** A variant's name before any '@' overrides, and the overrides. */
const split = (n) => {
  const [base, ...sets] = n.split('@');
  return { base, sets };
};
for (const n of names)
  if (!VARIANTS[split(n).base])
    throw new Error(`unknown variant ${n} (known: ${Object.keys(VARIANTS)}, optionally @key=value)`);
if (args.grpo && names.some((n) => VARIANTS[split(n).base].cli === 'torch'))
  throw new Error('--grpo times the trainer: variants wasm, cpu, cpu+native and their before: forms');
if (names.some((n) => VARIANTS[split(n).base].cli === 'before' && split(n).sets.length))
  throw new Error('@key=value overrides apply to the current build only');
if (!args.grpo && names.some((n) => split(n).sets.length))
  throw new Error('@key=value overrides need --grpo CONFIG');

/** The --grpo config resolved with `sets` (absolute checkpoint path), as a file bench --grpo can read. */
async function configWith(sets) {
  if (!sets.length) return args.grpo;
  const { resolveTrain } = await import(join(root, 'packages/trainer/dist/rl/command.js'));
  const { config, policyPath } = resolveTrain({ config: args.grpo, set: sets });
  const resolved = { ...config, policy: { checkpoint: resolve(policyPath) } };
  const dir = join(root, 'tmp', 'bench-grpo');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${sets.join('@').replace(/[^\w.=-]+/g, '_')}.yaml`);
  writeFileSync(file, JSON.stringify(resolved, null, 2) + '\n'); // JSON is YAML
  return file;
}

/** The CLI at `ref`, built once in a git worktree whose node_modules link to this checkout's. */
function beforeCli(ref) {
  const sha = execFileSync('git', ['-C', root, 'rev-parse', '--short', ref], { encoding: 'utf8' }).trim();
  const dir = join(root, 'tmp', 'bench-before', sha);
  const cli = join(dir, 'packages/trainer/dist/cli.js');
  if (existsSync(cli)) return cli;
  if (!existsSync(dir))
    execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', dir, sha], { stdio: 'ignore' });
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '@brevity'), { recursive: true });
  for (const e of readdirSync(join(root, 'node_modules')))
    if (e !== '@brevity' && !existsSync(join(nm, e))) symlinkSync(join(root, 'node_modules', e), join(nm, e));
  for (const p of ['core', 'envs', 'rewards', 'trainer'])
    if (!existsSync(join(nm, '@brevity', p)))
      symlinkSync(join('..', '..', 'packages', p), join(nm, '@brevity', p));
  process.stderr.write(`building ${ref} (${sha}) in ${dir}...\n`);
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b'], { cwd: dir, stdio: 'inherit' });
  const native = join(dir, 'scripts/build-native.mjs');
  if (existsSync(native)) execFileSync(process.execPath, [native], { cwd: dir, stdio: 'inherit' });
  return cli;
}

async function shapeOf(model) {
  const { BENCH_DEFAULTS, MODEL_PRESETS } = await import(
    join(root, 'packages/trainer/dist/bench/presets.js')
  );
  if (!MODEL_PRESETS[model]) throw new Error(`unknown --model ${model}`);
  return { ...BENCH_DEFAULTS, ...MODEL_PRESETS[model].shape };
}

const lastJson = (out) =>
  JSON.parse(
    out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop(),
  );

function runVariant(name, shape, clis, configs) {
  const v = VARIANTS[split(name).base];
  if (v.cli === 'torch') {
    const flags = Object.entries(shape).flatMap(([k, x]) => [
      `--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`,
      String(x),
    ]);
    const out = execFileSync(
      args.python,
      [args.torch, '--threads', '1', '--repeats', args.repeats, ...flags],
      {
        encoding: 'utf8',
      },
    );
    return lastJson(out);
  }
  const bench = args.grpo
    ? ['bench', '--grpo', configs[name], '--steps', args.steps]
    : ['bench', '--model', args.model, '--repeats', args.repeats];
  const out = execFileSync(process.execPath, [clis[v.cli], ...bench, '--json', '--backend', v.backend], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BREVITY_THREADS: '1', ...v.env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return lastJson(out);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function table(results, keys) {
  const rows = names.map((n) => [n, ...keys.map(([k]) => median(results[n].map((r) => r[k])))]);
  const lines = [
    `| variant | ${keys.map(([, h]) => h).join(' | ')} | runs |`,
    `|${'---|'.repeat(keys.length + 2)}`,
  ];
  for (const [n, ...cells] of rows) {
    const runs = keys.map(([k]) => results[n].map((r) => r[k]).join('/')).join('; ');
    lines.push(`| ${n} | ${cells.map((c) => +c.toPrecision(4)).join(' | ')} | ${runs} |`);
  }
  return { rows, text: lines.join('\n') };
}

async function main() {
  const clis = { now: NOW };
  if (names.some((n) => VARIANTS[split(n).base].cli === 'before')) clis.before = beforeCli(args.before);
  const shape = args.grpo ? null : await shapeOf(args.model);
  const configs = {};
  // A before: variant reads the config as it was at --before (its worktree's copy, resolved there).
  const beforeConfig = () =>
    join(dirname(dirname(dirname(dirname(clis.before)))), relative(root, resolve(args.grpo)));
  if (args.grpo)
    for (const n of names)
      configs[n] =
        VARIANTS[split(n).base].cli === 'before' ? beforeConfig() : await configWith(split(n).sets);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < Number(args.rounds); r++)
    for (const n of names) {
      const res = runVariant(n, shape, clis, configs);
      results[n].push(res);
      process.stderr.write(`round ${r + 1} ${n}: ${JSON.stringify(res)}\n`);
    }
  const what = args.grpo
    ? `GRPO steps of ${args.grpo}`
    : `bench --model ${args.model} (${JSON.stringify(shape)})`;
  console.log(`\n${what}; ${args.rounds} rounds, median of the per-round medians; BREVITY_THREADS=1\n`);
  if (args.grpo) {
    const keys = [
      ['step_s', 'step s'],
      ['sample_s', 'sample s'],
      ['score_s', 'score s'],
      ['update_s', 'update s'],
      ['sample_tokens_per_s', 'sample tok/s'],
    ];
    console.log(table(results, keys).text);
    return;
  }
  const { rows, text } = table(results, [
    ['train_step_ms', 'train step ms'],
    ['sample_tokens_per_s', 'sample tok/s'],
  ]);
  console.log(text);
  const get = (n) => rows.find((r) => r[0] === n);
  const ratios = [];
  for (const [n, ms, tps] of rows) {
    const parts = [];
    for (const ref of ['before:wasm', 'before:cpu']) {
      const b = get(ref);
      if (b && n !== ref)
        parts.push(`vs ${ref}: step ${(b[1] / ms).toFixed(2)}x faster, sampling ${(tps / b[2]).toFixed(2)}x`);
    }
    const t = get('torch');
    if (t && n !== 'torch')
      parts.push(
        `vs torch: step time ${(ms / t[1]).toFixed(2)}x torch's, sampling rate ${(tps / t[2]).toFixed(2)}x torch's`,
      );
    if (parts.length) ratios.push(`- ${n}: ${parts.join('; ')}`);
  }
  console.log('\n' + ratios.join('\n'));
}

await main();
