// Builds the optional native matmul addon (packages/trainer/native) with the system C++ compiler.
// Runs from the root `prepare`/`build` scripts; prints one line and ALWAYS exits 0, because the addon is an
// optional speed-up (without it the cpu backend keeps tfjs' own kernels). BREVITY_NATIVE=0 skips it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'packages/trainer/native/src');
const outDir = join(root, 'packages/trainer/native/build');
const out = join(outDir, 'brevity_native.node');

// node_api.h: next to this node binary, in npm's nodedir, or in node-gyp's header cache.
function findHeaders() {
  const version = process.versions.node;
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
    join(homedir(), '.cache', 'node-gyp', version, 'include', 'node'),
    join(homedir(), 'Library', 'Caches', 'node-gyp', version, 'include', 'node'),
  ];
  return candidates.find((dir) => dir && existsSync(join(dir, 'node_api.h')));
}

function findCompiler() {
  for (const cxx of [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    if (spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status === 0) return cxx;
  }
  return undefined;
}

function upToDate(sources) {
  if (!existsSync(out)) return false;
  const built = statSync(out).mtimeMs;
  const headers = readdirSync(srcDir)
    .filter((f) => f.endsWith('.h'))
    .map((f) => join(srcDir, f));
  const inputs = [...sources, ...headers, fileURLToPath(import.meta.url)];
  return inputs.every((file) => statSync(file).mtimeMs < built);
}

// Loads the fresh addon in a child process, so a broken build is reported here and not at first use.
function probe() {
  const list = `i.available.map((k) => (k === 'blas' ? k + '=' + i.blas : k)).join(', ')`;
  const load = `const i = require(${JSON.stringify(out)}).info()`;
  const code = `${load}; console.log(i.impl + '; available: ' + ${list})`;
  return execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }).trim();
}

function build() {
  if (process.env.BREVITY_NATIVE === '0') return 'native kernels: skipped (BREVITY_NATIVE=0)';
  const sources = readdirSync(srcDir)
    .filter((f) => f.endsWith('.cc'))
    .map((f) => join(srcDir, f));
  if (upToDate(sources)) return `native kernels: up to date (${probe()})`;
  const headers = findHeaders();
  if (!headers)
    return 'native kernels: not built (node_api.h not found; install Node headers) - using tfjs kernels';
  const cxx = findCompiler();
  if (!cxx) return 'native kernels: not built (no C++ compiler; install g++ or clang) - using tfjs kernels';
  mkdirSync(outDir, { recursive: true });
  const platform = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
  const args = [
    '-O3',
    '-std=c++17',
    '-fPIC',
    '-fvisibility=hidden',
    '-DNODE_GYP_MODULE_NAME=brevity_native',
    `-I${headers}`,
    ...platform,
    '-o',
    `${out}.tmp`,
    ...sources,
    '-lpthread',
  ];
  if (process.platform === 'linux') args.push('-ldl');
  // AVX2 clones with FMA where the compiler takes x86-64-v3 clones (GCC 12+); else the older spelling.
  let res = spawnSync(cxx, ['-DBREVITY_CLONES_X86_64_V3', ...args], { encoding: 'utf8' });
  if (res.status !== 0) res = spawnSync(cxx, args, { encoding: 'utf8' });
  if (res.status !== 0) {
    rmSync(`${out}.tmp`, { force: true });
    rmSync(out, { force: true }); // never leave a stale addon behind a failed build
    const first =
      (res.stderr || res.error?.message || '').split('\n').find((l) => /error/i.test(l)) ?? 'compiler failed';
    return `native kernels: not built (${cxx}: ${first.trim()}) - using tfjs kernels`;
  }
  renameSync(`${out}.tmp`, out);
  return `native kernels: built (${probe()})`;
}

try {
  console.log(build());
} catch (err) {
  console.log(
    `native kernels: not built (${String(err?.message ?? err).split('\n')[0]}) - using tfjs kernels`,
  );
}
