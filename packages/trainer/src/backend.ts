/**
 * The backend ladder (spec trainer.md, "Backends"): `auto` tries tensorflow-gpu, tensorflow, cpu with native
 * kernels, then wasm, in that order, takes the first that loads, and reports why each one before it was
 * skipped; webgpu and plain cpu are taken only when named.
 * tfjs-node(-gpu) are optional dependencies (their install downloads libtensorflow and may be absent);
 * webgpu runs on Dawn for Node (`webgpu` package, notes/gpu.md); wasm and cpu always load.
 */
import * as tf from '@tensorflow/tfjs';

import { BACKENDS, type BackendChoice, type BackendName } from './backend-names.js';

export { BACKENDS, type BackendChoice, type BackendName };

/**
 * What `auto` tries, in order. webgpu is opt-in (spec: Dawn is the opt-in GPU path; probing it on a machine
 * without a GPU driver costs a second and prints Vulkan warnings). cpu is taken only with its native kernels,
 * which beat wasm on training steps; without them auto falls back to wasm.
 */
export const AUTO_LADDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'cpu', 'wasm'];

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was skipped (ok=false), or a note on what loaded (ok=true). */
  reason: string;
}

export interface BackendReport {
  /** The backend now active. */
  name: BackendName;
  /** The tfjs backend id behind it (`tensorflow` for both tfjs-node flavours). */
  tfName: string;
  attempts: BackendAttempt[];
}

export interface BackendOptions {
  /** Dawn options for the webgpu backend, e.g. ['backend=null'] to exercise the code path with no GPU. */
  dawnFlags?: string[];
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

async function importOptional(spec: string): Promise<void> {
  // A variable specifier keeps bundlers and tsc from resolving modules that are legitimately absent.
  const name = spec;
  await import(name);
}

async function activate(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tfjs could not initialise the ${tfName} backend`);
  await tf.ready();
}

async function loadTensorflow(gpu: boolean): Promise<string> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    await importOptional(pkg);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error(
        `${pkg} is not installed (optional dependency; its install needs to download libtensorflow)`,
      );
    throw new Error(`${pkg} failed to load: ${firstLine(e)}`);
  }
  await activate('tensorflow');
  return gpu
    ? 'libtensorflow GPU build (runs on CPU when CUDA 11.2/cuDNN 8.1 are missing)'
    : 'libtensorflow CPU';
}

async function loadWebgpu(opts: BackendOptions): Promise<string> {
  let webgpu: { create(flags: string[]): unknown; globals: object };
  try {
    webgpu = (await import('webgpu')) as unknown as typeof webgpu;
  } catch (e) {
    throw new Error(`the webgpu (Dawn) package is not installed or fails to load: ${firstLine(e)}`);
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu || opts.dawnFlags) {
    Object.assign(globalThis, webgpu.globals);
    const gpu = webgpu.create(opts.dawnFlags ?? []);
    // Node >= 21 has a read-only `navigator` getter; define our own property over it.
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  const nav = (globalThis as unknown as { navigator: { gpu: { requestAdapter(): Promise<unknown> } } })
    .navigator;
  const adapter = await nav.gpu.requestAdapter();
  if (!adapter) throw new Error('Dawn found no GPU adapter (no Vulkan driver for a GPU on this machine)');
  await import('@tensorflow/tfjs-backend-webgpu');
  await activate('webgpu');
  return 'Dawn WebGPU';
}

async function loadWasm(): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm');
  await activate('wasm');
  return `XNNPACK, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, 1 thread in Node`;
}

/**
 * The cpu backend with the native kernels when the addon is built (kernels/native.ts). With `requireNative`
 * (the `auto` ladder) a missing addon skips cpu, so auto falls back to wasm with the reason as its notice.
 */
async function loadCpu(requireNative: boolean): Promise<string> {
  const { installNativeKernels } = await import('./kernels/native.js');
  const native = installNativeKernels();
  if (!native.ok && requireNative)
    throw new Error(`native kernels unavailable (${native.reason}); falling back`);
  await activate('cpu');
  return native.ok
    ? `native kernels (${native.detail})`
    : `pure JavaScript kernels (native: ${native.reason})`;
}

async function load(name: BackendName, opts: BackendOptions, auto: boolean): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu':
      return loadTensorflow(true);
    case 'tensorflow':
      return loadTensorflow(false);
    case 'webgpu':
      return loadWebgpu(opts);
    case 'wasm':
      return loadWasm();
    case 'cpu':
      return loadCpu(auto);
  }
}

/**
 * Activates a backend (or the first of the ladder that loads, for `auto`) and turns on prod mode.
 * Throws when a named backend cannot load, with the reason; `auto` never throws since wasm always loads.
 */
export async function initBackend(
  choice: BackendChoice = 'auto',
  opts: BackendOptions = {},
): Promise<BackendReport> {
  const ladder: readonly BackendName[] = choice === 'auto' ? AUTO_LADDER : [choice];
  if (!ladder.every((b) => (BACKENDS as readonly string[]).includes(b)))
    throw new Error(`unknown backend "${choice}"; expected auto or one of ${BACKENDS.join(', ')}`);
  const attempts: BackendAttempt[] = [];
  for (const name of ladder) {
    try {
      const note = await load(name, opts, choice === 'auto');
      attempts.push({ name, ok: true, reason: note });
      tf.enableProdMode();
      return { name, tfName: tf.getBackend(), attempts };
    } catch (e) {
      attempts.push({ name, ok: false, reason: firstLine(e) });
    }
  }
  const why = attempts.map((a) => `${a.name}: ${a.reason}`).join('; ');
  throw new Error(`backend ${choice} could not be loaded (${why})`);
}

/** One line per attempt, e.g. for `--backend auto`: which backend was taken and why the others were not. */
export function describeBackend(r: BackendReport): string {
  const lines = r.attempts.map((a) => `  ${a.ok ? 'using  ' : 'skipped'} ${a.name}: ${a.reason}`);
  return [`backend: ${r.name}`, ...lines].join('\n');
}
