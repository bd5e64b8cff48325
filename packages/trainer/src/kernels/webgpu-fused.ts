/**
 * The fused model kernels (kernels/fused-names.ts) on tfjs' webgpu backend, as WGSL programs
 * (kernels/webgpu-programs.ts). On webgpu every kernel launch costs far more than its arithmetic at our
 * sizes (docs/performance.md), so these replace the tfjs compositions of RMSNorm (6 launches forward, ~15
 * backward -> 1 and 1: the forward keeps its inverse norms, the backward adds the residual's gradient), the
 * masked attention softmax (2 + ~4 -> 1 + 1) and the weighted cross-entropy (~20 -> 3 + 1), with the
 * attention and decode programs of webgpu-attention-kernels.ts and the multi-tensor
 * AdamW of webgpu-adam.ts.
 *
 * Registered by backend.ts when the webgpu backend loads (`BREVITY_WEBGPU_FUSED=0` keeps tfjs' compositions);
 * tested against those compositions on the same backend (test/kernels-webgpu.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { EMBED_GRAD_LIMITS, FUSED_KERNELS } from './fused-names.js';
import { maskedSoftmaxShape } from './fused-shapes.js';
import { adamTensors, addTensors } from './webgpu-adam.js';
import { gemmRequested, installGemm, uninstallGemm } from './webgpu-gemm.js';
import { normMatMul, residualNormMatMul } from './webgpu-norm-matmul.js';
import { pgLoss, pgLossGrad, pgStats } from './webgpu-pg-loss.js';
import { installReadWrite } from './webgpu-read-write.js';
import { attendCache, attention, attentionGrad } from './webgpu-attention-kernels.js';
import {
  BACKEND,
  f32,
  float32,
  i32,
  rowsCols,
  type KernelArgs,
  type WebgpuBackendLike,
} from './webgpu-kernel-args.js';
import {
  crossEntropyGradProgram,
  embedGradProgram,
  embedProgram,
  reluGradProgram,
  tokenEntropyGradProgram,
  tokenEntropyProgram,
  tokenLogprobGradProgram,
  tokenLogprobProgram,
  maskedSoftmaxProgram,
  rmsInverseProgram,
  rmsNormGradProgram,
  rmsNormProgram,
  rmsNormTrainProgram,
  rowUniforms,
  softmaxGradProgram,
  softmaxRowsProgram,
  sumAllProgram,
  weightedNllProgram,
  type WgslProgram,
} from './webgpu-programs.js';

/** x, g and eps of an RMSNorm kernel, checked: x [rows, cols], g [cols]. */
function normArgs(name: string, { inputs, attrs }: KernelArgs) {
  const x = float32(inputs.x, `${name}: x`);
  const [rows, cols] = rowsCols(x);
  const g = float32(inputs.g, `${name}: g`);
  tf.util.assert(g.shape.length === 1 && g.shape[0] === cols, () => `${name}: g must be [${cols}]`);
  return { x, g, rows, cols, eps: attrs!.eps as number };
}

function rmsNorm(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WebgpuBackendLike;
  const { x, g, rows, cols, eps } = normArgs(FUSED_KERNELS.rmsNorm, args);
  const out = be.runWebGPUProgram(
    rmsNormProgram(rows, cols),
    [x, g],
    'float32',
    rowUniforms(rows, cols, f32(eps)),
  );
  return { ...out, shape: x.shape };
}

/** RMSNorm whose launch also keeps the rows' inverse norms (written in place into a new [rows] tensor). */
function rmsNormTrain(args: KernelArgs): tf.TensorInfo[] {
  const be = args.backend as WebgpuBackendLike;
  const { x, g, rows, cols, eps } = normArgs(FUSED_KERNELS.rmsNormTrain, args);
  const inv = be.makeTensorInfo([rows], 'float32');
  const y = be.runWebGPUProgram(
    rmsNormTrainProgram(rows, cols),
    [x, g, inv],
    'float32',
    rowUniforms(rows, cols, f32(eps)),
  );
  return [{ ...y, shape: x.shape }, inv];
}

