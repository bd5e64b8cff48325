// `brevity sweep`: spec validation and expansion, run-folder states, and real sweeps whose runs are child
// processes of test/fixtures/fake-train.mjs (a stand-in trainer honouring the run-folder contract).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expandSweep, loadSweepSpec, splitRunName, sweep } from '../packages/trainer/src/sweep/index.js';
import { runAction } from '../packages/trainer/src/sweep/folder.js';
import { bundleEntry } from './fixtures/bundle.js';

const fixture = new URL('./fixtures/fake-train.mjs', import.meta.url).pathname;
let root: string;
let cli: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'brevity-sweep-'));
  cli = await bundleEntry(new URL('./fixtures/sweep-cli.ts', import.meta.url).pathname);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(cli, { force: true });
});

let n = 0;
/** A fresh folder with the given files (name -> text). */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

/** A spec running fake-train.mjs into <dir>/runs, with the given YAML body appended. */
const specText = (dir: string, body: string) => `runsDir: ${join(dir, 'runs')}\ncli: ${fixture}\n${body}`;

interface Event {
  event: string;
  mode?: string;
  from?: number;
  pid: number;
  t: number;
}
const events = (runDir: string): Event[] =>
  existsSync(join(runDir, 'events.jsonl'))
    ? readFileSync(join(runDir, 'events.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Event)
    : [];
const steps = (runDir: string): number[] =>
  readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step);
const sink = {
  lines: [] as string[],
  write(t: string) {
    this.lines.push(t);
  },
};

/** Runs the bundled CLI to completion; returns exit code, stdout and stderr. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const exited = (p: ChildProcess) => new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('spec expansion', () => {
  const cases: { what: string; body: string; names: string[]; sets?: string[] }[] = [
    {
      what: 'grid: configs x axes (last axis fastest) x seeds; seed set last',
      body: `seeds: [1, 2]\nset: [steps=3]\ngrid:\n  configs: {laser: a.yaml}\n  axes:\n    - {name: lt, path: reward.lt, values: [64, 128]}\n    - {name: a, path: reward.alpha, values: [0.5]}\n`,
      names: [
        'laser-lt64-a0.5__seed1',
        'laser-lt64-a0.5__seed2',
        'laser-lt128-a0.5__seed1',
        'laser-lt128-a0.5__seed2',
      ],
      sets: ['steps=3', 'reward.lt=64', 'reward.alpha=0.5', 'seed=1'],
    },
    {
      what: 'named options, two configs, no seeds: no suffix',
      body: `grid:\n  configs: {a: a.yaml, b: a.yaml}\n  axes:\n    - name: ''\n      options:\n        - {name: trunc, set: [reward.name=truncation]}\n        - {name: laser, set: [reward.name=laser]}\n`,
      names: ['a-trunc', 'a-laser', 'b-trunc', 'b-laser'],
      sets: ['reward.name=truncation'],
    },
    {
      what: 'explicit runs after the grid; a run seeds list replaces the sweep one; custom seedPath',
      body: `seeds: [0]\nseedPath: train.seed\ngrid:\n  configs: {g: a.yaml}\nruns:\n  - {name: x, config: a.yaml, set: [steps=2], seeds: [7, 8]}\n`,
      names: ['g__seed0', 'x__seed7', 'x__seed8'],
      sets: ['train.seed=0'],
    },
    {
      what: 'string values are quoted when YAML would read them as another type',
      body: `grid:\n  configs: {c: a.yaml}\n  axes:\n    - {name: m, path: mode, values: ['yes', 'a b']}\n`,
      names: ['c-myes', 'c-ma_b'],
      sets: ['mode="yes"'],
    },
  ];
  test.each(cases)('$what', ({ body, names, sets }) => {
    const dir = folder({ 'a.yaml': 'steps: 1\n' });
    writeFileSync(join(dir, 'spec.yaml'), body);
    const runs = expandSweep(loadSweepSpec(join(dir, 'spec.yaml')).spec);
    expect(runs.map((r) => r.name)).toEqual(names);
    if (sets) expect(runs[0].set).toEqual(sets);
    for (const r of runs) expect(splitRunName(r.name).label).toBe(r.label);
  });

  const errors: { what: string; body: string; message: RegExp }[] = [
    {
      what: 'unknown field, on its line',
      body: 'grid:\n  configs: {a: a.yaml}\n  axez: []\n',
      message: /spec\.yaml:3: grid\.axez: unknown field/,
    },
    {
      what: 'missing config file, on its line',
      body: 'runs:\n  - name: r\n    config: nope.yaml\n',
      message: /spec\.yaml:3: runs\.0\.config: file not found: nope\.yaml/,
    },
    {
      what: 'axis with both values and options',
      body: 'grid:\n  configs: {a: a.yaml}\n  axes:\n    - {name: x, path: p, values: [1], options: [{name: o}]}\n',
      message: /spec\.yaml:4: grid\.axes\.0: give either/,
    },
    { what: 'no runs at all', body: 'seeds: [1]\n', message: /the spec lists no runs/ },
    {
      what: 'two runs with one folder',
      body: 'runs:\n  - {name: r, config: a.yaml}\n  - {name: r, config: a.yaml}\n',
      message: /two runs are both named "r"/,
    },
    {
      what: 'a run name with the seed separator',
      body: 'runs:\n  - {name: a__b, config: a.yaml}\n',
      message: /spec\.yaml:2: runs\.0\.name: .*"__"/,
    },
    {
      what: 'repeated seeds',
      body: 'seeds: [1, 1]\nruns:\n  - {name: r, config: a.yaml}\n',
      message: /spec\.yaml:1: seeds: seeds must be distinct/,
    },
  ];
  test.each(errors)('error: $what', ({ body, message }) => {
    const dir = folder({ 'a.yaml': 'steps: 1\n', 'spec.yaml': body });
    const file = join(dir, 'spec.yaml');
    expect(() => expandSweep(loadSweepSpec(file).spec, file)).toThrow(message);
  });
});

describe('run folder states', () => {
  // Each case: the files a folder holds -> what the sweep does with it.
  test.each([
    { files: [], action: 'start' },
    { files: ['config.json', 'metrics.jsonl'], action: 'start' },
    { files: ['checkpoints/step-4/state.json'], action: 'resume' },
    { files: ['checkpoints/step-4/state.json', 'summary.json'], action: 'skip' },
  ])('$files -> $action', ({ files, action }) => {
    const dir = folder({});
    for (const f of files) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '{}');
    }
    expect(runAction(dir)).toBe(action);
  });
});

describe('running sweeps', () => {
  test('two jobs overlap in time; one job runs them one after the other', async () => {
    for (const jobs of [2, 1]) {
      const dir = folder({ 'a.yaml': 'steps: 5\ndelayMs: 40\n' });
      writeFileSync(
        join(dir, 'spec.yaml'),
        specText(dir, 'seeds: [1, 2]\nruns:\n  - {name: r, config: a.yaml}\n'),
      );
      const out = await sweep({ spec: join(dir, 'spec.yaml'), jobs, dryRun: false, out: sink });
      expect(out?.failed).toBe(0);
      const [a, b] = ['r__seed1', 'r__seed2'].map((r) => events(join(dir, 'runs', r)));
      const overlap = a[0].t < b[1].t && b[0].t < a[1].t;
      expect(overlap).toBe(jobs === 2);
      expect(readFileSync(join(dir, 'runs', 'r__seed2', 'log.txt'), 'utf8')).toMatch(
        /--set seed=2 --out .*\nstep 0\n/,
      );
    }
  });

  test('a second sweep skips complete runs', async () => {
    const dir = folder({ 'a.yaml': 'steps: 2\ndelayMs: 5\n' });
    writeFileSync(
      join(dir, 'spec.yaml'),
      specText(dir, 'seeds: [1, 2]\nruns:\n  - {name: r, config: a.yaml}\n'),
    );
    const first = await sweep({ spec: join(dir, 'spec.yaml'), jobs: 2, dryRun: false, out: sink });
    const second = await sweep({ spec: join(dir, 'spec.yaml'), jobs: 2, dryRun: false, out: sink });
    expect(first?.rows.map((r) => r.status)).toEqual(['done', 'done']);
    expect(second?.rows.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    for (const r of ['r__seed1', 'r__seed2'])
      expect(events(join(dir, 'runs', r)).filter((e) => e.event === 'start')).toHaveLength(1);
  });

  test('failing runs are reported and the CLI exits 1; the others complete', async () => {
    const dir = folder({
      'ok.yaml': 'steps: 2\ndelayMs: 5\n',
      'bad.yaml': 'steps: 4\ndelayMs: 5\nfailAt: 2\n',
      'mute.yaml': 'steps: 1\nnoSummary: true\n',
    });
    writeFileSync(
      join(dir, 'spec.yaml'),
      specText(
        dir,
        'runs:\n  - {name: ok, config: ok.yaml}\n  - {name: bad, config: bad.yaml}\n  - {name: mute, config: mute.yaml}\n',
      ),
    );
    const res = await runCli(['sweep', join(dir, 'spec.yaml'), '--jobs', '2']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^bad +failed +1 .*exit code 1; see log\.txt$/m);
    expect(res.stderr).toMatch(/^mute +failed .*exited 0 without writing summary\.json$/m);
    expect(res.stderr).toMatch(/1 done, 0 running, 2 failed, 0 pending \(3 runs\)/);
    expect(existsSync(join(dir, 'runs', 'ok', 'summary.json'))).toBe(true);
    expect(readFileSync(join(dir, 'runs', 'bad', 'log.txt'), 'utf8')).toContain('failing at step 2');
  });

  test('a SIGKILLed sweep, run again, completes every run exactly once with contiguous steps', async () => {
    const dir = folder({ 'a.yaml': 'steps: 14\ndelayMs: 60\ncheckpointEvery: 3\n' });
    writeFileSync(
      join(dir, 'spec.yaml'),
      specText(dir, 'seeds: [1, 2, 3]\nruns:\n  - {name: r, config: a.yaml}\n'),
    );
    const names = ['r__seed1', 'r__seed2', 'r__seed3'].map((r) => join(dir, 'runs', r));
    // Own process group, so one kill reaches the sweep and its children, as a lost terminal or OOM would.
    const p = spawn(process.execPath, [cli, 'sweep', join(dir, 'spec.yaml'), '--jobs', '2'], {
      detached: true,
      stdio: 'ignore',
    });
    await waitFor(
      () =>
        existsSync(join(names[0], 'checkpoints', 'step-6')) ||
        existsSync(join(names[1], 'checkpoints', 'step-6')),
    );
    const code = exited(p);
    process.kill(-p.pid!, 'SIGKILL');
    await code;
    expect(names.every((d) => existsSync(join(d, 'summary.json')))).toBe(false);
    await waitFor(() => names.flatMap(events).every((e) => !alive(e.pid)));
    const res = await runCli(['sweep', join(dir, 'spec.yaml'), '--jobs', '2']);
    expect(res.code).toBe(0);
    for (const d of names) {
      expect(events(d).filter((e) => e.event === 'end')).toHaveLength(1);
      expect(steps(d)).toEqual([...Array(14).keys()]);
    }
    const resumed = names.flatMap(events).filter((e) => e.mode === 'resume');
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((e) => e.from! >= 3)).toBe(true);
  });

  test('SIGTERM stops the sweep and its children, and says how to continue', async () => {
    const dir = folder({ 'a.yaml': 'steps: 50\ndelayMs: 50\n' });
    writeFileSync(
      join(dir, 'spec.yaml'),
      specText(dir, 'seeds: [1, 2]\nruns:\n  - {name: r, config: a.yaml}\n'),
    );
    const p = spawn(process.execPath, [cli, 'sweep', join(dir, 'spec.yaml'), '--jobs', '2'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr!.on('data', (d) => (stderr += d));
    const runs = ['r__seed1', 'r__seed2'].map((r) => join(dir, 'runs', r));
    await waitFor(() => runs.every((d) => events(d).length > 0));
    const code = exited(p);
    p.kill('SIGTERM');
    expect(await code).toBe(143);
    for (const d of runs) {
      const ev = events(d);
      expect(ev.map((e) => e.event)).toEqual(['start', 'sigterm']);
      expect(alive(ev[0].pid)).toBe(false);
    }
    expect(stderr).toMatch(/SIGTERM: stopping 2 running run\(s\); run the same command again to continue/);
  });

  test('a folder without checkpoint is started over: stale metrics cleared, log kept', async () => {
    const dir = folder({ 'a.yaml': 'steps: 2\ndelayMs: 5\n' });
    writeFileSync(join(dir, 'spec.yaml'), specText(dir, 'runs:\n  - {name: r, config: a.yaml}\n'));
    const run = join(dir, 'runs', 'r');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'metrics.jsonl'), '{"step":0,"stale":true}\n{"step":1,"stale":true}\n');
    writeFileSync(join(run, 'log.txt'), 'old attempt\n');
    const out = await sweep({ spec: join(dir, 'spec.yaml'), jobs: 1, dryRun: false, out: sink });
    expect(out?.rows[0]).toMatchObject({ status: 'done', action: 'start' });
    expect(readFileSync(join(run, 'metrics.jsonl'), 'utf8')).not.toContain('stale');
    expect(steps(run)).toEqual([0, 1]);
    expect(readFileSync(join(run, 'log.txt'), 'utf8')).toMatch(/^old attempt\n--- .* start: node /);
  });

  test('a child left alive by a killed sweep blocks the next sweep, naming its pid', async () => {
    const dir = folder({ 'a.yaml': 'steps: 2\n' });
    writeFileSync(join(dir, 'spec.yaml'), specText(dir, 'runs:\n  - {name: r, config: a.yaml}\n'));
    const run = join(dir, 'runs', 'r');
    mkdirSync(run, { recursive: true });
    // A live process naming the run folder on its command line, as an orphaned trainer would.
    const orphan = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', run], { stdio: 'ignore' });
    writeFileSync(join(run, '.sweep-pid'), `${orphan.pid}\n`);
    try {
      await expect(
        sweep({ spec: join(dir, 'spec.yaml'), jobs: 1, dryRun: false, out: sink }),
      ).rejects.toThrow(`run r is still running as pid ${orphan.pid}`);
    } finally {
      orphan.kill('SIGKILL');
    }
    await exited(orphan);
    const out = await sweep({ spec: join(dir, 'spec.yaml'), jobs: 1, dryRun: false, out: sink });
    expect(out?.rows[0].status).toBe('done');
  });

  test('--dry-run lists runs with their action and command, and runs nothing', async () => {
    const dir = folder({ 'a.yaml': 'steps: 2\n' });
    writeFileSync(
      join(dir, 'spec.yaml'),
      specText(
        dir,
        'command: sft\nargs: [--backend, cpu]\ngrid:\n  configs: {s: a.yaml}\n  axes:\n    - {name: lr, path: optim.lr, values: [0.001]}\n',
      ),
    );
    mkdirSync(join(dir, 'runs', 's-lr0.001', 'checkpoints', 'step-1'), { recursive: true });
    const res = await runCli(['sweep', join(dir, 'spec.yaml'), '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /^s-lr0\.001 +resume +node \S+fake-train\.mjs sft \S+a\.yaml --set optim\.lr=0\.001 --backend cpu --resume \S+s-lr0\.001$/m,
    );
    expect(existsSync(join(dir, 'runs', 's-lr0.001', 'log.txt'))).toBe(false);
  });

  test('a bad spec is one line naming file, line and field, exit code 2', async () => {
    const dir = folder({
      'a.yaml': 'steps: 1\n',
      'spec.yaml': 'runs:\n  - {name: r, config: a.yaml, seed: 3}\n',
    });
    const res = await runCli(['sweep', join(dir, 'spec.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^brevity: \S+spec\.yaml:2: runs\.0\.seed: unknown field "seed"/);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });
});
