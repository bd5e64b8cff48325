/** The native addon's exports (packages/trainer/native/src/addon.cc, addon_elementwise.cc, addon_fused.cc). */
export interface NativeAddon {
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aIdx: Int32Array | null,
    bIdx: Int32Array | null,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  info(): { impl: string; available: string[]; blas: string | null; threads: number; calls: number };
  setImpl(name: string): boolean;
  setThreads(n: number): void;
  tuneMalloc(): boolean;
  /** dst (contiguous, shape) = src[offset + sum idx[d] * strides[d]]. */
  copyStrided(src: Float32Array, dst: Float32Array, offset: number, shape: number[], strides: number[]): void;
  /** out = a op b over `shape`, reading a and b through strides (0 on broadcast dims). */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: number[],
    aStrides: number[],
    bStrides: number[],
  ): void;
  /** Softmax over the last axis of a [rows, cols] matrix. */
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** out[o] += x (or x / divisor when divisor != 0) for every x mapping to o through outStrides. */
  reduceSum(x: Float32Array, out: Float32Array, shape: number[], outStrides: number[], divisor: number): void;
  /** x as [batch, outer, dim, slice] gathered at indices [batch, n] on dim; false: index out of range. */
  gather(
    x: Float32Array,
    indices: Int32Array,
    out: Float32Array,
    batch: number,
    outer: number,
    dim: number,
    slice: number,
  ): boolean;
  /** op 0: relu, 1: step with alpha, 2: sqrt, 3: exp, 4: square, 5: rsqrt, 6: neg, 7: log. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /**
   * One decode step of attention (fused.h): writes each row's key and value from qkv [B, 3D] into the caches
   * (keys transposed [B, H, Dh, C], values [B, H, C, Dh]) at `slot`, then
   * out [B, D] = softmax(q * scale . K^T + bias) . V over slots 0..slot.
   */
  attendDecode(
    qkv: Float32Array,
    kCacheT: Float32Array,
    vCache: Float32Array,
    bias: Float32Array,
    out: Float32Array,
    B: number,
    H: number,
    Dh: number,
    C: number,
    slot: number,
    scale: number,
    biasStride: number,
  ): void;
  /** The in-place cache from prefill k, v [BH, P, Dh]: kT [BH, Dh, C] and vCache [BH, C, Dh], zero after P. */
  kvCacheInit(
    k: Float32Array,
    v: Float32Array,
    kT: Float32Array,
    vCache: Float32Array,
    BH: number,
    P: number,
    Dh: number,
    C: number,
  ): void;
  /**
   * y = softmax(x + bias) over rows of x [B, H, T, cols] (rows = B * H * T); bias: biasBatches blocks of
   * [T, cols], block b mod biasBatches for every head of batch b.
   */
  maskedSoftmax(
    x: Float32Array,
    bias: Float32Array,
    y: Float32Array,
    rows: number,
    cols: number,
    T: number,
    H: number,
    biasBatches: number,
  ): void;
  /** dx = dy * y - sum(dy * y) * y per row of [rows, cols]. */
  softmaxGrad(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  /** sum_i w_i * -log softmax(z_i)[t_i] over z [N, V]; writes softmax(z) into probs. */
  crossEntropy(
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    probs: Float32Array,
    N: number,
    V: number,
  ): number;
  /** dz = (probs - onehot(targets)) * weights * dy. */
  crossEntropyGrad(
    probs: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    dy: number,
    dz: Float32Array,
    N: number,
    V: number,
  ): void;
  /** y = x / sqrt(mean(x^2) + eps) * g over the rows of x [rows, cols]. */
  rmsNorm(x: Float32Array, g: Float32Array, y: Float32Array, rows: number, cols: number, eps: number): void;
  /** dx [rows, cols] and dg [cols] of rmsNorm from dy. */
  rmsNormGrad(
    x: Float32Array,
    g: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    dg: Float32Array,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /**
   * Causal self-attention of a training forward: y [B*T, D] = softmax(q k^T * scale + bias) v per head from
   * qkv [B*T, 3D] (queries, keys, values; head h at columns h*Dh of each); bias: biasBatches (1 or B) blocks
   * of [T, T].
   */
  attention(
    qkv: Float32Array,
    bias: Float32Array,
    y: Float32Array,
    B: number,
    T: number,
    H: number,
    Dh: number,
    biasBatches: number,
    scale: number,
  ): void;
  /** Its gradient dqkv [B*T, 3D] from dy [B*T, D] (the attention weights recomputed). */
  attentionGrad(
    qkv: Float32Array,
    bias: Float32Array,
    dy: Float32Array,
    dqkv: Float32Array,
    B: number,
    T: number,
    H: number,
    Dh: number,
    biasBatches: number,
    scale: number,
  ): void;
}