/**
 * rmsNormTrain whose third output is x itself: the same buffer under a new reference, as tfjs' Reshape does
 * (so the tensors' disposal stays tfjs' own), for a residual connection whose gradient rmsNormGrad then adds.
 */
function rmsNormPass(args: KernelArgs): tf.TensorInfo[] {
  const be = args.backend as WebgpuBackendLike;
  const x = args.inputs.x;
  const [y, inv] = rmsNormTrain(args);
  be.incRef(x.dataId);
  return [y, inv, { dataId: x.dataId, shape: x.shape, dtype: x.dtype }];
}

function rmsNormGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WebgpuBackendLike;
  const { x, g, dy, inv, dres } = inputs;
  const [rows, cols] = rowsCols(x);
  const eps = attrs!.eps as number;
  for (const [name, t, shape] of [
    ['inv', inv, [rows]],
    ['dres', dres, x.shape],
  ] as const)
    if (t)
      tf.util.assert(
        t.shape.join() === shape.join(),
        () => `${FUSED_KERNELS.rmsNormGrad}: ${name} [${t.shape}] must be [${shape}]`,
      );
  const r =
    inv ??
    be.runWebGPUProgram(rmsInverseProgram(rows, cols), [x], 'float32', rowUniforms(rows, cols, f32(eps)));
  try {
    const dg = be.makeTensorInfo([cols], 'float32');
    const dx = be.runWebGPUProgram(
      rmsNormGradProgram(rows, cols, dres !== undefined),
      dres ? [x, g, dy, r, dg, float32(dres, `${FUSED_KERNELS.rmsNormGrad}: dres`)] : [x, g, dy, r, dg],
      'float32',
      rowUniforms(rows + cols, cols, i32(rows)),
    );
    return [{ ...dx, shape: x.shape }, dg];
  } finally {
    if (!inv) be.disposeData(r.dataId);
  }
}

function maskedSoftmax({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { x, bias } = inputs;
  const { B, H, T, S, biasBatches } = maskedSoftmaxShape(x, bias);
  const rows = B * H * T;
  const uniforms = rowUniforms(rows, S, i32(T), i32(H), i32(biasBatches));
  const out = be.runWebGPUProgram(maskedSoftmaxProgram(rows, S), [x, bias], 'float32', uniforms);
  return { ...out, shape: x.shape };
}

function softmaxGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { y, dy } = inputs;
  const [rows, cols] = rowsCols(y);
  const out = be.runWebGPUProgram(
    softmaxGradProgram(rows, cols),
    [y, dy],
    'float32',
    rowUniforms(rows, cols),
  );
  return { ...out, shape: y.shape };
}

function crossEntropy({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WebgpuBackendLike;
  const { logits, targets, weights } = inputs;
  const [N, V] = logits.shape;
  tf.util.assert(
    logits.shape.length === 2 &&
      targets.shape[0] === N &&
      weights.shape[0] === N &&
      targets.dtype === 'int32',
    () =>
      `${FUSED_KERNELS.crossEntropy}: logits [${logits.shape}], targets (int32) and weights [N] do not match`,
  );
  const probs = be.runWebGPUProgram(softmaxRowsProgram(N, V), [logits], 'float32', rowUniforms(N, V));
  const nll = be.runWebGPUProgram(
    weightedNllProgram(N, V),
    [logits, targets, weights],
    'float32',
    rowUniforms(N, V),
  );
  try {
    const loss = be.runWebGPUProgram(sumAllProgram(N), [nll], 'float32', rowUniforms(1, N));
    return [{ ...loss, shape: [] }, probs];
  } finally {
    be.disposeData(nll.dataId);
  }
}

function crossEntropyGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { probs, targets, weights, dy } = inputs;
  const [N, V] = probs.shape;
  const out = be.runWebGPUProgram(crossEntropyGradProgram(N, V), [probs, targets, weights, dy], 'float32', [
    i32(N * V),
    i32(V),
  ]);
  return { ...out, shape: probs.shape };
}

