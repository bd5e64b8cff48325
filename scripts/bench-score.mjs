// Times `brevity score` through the built CLI on 100,000 rollouts (12,500 groups of 8) for every reward.
// Usage: npm run build && node scripts/bench-score.mjs [--repeats 3] [--groups 12500] [--keep DIR]
// The inputs are generated from a fixed seed: scalar rollouts for most rewards; pear and repetition also get
// 64 per-token entropies and token ids per rollout (their rollouts are 64 tokens long). LASER-D/DE observe a
// 500-prompt monitor file first. Prints a Markdown table: input size, median and best wall time over repeats.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    groups: { type: 'string', default: '12500' },
    keep: { type: 'string' },
  },
});
const repeats = Number(values.repeats);
const G = Number(values.groups);
const K = 8;
const cli = join(import.meta.dirname, '..', 'packages', 'trainer', 'dist', 'cli.js');
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'bench-score-'));

let seed = 12345;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

function rollout(withTokens) {
  const p = rand();
  const truncated = p < 0.05;
  const correct = !truncated && p < 0.55;
  const formatValid = !truncated && p < 0.85;
  if (!withTokens) {
    const length = truncated ? 16384 : 100 + Math.floor(rand() * 15000);
    return { length, correct, formatValid, truncated, thinkEnd: Math.floor(length * 0.9) };
  }
  const entropies = Array.from({ length: 64 }, () => Math.round(rand() * 3000) / 1000);
  const tokens = Array.from({ length: 64 }, () => Math.floor(rand() * 50));
  return { length: 64, correct, formatValid, truncated, thinkEnd: 50, entropies, tokens };
}

function writeBatch(file, groups, withTokens) {
  const lines = [];
  for (let g = 0; g < groups; g++) {
    const rollouts = Array.from({ length: K }, () => rollout(withTokens));
    lines.push(JSON.stringify({ promptId: `p${g}`, budget: 4000, rollouts }));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const scalar = writeBatch(join(dir, 'scalar.jsonl'), G, false);
const tokens = writeBatch(join(dir, 'tokens.jsonl'), G, true);
const monitor = writeBatch(join(dir, 'monitor.jsonl'), 500, false);

const laserD = { lowerBound: 2048, upperBound: 16384 };
const runs = [
  ['accuracy', {}, scalar],
  ['format', { requireOpenTag: false }, scalar],
  ['truncation', { targetLength: 8192 }, scalar],
  ['thinkprune', { schedule: [{ fromStep: 0, limit: 4096 }] }, scalar],
  ['efficient-reasoning', {}, scalar],
  ['kimi', {}, scalar],
  ['l1-exact', {}, scalar],
  ['l1-max', {}, scalar],
  ['laser', { targetLength: 4096 }, scalar],
  ['laser-d', laserD, scalar, monitor],
  ['laser-de', laserD, scalar, monitor],
  ['grpo-lambda', {}, scalar],
  ['pear', {}, tokens],
  ['conciser', {}, scalar],
  ['cosine', {}, scalar],
  ['dapo-overlong', { cache: 4096, maxLength: 20480 }, scalar],
  ['repetition', {}, tokens],
  [
    'sum',
    { terms: [{ reward: 'accuracy' }, { reward: 'laser', params: { targetLength: 4096 }, weight: 0.5 }] },
    scalar,
  ],
];

// CPU time (user + sys) of the child via /usr/bin/time when present: on a shared machine it shows the work
// done, while wall time also counts waiting for a core.
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function timeOnce(args, input, groups = G) {
  const fd = openSync(input, 'r');
  const cmd = timeBin
    ? [timeBin, ['-f', 'cpu %U %S', process.execPath, cli, 'score', ...args]]
    : [process.execPath, [cli, 'score', ...args]];
  const t0 = process.hrtime.bigint();
  const p = spawnSync(cmd[0], cmd[1], { stdio: [fd, 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(fd);
  if (p.status !== 0) throw new Error(`brevity score ${args.join(' ')} failed: ${p.stderr}`);
  const lines = p.stdout.toString().trim().split('\n').length;
  if (lines !== groups) throw new Error(`expected ${groups} output lines, got ${lines}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(p.stderr.toString());
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

const mb = (f) => (statSync(f).size / 2 ** 20).toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Startup: one tiny group, so the time is node + CLI + reward modules.
const tiny = join(dir, 'tiny.jsonl');
writeFileSync(
  tiny,
  JSON.stringify({
    promptId: 'a',
    rollouts: [{ length: 1, correct: true, formatValid: true, truncated: false }],
  }) + '\n',
);
const startup = Array.from({ length: 5 }, () => timeOnce(['--reward', 'accuracy'], tiny, 1).wall);

console.log(
  `brevity score, ${G * K} rollouts (${G} groups x ${K}), ${repeats} runs each, node ${process.version}\n`,
);
console.log(`startup (1 rollout): median ${(median(startup) * 1000).toFixed(0)} ms\n`);
console.log(
  '| reward | input | MiB | wall median s | wall best s | CPU median s | rollouts/s (wall median) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const [name, params, input, mon] of runs) {
  const args = ['--reward', name, '--params', JSON.stringify(params), '--max-length', '16384'];
  if (mon) args.push('--monitor', mon);
  const ts = Array.from({ length: repeats }, () => timeOnce(args, input));
  const m = median(ts.map((t) => t.wall));
  const best = Math.min(...ts.map((t) => t.wall));
  const cpu = median(ts.map((t) => t.cpu));
  const kind = input === tokens ? 'tokens (64/rollout)' : 'scalar';
  const rate = Math.round((G * K) / m).toLocaleString('en-US');
  console.log(
    `| ${name}${mon ? ' (+monitor)' : ''} | ${kind} | ${mb(input)} | ${m.toFixed(3)} | ${best.toFixed(3)} | ${cpu.toFixed(2)} | ${rate} |`,
  );
}
if (!values.keep) rmSync(dir, { recursive: true, force: true });
