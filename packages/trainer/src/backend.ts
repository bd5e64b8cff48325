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
  /**
   * Dawn options for the webgpu backend, e.g. ['backend=null'] to exercise the code path with no GPU.
   * Default: `BREVITY_DAWN_FLAGS` (comma-separated), or the software preset's.
   */
  dawnFlags?: string[];
  /**
   * WebGPU feature level of the adapter: 'compatibility' also accepts OpenGL ES adapters. Default:
   * `BREVITY_WEBGPU_FEATURE_LEVEL`, or the software preset's.
   */
  featureLevel?: 'core' | 'compatibility';
}

/**
 * `BREVITY_WEBGPU_ADAPTER=software`: Dawn's OpenGL ES backend in compatibility mode, which runs on Mesa's
 * llvmpipe (`apt-get install libegl-mesa0 libgl1-mesa-dri`) with no GPU. Slow, but every WGSL program runs
 * for real, so the webgpu kernels are tested on machines without a GPU (test/kernels-webgpu.test.ts).
 */
export const SOFTWARE_WEBGPU: Required<BackendOptions> = {
  dawnFlags: ['backend=opengles'],
  featureLevel: 'compatibility',
};

/** The webgpu options from the environment (see BackendOptions), overridden by explicit ones. */
export function webgpuOptions(opts: BackendOptions, env: NodeJS.ProcessEnv = process.env): BackendOptions {
  const preset = env.BREVITY_WEBGPU_ADAPTER;
  if (preset !== undefined && preset !== '' && preset !== 'software' && preset !== 'gpu')
    throw new Error(`BREVITY_WEBGPU_ADAPTER must be "software" or "gpu", got "${preset}"`);
  const base: BackendOptions = preset === 'software' ? { ...SOFTWARE_WEBGPU } : {};
  const flags = env.BREVITY_DAWN_FLAGS?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (flags?.length) base.dawnFlags = flags;
  const level = env.BREVITY_WEBGPU_FEATURE_LEVEL;
  if (level !== undefined && level !== '') {
    if (level !== 'core' && level !== 'compatibility')
      throw new Error(`BREVITY_WEBGPU_FEATURE_LEVEL must be "core" or "compatibility", got "${level}"`);
    base.featureLevel = level;
  }
  return { ...base, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
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

interface AdapterLike {
  info?: { description?: string; vendor?: string };
  limits: { maxStorageBuffersPerShaderStage: number };
  requestDevice(d?: { requiredLimits?: Record<string, number> }): Promise<unknown>;
}

interface GpuLike {
  requestAdapter(o?: object): Promise<AdapterLike | null>;
}

/**
 * The Dawn instance behind tfjs' webgpu device, once one is made, with the options it was made with and the
 * note initBackend gave. tfjs keeps ONE webgpu device per process, and the Dawn instance must outlive it: a
 * second instance put in its place lets the first be garbage-collected under the live device (Dawn then
 * aborts in ProcessEvents). So later initBackend('webgpu') calls reuse it.
 */
let dawn: { options: string; note: string } | null = null;

async function loadWebgpu(given: BackendOptions): Promise<string> {
  const opts = webgpuOptions(given);
  if (dawn) {
    await activate('webgpu');
    const same = dawn.options === JSON.stringify(opts);
    return same ? dawn.note : `${dawn.note} (as first initialised: one webgpu device per process)`;
  }
  let webgpu: { create(flags: string[]): unknown; globals: object };
  try {
    webgpu = (await import('webgpu')) as unknown as typeof webgpu;
  } catch (e) {
    throw new Error(`the webgpu (Dawn) package is not installed or fails to load: ${firstLine(e)}`);
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu || opts.dawnFlags || opts.featureLevel) {
    Object.assign(globalThis, webgpu.globals);
    // Mesa's EGL needs a platform without a display server; Dawn's GL backend reads it at start-up.
    if (opts.dawnFlags?.some((f) => /^backend=opengl/.test(f))) process.env.EGL_PLATFORM ??= 'surfaceless';
    const gpu = webgpu.create(opts.dawnFlags ?? []) as GpuLike;
    // tfjs-backend-webgpu asks for its adapter and device itself: pass the feature level along, and ask for
    // the adapter's storage buffers per shader stage (the multi-tensor optimizer binds as many as it may).
    const request = gpu.requestAdapter.bind(gpu);
    const level = opts.featureLevel ? { featureLevel: opts.featureLevel } : {};
    gpu.requestAdapter = async (o: object = {}) => {
      const adapter = (await request({ ...o, ...level })) as AdapterLike | null;
      if (adapter) {
        const requestDevice = adapter.requestDevice.bind(adapter);
        const maxStorageBuffersPerShaderStage = adapter.limits.maxStorageBuffersPerShaderStage;
        adapter.requestDevice = (d = {}) =>
          requestDevice({ ...d, requiredLimits: { ...d.requiredLimits, maxStorageBuffersPerShaderStage } });
      }
      return adapter;
    };
    // Node >= 21 has a read-only `navigator` getter; define our own property over it.
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  const nav = (globalThis as unknown as { navigator: { gpu: GpuLike } }).navigator;
  const adapter = await nav.gpu.requestAdapter();
  if (!adapter)
    throw new Error(
      'Dawn found no GPU adapter (no Vulkan driver for a GPU on this machine; ' +
        'BREVITY_WEBGPU_ADAPTER=software runs WebGPU on the CPU through Mesa)',
    );
  await import('@tensorflow/tfjs-backend-webgpu');
  await activate('webgpu');
  const { installWebgpuKernels, leftOutGroups } = await import('./kernels/webgpu-fused.js');
  const { gemmRequested } = await import('./kernels/webgpu-gemm.js');
  const leaveOut = leftOutGroups();
  const gemm = gemmRequested() ? ', the tiled GEMM (BREVITY_WEBGPU_GEMM=1)' : '';
  const count = installWebgpuKernels(leaveOut);
  const fused =
    (count === 0
      ? 'tfjs kernels only (BREVITY_WEBGPU_FUSED=0)'
      : `${count} fused WGSL kernels${leaveOut.length ? ` (without ${leaveOut.join(', ')})` : ''}`) + gemm;
  const what = [adapter.info?.vendor, adapter.info?.description].filter(Boolean).join(' ');
  const mode = opts.featureLevel === 'compatibility' ? ', compatibility mode' : '';
  dawn = { options: JSON.stringify(opts), note: `Dawn WebGPU${what ? ` (${what})` : ''}${mode}, ${fused}` };
  return dawn.note;
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
 * tfjs flags from `BREVITY_TFJS_FLAGS` ("NAME=value,NAME=value"; values true/false, numbers or strings), set
 * once the backend is loaded (a backend registers its own flags when it loads), e.g.
 * `WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64` or `WEBGPU_MATMUL_PROGRAM_TYPE=...` to tune tfjs on a GPU. Returns
 * the flags set; throws naming the entry tfjs refuses.
 */
export function applyTfjsFlags(value: string | undefined = process.env.BREVITY_TFJS_FLAGS): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((entry) => {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(\S+)\s*$/.exec(entry);
    if (!m)
      throw new Error(
        `BREVITY_TFJS_FLAGS: "${entry.trim()}" is not NAME=value (e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64)`,
      );
    const [, name, raw] = m;
    const parsed =
      raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
    try {
      tf.env().set(name, parsed as never);
    } catch (e) {
      throw new Error(`BREVITY_TFJS_FLAGS: ${name}: ${firstLine(e)}`);
    }
    return `${name}=${String(parsed)}`;
  });
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
      const flags = applyTfjsFlags();
      attempts.push({
        name,
        ok: true,
        reason: flags.length ? `${note}; tfjs flags ${flags.join(', ')}` : note,
      });
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