/** A per-row program over logits [N, V] with the temperature uniform; `shape` of its output. */
function tokenRows(
  name: string,
  program: (rows: number, cols: number) => WgslProgram,
  { inputs, backend, attrs }: KernelArgs,
  extra: tf.TensorInfo[],
  perRow: boolean,
): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const logits = float32(inputs.logits, `${name}: logits`);
  tf.util.assert(logits.shape.length === 2, () => `${name}: logits must be [N, V], got [${logits.shape}]`);
  const [N, V] = logits.shape;
  tf.util.assert(
    extra.every((t) => t.shape[0] === N),
    () => `${name}: [${extra.map((t) => `[${t.shape}]`).join(', ')}] do not have N = ${N} rows`,
  );
  const temperature = (attrs as { temperature: number }).temperature;
  const out = be.runWebGPUProgram(program(N, V), [logits, ...extra], 'float32', [
    ...rowUniforms(N, V),
    f32(temperature),
  ]);
  return { ...out, shape: perRow ? [N] : [N, V] };
}

const tokenLogprob = (a: KernelArgs) =>
  tokenRows(FUSED_KERNELS.tokenLogprob, tokenLogprobProgram, a, [a.inputs.targets], true);
const tokenLogprobGrad = (a: KernelArgs) =>
  tokenRows(
    FUSED_KERNELS.tokenLogprobGrad,
    tokenLogprobGradProgram,
    a,
    [a.inputs.targets, a.inputs.dy],
    false,
  );
const tokenEntropy = (a: KernelArgs) =>
  tokenRows(FUSED_KERNELS.tokenEntropy, tokenEntropyProgram, a, [], true);
const tokenEntropyGrad = (a: KernelArgs) =>
  tokenRows(FUSED_KERNELS.tokenEntropyGrad, tokenEntropyGradProgram, a, [a.inputs.dy], false);

function embed({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { tokEmb, posEmb, tokens, positions } = inputs;
  const [V, D] = tokEmb.shape;
  const N = tokens.shape[0];
  tf.util.assert(
    posEmb.shape.length === 2 &&
      posEmb.shape[1] === D &&
      positions.shape[0] === N &&
      tokens.dtype === 'int32' &&
      positions.dtype === 'int32',
    () =>
      `${FUSED_KERNELS.embed}: tokEmb [${tokEmb.shape}], posEmb [${posEmb.shape}], tokens and positions (int32 [N]) do not match`,
  );
  const out = be.runWebGPUProgram(embedProgram(N, D), [tokEmb, posEmb, tokens, positions], 'float32', [
    i32(N * D),
    i32(D),
    i32(V),
    i32(posEmb.shape[0]),
  ]);
  return { ...out, shape: [N, D] };
}

function embedGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WebgpuBackendLike;
  const { dy, tokens, positions } = inputs;
  const { vocab: V, ctx: C } = attrs as { vocab: number; ctx: number };
  const [N, D] = dy.shape;
  tf.util.assert(
    dy.shape.length === 2 &&
      tokens.shape.join() === String(N) &&
      positions.shape.join() === String(N) &&
      tokens.dtype === 'int32' &&
      positions.dtype === 'int32',
    () => `${FUSED_KERNELS.embedGrad}: dy [${dy.shape}], tokens and positions (int32 [N]) do not match`,
  );
  tf.util.assert(
    (V + C) * N <= EMBED_GRAD_LIMITS.maxWork,
    () => `${FUSED_KERNELS.embedGrad}: (${V} + ${C}) x ${N} exceeds ${JSON.stringify(EMBED_GRAD_LIMITS)}`,
  );
  const dPos = be.makeTensorInfo([C, D], 'float32'); // written by the program
  const dTok = be.runWebGPUProgram(
    embedGradProgram(V, C, D),
    [float32(dy, `${FUSED_KERNELS.embedGrad}: dy`), tokens, positions, dPos],
    'float32',
    [i32((V + C) * D), i32(D), i32(V), i32(N)],
  );
  return [{ ...dTok, shape: [V, D] }, dPos];
}

