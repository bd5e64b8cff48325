/**
 * Multi-tensor kernels on webgpu, in place and in a few launches whatever the number of tensors: AdamW over
 * all parameter tensors (FUSED_KERNELS.adamTensors) and the sum of two lists of tensors (addTensors, the
 * gradient accumulation over micro-batches). tfjs gives a program one output, so the programs here write some
 * of their inputs (READ_WRITE_MARKER). Registered with the other fused kernels by webgpu-fused.ts; tested
 * against the tfjs path (test/kernels-webgpu.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS } from './fused-names.js';
import { f32, float32, i32, type KernelArgs, type WebgpuBackendLike } from './webgpu-kernel-args.js';
import { reductions, rowUniforms, sumAllProgram, type WgslProgram } from './webgpu-programs.js';
import { assertOwnBuffers, dropHostCopies, readWrite } from './webgpu-read-write.js';

/** Workgroup size of the multi-tensor optimizer programs. */
const TENSORS_WG = 64;

/** WGSL: `switch slot` with one case per tensor slot, each running `body(s)` (s the slot's number). */
const perSlot = (slots: number, body: (s: number) => string): string => `
    switch slot {${Array.from(
      { length: slots },
      (_, s) => `
      case ${s}: {${body(s)}
      }`,
    ).join('')}
      default: {}
    }`;

/** Input names `prefix`0 .. `prefix`{k-1} of a k-tensor optimizer program. */
const tensorSlots = (k: number, prefix: string): string[] =>
  Array.from({ length: k }, (_, i) => `${prefix}${i}`);

/**
 * The first stage of the global gradient norm over `k` gradient tensors (inputs g0..g{k-1}, any shapes) in
 * one launch: workgroup (c, s) of a [chunks, k] dispatch sums the squares of tensor s's elements c, c +
 * chunks, ... (in strides of the workgroup) into result[(first + s) * chunks + c]. Uniforms: first, chunks
 * and the size n{s} of each tensor. The result is a partials tensor shared by the launches of one norm.
 */
