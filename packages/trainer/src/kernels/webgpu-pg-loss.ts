/**
 * The GRPO/PPO clipped policy-gradient loss over a micro-batch's tokens on webgpu (FUSED_KERNELS.pgLoss,
 * pgLossGrad, pgStats): rl/loss.ts composes it from ~20 elementwise tfjs ops forward, as many backward, and a
 * masked sum per statistic (~40 launches a micro-batch); these are 3. Per token, from the log-prob logp, the
 * entropy, the rollout's log-prob old, the advantage a and (optional) the reference log-prob ref:
 *
 *   ratio = exp(clamp(logp - old, -20, 20)); pg = max(-a ratio, -a clamp(ratio, 1 - clipLow, 1 + clipHigh))
 *   with dual clip c: pg = min(pg, -a c) where a < 0;  kl = k1 | k2 | k3 of logp - ref
 *   loss = sum_i w_i (pg_i + klCoef kl_i - entropyCoef entropy_i)
 *
 * The gradient follows tfjs' rules for the composition exactly: max gives it to its first operand on ties,
 * min to its first when <=, clamp passes it on the closed interval. Registered with the other fused kernels
 * by webgpu-fused.ts; tested against the composition (test/kernels-webgpu.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS } from './fused-names.js';
import { f32, float32, i32, type KernelArgs, type WebgpuBackendLike } from './webgpu-kernel-args.js';
import { elementwiseProgram, rowProgram, type UniformValue, type WgslProgram } from './webgpu-programs.js';
import { readWrite } from './webgpu-read-write.js';

/** The loss' settings (rl/loss.ts LossOptions less the value loss); `kl` only where a reference is given. */
export interface PgLossAttrs {
  clipLow: number;
  clipHigh: number;
  dualClip: number | null;
  kl: 'k1' | 'k2' | 'k3';
  klCoef: number;
  entropyCoef: number;
}

const KL_WGSL = {
  k1: 't.kl = lr; t.dkl = 1.0;',
  k2: 't.kl = 0.5 * lr * lr; t.dkl = lr;',
  k3: 'let e = exp(-lr); t.kl = e - 1.0 + lr; t.dkl = 1.0 - e;',
} as const;

/** WGSL: `terms(i)`, token i's pg, clipped flag, kl and the derivatives of pg and kl by logp. */
function termsWgsl(dual: boolean, ref: boolean, kl: PgLossAttrs['kl']): string {
  return `
  struct Terms { pg : f32, clipped : f32, kl : f32, dpg : f32, dkl : f32, }
  fn terms(i : i32) -> Terms {
    let d = logp[i] - old[i];
    let inClamp = d >= -20.0 && d <= 20.0;
    let ratio = exp(clamp(d, -20.0, 20.0));
    let a = adv[i];
    let pg1 = -a * ratio;
    let pg2 = -a * clamp(ratio, uniforms.lo, uniforms.hi);
    let inRatio = ratio >= uniforms.lo && ratio <= uniforms.hi;
    var t : Terms;
    t.pg = max(pg1, pg2);
    t.clipped = select(0.0, 1.0, pg2 > pg1);
    let dRatio = select(0.0, -a * ratio, inClamp);
    t.dpg = select(select(0.0, dRatio, inRatio), dRatio, pg1 >= pg2);${
      dual
        ? `
    if (a < 0.0) {
      let bound = -a * uniforms.dual;
      if (t.pg > bound) { t.dpg = 0.0; }
      t.pg = min(t.pg, bound);
    }`
        : ''
    }
    t.kl = 0.0;
    t.dkl = 0.0;${
      ref
        ? `
    let lr = logp[i] - refLp[i];
    ${KL_WGSL[kl]}`
        : ''
    }
    return t;
  }`;
}

/** The programs' shared inputs, checked: float32 [N] tensors, the reference when given. */
function tokenInputs(name: string, inputs: KernelArgs['inputs'], names: string[]) {
  const n = inputs.logp.shape[0] ?? 0;
  return names.map((k) => {
    const t = float32(inputs[k], `${name}: ${k}`);
    tf.util.assert(t.shape.join() === String(n), () => `${name}: ${k} [${t.shape}] must be [${n}]`);
    return t;
  });
}

/**
 * The program variant (dual clip, KL estimator where a reference is given), its key, and the uniforms after
 * the program's own sizes, in UNIFORMS' order.
 */
function settings(attrs: KernelArgs['attrs'], ref: boolean) {
  const a = attrs as unknown as PgLossAttrs;
  const dual = a.dualClip !== null;
  const key = `${dual ? 'dual' : ''}${ref ? `_${a.kl}` : ''}`;
  const klCoef = ref && a.klCoef > 0 ? a.klCoef : 0; // rl/loss.ts adds the KL term only then
  const uniforms: UniformValue[] = [
    f32(1 - a.clipLow),
    f32(1 + a.clipHigh),
    f32(a.dualClip ?? 0),
    f32(klCoef),
    f32(a.entropyCoef),
  ];
  return { kl: a.kl, dual, key, uniforms };
}

const UNIFORMS = 'lo : f32, hi : f32, dual : f32, klCoef : f32, entCoef : f32,';

