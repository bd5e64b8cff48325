/**
 * WGSL programs for the fused model kernels on tfjs' webgpu backend (registered by kernels/webgpu-fused.ts).
 * Each program follows tfjs-backend-webgpu's program contract: tfjs declares the bindings (`result`, one
 * read-only storage array per input, named as in `variableNames`, and `uniforms` with the program's own
 * fields appended), and calls `main(index)` with the flat global invocation index.
 *
 * Row programs run one workgroup of WG invocations per row and reduce in workgroup memory; every
 * invocation reaches every barrier (rows past the end, from a dispatch tfjs reshaped to fit the per-dimension
 * limit, compute on clamped indices and write nothing), so control flow stays uniform as WGSL requires.
 */

import { readWrite } from './webgpu-read-write.js';

/** The subset of tfjs-backend-webgpu's `WebGPUProgram` these programs fill in (its type needs @webgpu/types). */
export interface WgslProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  getUserCode(): string;
}

/** One program-defined uniform value, in the order of the program's `uniforms` declaration. */
export interface UniformValue {
  type: 'int32' | 'float32';
  data: number[];
}

/** Workgroup size of the row programs: 64 for short rows, 256 for long ones. */
export const rowWorkgroup = (cols: number): number => (cols >= 1024 ? 256 : 64);

/**
 * Shared helpers of the row programs: workgroup sum and max (all invocations must call them). On Mesa's
 * llvmpipe (22.3, the software adapter the tests run on) a value computed from one reduction and kept across
 * a later one came out wrong for invocations 8 and up (e.g. 1 / sqrt(sum) computed before a second wgSum);
 * the reduction results themselves survive. So the programs derive such values after their last reduction.
 */
export function reductions(wg: number): string {
  return `
  const WG = ${wg};
  var<workgroup> red : array<f32, ${wg}>;
  fn wgSum(v : f32, tid : i32) -> f32 {
    red[tid] = v;
    workgroupBarrier();
    for (var s = WG / 2; s > 0; s = s / 2) {
      if (tid < s) { red[tid] = red[tid] + red[tid + s]; }
      workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
  }
  fn wgMax(v : f32, tid : i32) -> f32 {
    red[tid] = v;
    workgroupBarrier();
    for (var s = WG / 2; s > 0; s = s / 2) {
      if (tid < s) { red[tid] = max(red[tid], red[tid + s]); }
      workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
  }`;
}

/**
 * A program with one workgroup per row of a [rows, cols] problem. `body` is WGSL run by every invocation with
 * `row` (clamped into range), `live` (false on padding workgroups), `tid`, and the uniforms `rows`, `cols`
 * plus `extra` ones; `decls` are module-scope WGSL declarations it uses. The key must name everything the
 * code bakes in: tfjs caches pipelines by key, input ranks and dtypes only.
 */
