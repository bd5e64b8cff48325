// GFLOP/s of the native sgemm (each implementation the addon has here) vs tfjs' cpu and wasm matMul on the
// bench model's shapes (d 128, 4 heads, batch 16 x seq 128: 2048 tokens). Single thread unless --threads.
// Needs `npm run build` (dist + the native addon).
// Usage: node scripts/bench-matmul.mjs [--threads N] [--json]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { threads: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } },
});
const threads = Number(args.threads);

let native;
try {
  native = await import('../packages/trainer/dist/kernels/native.js');
} catch (err) {
  console.error(`bench-matmul: run \`npm run build\` first (${String(err.message).split('\n')[0]})`);
  process.exit(2);
}
const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');
tf.enableProdMode();

// [name, a shape, b shape, transposeA, transposeB]
const SHAPES = [
  ['qkv x @ Wqkv', [2048, 128], [128, 384], false, false],
  ['mlp up x @ W1', [2048, 128], [128, 512], false, false],
  ['mlp down h @ W2', [2048, 512], [512, 128], false, false],
  ['logits x @ Wout', [2048, 128], [128, 64], false, false],
  ['scores q @ k^T', [64, 128, 32], [64, 128, 32], false, true],
  ['att @ v', [64, 128, 128], [64, 128, 32], false, false],
  ['grad dW = x^T dy', [2048, 128], [2048, 384], true, false],
];

const flops = ([, as, bs, ta, tb]) => {
  const batch = as.slice(0, -2).reduce((p, d) => p * d, 1);
  const [m, k] = ta ? [as.at(-1), as.at(-2)] : [as.at(-2), as.at(-1)];
  const n = tb ? bs.at(-2) : bs.at(-1);
  return 2 * batch * m * n * k;
};

/** Median seconds of fn over at least 3 runs and ~0.3 s (after one warm-up run). */
function time(fn) {
  fn();
  const runs = [];
  const start = performance.now();
  while (runs.length < 3 || (performance.now() - start < 300 && runs.length < 50)) {
    const t0 = performance.now();
    fn();
    runs.push((performance.now() - t0) / 1000);
  }
  runs.sort((x, y) => x - y);
  return runs[runs.length >> 1];
}

async function tfjsRate(backend, shape, withNative) {
  const [, as, bs, ta, tb] = shape;
  await tf.setBackend(backend);
  if (withNative) native.installNativeKernels({ threads });
  else native.uninstallNativeKernels();
  const a = tf.randomUniform(as, -1, 1, 'float32', 1);
  const b = tf.randomUniform(bs, -1, 1, 'float32', 2);
  const s = time(() => {
    const c = tf.matMul(a, b, ta, tb);
    c.dataSync();
    c.dispose();
  });
  tf.dispose([a, b]);
  return flops(shape) / s / 1e9;
}

function addonRate(addon, impl, shape) {
  const [, as, bs, ta, tb] = shape;
  addon.setImpl(impl);
  const batch = as.slice(0, -2).reduce((p, d) => p * d, 1);
  const [m, k] = ta ? [as.at(-1), as.at(-2)] : [as.at(-2), as.at(-1)];
  const n = tb ? bs.at(-2) : bs.at(-1);
  const a = Float32Array.from({ length: batch * m * k }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: batch * k * n }, () => Math.random() - 0.5);
  const c = new Float32Array(batch * m * n);
  const s = time(() => addon.gemm(a, b, c, batch, m, n, k, ta, tb, null, null, null, 0, 0));
  return flops(shape) / s / 1e9;
}

await tf.setBackend('wasm'); // initialise it once (async); later switches are synchronous
await tf.setBackend('cpu');
const installed = native.installNativeKernels({ threads });
const addon = installed.ok ? native.nativeAddon() : null;
const impls = addon ? addon.info().available : [];
const defaultImpl = addon?.info().impl;
const rows = [];
for (const shape of SHAPES) {
  const row = { shape: shape[0], a: shape[1], b: shape[2], mflop: +(flops(shape) / 1e6).toFixed(1) };
  for (const impl of impls) row[`native ${impl}`] = addonRate(addon, impl, shape);
  if (addon) addon.setImpl(defaultImpl);
  if (addon) row['tfjs cpu+native'] = await tfjsRate('cpu', shape, true);
  row['tfjs cpu'] = await tfjsRate('cpu', shape, false);
  row['tfjs wasm'] = await tfjsRate('wasm', shape, false);
  rows.push(row);
}

if (args.json) {
  console.log(JSON.stringify({ threads, native: installed.ok ? installed.detail : installed.reason, rows }));
} else {
  console.log(
    `# matmul GFLOP/s, ${threads} thread(s); ${installed.ok ? installed.detail : installed.reason}`,
  );
  const cols = Object.keys(rows[0]).filter((c) => !['a', 'b'].includes(c));
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cells = cols.map((c) =>
      typeof r[c] === 'number' && c !== 'mflop' ? r[c].toFixed(1) : String(r[c]),
    );
    console.log(`| ${cells.join(' | ')} |`);
  }
}