/** loss = sum_i w_i (pg_i + klCoef kl_i - entropyCoef entropy_i) -> [1], one workgroup. */
function lossProgram(n: number, dual: boolean, ref: boolean, kl: PgLossAttrs['kl'], key: string) {
  return rowProgram(
    `pgloss${key}`,
    ['logp', 'ent', 'old', 'adv', 'w', ...(ref ? ['refLp'] : [])],
    [1],
    1,
    n,
    `
    var part = 0.0;
    for (var j = tid; j < cols; j = j + WG) {
      let t = terms(j);
      part = part + w[j] * (t.pg + uniforms.klCoef * t.kl - uniforms.entCoef * ent[j]);
    }
    let s = wgSum(part, tid);
    if (live && tid == 0) { result[0] = s; }`,
    UNIFORMS,
    termsWgsl(dual, ref, kl),
  );
}

/** The masked sums of rl/loss.ts' STAT_KEYS (pg, kl, entropy, clipped, 0, 0, tokens) -> [7], one workgroup. */
function statsProgram(n: number, dual: boolean, ref: boolean, kl: PgLossAttrs['kl'], key: string) {
  const sums = ['t.pg', 't.kl', 'ent[j]', 't.clipped', '0.0', '0.0', '1.0'];
  return rowProgram(
    `pgstats${key}`,
    ['logp', 'ent', 'old', 'adv', 'm', ...(ref ? ['refLp'] : [])],
    [sums.length],
    1,
    n,
    `
    var part : array<f32, ${sums.length}>;
    for (var k = 0; k < ${sums.length}; k = k + 1) { part[k] = 0.0; }
    for (var j = tid; j < cols; j = j + WG) {
      let t = terms(j);
      let mj = m[j];
${sums.map((x, k) => `      part[${k}] = part[${k}] + mj * ${x};`).join('\n')}
    }
    // Each sum is written as soon as it is reduced (kernels/webgpu-programs.ts: on llvmpipe a value derived
    // from one reduction does not survive the next).
    for (var k = 0; k < ${sums.length}; k = k + 1) {
      let s = wgSum(part[k], tid);
      if (live && tid == 0) { result[k] = s; }
    }`,
    UNIFORMS,
    termsWgsl(dual, ref, kl),
  );
}

/** dlogp_i = dy w_i (dpg_i + klCoef dkl_i) -> [n]; dent_i = -dy w_i entropyCoef into the input dent, in place. */
function gradProgram(
  n: number,
  dual: boolean,
  ref: boolean,
  kl: PgLossAttrs['kl'],
  key: string,
): WgslProgram {
  return elementwiseProgram(
    `pglossgrad${key}`,
    ['logp', 'old', 'adv', 'w', 'dy', 'dent', ...(ref ? ['refLp'] : [])],
    n,
    `let t = terms(i);
      let g = dy[0] * w[i];
      result[i] = g * (t.dpg + uniforms.klCoef * t.dkl);
      dent[i] = -g * uniforms.entCoef;`,
    UNIFORMS,
    `${readWrite(['dent'])}${termsWgsl(dual, ref, kl)}`,
  );
}

/** A one-workgroup reduction program (loss or statistics) over the tokens, with `last` its last input. */
function reduction(
  { inputs, backend, attrs }: KernelArgs,
  name: string,
  last: 'weights' | 'mask',
  program: typeof lossProgram,
): tf.TensorInfo {
  const be = backend as WebgpuBackendLike;
  const ref = inputs.refLp !== undefined;
  const ins = tokenInputs(name, inputs, ['logp', 'ent', 'old', 'adv', last, ...(ref ? ['refLp'] : [])]);
  const { kl, dual, key, uniforms } = settings(attrs, ref);
  const n = ins[0].shape[0];
  return be.runWebGPUProgram(program(n, dual, ref, kl, key), ins, 'float32', [i32(1), i32(n), ...uniforms]);
}

export function pgLoss(args: KernelArgs): tf.TensorInfo {
  return { ...reduction(args, FUSED_KERNELS.pgLoss, 'weights', lossProgram), shape: [] };
}

export function pgStats(args: KernelArgs): tf.TensorInfo {
  return reduction(args, FUSED_KERNELS.pgStats, 'mask', statsProgram);
}

export function pgLossGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WebgpuBackendLike;
  const ref = inputs.refLp !== undefined;
  const names = ['logp', 'old', 'adv', 'weights', ...(ref ? ['refLp'] : [])];
  const [logp, old, adv, w, refT] = tokenInputs(FUSED_KERNELS.pgLossGrad, inputs, names);
  const dy = float32(inputs.dy, `${FUSED_KERNELS.pgLossGrad}: dy`);
  tf.util.assert(
    tf.util.sizeFromShape(dy.shape) === 1,
    () => `${FUSED_KERNELS.pgLossGrad}: dy must be a scalar`,
  );
  const { kl, dual, key, uniforms } = settings(attrs, ref);
  const n = logp.shape[0];
  const dent = be.makeTensorInfo([n], 'float32');
  const dlogp = be.runWebGPUProgram(
    gradProgram(n, dual, ref, kl, key),
    [logp, old, adv, w, dy, dent, ...(refT ? [refT] : [])],
    'float32',
    [i32(n), ...uniforms],
  );
  return [dlogp, dent];
}