export function rowProgram(
  key: string,
  variableNames: string[],
  outputShape: number[],
  rows: number,
  cols: number,
  body: string,
  extraUniforms = '',
  decls = '',
): WgslProgram {
  const wg = rowWorkgroup(cols);
  return {
    variableNames,
    outputShape,
    shaderKey: `brevity_${key}_${wg}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.max(rows, 1), 1, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: `rows : i32, cols : i32, ${extraUniforms}`,
    getUserCode: () => `
  ${reductions(wg)}
  ${decls}
  fn main(index : i32) {
    let tid = i32(localId.x);
    let rawRow = index / WG;
    let live = rawRow < uniforms.rows;
    let row = min(rawRow, uniforms.rows - 1);
    let cols = uniforms.cols;
    ${body}
  }`,
  };
}

/** Uniforms of a row program: rows, cols, then `extra`. */
export const rowUniforms = (rows: number, cols: number, ...extra: UniformValue[]): UniformValue[] => [
  { type: 'int32', data: [rows] },
  { type: 'int32', data: [cols] },
  ...extra,
];

/** WGSL: `name` = the workgroup's sum over j in [0, cols) of `term` (an expression of j). */
const rowSum = (name: string, term: string): string => `
    var ${name}Part = 0.0;
    for (var j = tid; j < cols; j = j + WG) { ${name}Part = ${name}Part + ${term}; }
    let ${name} = wgSum(${name}Part, tid);`;

/** WGSL: `mx` = the row's max of `value` (an expression of j) and `total` = sum of exp(value - mx). */
const rowSoftmaxStats = (value: string): string => `
    var m = -3.402823e+38f;
    for (var j = tid; j < cols; j = j + WG) { m = max(m, ${value}); }
    let mx = wgMax(m, tid);${rowSum('total', `exp(${value} - mx)`)}`;

/** WGSL: `inv` = 1 / sqrt(mean over the row of x^2 + eps), with `base` the row's offset. */
const rmsInverse = `
    let base = row * cols;${rowSum('ss', 'x[base + j] * x[base + j]')}
    let inv = 1.0 / sqrt(ss / f32(cols) + uniforms.eps);`;

/** WGSL: when live, result[base + j] = `value` (an expression of j) over the row. */
const writeRow = (value: string): string => `
    if (live) {
      for (var j = tid; j < cols; j = j + WG) { result[base + j] = ${value}; }
    }`;

/** y = x / sqrt(mean(x^2) + eps) * g over rows of x [rows, cols]; g [cols]. */
export function rmsNormProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'rmsnorm',
    ['x', 'g'],
    [rows, cols],
    rows,
    cols,
    `${rmsInverse}${writeRow('x[base + j] * inv * g[j]')}`,
    'eps : f32,',
  );
}

/** rmsNormProgram that also writes each row's r = 1 / sqrt(mean(x^2) + eps) into its input r [rows], in place. */
export function rmsNormTrainProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'rmsnormtrain',
    ['x', 'g', 'r'],
    [rows, cols],
    rows,
    cols,
    `${rmsInverse}${writeRow('x[base + j] * inv * g[j]')}
    if (live && tid == 0) { r[row] = inv; }`,
    'eps : f32,',
    readWrite(['r']),
  );
}

/** r = 1 / sqrt(mean(x^2) + eps) per row of x [rows, cols] -> [rows]. */
export function rmsInverseProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'rmsinv',
    ['x'],
    [rows],
    rows,
    cols,
    `${rmsInverse}
    if (live && tid == 0) { result[row] = inv; }`,
    'eps : f32,',
  );
}

/**
 * RMSNorm's backward in one launch, from r of rmsInverseProgram: workgroups 0..n-1 write the rows of
 * dx = r g dy - x r^3 / cols * sum(g dy x) (plus the input dres, x's gradient from the residual connection,
 * with `residual`: no separate add sums the two), and workgroups n..n+cols-1 the columns of
 * dg_j = sum_i dy_ij x_ij r_i into the input dg, in place. Each workgroup runs one reduction, over its row's
 * cols or its column's n entries, so both halves share the program's single wgSum (uniform control flow).
 * Uniforms: rows = n + cols (workgroups), cols, n.
 */
export function rmsNormGradProgram(n: number, cols: number, residual = false): WgslProgram {
  return rowProgram(
    residual ? 'rmsgradres' : 'rmsgrad',
    ['x', 'g', 'dy', 'r', 'dg', ...(residual ? ['dres'] : [])],
    [n, cols],
    n + cols,
    Math.max(n, cols),
    `
    let n = uniforms.n;
    let isDx = row < n;
    let base = row * cols;
    let col = row - n;
    var part = 0.0;
    if (isDx) {
      for (var j = tid; j < cols; j = j + WG) { part = part + g[j] * dy[base + j] * x[base + j]; }
    } else {
      for (var i = tid; i < n; i = i + WG) { part = part + dy[i * cols + col] * x[i * cols + col] * r[i]; }
    }
    let s = wgSum(part, tid);
    if (live && isDx) {
      let ri = r[row];
      let c = ri * ri * ri * s / f32(cols);
      for (var j = tid; j < cols; j = j + WG) {
        result[base + j] = ri * g[j] * dy[base + j] - x[base + j] * c${residual ? ' + dres[base + j]' : ''};
      }
    }
    if (live && !isDx && tid == 0) { dg[col] = s; }`,
    'n : i32,',
    readWrite(['dg']),
  );
}

/**
 * softmax(x + bias) over the last axis of x [B, H, T, S] (rows = B*H*T); bias [T, S] (biasBatches 1) or
 * [B, 1, T, S] (biasBatches B). Rows whose every entry is masked to -Infinity give NaN, as tf.softmax does.
 */
export function maskedSoftmaxProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'maskedsoftmax',
    ['x', 'bias'],
    [rows, cols],
    rows,
    cols,
    `
    let base = row * cols;
    let t = row % uniforms.T;
    let b = (row / (uniforms.H * uniforms.T)) % uniforms.biasBatches;
    let bbase = (b * uniforms.T + t) * cols;${rowSoftmaxStats('(x[base + j] + bias[bbase + j])')}${writeRow('exp(x[base + j] + bias[bbase + j] - mx) / total')}`,
    'T : i32, H : i32, biasBatches : i32,',
  );
}

/** dx = dy y - y sum(dy y) over the last axis (the gradient of softmax with output y). */
export function softmaxGradProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'softmaxgrad',
    ['y', 'dy'],
    [rows, cols],
    rows,
    cols,
    `
    let base = row * cols;${rowSum('s', 'dy[base + j] * y[base + j]')}${writeRow('dy[base + j] * y[base + j] - s * y[base + j]')}`,
  );
}

/** softmax(logits) per row of [rows, cols]. */
export function softmaxRowsProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'softmaxrows',
    ['logits'],
    [rows, cols],
    rows,
    cols,
    `
    let base = row * cols;${rowSoftmaxStats('logits[base + j]')}${writeRow('exp(logits[base + j] - mx) / total')}`,
  );
}

/** w_i * -log softmax(logits_i)[t_i] per row (0 when t_i is outside [0, cols)), as [rows]. */
export function weightedNllProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'weightednll',
    ['logits', 'targets', 'weights'],
    [rows],
    rows,
    cols,
    `
    let base = row * cols;${rowSoftmaxStats('logits[base + j]')}
    let lse = log(total);
    let t = targets[row];
    if (live && tid == 0) {
      if (t >= 0 && t < cols) {
        result[row] = weights[row] * (lse - (logits[base + t] - mx));
      } else {
        result[row] = 0.0;
      }
    }`,
  );
}

/** The sum of a [n] vector in one workgroup -> [1]; its square root with `sqrt` (a global norm's 2nd stage). */
export function sumAllProgram(n: number, sqrt = false): WgslProgram {
  return rowProgram(
    sqrt ? 'sqrtsum' : 'sumall',
    ['v'],
    [1],
    1,
    n,
    `${rowSum('s', 'v[j]')}
    if (live && tid == 0) { result[0] = ${sqrt ? 'sqrt(s)' : 's'}; }`,
  );
}

/**
 * An elementwise program over [n] with one invocation per element; `body` sees `i` and the uniforms, `decls`
 * are module-scope WGSL it uses.
 */
export function elementwiseProgram(
  key: string,
  variableNames: string[],
  n: number,
  body: string,
  uniforms: string,
  decls = '',
): WgslProgram {
  const wg = 64;
  return {
    variableNames,
    outputShape: [n],
    shaderKey: `brevity_${key}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(n / wg), 1, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: `n : i32, ${uniforms}`,
    getUserCode: () => `${decls}
  fn main(index : i32) {
    let i = index;
    if (i < uniforms.n) {
      ${body}
    }
  }`,
  };
}

