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

namespace brevity {
namespace {

napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_BREVITY_NATIVE", msg);
  return nullptr;
}

bool f32(napi_env env, napi_value v, float **data, size_t *len) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return false;
  napi_typedarray_type type;
  void *p = nullptr;
  napi_get_typedarray_info(env, v, &type, len, &p, nullptr, nullptr);
  *data = static_cast<float *>(p);
  return type == napi_float32_array;
}

// A JS array of at most kMaxRank non-negative (shape) or any (strides) integers.
bool ints(napi_env env, napi_value v, int64_t *out, uint32_t *len) {
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (!is_array || napi_get_array_length(env, v, len) != napi_ok || *len > kMaxRank) return false;
  for (uint32_t i = 0; i < *len; i++) {
    napi_value e;
    napi_get_element(env, v, i, &e);
    if (napi_get_value_int64(env, e, &out[i]) != napi_ok) return false;
  }
  return true;
}

int64_t volume(const int64_t *shape, uint32_t rank) {
  int64_t n = 1;
  for (uint32_t d = 0; d < rank; d++) n *= shape[d];
  return n;
}

// Largest and smallest element offsets a strided view reaches must lie inside [0, len).
bool view_fits(int64_t offset, const int64_t *shape, const int64_t *strides, uint32_t rank, size_t len) {
  int64_t lo = offset, hi = offset;
  for (uint32_t d = 0; d < rank; d++) {
    if (shape[d] < 0) return false;
    if (shape[d] == 0) return true;  // empty: nothing is read
    const int64_t span = (shape[d] - 1) * strides[d];
    (span < 0 ? lo : hi) += span;
  }
  return lo >= 0 && hi < static_cast<int64_t>(len);
}

napi_value CopyStrided(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *src, *dst;
  size_t src_len, dst_len;
  int64_t offset = 0, shape[kMaxRank], strides[kMaxRank];
  uint32_t rank, srank;
  if (argc < 5 || !f32(env, argv[0], &src, &src_len) || !f32(env, argv[1], &dst, &dst_len) ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok || !ints(env, argv[3], shape, &rank) ||
      !ints(env, argv[4], strides, &srank) || rank != srank || rank == 0)
    return fail(env, "copyStrided(src, dst, offset, shape, strides): bad arguments");
  const int64_t n = volume(shape, rank);
  if (n == 0) return nullptr;
  if (!view_fits(offset, shape, strides, rank, src_len) || static_cast<int64_t>(dst_len) < n)
    return fail(env, "copyStrided: the view does not fit the arrays");
  strided_copy(src, dst, offset, static_cast<int>(rank), shape, strides);
  return nullptr;
}

napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t op = -1;
  float *a, *b, *out;
  size_t a_len, b_len, out_len;
  int64_t shape[kMaxRank], sa[kMaxRank], sb[kMaxRank];
  uint32_t rank, ra, rb;
  if (argc < 7 || napi_get_value_int32(env, argv[0], &op) != napi_ok || op < kAdd || op > kDiv ||
      !f32(env, argv[1], &a, &a_len) || !f32(env, argv[2], &b, &b_len) ||
      !f32(env, argv[3], &out, &out_len) ||
      !ints(env, argv[4], shape, &rank) || !ints(env, argv[5], sa, &ra) || !ints(env, argv[6], sb, &rb) ||
      ra != rank || rb != rank || rank == 0)
    return fail(env, "binary(op, a, b, out, shape, aStrides, bStrides): bad arguments");
  const int64_t n = volume(shape, rank);
  if (n == 0) return nullptr;
  if (!view_fits(0, shape, sa, rank, a_len) || !view_fits(0, shape, sb, rank, b_len) ||
      static_cast<int64_t>(out_len) < n)
    return fail(env, "binary: a view does not fit its array");
  broadcast_binary(op, a, b, out, static_cast<int>(rank), shape, sa, sb);
  return nullptr;
}