export function tensorsSumSquaresProgram(k: number, chunks: number): WgslProgram {
  const wg = TENSORS_WG;
  const names = tensorSlots(k, 'g');
  return {
    variableNames: names,
    outputShape: [chunks * k],
    shaderKey: `brevity_tensorssumsq_${k}`,
    dispatchLayout: { x: [0] },
    dispatch: [chunks, k, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: `first : i32, chunks : i32, ${names.map((_, s) => `n${s} : i32,`).join(' ')}`,
    getUserCode: () => `
  ${reductions(wg)}
  fn main(index : i32) {
    let tid = i32(localId.x);
    let slot = i32(workgroupId.y);
    let c = i32(workgroupId.x);
    let stride = uniforms.chunks * WG;
    var acc = 0.0;${perSlot(
      k,
      (s) => `
        for (var i = c * WG + tid; i < uniforms.n${s}; i = i + stride) { acc = acc + g${s}[i] * g${s}[i]; }`,
    )}
    let total = wgSum(acc, tid);
    if (tid == 0) { result[(uniforms.first + slot) * uniforms.chunks + c] = total; }
  }`,
  };
}

/**
 * AdamW over `k` parameter tensors in one launch, in place: the output is the flat first moment m [P]
 * (updated where it is read), and v [P] and the parameters p0..p{k-1} are inputs written in place. Tensor
 * s (gradient g{s}, size n{s}, at offset off{s} of the moments, decay factor decay{s}) is slot s of a
 * [chunks, k] dispatch. With the clip factor c = min(1, clip / (norm + 1e-6)) (1 when clip <= 0):
 * m = beta1 m + (1 - beta1) g c, v = beta2 v + (1 - beta2) (g c)^2, p = p - stepSize m / (sqrt(v) + epsHat)
 * - decay p: the formulas (and the float order) of the tfjs path in optim/adamw.ts.
 */
export function adamTensorsProgram(k: number, chunks: number): WgslProgram {
  const g = tensorSlots(k, 'g');
  const p = tensorSlots(k, 'p');
  return {
    variableNames: ['v', 'norm', ...g, ...p],
    outputShape: [1],
    shaderKey: `brevity_adamtensors_${k}`,
    dispatchLayout: { x: [0] },
    dispatch: [chunks, k, 1],
    workgroupSize: [TENSORS_WG, 1, 1],
    uniforms:
      'chunks : i32, beta1 : f32, beta2 : f32, clip : f32, stepSize : f32, epsHat : f32, ' +
      g.map((_, s) => `n${s} : i32, off${s} : i32, decay${s} : f32,`).join(' '),
    getUserCode: () => `${readWrite(['v', ...p])}
  fn main(index : i32) {
    let slot = i32(workgroupId.y);
    let stride = uniforms.chunks * ${TENSORS_WG};
    var c = 1.0;
    if (uniforms.clip > 0.0) { c = min(1.0, uniforms.clip / (norm[0] + 1e-6)); }${perSlot(
      k,
      (s) => `
        for (var i = i32(workgroupId.x) * ${TENSORS_WG} + i32(localId.x); i < uniforms.n${s}; i = i + stride) {
          let at = uniforms.off${s} + i;
          let gc = g${s}[i] * c;
          let m = result[at] * uniforms.beta1 + gc * (1.0 - uniforms.beta1);
          let v2 = v[at] * uniforms.beta2 + gc * gc * (1.0 - uniforms.beta2);
          result[at] = m;
          v[at] = v2;
          let update = m / (sqrt(v2) + uniforms.epsHat) * uniforms.stepSize;
          p${s}[i] = p${s}[i] - update - p${s}[i] * uniforms.decay${s};
        }`,
    )}
  }`,
  };
}

/** Workgroups a tensor gets in the norm's first stage (at most): enough to fill a GPU across tensors. */
const NORM_CHUNKS = 64;
/** Workgroups a tensor gets in the update (at most); each invocation then strides over the rest. */
const UPDATE_CHUNKS = 1024;

/** [start, end) ranges cutting n items into groups of at most `size`. */
function groups(n: number, size: number): [number, number][] {
  return Array.from({ length: Math.ceil(n / size) }, (_, i) => [i * size, Math.min(n, (i + 1) * size)]);
}

/** Workgroups for tensors of `sizes`: one per `per` elements of the largest, 1 to `cap`. */
const chunksFor = (sizes: number[], per: number, cap: number) =>
  Math.max(1, Math.min(cap, Math.ceil(Math.max(...sizes) / per)));

/** sqrt(sum of squares of all gradients) [1]: partial sums over L - 1 gradients a launch, then one sum. */
function globalNorm(
  be: WebgpuBackendLike,
  gs: tf.TensorInfo[],
  sizes: number[],
  limit: number,
): tf.TensorInfo {
  const chunks = chunksFor(sizes, 4096, NORM_CHUNKS);
  const partials = be.makeTensorInfo([gs.length * chunks], 'float32');
  try {
    for (const [lo, hi] of groups(gs.length, limit - 1))
      be.runWebGPUProgram(
        tensorsSumSquaresProgram(hi - lo, chunks),
        gs.slice(lo, hi),
        'float32',
        [i32(lo), i32(chunks), ...sizes.slice(lo, hi).map(i32)],
        partials,
      );
    return be.runWebGPUProgram(
      sumAllProgram(gs.length * chunks, true),
      [partials],
      'float32',
      rowUniforms(1, gs.length * chunks),
    );
  } finally {
    be.disposeData(partials.dataId); // tfjs frees it once the queued programs no longer need it
  }
}

/**
 * One AdamW step over all parameter tensors in place (FUSED_KERNELS.adamTensors): the global norm in
 * ceil(n / (L - 1)) + 1 launches and the update in ceil(n / ((L - 3) / 2)) launches, with L the device's
 * storage buffers per shader stage (8 by default; backend.ts asks for the adapter's own limit), instead of a
 * concat of all gradients and one launch per tensor. The buffers it writes must not be shared (they would
 * change under another tensor) and their host copies, if any, are dropped.
 */
export function adamTensors({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const a = attrs as {
    beta1: number;
    beta2: number;
    clip: number;
    stepSize: number;
    epsHat: number;
    decays: number[];
  };
  const name = FUSED_KERNELS.adamTensors;
  const n = a.decays.length;
  const m = float32(inputs.m, `${name}: m`);
  const v = float32(inputs.v, `${name}: v`);
  const ps = Array.from({ length: n }, (_, i) => float32(inputs[`p${i}`], `${name}: p${i}`));
  const gs = Array.from({ length: n }, (_, i) => float32(inputs[`g${i}`], `${name}: g${i}`));
  const sizes = ps.map((p) => tf.util.sizeFromShape(p.shape));
  const total = sizes.reduce((x, y) => x + y, 0);
  gs.forEach((g, i) =>
    tf.util.assert(
      tf.util.sizeFromShape(g.shape) === sizes[i],
      () => `${name}: g${i} [${g.shape}] does not match p${i} [${ps[i].shape}]`,
    ),
  );
  tf.util.assert(
    n > 0 && tf.util.sizeFromShape(m.shape) === total && tf.util.sizeFromShape(v.shape) === total,
    () => `${name}: m [${m.shape}] and v [${v.shape}] must hold the ${total} parameters of p0..p${n - 1}`,
  );
  assertOwnBuffers(be, [m, v, ...ps], name);
  const limit = be.device.limits.maxStorageBuffersPerShaderStage;
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((x, y) => x + y, 0));
  const norm = globalNorm(be, gs, sizes, limit);
  for (const [lo, hi] of groups(sizes.length, Math.max(1, Math.floor((limit - 3) / 2)))) {
    const chunks = chunksFor(sizes.slice(lo, hi), 64, UPDATE_CHUNKS);
    const slots = sizes
      .slice(lo, hi)
      .flatMap((size, j) => [i32(size), i32(offsets[lo + j]), f32(a.decays[lo + j])]);
    be.runWebGPUProgram(
      adamTensorsProgram(hi - lo, chunks),
      [v, norm, ...gs.slice(lo, hi), ...ps.slice(lo, hi)],
      'float32',
      [i32(chunks), ...[a.beta1, a.beta2, a.clip, a.stepSize, a.epsHat].map(f32), ...slots],
      m,
    );
  }
  dropHostCopies(be, [m, v, ...ps]);
  return { ...norm, shape: [] };
}

/**
 * a{s} += b{s} for the k tensors of one launch: slot 0's target is the output (bound as `result`), the other
 * targets are inputs written in place.
 */
export function addTensorsProgram(k: number, chunks: number): WgslProgram {
  const a = tensorSlots(k, 'a').slice(1);
  const b = tensorSlots(k, 'b');
  return {
    variableNames: [...a, ...b],
    outputShape: [1],
    shaderKey: `brevity_addtensors_${k}`,
    dispatchLayout: { x: [0] },
    dispatch: [chunks, k, 1],
    workgroupSize: [TENSORS_WG, 1, 1],
    uniforms: `chunks : i32, ${b.map((_, s) => `n${s} : i32,`).join(' ')}`,
    getUserCode: () => `${a.length ? readWrite(a) : ''}
  fn main(index : i32) {
    let slot = i32(workgroupId.y);
    let stride = uniforms.chunks * ${TENSORS_WG};${perSlot(
      k,
      (s) => `
        for (var i = i32(workgroupId.x) * ${TENSORS_WG} + i32(localId.x); i < uniforms.n${s}; i = i + stride) {
          ${s === 0 ? 'result' : `a${s}`}[i] = ${s === 0 ? 'result' : `a${s}`}[i] + b${s}[i];
        }`,
    )}
  }`,
  };
}

/** a{i} += b{i} in place, floor(L / 2) pairs a launch (FUSED_KERNELS.addTensors); returns a0, aliased. */
export function addTensors({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const name = FUSED_KERNELS.addTensors;
  const n = Object.keys(inputs).length / 2;
  const as = Array.from({ length: n }, (_, i) => float32(inputs[`a${i}`], `${name}: a${i}`));
  const bs = Array.from({ length: n }, (_, i) => float32(inputs[`b${i}`], `${name}: b${i}`));
  const sizes = as.map((t) => tf.util.sizeFromShape(t.shape));
  tf.util.assert(n >= 1 && Number.isInteger(n), () => `${name}: expected inputs a0..a{n-1} and b0..b{n-1}`);
  bs.forEach((t, i) =>
    tf.util.assert(
      tf.util.sizeFromShape(t.shape) === sizes[i],
      () => `${name}: b${i} [${t.shape}] does not match a${i} [${as[i].shape}]`,
    ),
  );
  assertOwnBuffers(be, as, name);
  const limit = be.device.limits.maxStorageBuffersPerShaderStage;
  for (const [lo, hi] of groups(n, Math.max(1, Math.floor(limit / 2)))) {
    const chunks = chunksFor(sizes.slice(lo, hi), 64, UPDATE_CHUNKS);
    be.runWebGPUProgram(
      addTensorsProgram(hi - lo, chunks),
      [...as.slice(lo + 1, hi), ...bs.slice(lo, hi)],
      'float32',
      [i32(chunks), ...sizes.slice(lo, hi).map(i32)],
      as[lo],
    );
  }
  dropHostCopies(be, as);
  be.incRef(as[0].dataId);
  return { dataId: as[0].dataId, shape: as[0].shape, dtype: 'float32' };
}
