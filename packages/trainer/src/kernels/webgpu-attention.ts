/**
 * Causal self-attention of a training forward as WGSL programs: from the fused projection qkv [B*T, 3D]
 * (columns: queries, keys, values; head h at h*Dh within each) and an additive mask bias, to the heads'
 * outputs y [B*T, D] (head h at columns h*Dh), i.e. softmax(q k^T * scale + bias) v per head. One program
 * forward and two backward, where tfjs composes ~10 launches forward (split, transposes, two batched
 * matmuls, softmax) and ~15 backward. The attention weights are recomputed in the backward pass instead of
 * being kept from the forward.
 */
import { rowProgram, type WgslProgram } from './webgpu-programs.js';
import { readWrite } from './webgpu-read-write.js';

const pow2 = (n: number, min: number) => Math.max(min, 2 ** Math.ceil(Math.log2(Math.max(n, 1))));

/**
 * WGSL: the attention weights softmax(qs . k_s + bias) over slots s in [0, count) into sc (normalised), with
 * the scaled query in qs; `key` and `bias` are index expressions of s into the keys array `keys` and `bias`.
 * Every invocation must run it (it reduces over the workgroup).
 */
function scoresSoftmax(count: string, key: string, bias: string, keys = 'qkv'): string {
  return `
      var m = -3.402823e+38f;
      for (var s = tid; s < ${count}; s = s + WG) {
        let kbase = ${key};
        var acc = 0.0;
        for (var d = 0; d < Dh; d = d + 1) { acc = acc + qs[d] * ${keys}[kbase + d]; }
        let v = acc + bias[${bias}];
        sc[s] = v;
        m = max(m, v);
      }
      let mx = wgMax(m, tid);
      var sum = 0.0;
      for (var s = tid; s < ${count}; s = s + WG) { let e = exp(sc[s] - mx); sc[s] = e; sum = sum + e; }
      let inv = 1.0 / wgSum(sum, tid);
      for (var s = tid; s < ${count}; s = s + WG) { sc[s] = sc[s] * inv; }
      workgroupBarrier();`;
}

/** Shared declarations: index decomposition of a row (b, h, t) and the attention weights of that row. */
function attentionRow(T: number, Dh: number, withGradRow: boolean): string {
  const smax = pow2(T, 32);
  const dmax = pow2(Dh, 16);
  return `
    const SMAX = ${smax};
    const DMAX = ${dmax};
    var<workgroup> sc : array<f32, SMAX>;
    var<workgroup> qs : array<f32, DMAX>;
    ${withGradRow ? 'var<workgroup> dps : array<f32, SMAX>;\n    var<workgroup> dys : array<f32, DMAX>;' : ''}
    // Normalised attention weights of query row (b, h, t) into sc[0..T); every invocation must call it.
    fn weights(row : i32, tid : i32) {
      let T = uniforms.T;
      let H = uniforms.H;
      let Dh = uniforms.Dh;
      let D3 = 3 * H * Dh;
      let t = row % T;
      let bh = row / T;
      let h = bh % H;
      let b = bh / H;
      let brow = ((b % uniforms.biasBatches) * T + t) * T;
      let qbase = (b * T + t) * D3 + h * Dh;
      for (var d = tid; d < Dh; d = d + WG) { qs[d] = qkv[qbase + d] * uniforms.scale; }
      workgroupBarrier();
${scoresSoftmax('T', '(b * T + s) * D3 + H * Dh + h * Dh', 'brow + s')}
      workgroupBarrier();
    }`;
}

const attentionUniforms = 'T : i32, H : i32, Dh : i32, biasBatches : i32, scale : f32,';

/** WGSL: the weights of query row `row` into sc, and its (b, h, t) with the sizes T, H, Dh, D. */
const queryRow = `
    weights(row, tid);
    let T = uniforms.T;
    let H = uniforms.H;
    let Dh = uniforms.Dh;
    let D = H * Dh;
    let t = row % T;
    let h = (row / T) % H;
    let b = row / (T * H);`;

/** y [B*T, D] = softmax(q k^T * scale + bias) v, one workgroup per query row (b, h, t). */
export function attentionProgram(B: number, H: number, T: number, Dh: number): WgslProgram {
  const rows = B * H * T;
  return rowProgram(
    `attention_${pow2(T, 32)}_${pow2(Dh, 16)}`,
    ['qkv', 'bias'],
    [B * T, H * Dh],
    rows,
    T,
    `
${queryRow}
    for (var d = tid; d < Dh; d = d + WG) {
      var acc = 0.0;
      for (var s = 0; s < T; s = s + 1) { acc = acc + sc[s] * qkv[(b * T + s) * 3 * D + 2 * D + h * Dh + d]; }
      if (live) { result[(b * T + t) * D + h * Dh + d] = acc; }
    }`,
    attentionUniforms,
    attentionRow(T, Dh, false),
  );
}

/**
 * Backward, first half: per query row, the attention weights P and the gradient of the scaled scores
 * dS = P (dP - sum(P dP)) * scale with dP = dy v^T, packed as [2, B*H*T, T] (P, then dS).
 */