/** dlogits = (probs - onehot(t)) * w_i * dy, elementwise over [rows * cols]; dy a [1] or scalar tensor. */
export function crossEntropyGradProgram(rows: number, cols: number): WgslProgram {
  return elementwiseProgram(
    'cegrad',
    ['probs', 'targets', 'weights', 'dy'],
    rows * cols,
    `
      let row = i / uniforms.cols;
      let hit = select(0.0, 1.0, i - row * uniforms.cols == targets[row]);
      result[i] = (probs[i] - hit) * weights[row] * dy[0];`,
    'cols : i32,',
  );
}

/** dy where y > 0, else 0, elementwise over [n] (the ReLU's gradient from its output). */
export function reluGradProgram(n: number): WgslProgram {
  return elementwiseProgram('relugrad', ['y', 'dy'], n, 'result[i] = select(0.0, dy[i], y[i] > 0.0);', '');
}

/** WGSL: the row's softmax statistics of z_j = logits[base + j] / temperature (`mx`, `total`). */
const scaledStats = `
    let base = row * cols;${rowSoftmaxStats('(logits[base + j] / uniforms.temp)')}`;

/** log softmax(logits / temperature)[t] per row -> [rows] (0 for a target outside [0, cols)). */
export function tokenLogprobProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'tokenlogprob',
    ['logits', 'targets'],
    [rows],
    rows,
    cols,
    `${scaledStats}
    let t = targets[row];
    if (live && tid == 0) {
      result[row] = select(0.0, logits[base + min(max(t, 0), cols - 1)] / uniforms.temp - mx - log(total),
                           t >= 0 && t < cols);
    }`,
    'temp : f32,',
  );
}