function reluGrad({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const { y, dy } = inputs;
  const n = tf.util.sizeFromShape(y.shape);
  tf.util.assert(
    y.shape.join() === dy.shape.join(),
    () => `${FUSED_KERNELS.reluGrad}: y [${y.shape}] and dy [${dy.shape}] differ`,
  );
  const out = be.runWebGPUProgram(reluGradProgram(n), [y, dy], 'float32', [i32(n)]);
  return { ...out, shape: y.shape };
}

type KernelFn = (a: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/**
 * The kernels by group: the kernels of a group go together (a forward and its gradient), and
 * `BREVITY_WEBGPU_FUSED=-group,...` leaves groups out (to time one against tfjs' composition).
 */
export const WEBGPU_KERNEL_GROUPS: Record<string, [string, KernelFn][]> = {
  norm: [
    [FUSED_KERNELS.rmsNorm, rmsNorm],
    [FUSED_KERNELS.rmsNormTrain, rmsNormTrain],
    [FUSED_KERNELS.rmsNormPass, rmsNormPass],
    [FUSED_KERNELS.rmsNormGrad, rmsNormGrad],
  ],
  normMatMul: [[FUSED_KERNELS.normMatMul, normMatMul]],
  residualNormMatMul: [[FUSED_KERNELS.residualNormMatMul, residualNormMatMul]],
  softmax: [
    [FUSED_KERNELS.maskedSoftmax, maskedSoftmax],
    [FUSED_KERNELS.softmaxGrad, softmaxGrad],
  ],
  crossEntropy: [
    [FUSED_KERNELS.crossEntropy, crossEntropy],
    [FUSED_KERNELS.crossEntropyGrad, crossEntropyGrad],
  ],
  attention: [
    [FUSED_KERNELS.attention, attention],
    [FUSED_KERNELS.attentionGrad, attentionGrad],
  ],
  decode: [[FUSED_KERNELS.attendCache, attendCache]],
  embed: [
    [FUSED_KERNELS.embed, embed],
    [FUSED_KERNELS.embedGrad, embedGrad],
  ],
  relu: [[FUSED_KERNELS.reluGrad, reluGrad]],
  tokens: [
    [FUSED_KERNELS.tokenLogprob, tokenLogprob],
    [FUSED_KERNELS.tokenLogprobGrad, tokenLogprobGrad],
    [FUSED_KERNELS.tokenEntropy, tokenEntropy],
    [FUSED_KERNELS.tokenEntropyGrad, tokenEntropyGrad],
  ],
  pgLoss: [
    [FUSED_KERNELS.pgLoss, pgLoss],
    [FUSED_KERNELS.pgLossGrad, pgLossGrad],
    [FUSED_KERNELS.pgStats, pgStats],
  ],
  adam: [[FUSED_KERNELS.adamTensors, adamTensors]],
  accumulate: [[FUSED_KERNELS.addTensors, addTensors]],
};

const KERNELS = Object.values(WEBGPU_KERNEL_GROUPS).flat();

/** Names of the fused kernels the webgpu backend gets. */
export const WEBGPU_FUSED_KERNELS: readonly string[] = KERNELS.map(([name]) => name);

/**
 * Groups installed only when `BREVITY_WEBGPU_FUSED` asks for them with "+". residualNormMatMul joins a residual
 * branch to the stream and runs the next norm and matmul in ONE launch, one workgroup a row: 8 fewer launches a
 * sampled token at 4 layers, but its serial loops made it the slowest kernel on an NVIDIA H200 (300 us a
 * [64, 256] x [256, 1024] launch, 93% of sampling's GPU time): d 256 sampling ran 11.4-12.4k tok/s with it,
 * 21.2-22.0k without, and the bench defaults and base model the same within noise (docs/performance.md,
 * session 5). Only llvmpipe ran faster with it (1.2x at d 64 and d 128), and that is a test fixture.
 */
export const OPT_IN_GROUPS: readonly string[] = ['residualNormMatMul'];

/**
 * The kernel groups `BREVITY_WEBGPU_FUSED` leaves out: unset or "1" the opt-in groups (OPT_IN_GROUPS), "0"
 * all; a list like "-attention,-adam,+residualNormMatMul" leaves those with "-" out too and adds those with
 * "+" (names of WEBGPU_KERNEL_GROUPS, returned in their order). Throws on anything else, naming the groups.
 */
export function leftOutGroups(value: string | undefined = process.env.BREVITY_WEBGPU_FUSED): string[] {
  const groups = Object.keys(WEBGPU_KERNEL_GROUPS);
  if (value === '0') return groups;
  const out = new Set(OPT_IN_GROUPS);
  if (value !== undefined && value !== '' && value !== '1')
    for (const item of value.split(',').map((s) => s.trim())) {
      const name = item.slice(1);
      if (!/^[+-]/.test(item) || !groups.includes(name))
        throw new Error(
          `BREVITY_WEBGPU_FUSED: expected 0, 1 or groups to leave out or add like -attention,+residualNormMatMul; ` +
            `"${item}" is not one (groups: ${groups.join(', ')})`,
        );
      if (item.startsWith('-')) out.add(name);
      else out.delete(name);
    }
  return groups.filter((g) => out.has(g));
}

/**
 * Makes the registered fused kernels for webgpu exactly every group but those left out (default: as
 * BREVITY_WEBGPU_FUSED says): registers the missing ones and unregisters the left-out ones, so a call after
 * another with a different set leaves no kernel of the earlier one behind; idempotent. Also the GEMM of
 * webgpu-gemm.ts in place of tfjs' matmul when BREVITY_WEBGPU_GEMM=1. Returns how many fused kernels are
 * registered.
 */
export function installWebgpuKernels(leaveOut: string[] = leftOutGroups()): number {
  installReadWrite((tf.findBackend(BACKEND) as unknown as WebgpuBackendLike).device);
  let registered = 0;
  for (const [group, kernels] of Object.entries(WEBGPU_KERNEL_GROUPS))
    for (const [kernelName, kernelFunc] of kernels) {
      const has = tf.getKernel(kernelName, BACKEND) !== undefined;
      if (leaveOut.includes(group)) {
        if (has) tf.unregisterKernel(kernelName, BACKEND);
        continue;
      }
      if (!has)
        tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc: kernelFunc as tf.KernelFunc });
      registered++;
    }
  if (gemmRequested()) installGemm();
  return registered;
}

