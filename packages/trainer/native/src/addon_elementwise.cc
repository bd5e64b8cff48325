// Node-API bindings of elementwise.h (registered by addon.cc's Init):
//   copyStrided(src, dst, offset, shape[], strides[])
//   binary(op, a, b, out, shape[], aStrides[], bStrides[])
//   softmax(x, out, rows, cols)
//   reduceSum(x, out, shape[], outStrides[], divisor); unary(op, x, out, alpha)
//   gather(x, indices, out, batch, outer, dim, slice) -> false when an index is out of range
// Every index range is checked against the typed arrays before any memory is touched.
#include <node_api.h>

#include <cstdint>

#include "elementwise.h"
#include "napi_args.h"

namespace brevity {
namespace {

int64_t volume(const int64_t *shape, uint32_t rank) {
  int64_t n = 1;
  for (uint32_t d = 0; d < rank; d++) n *= shape[d];
  return n;
}

// Largest and smallest element offsets a strided view reaches must lie inside [0, len).
bool view_fits(int64_t offset, const int64_t *shape, const int64_t *strides, uint32_t rank, int64_t len) {
  int64_t lo = offset, hi = offset;
  for (uint32_t d = 0; d < rank; d++) {
    if (shape[d] < 0) return false;
    if (shape[d] == 0) return true;  // empty: nothing is read
    const int64_t span = (shape[d] - 1) * strides[d];
    (span < 0 ? lo : hi) += span;
  }
  return lo >= 0 && hi < len;
}

napi_value CopyStrided(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 src, dst;
  int64_t offset = 0, shape[kMaxRank], strides[kMaxRank];
  uint32_t rank, srank;
  if (!args.f32(0, &src) || !args.f32(1, &dst) || !args.int64(2, &offset) ||
      !args.ints(3, kMaxRank, shape, &rank) || !args.ints(4, kMaxRank, strides, &srank) || rank != srank ||
      rank == 0)
    return fail(env, "copyStrided(src, dst, offset, shape, strides): bad arguments");
  const int64_t n = volume(shape, rank);
  if (n == 0) return nullptr;
  if (!view_fits(offset, shape, strides, rank, src.n) || dst.n < n)
    return fail(env, "copyStrided: the view does not fit the arrays");
  strided_copy(src.p, dst.p, offset, static_cast<int>(rank), shape, strides);
  return nullptr;
}

napi_value Binary(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  int32_t op = -1;
  F32 a, b, out;
  int64_t shape[kMaxRank], sa[kMaxRank], sb[kMaxRank];
  uint32_t rank, ra, rb;
  if (!args.int32(0, &op) || op < kAdd || op > kDiv || !args.f32(1, &a) || !args.f32(2, &b) ||
      !args.f32(3, &out) || !args.ints(4, kMaxRank, shape, &rank) || !args.ints(5, kMaxRank, sa, &ra) ||
      !args.ints(6, kMaxRank, sb, &rb) || ra != rank || rb != rank || rank == 0)
    return fail(env, "binary(op, a, b, out, shape, aStrides, bStrides): bad arguments");
  const int64_t n = volume(shape, rank);
  if (n == 0) return nullptr;
  if (!view_fits(0, shape, sa, rank, a.n) || !view_fits(0, shape, sb, rank, b.n) || out.n < n)
    return fail(env, "binary: a view does not fit its array");
  broadcast_binary(op, a.p, b.p, out.p, static_cast<int>(rank), shape, sa, sb);
  return nullptr;
}

napi_value Softmax(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 x, out;
  int64_t rows = -1, cols = -1;
  if (!args.f32(0, &x) || !args.f32(1, &out) || !args.int64(2, &rows) || !args.int64(3, &cols) || rows < 0 ||
      cols < 0)
    return fail(env, "softmax(x, out, rows, cols): bad arguments");
  if (rows * cols == 0) return nullptr;
  if (x.n < rows * cols || out.n < rows * cols) return fail(env, "softmax: x or out is smaller than rows * cols");
  softmax_rows(x.p, out.p, rows, cols);
  return nullptr;
}

napi_value ReduceSum(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 x, out;
  int64_t shape[kMaxRank], so[kMaxRank];
  uint32_t rank, ro;
  float divisor = 0;
  if (!args.f32(0, &x) || !args.f32(1, &out) || !args.ints(2, kMaxRank, shape, &rank) ||
      !args.ints(3, kMaxRank, so, &ro) || ro != rank || rank == 0 || !args.number(4, &divisor))
    return fail(env, "reduceSum(x, out, shape, outStrides, divisor): bad arguments");
  const int64_t n = volume(shape, rank);
  if (x.n < n || !view_fits(0, shape, so, rank, out.n))
    return fail(env, "reduceSum: x or out is too small for the shape");
  if (n == 0) {
    for (int64_t i = 0; i < out.n; i++) out.p[i] = 0.0f;
    return nullptr;
  }
  reduce_sum(x.p, out.p, out.n, static_cast<int>(rank), shape, so, divisor);
  return nullptr;
}

napi_value Unary(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  int32_t op = -1;
  F32 x, out;
  float alpha = 0;
  if (!args.int32(0, &op) || op < kReluOp || op > kLastUnaryOp || !args.f32(1, &x) || !args.f32(2, &out) ||
      !args.number(3, &alpha))
    return fail(env, "unary(op, x, out, alpha): bad arguments");
  if (out.n < x.n) return fail(env, "unary: out is smaller than x");
  unary(op, x.p, out.p, x.n, alpha);
  return nullptr;
}

napi_value Gather(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 x, out;
  I32 idx;
  int64_t dims[4];  // batch, outer, dim, slice
  if (!args.f32(0, &x) || !args.i32(1, &idx) || !args.f32(2, &out) || !args.sizes(3, 4, dims))
    return fail(env, "gather(x, indices, out, batch, outer, dim, slice): bad arguments");
  const int64_t batch = dims[0], outer = dims[1], dim = dims[2], slice = dims[3];
  const int64_t n_idx = batch == 0 ? 0 : idx.n / batch;
  if (n_idx * batch != idx.n || x.n < batch * outer * dim * slice || out.n < batch * outer * n_idx * slice)
    return fail(env, "gather: the arrays do not match the shape");
  napi_value result;
  napi_get_boolean(env, gather(x.p, idx.p, out.p, batch, outer, dim, n_idx, slice), &result);
  return result;
}

}  // namespace

void register_elementwise(napi_env env, napi_value exports) {
  define_methods(env, exports,
                 {method("copyStrided", CopyStrided), method("binary", Binary), method("softmax", Softmax),
                  method("reduceSum", ReduceSum), method("unary", Unary), method("gather", Gather)});
}

}  // namespace brevity
