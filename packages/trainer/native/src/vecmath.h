// Small inline math shared by the kernels, written so that loops over it vectorise (no calls, no branches
// the compiler cannot turn into selects; the max with vector types).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

// x86-64 Linux builds with GCC get AVX-512 and AVX2 clones of the functions marked with this, picked when
// the addon loads (ifunc); elsewhere they are compiled once for the baseline target. The AVX2 clone is
// x86-64-v3 (AVX2 + FMA + BMI) where the compiler takes that (GCC 12+; scripts/build-native.mjs tries it
// first): each comma-separated entry is its own clone, so the older "avx2,fma" spelling gives an AVX2 clone
// without FMA (and an FMA clone without AVX2).
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#if defined(BREVITY_CLONES_X86_64_V3)
#define BREVITY_SIMD_CLONES __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#else
#define BREVITY_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2,fma", "default")))
#endif
#else
#define BREVITY_SIMD_CLONES
#endif

namespace brevity {

// expf for x <= 0 (softmax after subtracting the max): x = n ln2 + r with |r| <= ln2 / 2, e^r by its
// degree-6 Taylor polynomial, times 2^n built from bits. Relative error below 3e-7 (about 2 ulp; glibc's
// expf: 0.5 ulp); 0 below -87.3 (as expf, up to denormals); NaN stays NaN.
inline float exp_nonpositive(float x) {
  // round to nearest by adding and subtracting 1.5 * 2^23 (exact for |x log2 e| < 2^22; beyond that the
  // select below returns 0 anyway); unlike nearbyint this needs no SSE4.1 to vectorise
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187045e-06f;
  float e = 1.0f / 720;
  e = e * r + 1.0f / 120;
  e = e * r + 1.0f / 24;
  e = e * r + 1.0f / 6;
  e = e * r + 0.5f;
  e = e * r + 1.0f;
  e = e * r + 1.0f;
  const int32_t ni = static_cast<int32_t>(n < -126.0f ? -126.0f : n);
  const uint32_t bits = static_cast<uint32_t>(ni + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x < -87.33654f ? 0.0f : e * scale;
}

// Sum of n floats in double, four interleaved partial sums (independent chains).
inline double sum_double(const float *x, int64_t n) {
  double s[4] = {0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int l = 0; l < 4; l++) s[l] += x[j + l];
  for (; j < n; j++) s[0] += x[j];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// Four floats as one SSE/NEON register (GCC's vector extension, also in clang): the width every target has,
// so that no build lowers it element by element.
typedef float f32x4 __attribute__((vector_size(16)));

// max of n values (|values| with `abs`), NaN if any is NaN; -inf (0 with `abs`) for n = 0. Four vectors of
// lanes, because GCC will not vectorise a float max reduction without -ffast-math (it may not reorder it),
// not even one spelled out in lanes; a NaN is kept in lanes of its own.
template <bool abs = false>
inline float max_nan(const float *x, int64_t n) {
  const float lo = abs ? 0.0f : -INFINITY;
  f32x4 m[4], bad[4];
  for (int k = 0; k < 4; k++) {
    m[k] = f32x4{lo, lo, lo, lo};
    bad[k] = f32x4{};
  }
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    for (int k = 0; k < 4; k++) {
      f32x4 v;
      std::memcpy(&v, x + j + 4 * k, sizeof v);
      bad[k] = v != v ? v : bad[k];
      if (abs) v = v < 0 ? -v : v;
      m[k] = v > m[k] ? v : m[k];
    }
  float mx = lo;
  bool nan = false;
  for (; j < n; j++) {
    nan |= x[j] != x[j];
    const float v = abs ? std::fabs(x[j]) : x[j];
    mx = v > mx ? v : mx;
  }
  for (int k = 0; k < 4; k++)
    for (int l = 0; l < 4; l++) {
      nan |= bad[k][l] != bad[k][l];
      mx = m[k][l] > mx ? m[k][l] : mx;
    }
  return nan ? NAN : mx;
}

// out = softmax(x) over n values (x and out may be the same array): the max (NaN if any value is NaN, as
// tfjs), exp(x - max), the double sum, one division each.
inline void softmax_row(const float *x, float *out, int64_t n) {
  const float mx = max_nan(x, n);
  for (int64_t j = 0; j < n; j++) out[j] = exp_nonpositive(x[j] - mx);
  const float total = static_cast<float>(sum_double(out, n));
  for (int64_t j = 0; j < n; j++) out[j] = out[j] / total;
}

}  // namespace brevity