/** Removes them again (tests compare against tfjs' compositions on the same backend). */
export function uninstallWebgpuKernels(): void {
  for (const [kernelName] of KERNELS)
    if (tf.getKernel(kernelName, BACKEND)) tf.unregisterKernel(kernelName, BACKEND);
  uninstallGemm();
}

/**
 * GPU programs launched while `f` runs on the webgpu backend: all of them, ours (`brevity_*` keys), and how
 * many of each shader key.
 */
export async function countWebgpuLaunches(
  f: () => Promise<unknown>,
): Promise<{ total: number; ours: number; byKey: Record<string, number> }> {
  const be = tf.backend() as unknown as {
    runWebGPUProgram?: (p: { shaderKey: string }, ...a: unknown[]) => unknown;
  };
  const original = be.runWebGPUProgram;
  if (tf.getBackend() !== BACKEND || !original)
    throw new Error('countWebgpuLaunches needs the webgpu backend');
  const counts = { total: 0, ours: 0, byKey: {} as Record<string, number> };
  be.runWebGPUProgram = function (this: unknown, p, ...a) {
    counts.total++;
    if (p.shaderKey.startsWith('brevity_')) counts.ours++;
    counts.byKey[p.shaderKey] = (counts.byKey[p.shaderKey] ?? 0) + 1;
    return original.call(this, p, ...a);
  };
  try {
    await f();
  } finally {
    be.runWebGPUProgram = original;
  }
  return counts;
}
