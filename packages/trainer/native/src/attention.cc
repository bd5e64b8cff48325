// Causal self-attention of a training forward and its gradient (fused.h: attention, attention_grad).
//
// Work goes per (batch, head): that head's queries (scaled), keys and values are first packed from the
// strided qkv rows into small contiguous scratch matrices (keys and values also transposed, columns padded
// to 16), then query rows are processed four at a time, so every key or value vector loaded feeds four
// multiply-adds from registers:
//   scores x = q k^T + bias (4 x 16 tiles over d), P = softmax(x) per row (softmax_row: vecmath.h),
//   forward:  y = P v;
//   backward: dP = dy v^T, dS = P dP - sum(P dP) P (softmax_grad's order), dq = scale dS k,
//             dk += dS^T q and dv += P^T dy (rank-4 updates of per-head accumulators).
// Causal rows stop early: a row's scores are computed up to the end of its mask's unmasked span (the block's
// longest, rounded up to a tile), and the masked tail is skipped only when it provably contributes exact
// zeros: its scores, bounded by Dh max|q| max|k|, plus its bias sit over 1000 below the row's max, so exp
// underflows to 0 as it would in the full row, and the values (and dy) are finite, so that no 0 * inf is
// missed. Otherwise (a fully masked row, NaN, infinities) the block of rows is computed in full. Not
// threaded, as the other fused kernels (BREVITY_THREADS splits the GEMM only).
#include <algorithm>
#include <cmath>
#include <vector>

#include "fused.h"
#include "vecmath.h"

