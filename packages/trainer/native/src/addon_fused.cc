// Node-API bindings of fused.h (registered by addon.cc's Init):
//   attendDecode(qkv, kCacheT, vCache, bias, out, B, H, Dh, C, slot, scale, biasStride)  (writes the caches)
//   kvCacheInit(k, v, kT, vCache, BH, P, Dh, C)
//   maskedSoftmax(x, bias, y, rows, cols, T, H, biasBatches); softmaxGrad(y, dy, dx, rows, cols)
//   crossEntropy(logits, targets, weights, probs, N, V) -> loss; crossEntropyGrad(probs, targets, weights, dy,
//   dz, N, V); rmsNorm(x, g, y, rows, cols, eps); rmsNormGrad(x, g, dy, dx, dg, rows, cols, eps)
// Every size is checked against the typed arrays before any memory is touched.
#include <node_api.h>

#include <cstdint>

#include "fused.h"

namespace brevity {
namespace {

napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_BREVITY_NATIVE", msg);
  return nullptr;
}

struct F32 {
  float *p = nullptr;
  int64_t n = 0;
};

bool f32(napi_env env, napi_value v, F32 *out) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return false;
  napi_typedarray_type type;
  void *p = nullptr;
  size_t len = 0;
  napi_get_typedarray_info(env, v, &type, &len, &p, nullptr, nullptr);
  out->p = static_cast<float *>(p);
  out->n = static_cast<int64_t>(len);
  return type == napi_float32_array;
}

// argv[from..from+count) as non-negative integers.
bool sizes(napi_env env, const napi_value *argv, int from, int count, int64_t *out) {
  for (int i = 0; i < count; i++)
    if (napi_get_value_int64(env, argv[from + i], &out[i]) != napi_ok || out[i] < 0) return false;
  return true;
}

bool number(napi_env env, napi_value v, float *out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) return false;
  *out = static_cast<float>(d);
  return true;
}

napi_value AttendDecode(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 qkv, kc, vc, bias, out;
  int64_t s[5];  // B, H, Dh, C, slot
  int64_t bias_stride = 0;
  float scale = 0;
  if (argc < 12 || !f32(env, argv[0], &qkv) || !f32(env, argv[1], &kc) || !f32(env, argv[2], &vc) ||
      !f32(env, argv[3], &bias) || !f32(env, argv[4], &out) || !sizes(env, argv, 5, 5, s) ||
      !number(env, argv[10], &scale) || !sizes(env, argv, 11, 1, &bias_stride))
    return fail(env, "attendDecode(qkv, kCacheT, vCache, bias, out, B, H, Dh, C, slot, scale, biasStride): "
                     "bad arguments");
  const int64_t B = s[0], H = s[1], Dh = s[2], C = s[3], slot = s[4], D = H * Dh;
  if (slot >= C || bias_stride < slot + 1)
    return fail(env, "attendDecode: slot must be below the cache length and the bias row must cover it");
  if (qkv.n < B * 3 * D || kc.n < B * H * C * Dh || vc.n < B * H * C * Dh || out.n < B * D ||
      bias.n < (B == 0 ? 0 : (B - 1) * bias_stride + slot + 1))
    return fail(env, "attendDecode: an array is smaller than its shape");
  attend_decode(qkv.p, kc.p, vc.p, bias.p, out.p, B, H, Dh, C, slot, scale, bias_stride);
  return nullptr;
}

napi_value KvCacheInit(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 k, v, kt, vc;
  int64_t s[4];  // BH, P, Dh, C
  if (argc < 8 || !f32(env, argv[0], &k) || !f32(env, argv[1], &v) || !f32(env, argv[2], &kt) ||
      !f32(env, argv[3], &vc) || !sizes(env, argv, 4, 4, s))
    return fail(env, "kvCacheInit(k, v, kT, vCache, BH, P, Dh, C): bad arguments");
  const int64_t BH = s[0], P = s[1], Dh = s[2], C = s[3];
  if (P > C) return fail(env, "kvCacheInit: the prompt is longer than the cache");
  if (k.n < BH * P * Dh || v.n < BH * P * Dh || kt.n < BH * Dh * C || vc.n < BH * C * Dh)
    return fail(env, "kvCacheInit: an array is smaller than its shape");
  kv_cache_init(k.p, v.p, kt.p, vc.p, BH, P, Dh, C);
  return nullptr;
}

napi_value MaskedSoftmax(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 x, bias, y;
  int64_t s[5];  // rows, cols, T, H, bias batches
  if (argc < 8 || !f32(env, argv[0], &x) || !f32(env, argv[1], &bias) || !f32(env, argv[2], &y) ||
      !sizes(env, argv, 3, 5, s))
    return fail(env, "maskedSoftmax(x, bias, y, rows, cols, T, H, biasBatches): bad arguments");
  const int64_t rows = s[0], cols = s[1], T = s[2], H = s[3], nb = s[4];
  if (rows == 0 || cols == 0) return nullptr;
  if (T == 0 || H == 0 || nb == 0 || rows % (H * T) != 0)
    return fail(env, "maskedSoftmax: rows must be a multiple of H * T, and T, H, biasBatches positive");
  if (x.n < rows * cols || y.n < rows * cols || bias.n < nb * T * cols)
    return fail(env, "maskedSoftmax: an array is smaller than its shape");
  masked_softmax(x.p, bias.p, y.p, rows, cols, T, H, nb);
  return nullptr;
}

napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 y, dy, dx;
  int64_t s[2];
  if (argc < 5 || !f32(env, argv[0], &y) || !f32(env, argv[1], &dy) || !f32(env, argv[2], &dx) ||
      !sizes(env, argv, 3, 2, s))
    return fail(env, "softmaxGrad(y, dy, dx, rows, cols): bad arguments");
  const int64_t n = s[0] * s[1];
  if (y.n < n || dy.n < n || dx.n < n) return fail(env, "softmaxGrad: an array is smaller than its shape");
  softmax_grad(y.p, dy.p, dx.p, s[0], s[1]);
  return nullptr;
}

bool i32(napi_env env, napi_value v, const int32_t **data, int64_t *n) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return false;
  napi_typedarray_type type;
  void *p = nullptr;
  size_t len = 0;
  napi_get_typedarray_info(env, v, &type, &len, &p, nullptr, nullptr);
  *data = static_cast<const int32_t *>(p);
  *n = static_cast<int64_t>(len);
  return type == napi_int32_array;
}

napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 z, w, probs;
  const int32_t *t = nullptr;
  int64_t t_n = 0, s[2];
  if (argc < 6 || !f32(env, argv[0], &z) || !i32(env, argv[1], &t, &t_n) || !f32(env, argv[2], &w) ||
      !f32(env, argv[3], &probs) || !sizes(env, argv, 4, 2, s))
    return fail(env, "crossEntropy(logits, targets, weights, probs, N, V): bad arguments");
  const int64_t N = s[0], V = s[1];
  if (z.n < N * V || probs.n < N * V || t_n < N || w.n < N)
    return fail(env, "crossEntropy: an array is smaller than its shape");
  napi_value out;
  napi_create_double(env, cross_entropy(z.p, t, w.p, probs.p, N, V), &out);
  return out;
}

napi_value CrossEntropyGrad(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 probs, w, dz;
  const int32_t *t = nullptr;
  int64_t t_n = 0, s[2];
  float dy = 0;
  if (argc < 7 || !f32(env, argv[0], &probs) || !i32(env, argv[1], &t, &t_n) || !f32(env, argv[2], &w) ||
      !number(env, argv[3], &dy) || !f32(env, argv[4], &dz) || !sizes(env, argv, 5, 2, s))
    return fail(env, "crossEntropyGrad(probs, targets, weights, dy, dz, N, V): bad arguments");
  const int64_t N = s[0], V = s[1];
  if (probs.n < N * V || dz.n < N * V || t_n < N || w.n < N)
    return fail(env, "crossEntropyGrad: an array is smaller than its shape");
  cross_entropy_grad(probs.p, t, w.p, dy, dz.p, N, V);
  return nullptr;
}

napi_value RmsNorm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 x, g, y;
  int64_t s[2];
  float eps = 0;
  if (argc < 6 || !f32(env, argv[0], &x) || !f32(env, argv[1], &g) || !f32(env, argv[2], &y) ||
      !sizes(env, argv, 3, 2, s) || !number(env, argv[5], &eps))
    return fail(env, "rmsNorm(x, g, y, rows, cols, eps): bad arguments");
  if (x.n < s[0] * s[1] || y.n < s[0] * s[1] || g.n < s[1])
    return fail(env, "rmsNorm: an array is smaller than its shape");
  rms_norm(x.p, g.p, y.p, s[0], s[1], eps);
  return nullptr;
}

napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  F32 x, g, dy, dx, dg;
  int64_t s[2];
  float eps = 0;
  if (argc < 8 || !f32(env, argv[0], &x) || !f32(env, argv[1], &g) || !f32(env, argv[2], &dy) ||
      !f32(env, argv[3], &dx) || !f32(env, argv[4], &dg) || !sizes(env, argv, 5, 2, s) ||
      !number(env, argv[7], &eps))
    return fail(env, "rmsNormGrad(x, g, dy, dx, dg, rows, cols, eps): bad arguments");
  const int64_t n = s[0] * s[1];
  if (x.n < n || dy.n < n || dx.n < n || g.n < s[1] || dg.n < s[1])
    return fail(env, "rmsNormGrad: an array is smaller than its shape");
  rms_norm_grad(x.p, g.p, dy.p, dx.p, dg.p, s[0], s[1], eps);
  return nullptr;
}

}  // namespace

void register_fused(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"attendDecode", nullptr, AttendDecode, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"kvCacheInit", nullptr, KvCacheInit, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maskedSoftmax", nullptr, MaskedSoftmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxGrad", nullptr, SoftmaxGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"crossEntropy", nullptr, CrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"crossEntropyGrad", nullptr, CrossEntropyGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsNorm", nullptr, RmsNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsNormGrad", nullptr, RmsNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

}  // namespace brevity
