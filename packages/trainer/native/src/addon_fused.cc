// Node-API bindings of fused.h (registered by addon.cc's Init):
//   attendDecode(qkv, kCacheT, vCache, bias, out, B, H, Dh, C, slot, scale, biasStride)  (writes the caches)
//   kvCacheInit(k, v, kT, vCache, BH, P, Dh, C)
//   maskedSoftmax(x, bias, y, rows, cols, T, H, biasBatches); softmaxGrad(y, dy, dx, rows, cols)
//   crossEntropy(logits, targets, weights, probs, N, V) -> loss; crossEntropyGrad(probs, targets, weights, dy,
//   dz, N, V); rmsNorm(x, g, y, rows, cols, eps); rmsNormGrad(x, g, dy, dx, dg, rows, cols, eps)
//   attention(qkv, bias, y, B, T, H, Dh, biasBatches, scale);
//   attentionGrad(qkv, bias, dy, dqkv, B, T, H, Dh, biasBatches, scale)
// Every size is checked against the typed arrays before any memory is touched.
#include <node_api.h>

#include <cstdint>
#include <string>

#include "fused.h"
#include "napi_args.h"

namespace brevity {
namespace {

napi_value AttendDecode(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 qkv, kc, vc, bias, out;
  int64_t s[5];  // B, H, Dh, C, slot
  int64_t bias_stride = 0;
  float scale = 0;
  if (!args.f32(0, &qkv) || !args.f32(1, &kc) || !args.f32(2, &vc) || !args.f32(3, &bias) ||
      !args.f32(4, &out) || !args.sizes(5, 5, s) || !args.number(10, &scale) || !args.sizes(11, 1, &bias_stride))
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
  const Args args(env, info);
  F32 k, v, kt, vc;
  int64_t s[4];  // BH, P, Dh, C
  if (!args.f32(0, &k) || !args.f32(1, &v) || !args.f32(2, &kt) || !args.f32(3, &vc) || !args.sizes(4, 4, s))
    return fail(env, "kvCacheInit(k, v, kT, vCache, BH, P, Dh, C): bad arguments");
  const int64_t BH = s[0], P = s[1], Dh = s[2], C = s[3];
  if (P > C) return fail(env, "kvCacheInit: the prompt is longer than the cache");
  if (k.n < BH * P * Dh || v.n < BH * P * Dh || kt.n < BH * Dh * C || vc.n < BH * C * Dh)
    return fail(env, "kvCacheInit: an array is smaller than its shape");
  kv_cache_init(k.p, v.p, kt.p, vc.p, BH, P, Dh, C);
  return nullptr;
}

napi_value MaskedSoftmax(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 x, bias, y;
  int64_t s[5];  // rows, cols, T, H, bias batches
  if (!args.f32(0, &x) || !args.f32(1, &bias) || !args.f32(2, &y) || !args.sizes(3, 5, s))
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
  const Args args(env, info);
  F32 y, dy, dx;
  int64_t s[2];
  if (!args.f32(0, &y) || !args.f32(1, &dy) || !args.f32(2, &dx) || !args.sizes(3, 2, s))
    return fail(env, "softmaxGrad(y, dy, dx, rows, cols): bad arguments");
  const int64_t n = s[0] * s[1];
  if (y.n < n || dy.n < n || dx.n < n) return fail(env, "softmaxGrad: an array is smaller than its shape");
  softmax_grad(y.p, dy.p, dx.p, s[0], s[1]);
  return nullptr;
}

napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 z, w, probs;
  I32 t;
  int64_t s[2];
  if (!args.f32(0, &z) || !args.i32(1, &t) || !args.f32(2, &w) || !args.f32(3, &probs) || !args.sizes(4, 2, s))
    return fail(env, "crossEntropy(logits, targets, weights, probs, N, V): bad arguments");
  const int64_t N = s[0], V = s[1];
  if (z.n < N * V || probs.n < N * V || t.n < N || w.n < N)
    return fail(env, "crossEntropy: an array is smaller than its shape");
  napi_value out;
  napi_create_double(env, cross_entropy(z.p, t.p, w.p, probs.p, N, V), &out);
  return out;
}

napi_value CrossEntropyGrad(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 probs, w, dz;
  I32 t;
  int64_t s[2];
  float dy = 0;
  if (!args.f32(0, &probs) || !args.i32(1, &t) || !args.f32(2, &w) || !args.number(3, &dy) ||
      !args.f32(4, &dz) || !args.sizes(5, 2, s))
    return fail(env, "crossEntropyGrad(probs, targets, weights, dy, dz, N, V): bad arguments");
  const int64_t N = s[0], V = s[1];
  if (probs.n < N * V || dz.n < N * V || t.n < N || w.n < N)
    return fail(env, "crossEntropyGrad: an array is smaller than its shape");
  cross_entropy_grad(probs.p, t.p, w.p, dy, dz.p, N, V);
  return nullptr;
}

napi_value RmsNorm(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 x, g, y;
  int64_t s[2];
  float eps = 0;
  if (!args.f32(0, &x) || !args.f32(1, &g) || !args.f32(2, &y) || !args.sizes(3, 2, s) || !args.number(5, &eps))
    return fail(env, "rmsNorm(x, g, y, rows, cols, eps): bad arguments");
  if (x.n < s[0] * s[1] || y.n < s[0] * s[1] || g.n < s[1])
    return fail(env, "rmsNorm: an array is smaller than its shape");
  rms_norm(x.p, g.p, y.p, s[0], s[1], eps);
  return nullptr;
}

napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 x, g, dy, dx, dg;
  int64_t s[2];
  float eps = 0;
  if (!args.f32(0, &x) || !args.f32(1, &g) || !args.f32(2, &dy) || !args.f32(3, &dx) || !args.f32(4, &dg) ||
      !args.sizes(5, 2, s) || !args.number(7, &eps))
    return fail(env, "rmsNormGrad(x, g, dy, dx, dg, rows, cols, eps): bad arguments");
  const int64_t n = s[0] * s[1];
  if (x.n < n || dy.n < n || dx.n < n || g.n < s[1] || dg.n < s[1])
    return fail(env, "rmsNormGrad: an array is smaller than its shape");
  rms_norm_grad(x.p, g.p, dy.p, dx.p, dg.p, s[0], s[1], eps);
  return nullptr;
}