namespace brevity {
namespace {

constexpr int kR = 4;                // query rows per block
constexpr int kW = 16;               // columns per tile (one AVX-512 vector, two AVX2 ones)
constexpr float kMaskFloor = -1e8f;  // bias at or below this counts as masked (MASKED = -1e9)
constexpr double kMargin = 1000.0;   // a skipped tail must sit this far below the row max

constexpr int64_t up(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

// One head's inputs packed contiguously: rows padded to kR, columns of the transposed ones to kW, head
// width to kW (padding is zero).
struct Head {
  int64_t T, Dh, Tq, Tp, Dp;
  std::vector<float> qs, kt, k, v, vt, dy, dk, dv;
  double bound = 0;    // Dh max|q| max|k| (1 + 1e-3) >= |q_t . k_s|; NaN or inf if q or k are not finite
  bool finite = true;  // k, v (and dy) finite: a masked tail may be skipped

  Head(int64_t T_, int64_t Dh_, bool grad)
      : T(T_), Dh(Dh_), Tq(up(T_, kR)), Tp(up(T_, kW)), Dp(up(Dh_, kW)), qs(Tq * Dp), kt(Dh * Tp), k(T * Dp),
        v(T * Dp) {
    if (!grad) return;
    vt.resize(Dh * Tp);
    dy.resize(Tq * Dp);
    dk.resize(T * Dp);
    dv.resize(T * Dp);
  }

  // Head h of batch b from qkv [B*T, 3D] (and of dy [B*T, D]).
  void pack(const float *qkv, const float *dyg, int64_t b, int64_t h, int64_t H, float scale) {
    const int64_t D = H * Dh;
    for (int64_t t = 0; t < T; t++) {
      const float *row = qkv + (b * T + t) * 3 * D + h * Dh;
      for (int64_t d = 0; d < Dh; d++) {
        qs[t * Dp + d] = row[d] * scale;
        k[t * Dp + d] = row[D + d];
        kt[d * Tp + t] = row[D + d];
        v[t * Dp + d] = row[2 * D + d];
      }
      if (dyg != nullptr) {
        const float *g = dyg + (b * T + t) * D + h * Dh;
        for (int64_t d = 0; d < Dh; d++) {
          dy[t * Dp + d] = g[d];
          vt[d * Tp + t] = row[2 * D + d];
        }
      }
    }
    const float kmax = max_nan<true>(k.data(), T * Dp);
    bound = static_cast<double>(Dh) * max_nan<true>(qs.data(), T * Dp) * kmax * (1.0 + 1e-3);
    finite = std::isfinite(kmax) && std::isfinite(max_nan<true>(v.data(), T * Dp)) &&
             (dyg == nullptr || std::isfinite(max_nan<true>(dy.data(), T * Dp)));
    if (dyg != nullptr) {
      std::fill(dk.begin(), dk.end(), 0.0f);
      std::fill(dv.begin(), dv.end(), 0.0f);
    }
  }
};

// out[i, 0..L) = a_i . bt[:, 0..L) for the kR rows a_i (row stride Dp) over depth Dh; bt is [Dh, Tp] with
// Tp >= up(L, kW). out has row stride Tp.
BREVITY_SIMD_CLONES void rows_times(const float *__restrict a, const float *__restrict bt, int64_t Dh,
                                    int64_t Dp, int64_t Tp, int64_t L, float *__restrict out) {
  for (int64_t s0 = 0; s0 < L; s0 += kW) {
    float c0[kW] = {}, c1[kW] = {}, c2[kW] = {}, c3[kW] = {};
    for (int64_t d = 0; d < Dh; d++) {
      const float *b = bt + d * Tp + s0;
      const float a0 = a[d], a1 = a[Dp + d], a2 = a[2 * Dp + d], a3 = a[3 * Dp + d];
      for (int l = 0; l < kW; l++) {
        c0[l] += a0 * b[l];
        c1[l] += a1 * b[l];
        c2[l] += a2 * b[l];
        c3[l] += a3 * b[l];
      }
    }
    for (int l = 0; l < kW; l++) {
      out[s0 + l] = c0[l];
      out[Tp + s0 + l] = c1[l];
      out[2 * Tp + s0 + l] = c2[l];
      out[3 * Tp + s0 + l] = c3[l];
    }
  }
}

// out[i, 0..Dp) = sum_{s < L} w[i, s] m[s, :] for the kR weight rows w (row stride Tp); m is [L, Dp].
BREVITY_SIMD_CLONES void weights_times(const float *__restrict w, const float *__restrict m, int64_t Tp,
                                       int64_t Dp, int64_t L, float *__restrict out) {
  for (int64_t d0 = 0; d0 < Dp; d0 += kW) {
    float c0[kW] = {}, c1[kW] = {}, c2[kW] = {}, c3[kW] = {};
    for (int64_t s = 0; s < L; s++) {
      const float *ms = m + s * Dp + d0;
      const float w0 = w[s], w1 = w[Tp + s], w2 = w[2 * Tp + s], w3 = w[3 * Tp + s];
      for (int l = 0; l < kW; l++) {
        c0[l] += w0 * ms[l];
        c1[l] += w1 * ms[l];
        c2[l] += w2 * ms[l];
        c3[l] += w3 * ms[l];
      }
    }
    for (int l = 0; l < kW; l++) {
      out[d0 + l] = c0[l];
      out[Dp + d0 + l] = c1[l];
      out[2 * Dp + d0 + l] = c2[l];
      out[3 * Dp + d0 + l] = c3[l];
    }
  }
}

// acc[s, :] += sum_i w[i, s] x_i over s < L: the rank-kR update of dk (w = dS, x = q) or dv (w = P, x = dy).
BREVITY_SIMD_CLONES void add_outer(const float *__restrict w, const float *__restrict x, int64_t Tp,
                                   int64_t Dp, int64_t L, float *__restrict acc) {
  for (int64_t d0 = 0; d0 < Dp; d0 += kW) {
    for (int64_t s = 0; s < L; s++) {
      float *as = acc + s * Dp + d0;
      const float w0 = w[s], w1 = w[Tp + s], w2 = w[2 * Tp + s], w3 = w[3 * Tp + s];
      for (int l = 0; l < kW; l++)
        as[l] += w0 * x[d0 + l] + w1 * x[Dp + d0 + l] + w2 * x[2 * Dp + d0 + l] + w3 * x[3 * Dp + d0 + l];
    }
  }
}

// One block [T, T] of the additive mask, copied with its rows padded to Tp by -inf (so whole 16-column tiles
// can be added, maxed and exponentiated; a padding column's weight is exp(-inf) = 0), and what lets a row
// skip its masked tail: per row, its span (1 + the last column above kMaskFloor; 0 when all are masked, T
// when any bias is NaN) and the suffix maxima of its bias (tail[t * (T + 1) + s] = max over columns
// s..T-1, -inf at s = T).
struct Mask {
  int64_t T, Tp;
  std::vector<float> bias, tail;
  std::vector<int64_t> span;

  Mask(int64_t T_) : T(T_), Tp(up(T_, kW)), bias(T_ * Tp, -INFINITY), tail(T_ * (T_ + 1)), span(T_) {}

  void load(const float *block) {
    for (int64_t t = 0; t < T; t++) {
      const float *br = block + t * T;
      std::copy(br, br + T, bias.data() + t * Tp);
      float *tr = tail.data() + t * (T + 1);
      tr[T] = -INFINITY;
      span[t] = 0;
      for (int64_t s = T - 1; s >= 0; s--) {
        tr[s] = br[s] != br[s] || tr[s + 1] != tr[s + 1] ? NAN : std::max(br[s], tr[s + 1]);
        if (span[t] == 0 && !(br[s] <= kMaskFloor)) span[t] = s + 1;
      }
      if (tr[0] != tr[0]) span[t] = T;  // a NaN bias: the whole row (all of it NaN, as the full softmax)
    }
  }
};

// The attention weights of query rows t0..t0+kR (n of them real) of one head into p [kR, Tp], each row
// softmaxed over columns 0..L with the mask of its batch; returns L (the columns from L on are zero).
BREVITY_SIMD_CLONES int64_t weights(const Head &hd, const Mask &mask, int64_t t0, int n,
                                    float *__restrict p) {
  const int64_t T = hd.T, Tp = hd.Tp;
  const int64_t *span = mask.span.data();
  int64_t L = 0;
  for (int i = 0; i < n; i++) L = std::max(L, span[t0 + i]);
  L = !hd.finite || L == 0 ? T : std::min(up(L, kW), T);
  int64_t Lv = up(L, kW);  // whole tiles; the columns from T on have bias -inf
  for (;;) {
    rows_times(hd.qs.data() + t0 * hd.Dp, hd.kt.data(), hd.Dh, hd.Dp, Tp, Lv, p);
    bool exact = true;
    for (int i = 0; i < n; i++) {
      float *__restrict pi = p + i * Tp;
      const float *__restrict bi = mask.bias.data() + (t0 + i) * Tp;
      for (int64_t s = 0; s < Lv; s++) pi[s] += bi[s];
      const float mx = max_nan(pi, Lv);  // NaN: the comparison below fails and the rows are taken whole
      const float tail = mask.tail[(t0 + i) * (T + 1) + L];
      exact &= static_cast<double>(tail) + hd.bound < static_cast<double>(mx) - kMargin;
    }
    if (exact || L == T) break;
    L = T;  // the tail may not vanish: the whole rows
    Lv = Tp;
  }
  for (int i = 0; i < n; i++) {
    float *pi = p + i * Tp;
    softmax_row(pi, pi, Lv);
    std::fill(pi + Lv, pi + Tp, 0.0f);
  }
  for (int i = n; i < kR; i++) std::fill(p + i * Tp, p + (i + 1) * Tp, 0.0f);
  return L;
}

// Gradients of one block of query rows t0..t0+n of head hd: dq written to dq_rows (row stride 3D), dk and
// dv accumulated into the head's accumulators. p, ds: [kR, Tp]; out: [kR, Dp].
BREVITY_SIMD_CLONES void attention_grad_rows(Head &hd, const Mask &mask, int64_t t0, int n, float scale,
                                             float *__restrict p, float *__restrict ds, float *__restrict out,
                                             float *dq_rows, int64_t D3) {
  const int64_t Tp = hd.Tp, Dp = hd.Dp;
  const int64_t L = weights(hd, mask, t0, n, p);
  rows_times(hd.dy.data() + t0 * Dp, hd.vt.data(), hd.Dh, Dp, Tp, L, ds);  // dP = dy v^T
  const int64_t Lv = up(L, kW);
  for (int i = 0; i < kR; i++) {
    float *dsi = ds + i * Tp;
    const float *pi = p + i * Tp;
    for (int64_t s = 0; s < Lv; s++) dsi[s] = dsi[s] * pi[s];
    const float c = static_cast<float>(sum_double(dsi, L));
    for (int64_t s = 0; s < Lv; s++) dsi[s] = dsi[s] - c * pi[s];
  }
  weights_times(ds, hd.k.data(), Tp, Dp, L, out);  // dS k
  for (int i = 0; i < n; i++)
    for (int64_t d = 0; d < hd.Dh; d++) dq_rows[i * D3 + d] = out[i * Dp + d] * scale;
  add_outer(ds, hd.qs.data() + t0 * Dp, Tp, Dp, L, hd.dk.data());
  add_outer(p, hd.dy.data() + t0 * Dp, Tp, Dp, L, hd.dv.data());
}

}  // namespace

void attention(const float *qkv, const float *bias, float *y, int64_t B, int64_t T, int64_t H, int64_t Dh,
               int64_t bias_batches, float scale) {
  if (B * T * H * Dh == 0) return;
  const int64_t D = H * Dh;
  Head hd(T, Dh, false);
  Mask mask(T);
  std::vector<float> p(kR * hd.Tp), out(kR * hd.Dp);
  for (int64_t b = 0; b < B; b++) {
    if (b < bias_batches) mask.load(bias + b * T * T);  // bias_batches is 1 or B
    for (int64_t h = 0; h < H; h++) {
      hd.pack(qkv, nullptr, b, h, H, scale);
      for (int64_t t0 = 0; t0 < T; t0 += kR) {
        const int n = static_cast<int>(std::min<int64_t>(kR, T - t0));
        const int64_t L = weights(hd, mask, t0, n, p.data());
        weights_times(p.data(), hd.v.data(), hd.Tp, hd.Dp, L, out.data());
        for (int i = 0; i < n; i++)
          std::copy(out.data() + i * hd.Dp, out.data() + i * hd.Dp + Dh, y + (b * T + t0 + i) * D + h * Dh);
      }
    }
  }
}

void attention_grad(const float *qkv, const float *bias, const float *dy, float *dqkv, int64_t B, int64_t T,
                    int64_t H, int64_t Dh, int64_t bias_batches, float scale) {
  if (B * T * H * Dh == 0) return;
  const int64_t D = H * Dh;
  Head hd(T, Dh, true);
  Mask mask(T);
  std::vector<float> p(kR * hd.Tp), ds(kR * hd.Tp), out(kR * hd.Dp);
  for (int64_t b = 0; b < B; b++) {
    if (b < bias_batches) mask.load(bias + b * T * T);  // bias_batches is 1 or B
    for (int64_t h = 0; h < H; h++) {
      hd.pack(qkv, dy, b, h, H, scale);
      for (int64_t t0 = 0; t0 < T; t0 += kR) {
        const int n = static_cast<int>(std::min<int64_t>(kR, T - t0));
        float *dq_rows = dqkv + (b * T + t0) * 3 * D + h * Dh;
        attention_grad_rows(hd, mask, t0, n, scale, p.data(), ds.data(), out.data(), dq_rows, 3 * D);
      }
      for (int64_t t = 0; t < T; t++) {
        float *row = dqkv + (b * T + t) * 3 * D + h * Dh;
        std::copy(hd.dk.data() + t * hd.Dp, hd.dk.data() + t * hd.Dp + Dh, row + D);
        std::copy(hd.dv.data() + t * hd.Dp, hd.dv.data() + t * hd.Dp + Dh, row + 2 * D);
      }
    }
  }
}

}  // namespace brevity
