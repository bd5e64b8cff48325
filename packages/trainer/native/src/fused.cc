// Fused model kernels (fused.h).
#include "fused.h"
#include "vecmath.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace brevity {


namespace {

// out[0..n) = sum_j w[j] * v[j * n ..] over j < S, in 16-column blocks with four independent partial sums
// (rows j = 0, 1, 2, 3 mod 4) so that consecutive rows do not wait on each other.
inline void weighted_rows(const float *__restrict w, const float *__restrict v, int64_t S, int64_t n,
                          float *__restrict out) {
  constexpr int kW = 16;
  for (int64_t d0 = 0; d0 < n; d0 += kW) {
    const int64_t width = n - d0 < kW ? n - d0 : kW;
    float a0[kW] = {}, a1[kW] = {}, a2[kW] = {}, a3[kW] = {};
    const float *col = v + d0;
    int64_t j = 0;
    if (width == kW) {
      for (; j + 4 <= S; j += 4)
        for (int l = 0; l < kW; l++) {
          a0[l] += w[j] * col[j * n + l];
          a1[l] += w[j + 1] * col[(j + 1) * n + l];
          a2[l] += w[j + 2] * col[(j + 2) * n + l];
          a3[l] += w[j + 3] * col[(j + 3) * n + l];
        }
    }
    for (; j < S; j++)
      for (int64_t l = 0; l < width; l++) a0[l] += w[j] * col[j * n + l];
    for (int64_t l = 0; l < width; l++) out[d0 + l] = (a0[l] + a1[l]) + (a2[l] + a3[l]);
  }
}

}  // namespace

BREVITY_SIMD_CLONES void attend_decode(const float *qkv, float *kc, float *vc, const float *bias, float *out,
                                       int64_t B, int64_t H, int64_t Dh, int64_t C, int64_t slot, float scale,
                                       int64_t bias_stride) {
  const int64_t D = H * Dh, S = slot + 1;
  std::vector<float> qbuf(Dh), pbuf(S);
  float *__restrict q = qbuf.data();
  float *__restrict p = pbuf.data();
  for (int64_t b = 0; b < B; b++) {
    const float *row = qkv + b * 3 * D;
    const float *mask = bias + b * bias_stride;
    for (int64_t h = 0; h < H; h++) {
      float *kt = kc + (b * H + h) * Dh * C;  // keys transposed: [Dh, C]
      float *v = vc + (b * H + h) * C * Dh;   // values: [C, Dh]
      for (int64_t d = 0; d < Dh; d++) kt[d * C + slot] = row[D + h * Dh + d];
      std::memcpy(v + slot * Dh, row + 2 * D + h * Dh, Dh * sizeof(float));
      for (int64_t d = 0; d < Dh; d++) q[d] = row[h * Dh + d] * scale;
      // scores q . K^T as Dh axpys over the slots, + mask, softmax (as the native Softmax kernel), then the
      // weighted sum of the values
      for (int64_t j = 0; j < S; j++) p[j] = 0.0f;
      for (int64_t d = 0; d < Dh; d++) {
        const float qd = q[d];
        const float *__restrict kd = kt + d * C;
        for (int64_t j = 0; j < S; j++) p[j] += qd * kd[j];
      }
      for (int64_t j = 0; j < S; j++) p[j] += mask[j];
      softmax_row(p, p, S);
      weighted_rows(p, v, S, Dh, out + b * D + h * Dh);
    }
  }
}

void kv_cache_init(const float *k, const float *v, float *kt, float *vc, int64_t BH, int64_t P, int64_t Dh,
                   int64_t C) {
  std::memset(kt, 0, sizeof(float) * BH * Dh * C);
  std::memset(vc, 0, sizeof(float) * BH * C * Dh);
  for (int64_t m = 0; m < BH; m++) {
    const float *km = k + m * P * Dh;
    float *ktm = kt + m * Dh * C;
    for (int64_t s = 0; s < P; s++)
      for (int64_t d = 0; d < Dh; d++) ktm[d * C + s] = km[s * Dh + d];
    std::memcpy(vc + m * C * Dh, v + m * P * Dh, sizeof(float) * P * Dh);
  }
}