napi_value Softmax(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *out;
  size_t x_len, out_len;
  int64_t rows = -1, cols = -1;
  if (argc < 4 || !f32(env, argv[0], &x, &x_len) || !f32(env, argv[1], &out, &out_len) ||
      napi_get_value_int64(env, argv[2], &rows) != napi_ok ||
      napi_get_value_int64(env, argv[3], &cols) != napi_ok ||
      rows < 0 || cols < 0)
    return fail(env, "softmax(x, out, rows, cols): bad arguments");
  if (rows * cols == 0) return nullptr;
  if (static_cast<int64_t>(x_len) < rows * cols || static_cast<int64_t>(out_len) < rows * cols)
    return fail(env, "softmax: x or out is smaller than rows * cols");
  softmax_rows(x, out, rows, cols);
  return nullptr;
}

napi_value ReduceSum(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *out;
  size_t x_len, out_len;
  int64_t shape[kMaxRank], so[kMaxRank];
  uint32_t rank, ro;
  double divisor = 0;
  if (argc < 5 || !f32(env, argv[0], &x, &x_len) || !f32(env, argv[1], &out, &out_len) ||
      !ints(env, argv[2], shape, &rank) || !ints(env, argv[3], so, &ro) || ro != rank || rank == 0 ||
      napi_get_value_double(env, argv[4], &divisor) != napi_ok)
    return fail(env, "reduceSum(x, out, shape, outStrides, divisor): bad arguments");
  const int64_t n = volume(shape, rank);
  if (static_cast<int64_t>(x_len) < n || !view_fits(0, shape, so, rank, out_len))
    return fail(env, "reduceSum: x or out is too small for the shape");
  if (n == 0) {
    for (size_t i = 0; i < out_len; i++) out[i] = 0.0f;
    return nullptr;
  }
  const auto size = static_cast<int64_t>(out_len);
  reduce_sum(x, out, size, static_cast<int>(rank), shape, so, static_cast<float>(divisor));
  return nullptr;
}

napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t op = -1;
  float *x, *out;
  size_t x_len, out_len;
  double alpha = 0;
  if (argc < 4 || napi_get_value_int32(env, argv[0], &op) != napi_ok || op < kReluOp || op > kLastUnaryOp ||
      !f32(env, argv[1], &x, &x_len) || !f32(env, argv[2], &out, &out_len) ||
      napi_get_value_double(env, argv[3], &alpha) != napi_ok)
    return fail(env, "unary(op, x, out, alpha): bad arguments");
  if (out_len < x_len) return fail(env, "unary: out is smaller than x");
  unary(op, x, out, static_cast<int64_t>(x_len), static_cast<float>(alpha));
  return nullptr;
}

napi_value Gather(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *out;
  size_t x_len, out_len, idx_len = 0;
  void *idx = nullptr;
  napi_typedarray_type idx_type = napi_int8_array;
  bool is_ta = false;
  int64_t dims[4];  // batch, outer, dim, slice
  bool ok = argc >= 7 && f32(env, argv[0], &x, &x_len) && f32(env, argv[2], &out, &out_len) &&
            napi_is_typedarray(env, argv[1], &is_ta) == napi_ok && is_ta;
  if (ok) napi_get_typedarray_info(env, argv[1], &idx_type, &idx_len, &idx, nullptr, nullptr);
  for (int i = 0; ok && i < 4; i++)
    ok = napi_get_value_int64(env, argv[3 + i], &dims[i]) == napi_ok && dims[i] >= 0;
  if (!ok || idx_type != napi_int32_array)
    return fail(env, "gather(x, indices, out, batch, outer, dim, slice): bad arguments");
  const int64_t batch = dims[0], outer = dims[1], dim = dims[2], slice = dims[3];
  const int64_t n_idx = batch == 0 ? 0 : static_cast<int64_t>(idx_len) / batch;
  if (n_idx * batch != static_cast<int64_t>(idx_len) ||
      static_cast<int64_t>(x_len) < batch * outer * dim * slice ||
      static_cast<int64_t>(out_len) < batch * outer * n_idx * slice)
    return fail(env, "gather: the arrays do not match the shape");
  napi_value result;
  const bool in_range = gather(x, static_cast<int32_t *>(idx), out, batch, outer, dim, n_idx, slice);
  napi_get_boolean(env, in_range, &result);
  return result;
}

}  // namespace

void register_elementwise(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"copyStrided", nullptr, CopyStrided, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceSum", nullptr, ReduceSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

}  // namespace brevity
