// See elementwise.h. Shapes are first collapsed (adjacent dims merge when every operand's strides allow),
// so the innermost loop is as long as possible and usually unit- or zero-stride, which the compiler
// vectorises.
#include "elementwise.h"
#include "vecmath.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace brevity {
namespace {

// Merges dim d into d+1 wherever stride[d] == stride[d+1] * shape[d+1] for every stride set; drops size-1
// dims. Returns the new rank (at least 1).
int collapse(int rank, int64_t *shape, int64_t **strides, int sets) {
  int64_t s[kMaxRank], st[3][kMaxRank];
  int r = 0;
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 1) continue;
    bool merge = r > 0;
    for (int k = 0; k < sets && merge; k++) merge = st[k][r - 1] == strides[k][d] * shape[d];
    if (merge) {
      s[r - 1] *= shape[d];
      for (int k = 0; k < sets; k++) st[k][r - 1] = strides[k][d];
      continue;
    }
    s[r] = shape[d];
    for (int k = 0; k < sets; k++) st[k][r] = strides[k][d];
    r++;
  }
  if (r == 0) {
    s[0] = 1;
    for (int k = 0; k < sets; k++) st[k][0] = 0;
    r = 1;
  }
  std::memcpy(shape, s, r * sizeof(int64_t));
  for (int k = 0; k < sets; k++) std::memcpy(strides[k], st[k], r * sizeof(int64_t));
  return r;
}

