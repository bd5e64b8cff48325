/**
 * Optional native kernels for tfjs' 'cpu' backend. The addon (packages/trainer/native, built by
 * scripts/build-native.mjs at `npm install`/`npm run build`) runs BatchMatMul and _FusedMatMul, and with
 * them matMul's gradients (which are matMuls with transposes), on a cache-blocked SIMD GEMM or a system
 * BLAS; the memory-bound kernels that dominate once matmul is fast (native-elementwise.ts); and the fused
 * model kernels (native-fused.ts: the training attention and its gradient, decode attention over an
 * in-place KV cache, the masked softmax, RMSNorm and the weighted cross-entropy, each with its gradient).
 * When the addon is missing or disabled, installNativeKernels says why and nothing changes.
 *
 * Environment: BREVITY_NATIVE=0 disables it (=matmul: matmul kernels only); BREVITY_THREADS (default 1)
 * sets the GEMM's threads;
 * BREVITY_BLAS=blas|avx512|avx2|portable|vendored picks the implementation (default: the fastest found);
 * BREVITY_MALLOC_TUNE=0 keeps glibc's default malloc thresholds (see tuneMalloc in native/src/addon.cc:
 * by default freed op outputs stay in the heap, which saves a page fault per 4 KiB of every new output).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Registers the cpu kernels first, so ours replace them (not the other way round).
import '@tensorflow/tfjs-backend-cpu';
import { getKernel, registerKernel, unregisterKernel, type KernelFunc } from '@tensorflow/tfjs-core';

import type { NativeAddon } from './native-addon.js';
import { makeElementwiseKernels } from './native-elementwise.js';
import { makeFusedKernels } from './native-fused.js';
import { makeNativeKernels } from './native-matmul.js';

export type NativeInstallResult = { ok: true; detail: string } | { ok: false; reason: string };

export interface NativeOptions {
  /** Addon file to load; defaults to packages/trainer/native/build/brevity_native.node. */
  addonPath?: string;
  /** Threads for the GEMM; defaults to BREVITY_THREADS or 1. */
  threads?: number;
  /**
   * 'matmul' installs only BatchMatMul/_FusedMatMul; 'all' (the default, unless BREVITY_NATIVE=matmul) also
   * the elementwise and the fused model kernels.
   */
  kernels?: 'all' | 'matmul';
}

const DEFAULT_ADDON = fileURLToPath(new URL('../../native/build/brevity_native.node', import.meta.url));

let installed: {
  addon: NativeAddon;
  originals: Map<string, KernelFunc>;
  /** Kernels tfjs does not have (the fused model kernels): unregistered on uninstall. */
  added: string[];
  only: 'all' | 'matmul';
} | null = null;
let mallocTuned = false;

function parseThreads(raw: string | undefined): number | string {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 256
    ? n
    : `BREVITY_THREADS must be an integer in 1..256, got "${raw}"`;
}

const BLAS_CHOICES = ['blas', 'avx512', 'avx2', 'portable', 'vendored'];

/** A reason when BREVITY_BLAS names no implementation. */
function checkBlasEnv(raw: string | undefined): string | null {
  if (raw === undefined || raw === '' || BLAS_CHOICES.includes(raw)) return null;
  return `BREVITY_BLAS must be one of ${BLAS_CHOICES.join(', ')}, got "${raw}"`;
}

function loadAddon(path: string): NativeAddon | string {
  if (!existsSync(path)) {
    const how = 'run `node scripts/build-native.mjs`, which needs a C++ compiler';
    return `native addon not built (${path} is missing; ${how})`;
  }
  try {
    return createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    return `native addon ${path} failed to load: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** One line naming the active implementation, its library, its threads and the malloc tuning. */
function describe(addon: NativeAddon): string {
  const info = addon.info();
  const lib = info.impl === 'blas' && info.blas !== null ? ` ${info.blas}` : '';
  const malloc = mallocTuned ? ', malloc tuned' : '';
  const which = installed?.only === 'matmul' ? 'matmul only' : 'matmul + elementwise';
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const asked = process.env.BREVITY_BLAS;
  const missing =
    asked && asked !== 'vendored' && asked !== info.impl
      ? ` (BREVITY_BLAS=${asked} is not available here)`
      : '';
  return `native kernels (${which}): gemm ${info.impl}${lib}${missing}, ${threads}${malloc}`;
}

/**
 * Replaces the cpu backend's kernels with the native ones. A second call with the same kernel set only
 * applies the thread count. Returns why not when the addon is missing, fails to load, or is disabled.
 */
export function installNativeKernels(options: NativeOptions = {}): NativeInstallResult {
  if (process.env.BREVITY_NATIVE === '0')
    return { ok: false, reason: 'native kernels disabled by BREVITY_NATIVE=0' };
  const threads = options.threads ?? parseThreads(process.env.BREVITY_THREADS);
  if (typeof threads === 'string') return { ok: false, reason: threads };
  const badBlas = checkBlasEnv(process.env.BREVITY_BLAS);
  if (badBlas !== null) return { ok: false, reason: badBlas };
  const only = options.kernels ?? (process.env.BREVITY_NATIVE === 'matmul' ? 'matmul' : 'all');
  if (installed !== null && options.addonPath === undefined && installed.only === only) {
    installed.addon.setThreads(threads);
    return { ok: true, detail: describe(installed.addon) };
  }
  const addon = loadAddon(options.addonPath ?? DEFAULT_ADDON);
  if (typeof addon === 'string') return { ok: false, reason: addon };
  addon.setThreads(threads);
  if (!mallocTuned && process.env.BREVITY_MALLOC_TUNE !== '0') mallocTuned = addon.tuneMalloc();
  if (installed !== null) uninstallNativeKernels();
  const originals = new Map<string, KernelFunc>();
  const original = (name: string): KernelFunc => originals.get(name) ?? getKernel(name, 'cpu').kernelFunc;
  const configs = makeNativeKernels(addon, original);
  if (only === 'all') configs.push(...makeElementwiseKernels(addon, original));
  for (const { kernelName } of configs) originals.set(kernelName, getKernel(kernelName, 'cpu').kernelFunc);
  for (const config of configs) {
    unregisterKernel(config.kernelName, 'cpu');
    registerKernel(config);
  }
  const fused = only === 'all' ? makeFusedKernels(addon) : [];
  for (const config of fused) registerKernel(config);
  installed = { addon, originals, added: fused.map((c) => c.kernelName), only };
  return { ok: true, detail: describe(addon) };
}

/** Puts tfjs' own cpu kernels back (for equality tests and before/after benchmarks). */
export function uninstallNativeKernels(): void {
  if (installed === null) return;
  for (const [kernelName, kernelFunc] of installed.originals) {
    unregisterKernel(kernelName, 'cpu');
    registerKernel({ kernelName, backendName: 'cpu', kernelFunc });
  }
  for (const kernelName of installed.added) unregisterKernel(kernelName, 'cpu');
  installed = null;
}

/** The loaded addon while the native kernels are installed (to switch implementation in tests/benches). */
export function nativeAddon(): NativeAddon | null {
  return installed?.addon ?? null;
}