BREVITY_SIMD_CLONES void masked_softmax(const float *x, const float *bias, float *y, int64_t rows,
                                        int64_t cols, int64_t T, int64_t H, int64_t bias_batches) {
  for (int64_t r = 0; r < rows; r++) {
    const int64_t t = r % T, batch = (r / (H * T)) % bias_batches;
    const float *xr = x + r * cols, *br = bias + (batch * T + t) * cols;
    float *yr = y + r * cols;
    for (int64_t j = 0; j < cols; j++) yr[j] = xr[j] + br[j];
    softmax_row(yr, yr, cols);
  }
}

BREVITY_SIMD_CLONES void softmax_grad(const float *y, const float *dy, float *dx, int64_t rows,
                                      int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    float *dxr = dx + r * cols;
    for (int64_t j = 0; j < cols; j++) dxr[j] = dyr[j] * yr[j];
    const float s = static_cast<float>(sum_double(dxr, cols));
    for (int64_t j = 0; j < cols; j++) dxr[j] = dxr[j] - s * yr[j];
  }
}

double cross_entropy(const float *z, const int32_t *t, const float *w, float *probs, int64_t N, int64_t V) {
  double loss = 0;
  for (int64_t i = 0; i < N; i++) {
    const float *zi = z + i * V;
    float *pi = probs + i * V;
    float mx = -INFINITY;
    for (int64_t j = 0; j < V; j++) mx = zi[j] > mx || std::isnan(zi[j]) ? zi[j] : mx;
    double s = 0;
    for (int64_t j = 0; j < V; j++) s += std::exp(static_cast<double>(zi[j] - mx));
    const float lse = static_cast<float>(std::log(s));
    for (int64_t j = 0; j < V; j++) pi[j] = static_cast<float>(std::exp(static_cast<double>((zi[j] - mx) - lse)));
    if (t[i] >= 0 && t[i] < V) loss += static_cast<double>(w[i]) * -static_cast<double>((zi[t[i]] - mx) - lse);
  }
  return loss;
}

void cross_entropy_grad(const float *probs, const int32_t *t, const float *w, float dy, float *dz, int64_t N,
                        int64_t V) {
  for (int64_t i = 0; i < N; i++) {
    const float scale = w[i] * dy;
    for (int64_t j = 0; j < V; j++) dz[i * V + j] = (probs[i * V + j] - (j == t[i] ? 1.0f : 0.0f)) * scale;
  }
}

void rms_norm(const float *x, const float *g, float *y, int64_t rows, int64_t cols, float eps) {
  const float n = static_cast<float>(cols);
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    // tfjs: mean(square(x)) (each square divided by cols, summed in double), + eps, rsqrt, * x, * g
    double acc = 0;
    for (int64_t i = 0; i < cols; i++) acc += (xr[i] * xr[i]) / n;
    const float ms = static_cast<float>(acc) + eps;
    const float inv = static_cast<float>(1.0 / std::sqrt(static_cast<double>(ms)));
    for (int64_t i = 0; i < cols; i++) yr[i] = (xr[i] * inv) * g[i];
  }
}

void rms_norm_grad(const float *x, const float *g, const float *dy, float *dx, float *dg, int64_t rows,
                   int64_t cols, float eps) {
  // y_i = x_i r g_i with r = (mean(x^2) + eps)^-1/2:
  //   dx_i = r g_i dy_i - x_i r^3 / cols * sum_j g_j dy_j x_j;  dg_i = sum over rows of dy_i x_i r
  std::vector<double> acc_g(cols, 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols, *dyr = dy + r * cols;
    float *dxr = dx + r * cols;
    double ss = 0, dot = 0;
    for (int64_t i = 0; i < cols; i++) {
      ss += static_cast<double>(xr[i]) * xr[i];
      dot += static_cast<double>(g[i]) * dyr[i] * xr[i];
    }
    const double inv = 1.0 / std::sqrt(ss / cols + eps);
    const double c = inv * inv * inv * dot / cols;
    for (int64_t i = 0; i < cols; i++) {
      dxr[i] = static_cast<float>(inv * g[i] * dyr[i] - xr[i] * c);
      acc_g[i] += static_cast<double>(dyr[i]) * xr[i] * inv;
    }
  }
  for (int64_t i = 0; i < cols; i++) dg[i] = static_cast<float>(acc_g[i]);
}

}  // namespace brevity
