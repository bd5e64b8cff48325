// Shared declarations of the native sgemm: micro-kernels, the packed (BLIS-style) driver, the batched
// front end with its thread split, and the optional system BLAS loaded at run time.
#pragma once
#include <cstdint>

namespace brevity {

// Computes an mr x nr tile C = A_panel * B_panel (accumulate: C += ...). a holds k groups of mr floats,
// b holds k groups of nr floats (both packed, 64-byte aligned); C is row-major with row stride ldc.
using MicroKernelFn = void (*)(int k, const float *a, const float *b, float *c, long ldc, bool accumulate);

struct MicroKernel {
  const char *name;
  int mr;
  int nr;
  MicroKernelFn fn;
};

// nullptr when the CPU (or compiler) lacks the instructions.
const MicroKernel *kernel_avx512();
const MicroKernel *kernel_avx2();
const MicroKernel *kernel_portable();

// Element (i, j) of a strided matrix view is p[i * rs + j * cs].
struct MatView {
  const float *p;
  long rs;
  long cs;
};

// C[m x n] (row-major, row stride ldc) = A[m x k] * B[k x n] with the vendored packed GEMM.
void gemm_packed(const MicroKernel &mk, int m, int n, int k, MatView a, MatView b, float *c, long ldc);

// The same product for a few rows (decode steps: one query row per head), without packing: axpy over the
// rows of B, or dot products with 8 partial sums when B is read transposed.
void gemm_small(int m, int n, int k, MatView a, MatView b, float *c, long ldc);
constexpr int kSmallRows = 3;  // at most this many rows take gemm_small

// Activations of tfjs' _FusedMatMul that run natively after the product (prelu stays in JS).
enum Activation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kElu = 4, kSigmoid = 5 };

struct Epilogue {
  const float *bias;  // length n (broadcast over rows) or nullptr
  int act;
  float alpha;  // leakyrelu slope
};

void apply_epilogue(float *c, int rows, int n, const Epilogue &ep);

// cblas_sgemm from a system BLAS found at run time (OpenBLAS, or Accelerate on macOS).
struct SystemBlas {
  const char *path;  // the library that was opened, nullptr when none
  void (*sgemm)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                const float *b, int ldb, float beta, float *c, int ldc);
};
const SystemBlas &system_blas();

// One batched product: out[bi] = op(A[aIdx[bi]]) * op(B[bIdx[bi]]) (+ epilogue). Index arrays may be
// nullptr (identity). op(A) is m x k, op(B) is k x n; ta/tb say the stored matrix is the transpose.
struct BatchedGemm {
  int batch, m, n, k;
  bool ta, tb;
  const float *a;
  const float *b;
  float *c;
  const int32_t *a_idx;
  const int32_t *b_idx;
  Epilogue ep;
};

enum class Impl { kBlas, kAvx512, kAvx2, kPortable };
const char *impl_name(Impl impl);
bool impl_available(Impl impl);

void run_batched(const BatchedGemm &g, Impl impl, int threads);

// Runs fn(0..n-1) on up to `threads` threads (the caller's thread included).
void parallel_for(int n, int threads, void (*fn)(void *ctx, int i), void *ctx);

}  // namespace brevity