/** d/dlogits of dy_i * logprob_i: dy_i (onehot_t - p) / temperature per row (0 without a valid target). */
export function tokenLogprobGradProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'tokenlogprobgrad',
    ['logits', 'targets', 'dy'],
    [rows, cols],
    rows,
    cols,
    `${scaledStats}
    let t = targets[row];
    let g = select(0.0, dy[row] / uniforms.temp, t >= 0 && t < cols);${writeRow(
      'g * (select(0.0, 1.0, j == t) - exp(logits[base + j] / uniforms.temp - mx) / total)',
    )}`,
    'temp : f32,',
  );
}

/** The entropy of softmax(logits / temperature) per row: log(total) - sum_j p_j (z_j - mx) -> [rows]. */
export function tokenEntropyProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'tokenentropy',
    ['logits'],
    [rows],
    rows,
    cols,
    `${scaledStats}${rowSum('pz', '(exp(logits[base + j] / uniforms.temp - mx) / total) * (logits[base + j] / uniforms.temp - mx)')}
    if (live && tid == 0) { result[row] = log(total) - pz; }`,
    'temp : f32,',
  );
}

/** d/dlogits of dy_i * H_i: -dy_i p_j (log p_j + H_i) / temperature. */
export function tokenEntropyGradProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'tokenentropygrad',
    ['logits', 'dy'],
    [rows, cols],
    rows,
    cols,
    `${scaledStats}${rowSum('pz', '(exp(logits[base + j] / uniforms.temp - mx) / total) * (logits[base + j] / uniforms.temp - mx)')}
    let lse = log(total);
    let h = lse - pz;
    let g = dy[row] / uniforms.temp;${writeRow(
      '-g * exp(logits[base + j] / uniforms.temp - mx - lse) * (logits[base + j] / uniforms.temp - mx - lse + h)',
    )}`,
    'temp : f32,',
  );
}

/**
 * The gradients of embedProgram: result [V, D] (the token table's) and, written in place into the input
 * dPos [C, D], the position table's; each of the (V + C) x D invocations sums the dy entries of the rows whose
 * token (or position) is its row.
 */
export function embedGradProgram(V: number, C: number, D: number): WgslProgram {
  const program = elementwiseProgram(
    'embedgrad',
    ['dy', 'tokens', 'positions', 'dPos'],
    (V + C) * D,
    `${readWrite(['dPos'])}
      let row = i / uniforms.cols;
      let d = i - row * uniforms.cols;
      var acc = 0.0;
      if (row < uniforms.vocab) {
        for (var n = 0; n < uniforms.rows; n = n + 1) {
          if (tokens[n] == row) { acc = acc + dy[n * uniforms.cols + d]; }
        }
        result[i] = acc;
      } else {
        let c = row - uniforms.vocab;
        for (var n = 0; n < uniforms.rows; n = n + 1) {
          if (positions[n] == c) { acc = acc + dy[n * uniforms.cols + d]; }
        }
        dPos[c * uniforms.cols + d] = acc;
      }`,
    'cols : i32, vocab : i32, rows : i32,',
  );
  return { ...program, outputShape: [V, D] }; // invocations for both tables, an output for the first
}

/** tokEmb[tokens[i]] + posEmb[positions[i]] for rows i of [rows, cols] (ids clamped into range). */
export function embedProgram(rows: number, cols: number): WgslProgram {
  return elementwiseProgram(
    'embed',
    ['tokEmb', 'posEmb', 'tokens', 'positions'],
    rows * cols,
    `
      let row = i / uniforms.cols;
      let d = i - row * uniforms.cols;
      let t = clamp(tokens[row], 0, uniforms.vocab - 1);
      let p = clamp(positions[row], 0, uniforms.ctx - 1);
      result[i] = tokEmb[t * uniforms.cols + d] + posEmb[p * uniforms.cols + d];`,
    'cols : i32, vocab : i32, ctx : i32,',
  );
}
