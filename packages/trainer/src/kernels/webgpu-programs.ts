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

/** Shared helpers of the row programs: workgroup sum and max (all invocations must call them). */
function reductions(wg: number): string {
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

/** y = x / sqrt(mean(x^2) + eps) * g over rows of x [rows, cols]; g [cols]. */
export function rmsNormProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'rmsnorm',
    ['x', 'g'],
    [rows, cols],
    rows,
    cols,
    `
    let base = row * cols;
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { let v = x[base + j]; acc = acc + v * v; }
    let inv = 1.0 / sqrt(wgSum(acc, tid) / f32(cols) + uniforms.eps);
    if (live) {
      for (var j = tid; j < cols; j = j + WG) { result[base + j] = x[base + j] * inv * g[j]; }
    }`,
    'eps : f32,',
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
    `
    let base = row * cols;
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { let v = x[base + j]; acc = acc + v * v; }
    let inv = 1.0 / sqrt(wgSum(acc, tid) / f32(cols) + uniforms.eps);
    if (live && tid == 0) { result[row] = inv; }`,
    'eps : f32,',
  );
}

/** dx = r g dy - x r^3 / cols * sum(g dy x) per row, from r of rmsInverseProgram. */
export function rmsNormGradXProgram(rows: number, cols: number): WgslProgram {
  return rowProgram(
    'rmsgradx',
    ['x', 'g', 'dy', 'r'],
    [rows, cols],
    rows,
    cols,
    `
    let base = row * cols;
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { acc = acc + g[j] * dy[base + j] * x[base + j]; }
    let s = wgSum(acc, tid);
    let ri = r[row];
    let c = ri * ri * ri * s / f32(cols);
    if (live) {
      for (var j = tid; j < cols; j = j + WG) {
        result[base + j] = ri * g[j] * dy[base + j] - x[base + j] * c;
      }
    }`,
  );
}

/**
 * dg_j = sum_i dy_ij x_ij r_i: one workgroup per COLUMN j of x [n, cols] (here `rows` of the row program is
 * the number of columns, `cols` the number of rows summed over).
 */