// Calls row(outer_offsets...) for every index of the dims before the last one.
template <int Sets, typename Row>
void for_each_row(int rank, const int64_t *shape, int64_t *const *strides, Row row) {
  int64_t idx[kMaxRank] = {0};
  int64_t off[Sets] = {0};
  for (;;) {
    row(off);
    int d = rank - 2;
    for (; d >= 0; d--) {
      for (int k = 0; k < Sets; k++) off[k] += strides[k][d];
      if (++idx[d] < shape[d]) break;
      for (int k = 0; k < Sets; k++) off[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

template <typename F>
void binary_row(const float *a, const float *b, float *o, int64_t n, int64_t sa, int64_t sb, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = *b;
    for (int64_t i = 0; i < n; i++) o[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = *a;
    for (int64_t i = 0; i < n; i++) o[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = f(a[i * sa], b[i * sb]);
  }
}

template <typename F>
void binary(const float *a, const float *b, float *out, int rank, int64_t *shape, int64_t *sa, int64_t *sb,
            F f) {
  // The output is contiguous: its strides join the collapse so merged dims stay valid for it too.
  int64_t so[kMaxRank];
  for (int64_t d = rank - 1, s = 1; d >= 0; d--) {
    so[d] = s;
    s *= shape[d];
  }
  int64_t *strides[3] = {sa, sb, so};
  rank = collapse(rank, shape, strides, 3);
  const int64_t n = shape[rank - 1];
  for_each_row<3>(rank, shape, strides, [&](const int64_t *off) {
    binary_row(a + off[0], b + off[1], out + off[2], n, sa[rank - 1], sb[rank - 1], f);
  });
}

}  // namespace

void strided_copy(const float *src, float *dst, long offset, int rank, const int64_t *shape_in,
                  const int64_t *strides_in) {
  int64_t shape[kMaxRank], st[kMaxRank], so[kMaxRank];
  for (int64_t d = rank - 1, s = 1; d >= 0; d--) {
    shape[d] = shape_in[d];
    st[d] = strides_in[d];
    so[d] = s;
    s *= shape[d];
  }
  int64_t *strides[2] = {st, so};
  rank = collapse(rank, shape, strides, 2);
  const int64_t n = shape[rank - 1], s = st[rank - 1];
  for_each_row<2>(rank, shape, strides, [&](const int64_t *off) {
    const float *in = src + offset + off[0];
    float *o = dst + off[1];
    if (s == 1) std::memcpy(o, in, n * sizeof(float));
    else
      for (int64_t i = 0; i < n; i++) o[i] = in[i * s];
  });
}

void broadcast_binary(int op, const float *a, const float *b, float *out, int rank, const int64_t *shape_in,
                      const int64_t *a_strides, const int64_t *b_strides) {
  int64_t shape[kMaxRank], sa[kMaxRank], sb[kMaxRank];
  std::memcpy(shape, shape_in, rank * sizeof(int64_t));
  std::memcpy(sa, a_strides, rank * sizeof(int64_t));
  std::memcpy(sb, b_strides, rank * sizeof(int64_t));
  switch (op) {
    case kAdd:
      return binary(a, b, out, rank, shape, sa, sb, [](float x, float y) { return x + y; });
    case kSub:
      return binary(a, b, out, rank, shape, sa, sb, [](float x, float y) { return x - y; });
    case kMul:
      return binary(a, b, out, rank, shape, sa, sb, [](float x, float y) { return x * y; });
    default:
      return binary(a, b, out, rank, shape, sa, sb, [](float x, float y) { return x / y; });
  }
}

void reduce_sum(const float *x, float *out, int64_t out_size, int rank, const int64_t *shape_in,
                const int64_t *out_strides, float divisor) {
  int64_t shape[kMaxRank], sx[kMaxRank], so[kMaxRank];
  for (int64_t d = rank - 1, s = 1; d >= 0; d--) {
    shape[d] = shape_in[d];
    so[d] = out_strides[d];
    sx[d] = s;
    s *= shape[d];
  }
  int64_t *strides[2] = {sx, so};
  rank = collapse(rank, shape, strides, 2);
  std::vector<double> acc(out_size, 0.0);
  const int64_t n = shape[rank - 1], step = so[rank - 1];
  for_each_row<2>(rank, shape, strides, [&](const int64_t *off) {
    const float *in = x + off[0];
    double *a = acc.data() + off[1];
    if (divisor != 0.0f) {
      for (int64_t i = 0; i < n; i++) a[i * step] += in[i] / divisor;
    } else if (step == 0) {
      double s = *a;
      for (int64_t i = 0; i < n; i++) s += in[i];
      *a = s;
    } else {
      for (int64_t i = 0; i < n; i++) a[i * step] += in[i];
    }
  });
  for (int64_t i = 0; i < out_size; i++) out[i] = static_cast<float>(acc[i]);
}

void unary(int op, const float *x, float *out, int64_t n, float alpha) {
  const auto each = [&](auto f) {
    for (int64_t i = 0; i < n; i++) out[i] = static_cast<float>(f(static_cast<double>(x[i])));
  };
  switch (op) {
    case kReluOp:
      for (int64_t i = 0; i < n; i++) out[i] = x[i] < 0.0f ? 0.0f : x[i];
      break;
    case kStepOp:
      for (int64_t i = 0; i < n; i++) out[i] = std::isnan(x[i]) ? x[i] : (x[i] > 0.0f ? 1.0f : alpha);
      break;
    case kSqrtOp:
      each([](double v) { return std::sqrt(v); });
      break;
    case kExpOp:
      each([](double v) { return std::exp(v); });
      break;
    case kSquareOp:
      each([](double v) { return v * v; });
      break;
    case kRsqrtOp:
      each([](double v) { return 1.0 / std::sqrt(v); });
      break;
    case kNegOp:
      for (int64_t i = 0; i < n; i++) out[i] = -x[i];
      break;
    default:
      each([](double v) { return std::log(v); });
  }
}

bool gather(const float *x, const int32_t *idx, float *out, int64_t batch, int64_t outer, int64_t dim,
            int64_t n_idx, int64_t slice) {
  for (int64_t i = 0; i < batch * n_idx; i++)
    if (idx[i] < 0 || idx[i] >= dim) return false;
  for (int64_t b = 0; b < batch; b++)
    for (int64_t o = 0; o < outer; o++) {
      const float *src = x + (b * outer + o) * dim * slice;
      const int32_t *ib = idx + b * n_idx;
      for (int64_t i = 0; i < n_idx; i++, out += slice)
        std::memcpy(out, src + ib[i] * slice, slice * sizeof(float));
    }
  return true;
}

// tfjs: max (NaN wins), sub (float32), Math.exp rounded to float32, sum in double rounded to float32, then
// the division rounded to float32. expf stands in for the double exp (within 1 ulp, 3-4x faster).
BREVITY_SIMD_CLONES void softmax_rows(const float *x, float *out, long rows, long cols) {
  for (long r = 0; r < rows; r++) softmax_row(x + r * cols, out + r * cols, cols);
}

}  // namespace brevity