// Checks B, T, H, Dh, biasBatches (s) against qkv, bias and the D-wide rows (y or dy): why not, or null.
const char *attention_misfit(const int64_t *s, const F32 &qkv, const F32 &bias, const F32 &rows) {
  const int64_t B = s[0], T = s[1], H = s[2], Dh = s[3], nb = s[4], D = H * Dh;
  if (nb != 1 && nb != B) return "biasBatches must be 1 or B";
  if (qkv.n < B * T * 3 * D || rows.n < B * T * D || bias.n < nb * T * T)
    return "an array is smaller than its shape";
  return nullptr;
}

napi_value Attention(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 qkv, bias, y;
  int64_t s[5];  // B, T, H, Dh, bias batches
  float scale = 0;
  if (!args.f32(0, &qkv) || !args.f32(1, &bias) || !args.f32(2, &y) || !args.sizes(3, 5, s) ||
      !args.number(8, &scale))
    return fail(env, "attention(qkv, bias, y, B, T, H, Dh, biasBatches, scale): bad arguments");
  if (const char *why = attention_misfit(s, qkv, bias, y))
    return fail(env, (std::string("attention: ") + why).c_str());
  attention(qkv.p, bias.p, y.p, s[0], s[1], s[2], s[3], s[4], scale);
  return nullptr;
}

napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  F32 qkv, bias, dy, dqkv;
  int64_t s[5];  // B, T, H, Dh, bias batches
  float scale = 0;
  if (!args.f32(0, &qkv) || !args.f32(1, &bias) || !args.f32(2, &dy) || !args.f32(3, &dqkv) ||
      !args.sizes(4, 5, s) || !args.number(9, &scale))
    return fail(env, "attentionGrad(qkv, bias, dy, dqkv, B, T, H, Dh, biasBatches, scale): bad arguments");
  const char *why = attention_misfit(s, qkv, bias, dy);
  if (why == nullptr && dqkv.n < s[0] * s[1] * 3 * s[2] * s[3]) why = "an array is smaller than its shape";
  if (why != nullptr) return fail(env, (std::string("attentionGrad: ") + why).c_str());
  attention_grad(qkv.p, bias.p, dy.p, dqkv.p, s[0], s[1], s[2], s[3], s[4], scale);
  return nullptr;
}

}  // namespace

void register_fused(napi_env env, napi_value exports) {
  define_methods(env, exports,
                 {method("attendDecode", AttendDecode), method("kvCacheInit", KvCacheInit),
                  method("maskedSoftmax", MaskedSoftmax), method("softmaxGrad", SoftmaxGrad),
                  method("crossEntropy", CrossEntropy), method("crossEntropyGrad", CrossEntropyGrad),
                  method("rmsNorm", RmsNorm), method("rmsNormGrad", RmsNormGrad),
                  method("attention", Attention), method("attentionGrad", AttentionGrad)});
}

}  // namespace brevity