export function rmsNormGradGProgram(n: number, cols: number): WgslProgram {
  return rowProgram(
    'rmsgradg',
    ['x', 'dy', 'r'],
    [cols],
    cols,
    n,
    `
    let width = uniforms.rows;
    var acc = 0.0;
    for (var i = tid; i < cols; i = i + WG) { acc = acc + dy[i * width + row] * x[i * width + row] * r[i]; }
    let s = wgSum(acc, tid);
    if (live && tid == 0) { result[row] = s; }`,
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
    let bbase = (b * uniforms.T + t) * cols;
    var m = -3.402823e+38f;
    for (var j = tid; j < cols; j = j + WG) { m = max(m, x[base + j] + bias[bbase + j]); }
    let mx = wgMax(m, tid);
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { acc = acc + exp(x[base + j] + bias[bbase + j] - mx); }
    let total = wgSum(acc, tid);
    if (live) {
      for (var j = tid; j < cols; j = j + WG) {
        result[base + j] = exp(x[base + j] + bias[bbase + j] - mx) / total;
      }
    }`,
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
    let base = row * cols;
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { acc = acc + dy[base + j] * y[base + j]; }
    let s = wgSum(acc, tid);
    if (live) {
      for (var j = tid; j < cols; j = j + WG) { result[base + j] = dy[base + j] * y[base + j] - s * y[base + j]; }
    }`,
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
    let base = row * cols;
    var m = -3.402823e+38f;
    for (var j = tid; j < cols; j = j + WG) { m = max(m, logits[base + j]); }
    let mx = wgMax(m, tid);
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { acc = acc + exp(logits[base + j] - mx); }
    let total = wgSum(acc, tid);
    if (live) {
      for (var j = tid; j < cols; j = j + WG) { result[base + j] = exp(logits[base + j] - mx) / total; }
    }`,
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
    let base = row * cols;
    var m = -3.402823e+38f;
    for (var j = tid; j < cols; j = j + WG) { m = max(m, logits[base + j]); }
    let mx = wgMax(m, tid);
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { acc = acc + exp(logits[base + j] - mx); }
    let lse = log(wgSum(acc, tid));
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

/** The sum of a [n] vector in one workgroup -> [1]. */
export function sumAllProgram(n: number): WgslProgram {
  return rowProgram(
    'sumall',
    ['v'],
    [1],
    1,
    n,
    `
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { acc = acc + v[j]; }
    let s = wgSum(acc, tid);
    if (live && tid == 0) { result[0] = s; }`,
  );
}

/** dlogits = (probs - onehot(t)) * w_i * dy, elementwise over [rows, cols]; dy a [1] or scalar tensor. */
export function crossEntropyGradProgram(rows: number, cols: number): WgslProgram {
  const wg = 64;
  return {
    variableNames: ['probs', 'targets', 'weights', 'dy'],
    outputShape: [rows, cols],
    shaderKey: 'brevity_cegrad',
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil((rows * cols) / wg), 1, 1],
    workgroupSize: [wg, 1, 1],
    uniforms: 'rows : i32, cols : i32,',
    getUserCode: () => `
  fn main(index : i32) {
    if (index < uniforms.rows * uniforms.cols) {
      let i = index / uniforms.cols;
      let j = index - i * uniforms.cols;
      var hit = 0.0;
      if (j == targets[i]) { hit = 1.0; }
      result[index] = (probs[index] - hit) * weights[i] * dy[0];
    }
  }`,
  };
}

/** Sums of squares of `chunks` contiguous chunks of x [n] (the first stage of a global norm) -> [chunks]. */
export function sumSquaresProgram(chunks: number, chunk: number): WgslProgram {
  return rowProgram(
    'sumsquares',
    ['x'],
    [chunks],
    chunks,
    chunk,
    `
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) {
      let i = row * cols + j;
      if (i < uniforms.n) { let v = x[i]; acc = acc + v * v; }
    }
    let s = wgSum(acc, tid);
    if (live && tid == 0) { result[row] = s; }`,
    'n : i32,',
  );
}

/** sqrt(sum(v)) of a [n] vector in one workgroup -> [1] (the second stage of a global norm). */
export function sqrtSumProgram(n: number): WgslProgram {
  return rowProgram(
    'sqrtsum',
    ['v'],
    [1],
    1,
    n,
    `
    var acc = 0.0;
    for (var j = tid; j < cols; j = j + WG) { acc = acc + v[j]; }
    let s = wgSum(acc, tid);
    if (live && tid == 0) { result[0] = sqrt(s); }`,
  );
}

/** An elementwise program over [n] with one invocation per element; `body` sees `i` and the uniforms. */
function elementwiseProgram(
  key: string,
  variableNames: string[],
  n: number,
  body: string,
  uniforms: string,
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
    getUserCode: () => `
  fn main(index : i32) {
    let i = index;
    if (i < uniforms.n) {
      ${body}
    }
  }`,
  };
}

/**
 * One Adam moment: beta * m + (1 - beta) * (g c)^power with the clip factor c = min(1, clip / (norm + 1e-6))
 * (c = 1 when clip <= 0); norm [1] is the global gradient norm.
 */
export function adamMomentProgram(n: number, power: 1 | 2): WgslProgram {
  const term = power === 1 ? 'gc' : 'gc * gc';
  return elementwiseProgram(
    `adammoment${power}`,
    ['g', 'm', 'norm'],
    n,
    `
      var c = 1.0;
      if (uniforms.clip > 0.0) { c = min(1.0, uniforms.clip / (norm[0] + 1e-6)); }
      let gc = g[i] * c;
      result[i] = m[i] * uniforms.beta + ${term} * (1.0 - uniforms.beta);`,
    'beta : f32, clip : f32,',
  );
}

/**
 * One parameter tensor's AdamW update from the flat moments at `offset`:
 * p - stepSize * m / (sqrt(v) + epsHat) - decay * p.
 */
export function adamParamProgram(n: number): WgslProgram {
  return elementwiseProgram(
    'adamparam',
    ['p', 'm', 'v'],
    n,
    `
      let k = uniforms.offset + i;
      let update = m[k] / (sqrt(v[k]) + uniforms.epsHat) * uniforms.stepSize;
      result[i] = p[i] - update - p[i] * uniforms.decay;`,
    'offset : i32, stepSize : f32, epsHat : f32, decay : f32,',
  );
}