export function attentionGradScoresProgram(B: number, H: number, T: number, Dh: number): WgslProgram {
  const rows = B * H * T;
  return rowProgram(
    `attentiongrads_${pow2(T, 32)}_${pow2(Dh, 16)}`,
    ['qkv', 'bias', 'dy'],
    [2, rows, T],
    rows,
    T,
    `
${queryRow}
    for (var d = tid; d < Dh; d = d + WG) { dys[d] = dy[(b * T + t) * D + h * Dh + d]; }
    workgroupBarrier();
    var acc = 0.0;
    for (var s = tid; s < T; s = s + WG) {
      let vbase = (b * T + s) * 3 * D + 2 * D + h * Dh;
      var dp = 0.0;
      for (var d = 0; d < Dh; d = d + 1) { dp = dp + dys[d] * qkv[vbase + d]; }
      dps[s] = dp;
      acc = acc + sc[s] * dp;
    }
    let c = wgSum(acc, tid);
    if (live) {
      let n = uniforms.rows * T;
      for (var s = tid; s < T; s = s + WG) {
        result[row * T + s] = sc[s];
        result[n + row * T + s] = sc[s] * (dps[s] - c) * uniforms.scale;
      }
    }`,
    attentionUniforms,
    attentionRow(T, Dh, true),
  );
}

/**
 * Backward, second half: dqkv [B*T, 3D] from the packed P and dS, one invocation per (b, h, position r,
 * d): dq_r = sum_s dS[r, s] k_s, dk_r = sum_s dS[s, r] q_s, dv_r = sum_s P[s, r] dy_s.
 */
export function attentionGradQkvProgram(B: number, H: number, T: number, Dh: number): WgslProgram {
  const wg = 64;
  const n = B * H * T * Dh;
  return {
    variableNames: ['qkv', 'pds', 'dy'],
    outputShape: [B * T, 3 * H * Dh],
    shaderKey: 'brevity_attentiongradqkv',
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil(n / wg), 1, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: 'T : i32, H : i32, Dh : i32, n : i32, rows : i32,',
    getUserCode: () => `
  fn main(index : i32) {
    let T = uniforms.T;
    let H = uniforms.H;
    let Dh = uniforms.Dh;
    let D = H * Dh;
    if (index < uniforms.n) {
      let d = index % Dh;
      let row = index / Dh;
      let r = row % T;
      let bh = row / T;
      let h = bh % H;
      let b = bh / H;
      let rows = uniforms.rows;
      var dq = 0.0;
      var dk = 0.0;
      var dv = 0.0;
      for (var s = 0; s < T; s = s + 1) {
        let at = (b * T + s) * 3 * D + h * Dh + d;
        dq = dq + pds[rows * T + (bh * T + r) * T + s] * qkv[at + D];
        dk = dk + pds[rows * T + (bh * T + s) * T + r] * qkv[at];
        dv = dv + pds[(bh * T + s) * T + r] * dy[(b * T + s) * D + h * Dh + d];
      }
      let out = (b * T + r) * 3 * D + h * Dh + d;
      result[out] = dq;
      result[out + D] = dk;
      result[out + 2 * D] = dv;
    }
  }`,
  };
}

/**
 * One decode step over the packed cache kv [B, 2H, C, Dh] (keys in heads 0..H-1, values in H..2H-1; C slots)
 * IN PLACE: the workgroup of (b, h) writes the step's key and value from qkv [B, 3D] into slot `slot` (packed
 * head j is qkv's columns D + j*Dh: the keys, then the values, are contiguous there), then attends over
 * slots 0..slot: softmax(q . k_s * scale + bias[b, s]) . v -> [B, D]. Rows of the row program are the B*H
 * (b, h) pairs, its `cols` the slot + 1 slots attended.
 */
export function attendCacheProgram(B: number, H: number, C: number, Dh: number): WgslProgram {
  const smax = pow2(C, 32);
  const dmax = pow2(Dh, 16);
  return rowProgram(
    `attendcache_${smax}_${dmax}`,
    ['qkv', 'kv', 'bias'],
    [B, H * Dh],
    B * H,
    C,
    `
    let H = uniforms.H;
    let Dh = uniforms.Dh;
    let D = H * Dh;
    let C = uniforms.C;
    let b = row / H;
    let h = row % H;
    let kbase = (b * 2 * H + h) * C * Dh;
    let vbase = (b * 2 * H + H + h) * C * Dh;
    let at = uniforms.slot * Dh;
    if (live) {
      for (var d = tid; d < Dh; d = d + WG) {
        kv[kbase + at + d] = qkv[b * 3 * D + D + h * Dh + d];
        kv[vbase + at + d] = qkv[b * 3 * D + 2 * D + h * Dh + d];
      }
    }
    storageBarrier();
    for (var d = tid; d < Dh; d = d + WG) { qs[d] = qkv[b * 3 * D + h * Dh + d] * uniforms.scale; }
    workgroupBarrier();
${scoresSoftmax('cols', 'kbase + s * Dh', 'b * uniforms.biasStride + s', 'kv')}
    for (var d = tid; d < Dh; d = d + WG) {
      var acc = 0.0;
      for (var s = 0; s < cols; s = s + 1) { acc = acc + sc[s] * kv[vbase + s * Dh + d]; }
      if (live) { result[b * D + h * Dh + d] = acc; }
    }`,
    'H : i32, Dh : i32, biasStride : i32, scale : f32, C : i32, slot : i32,',
    `${readWrite(['kv'])}
    var<workgroup> sc : array<f32, ${smax}>;
    var<workgroup> qs : array<f32, ${dmax}>;`,
  );
}
