// The vendored GEMM: BLIS-style cache blocking (NC x KC panels of B, MC x KC blocks of A, both packed into
// contiguous aligned buffers) around a register-blocked micro-kernel. Edge tiles are computed into a
// scratch tile and copied, so the micro-kernels only ever see full tiles.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "gemm.h"

namespace brevity {
namespace {

constexpr int kKc = 256;   // depth of a packed block: an MR x KC sliver of A stays in L1
constexpr int kMc = 144;   // rows of A per packed block (rounded to MR): MC x KC floats stay in L2
constexpr int kNc = 4096;  // columns of B per packed panel: KC x NC floats stay in L2/L3

// Per-thread growable 64-byte aligned scratch (never shrinks; freed when the thread ends).
struct Scratch {
  float *p = nullptr;
  size_t n = 0;
  ~Scratch() { std::free(p); }
  float *get(size_t want) {
    if (want > n) {
      std::free(p);
      n = (want + 15) & ~size_t(15);
      p = static_cast<float *>(std::aligned_alloc(64, n * sizeof(float)));
    }
    return p;
  }
};

thread_local Scratch tls_a, tls_b;

// Packs rows [0, mc) x depth [0, kc) of the view into mr-row slivers: for each sliver, kc groups of mr.
void pack_a(int mc, int kc, MatView a, int mr, float *dst) {
  for (int i0 = 0; i0 < mc; i0 += mr) {
    const int rows = std::min(mr, mc - i0);
    for (int p = 0; p < kc; p++) {
      const float *src = a.p + i0 * a.rs + p * a.cs;
      int r = 0;
      for (; r < rows; r++) dst[r] = src[r * a.rs];
      for (; r < mr; r++) dst[r] = 0.0f;
      dst += mr;
    }
  }
}

// Packs depth [0, kc) x columns [0, nc) into nr-column slivers: for each sliver, kc groups of nr.
void pack_b(int kc, int nc, MatView b, int nr, float *dst) {
  for (int j0 = 0; j0 < nc; j0 += nr) {
    const int cols = std::min(nr, nc - j0);
    for (int p = 0; p < kc; p++) {
      const float *src = b.p + p * b.rs + j0 * b.cs;
      int j = 0;
      if (b.cs == 1) {
        std::memcpy(dst, src, cols * sizeof(float));
        j = cols;
      } else {
        for (; j < cols; j++) dst[j] = src[j * b.cs];
      }
      for (; j < nr; j++) dst[j] = 0.0f;
      dst += nr;
    }
  }
}

// Runs the micro-kernel over a packed mc x nc block, handling partial edge tiles via a scratch tile.
void macro_kernel(const MicroKernel &mk, int mc, int nc, int kc, const float *pa, const float *pb, float *c,
                  long ldc, bool accumulate) {
  alignas(64) float tile[32 * 32];
  for (int j0 = 0; j0 < nc; j0 += mk.nr) {
    const int cols = std::min(mk.nr, nc - j0);
    const float *bj = pb + static_cast<long>(j0) * kc;
    for (int i0 = 0; i0 < mc; i0 += mk.mr) {
      const int rows = std::min(mk.mr, mc - i0);
      const float *ai = pa + static_cast<long>(i0) * kc;
      float *cij = c + i0 * ldc + j0;
      if (rows == mk.mr && cols == mk.nr) {
        mk.fn(kc, ai, bj, cij, ldc, accumulate);
        continue;
      }
      mk.fn(kc, ai, bj, tile, mk.nr, false);
      for (int r = 0; r < rows; r++) {
        float *dst = cij + r * ldc;
        const float *src = tile + r * mk.nr;
        for (int j = 0; j < cols; j++) dst[j] = accumulate ? dst[j] + src[j] : src[j];
      }
    }
  }
}

}  // namespace

void gemm_packed(const MicroKernel &mk, int m, int n, int k, MatView a, MatView b, float *c, long ldc) {
  if (k == 0) {
    for (int i = 0; i < m; i++) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  const int mc_max = std::max(mk.mr, kMc / mk.mr * mk.mr);
  const int nc_max = kNc / mk.nr * mk.nr;
  for (int jc = 0; jc < n; jc += nc_max) {
    const int nc = std::min(nc_max, n - jc);
    const int nc_pad = (nc + mk.nr - 1) / mk.nr * mk.nr;
    for (int pc = 0; pc < k; pc += kKc) {
      const int kc = std::min(kKc, k - pc);
      float *pb = tls_b.get(static_cast<size_t>(nc_pad) * kc);
      pack_b(kc, nc, MatView{b.p + pc * b.rs + jc * b.cs, b.rs, b.cs}, mk.nr, pb);
      for (int ic = 0; ic < m; ic += mc_max) {
        const int mc = std::min(mc_max, m - ic);
        const int mc_pad = (mc + mk.mr - 1) / mk.mr * mk.mr;
        float *pa = tls_a.get(static_cast<size_t>(mc_pad) * kc);
        pack_a(mc, kc, MatView{a.p + ic * a.rs + pc * a.cs, a.rs, a.cs}, mk.mr, pa);
        macro_kernel(mk, mc, nc, kc, pa, pb, c + ic * ldc + jc, ldc, pc > 0);
      }
    }
  }
}

void gemm_small(int m, int n, int k, MatView a, MatView b, float *c, long ldc) {
  for (int i = 0; i < m; i++) {
    float *ci = c + i * ldc;
    const float *ai = a.p + i * a.rs;
    if (b.cs == 1) {
      std::fill(ci, ci + n, 0.0f);
      for (int p = 0; p < k; p++) {
        const float av = ai[p * a.cs];
        const float *bp = b.p + p * b.rs;
        for (int j = 0; j < n; j++) ci[j] += av * bp[j];
      }
      continue;
    }
    for (int j = 0; j < n; j++) {
      const float *bj = b.p + j * b.cs;
      float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int p = 0;
      if (a.cs == 1 && b.rs == 1)
        for (; p + 8 <= k; p += 8)
          for (int l = 0; l < 8; l++) part[l] += ai[p + l] * bj[p + l];
      float s = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
      for (; p < k; p++) s += ai[p * a.cs] * bj[p * b.rs];
      ci[j] = s;
    }
  }
}

// Mirrors tfjs-backend-cpu's Add (bias broadcast over rows) and its Relu/Relu6/LeakyRelu/Elu/Sigmoid.
void apply_epilogue(float *c, int rows, int n, const Epilogue &ep) {
  if (ep.bias == nullptr && ep.act == kLinear) return;
  for (int i = 0; i < rows; i++) {
    float *ci = c + static_cast<long>(i) * n;
    if (ep.bias != nullptr)
      for (int j = 0; j < n; j++) ci[j] += ep.bias[j];
    switch (ep.act) {
      case kRelu:
        for (int j = 0; j < n; j++) ci[j] = ci[j] < 0.0f ? 0.0f : ci[j];
        break;
      case kRelu6:
        for (int j = 0; j < n; j++) ci[j] = std::min(std::max(ci[j], 0.0f), 6.0f);
        break;
      case kLeakyRelu:
        for (int j = 0; j < n; j++) ci[j] = ci[j] < 0.0f ? ep.alpha * ci[j] : ci[j];
        break;
      case kElu:
        for (int j = 0; j < n; j++) ci[j] = ci[j] >= 0.0f ? ci[j] : std::expm1(ci[j]);
        break;
      case kSigmoid:
        for (int j = 0; j < n; j++) ci[j] = 1.0f / (1.0f + std::exp(-ci[j]));
        break;
      default:
        break;
    }
  }
}

}  // namespace brevity
