// The batched front end: maps each output batch to its (broadcast) A and B matrices, splits the work into
// tasks of whole batches or row bands, and runs each task on the system BLAS or the vendored GEMM.
#include <algorithm>

#include "gemm.h"

namespace brevity {
namespace {

constexpr int kCblasRowMajor = 101, kCblasNoTrans = 111, kCblasTrans = 112;
constexpr int kMinBandRows = 32;  // below this a row band is not worth a thread

struct Task {
  const BatchedGemm *g;
  Impl impl;
  const MicroKernel *mk;
  int bands;     // row bands per batch
  int band_rows;  // rows per band (last one may be shorter)
};

void run_task(void *ctx, int t) {
  const Task &task = *static_cast<const Task *>(ctx);
  const BatchedGemm &g = *task.g;
  const int bi = t / task.bands;
  const int m0 = (t % task.bands) * task.band_rows;
  const int rows = std::min(task.band_rows, g.m - m0);
  if (rows <= 0) return;
  const long ai = g.a_idx != nullptr ? g.a_idx[bi] : bi;
  const long bj = g.b_idx != nullptr ? g.b_idx[bi] : bi;
  const float *a = g.a + ai * g.m * g.k;
  const float *b = g.b + bj * g.k * g.n;
  float *c = g.c + (static_cast<long>(bi) * g.m + m0) * g.n;
  // Stored A is [m, k] (or [k, m] when transposed); row i of op(A) starts at a + i*k (or a + i).
  const float *a_rows = g.ta ? a + m0 : a + static_cast<long>(m0) * g.k;
  if (task.impl == Impl::kBlas) {
    const int ta = g.ta ? kCblasTrans : kCblasNoTrans, tb = g.tb ? kCblasTrans : kCblasNoTrans;
    const int lda = g.ta ? g.m : g.k, ldb = g.tb ? g.k : g.n;
    system_blas().sgemm(kCblasRowMajor, ta, tb, rows, g.n, g.k, 1.0f, a_rows, lda, b, ldb, 0.0f, c, g.n);
  } else {
    const MatView av = g.ta ? MatView{a_rows, 1, g.m} : MatView{a_rows, g.k, 1};
    const MatView bv = g.tb ? MatView{b, 1, g.k} : MatView{b, g.n, 1};
    if (rows <= kSmallRows) gemm_small(rows, g.n, g.k, av, bv, c, g.n);
    else gemm_packed(*task.mk, rows, g.n, g.k, av, bv, c, g.n);
  }
  apply_epilogue(c, rows, g.n, g.ep);
}

const MicroKernel *kernel_for(Impl impl) {
  switch (impl) {
    case Impl::kAvx512:
      return kernel_avx512();
    case Impl::kAvx2:
      return kernel_avx2();
    case Impl::kPortable:
      return kernel_portable();
    default:
      return nullptr;
  }
}

}  // namespace

const char *impl_name(Impl impl) {
  switch (impl) {
    case Impl::kBlas:
      return "blas";
    case Impl::kAvx512:
      return "avx512";
    case Impl::kAvx2:
      return "avx2";
    default:
      return "portable";
  }
}

bool impl_available(Impl impl) {
  return impl == Impl::kBlas ? system_blas().sgemm != nullptr : kernel_for(impl) != nullptr;
}

void run_batched(const BatchedGemm &g, Impl impl, int threads) {
  if (g.batch == 0 || g.m == 0 || g.n == 0) return;
  if (g.k == 0) impl = Impl::kPortable;  // a BLAS rejects lda = 0; the packed GEMM writes zeros
  Task task{&g, impl, kernel_for(impl), 1, g.m};
  // Fewer batches than threads: also split each matrix into row bands (multiples of 16 rows).
  if (threads > 1 && g.batch < threads && g.m >= 2 * kMinBandRows) {
    const int want = std::min((threads + g.batch - 1) / g.batch, g.m / kMinBandRows);
    task.band_rows = ((g.m + want - 1) / want + 15) / 16 * 16;
    task.bands = (g.m + task.band_rows - 1) / task.band_rows;
  }
  parallel_for(g.batch * task.bands, threads, run_task, &task);
}

}  // namespace brevity
