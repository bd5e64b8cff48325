// Train-step time and sampling throughput of the bench model (brevity bench's workload, BENCH_DEFAULTS:
// d 128, 2 layers, 4 heads, vocab 64, ctx 128, batch 16 x seq 128) on tfjs cpu without and with the native
// kernels, and on wasm; optionally the PyTorch reference too, all one after the other in one run. Each
// variant runs in its own process (the native kernels also tune malloc, which must not leak into the
// "before" numbers). Needs `npm run build`.
// Usage: node scripts/bench-native-step.mjs [--repeats 5] [--threads 1] [--torch path/to/torch_reference.py]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1' },
    torch: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    variants: { type: 'string', default: 'cpu,cpu+matmul,cpu+native,wasm' },
    child: { type: 'string' },
  },
});

// variant -> [tfjs backend, BREVITY_NATIVE]
const VARIANTS = {
  cpu: ['cpu', '0'],
  'cpu+matmul': ['cpu', 'matmul'],
  'cpu+native': ['cpu', '1'],
  wasm: ['wasm', '0'],
};

async function child(variant) {
  const [backend] = VARIANTS[variant];
  const trainer = await import('../packages/trainer/dist/index.js');
  const { BENCH_DEFAULTS } = await import('../packages/trainer/dist/bench/presets.js');
  const native = await import('../packages/trainer/dist/kernels/native.js');
  await trainer.initBackend(backend);
  const installed = backend === 'cpu' ? native.installNativeKernels() : { ok: false, reason: 'not cpu' };
  const result = await trainer.runBench({ ...BENCH_DEFAULTS, repeats: Number(args.repeats) });
  const kernels = installed.ok ? installed.detail : installed.reason;
  console.log(JSON.stringify({ variant, backend, kernels, ...result }));
}

function parent() {
  const env = { ...process.env, BREVITY_THREADS: args.threads };
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  for (const variant of args.variants.split(',')) {
    if (!VARIANTS[variant]) throw new Error(`unknown variant ${variant} (known: ${Object.keys(VARIANTS)})`);
    const out = execFileSync(process.execPath, [self, '--child', variant, '--repeats', args.repeats], {
      env: { ...env, BREVITY_NATIVE: VARIANTS[variant][1] },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const line = out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop();
    rows.push(JSON.parse(line));
    console.log(line);
  }
  if (args.torch) {
    const out = execFileSync(
      args.python,
      [args.torch, '--threads', args.threads, '--repeats', args.repeats],
      {
        encoding: 'utf8',
      },
    );
    const torch = JSON.parse(out.trim().split('\n').pop());
    rows.push({ variant: `torch ${torch.version}`, ...torch });
    console.log(JSON.stringify(torch));
  }
  const ref = rows.find((r) => r.variant.startsWith('torch'));
  console.log(`\n| variant | train step ms | sample tok/s |${ref ? ' step / torch |' : ''}`);
  console.log(`|---|---|---|${ref ? '---|' : ''}`);
  for (const r of rows) {
    const ratio = ref ? ` ${(r.train_step_ms / ref.train_step_ms).toFixed(2)}x |` : '';
    console.log(`| ${r.variant} | ${r.train_step_ms} | ${r.sample_tokens_per_s} |${ratio}`);
  }
}

if (args.child) await child(args.child);
else parent();
