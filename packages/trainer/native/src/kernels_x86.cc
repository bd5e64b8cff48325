// AVX2/FMA and AVX-512 micro-kernels, compiled with per-function target attributes so the addon runs on
// any x86-64 CPU and picks the widest kernel the CPU supports at run time.
#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace brevity {
namespace {

// 6 x 16 tile: 12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of 16 registers.
__attribute__((target("avx2,fma"))) void ukr_avx2_6x16(int k, const float *a, const float *b, float *c,
                                                        long ldc, bool accumulate) {
  __m256 acc[6][2];
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int p = 0; p < k; p++) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += 6;
    b += 16;
  }
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) {
    float *ci = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
      acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, acc[i][0]);
    _mm256_storeu_ps(ci + 8, acc[i][1]);
  }
}

// 12 x 32 tile: 24 zmm accumulators + 2 B vectors + 1 broadcast = 27 of 32 registers.
__attribute__((target("avx512f"))) void ukr_avx512_12x32(int k, const float *a, const float *b, float *c,
                                                          long ldc, bool accumulate) {
  __m512 acc[12][2];
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int p = 0; p < k; p++) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += 12;
    b += 32;
  }
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) {
    float *ci = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(ci));
      acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, acc[i][0]);
    _mm512_storeu_ps(ci + 16, acc[i][1]);
  }
}

const MicroKernel kAvx2{"avx2", 6, 16, ukr_avx2_6x16};
const MicroKernel kAvx512{"avx512", 12, 32, ukr_avx512_12x32};

}  // namespace

const MicroKernel *kernel_avx2() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &kAvx2 : nullptr;
}

const MicroKernel *kernel_avx512() { return __builtin_cpu_supports("avx512f") ? &kAvx512 : nullptr; }

}  // namespace brevity

#else

namespace brevity {
const MicroKernel *kernel_avx2() { return nullptr; }
const MicroKernel *kernel_avx512() { return nullptr; }
}  // namespace brevity

#endif
