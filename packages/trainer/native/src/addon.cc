// Node-API entry points (plain node_api.h, ABI-stable across Node versions):
//   gemm(a, b, c, batch, m, n, k, transA, transB, aIdx, bIdx, bias, act, alpha)
//   info() -> {impl, available, blas, threads, calls}; setImpl(name) -> boolean; setThreads(n);
//   tuneMalloc() -> boolean (glibc only); the elementwise kernels come from addon_elementwise.cc, the
//   fused model kernels (attention decode, RMSNorm) from addon_fused.cc
#include <node_api.h>

#include <cstdlib>
#include <cstring>
#include <string>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gemm.h"
#include "napi_args.h"

namespace brevity {
namespace {

Impl g_impl = Impl::kPortable;
int g_threads = 1;
double g_calls = 0;  // gemm calls so far (lets tests check that a graph really ran natively)

// Default preference. The vendored AVX-512 kernel comes first: on the project's Zen CPU it ran the bench
// shapes at ~2x Debian's OpenBLAS 0.3.21 (which picks its Haswell kernels there); see docs/performance.md.
const Impl kOrder[] = {Impl::kAvx512, Impl::kBlas, Impl::kAvx2, Impl::kPortable};

// BREVITY_BLAS names a preferred implementation (blas, avx512, avx2, portable, or vendored = best SIMD).
void pick_default_impl() {
  const char *env = std::getenv("BREVITY_BLAS");
  const std::string want = env != nullptr ? env : "";
  for (Impl impl : kOrder)
    if (want == impl_name(impl) && impl_available(impl)) {
      g_impl = impl;
      return;
    }
  for (Impl impl : kOrder)
    if (impl_available(impl) && !(want == "vendored" && impl == Impl::kBlas)) {
      g_impl = impl;
      return;
    }
}

// Checks every batch index against the matrix count its buffer holds.
bool indices_ok(const int32_t *idx, size_t idx_len, int batch, size_t buf_len, size_t mat) {
  const size_t count = mat == 0 ? 0 : buf_len / mat;
  if (idx == nullptr) return mat == 0 || static_cast<size_t>(batch) <= count;
  if (idx_len < static_cast<size_t>(batch)) return false;
  for (int i = 0; i < batch; i++)
    if (idx[i] < 0 || (mat != 0 && static_cast<size_t>(idx[i]) >= count)) return false;
  return true;
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  const Args args(env, info);
  if (args.count() < 14) return fail(env, "gemm: expected 14 arguments");
  F32 a, b, c, bias;
  I32 ai, bi;
  if (!args.f32(0, &a, true) || !args.f32(1, &b, true) || !args.f32(2, &c, true) || !args.i32(9, &ai, true) ||
      !args.i32(10, &bi, true) || !args.f32(11, &bias, true))
    return fail(env, "gemm: a, b, c, bias must be Float32Array and aIdx, bIdx Int32Array (or null)");
  BatchedGemm g{};
  g.batch = args.int32_or_0(3);
  g.m = args.int32_or_0(4);
  g.n = args.int32_or_0(5);
  g.k = args.int32_or_0(6);
  g.ta = args.bool_or_false(7);
  g.tb = args.bool_or_false(8);
  if (g.batch < 0 || g.m < 0 || g.n < 0 || g.k < 0) return fail(env, "gemm: negative size");
  const size_t mk = size_t(g.m) * g.k, kn = size_t(g.k) * g.n, mn = size_t(g.m) * g.n;
  if (size_t(c.n) < size_t(g.batch) * mn || (c.p == nullptr && g.batch * mn != 0))
    return fail(env, "gemm: c is too small");
  if ((mk != 0 && a.p == nullptr) || (kn != 0 && b.p == nullptr)) return fail(env, "gemm: a or b missing");
  if (!indices_ok(ai.p, size_t(ai.n), g.batch, size_t(a.n), mk) ||
      !indices_ok(bi.p, size_t(bi.n), g.batch, size_t(b.n), kn))
    return fail(env, "gemm: a batch index (or the batch count) is out of range of a or b");
  if (bias.p != nullptr && bias.n != g.n) return fail(env, "gemm: bias must have n elements");
  g.a = a.p;
  g.b = b.p;
  g.c = c.p;
  g.a_idx = ai.p;
  g.b_idx = bi.p;
  g.ep.bias = bias.p;
  g.ep.act = args.int32_or_0(12);
  g.ep.alpha = static_cast<float>(args.double_or_0(13));
  if (g.ep.act < kLinear || g.ep.act > kSigmoid) return fail(env, "gemm: unknown activation code");
  run_batched(g, g_impl, g_threads);
  g_calls++;
  return nullptr;
}

napi_value str(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, list, threads, calls;
  napi_create_object(env, &out);
  napi_create_array(env, &list);
  uint32_t n = 0;
  for (Impl impl : kOrder)
    if (impl_available(impl)) napi_set_element(env, list, n++, str(env, impl_name(impl)));
  napi_create_int32(env, g_threads, &threads);
  napi_set_named_property(env, out, "impl", str(env, impl_name(g_impl)));
  napi_set_named_property(env, out, "available", list);
  napi_value blas;
  if (system_blas().path != nullptr) blas = str(env, system_blas().path);
  else napi_get_null(env, &blas);
  napi_set_named_property(env, out, "blas", blas);
  napi_set_named_property(env, out, "threads", threads);
  napi_create_double(env, g_calls, &calls);
  napi_set_named_property(env, out, "calls", calls);
  return out;
}

napi_value SetImpl(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, result;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  char name[32] = {0};
  size_t len = 0;
  napi_get_value_string_utf8(env, arg, name, sizeof name, &len);
  bool ok = false;
  for (Impl impl : kOrder)
    if (std::strcmp(name, impl_name(impl)) == 0 && impl_available(impl)) {
      g_impl = impl;
      ok = true;
    }
  napi_get_boolean(env, ok, &result);
  return result;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  const int32_t n = Args(env, info).int32_or_0(0);
  if (n < 1 || n > 256) return fail(env, "setThreads: expected an integer in 1..256");
  g_threads = n;
  return nullptr;
}

// tfjs' cpu backend allocates a fresh typed array for every op output. glibc serves big ones with mmap, so
// each op then pays a page fault per 4 KiB on first write (measured: 1.1 ms of a 2 ms [2048,128]x[128,384]
// matMul). Raising the mmap and trim thresholds keeps freed blocks in the heap for reuse.
napi_value TuneMalloc(napi_env env, napi_callback_info) {
  bool ok = false;
#if defined(__GLIBC__)
  ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

}  // namespace

void register_elementwise(napi_env env, napi_value exports);  // addon_elementwise.cc
void register_fused(napi_env env, napi_value exports);        // addon_fused.cc

namespace {

napi_value Init(napi_env env, napi_value exports) {
  static bool picked = false;
  if (!picked) {
    pick_default_impl();
    picked = true;
  }
  define_methods(env, exports,
                 {method("gemm", Gemm), method("info", Info), method("setImpl", SetImpl),
                  method("setThreads", SetThreads), method("tuneMalloc", TuneMalloc)});
  register_elementwise(env, exports);
  register_fused(env, exports);
  return exports;
}

}  // namespace
}  // namespace brevity

NAPI_MODULE(NODE_GYP_MODULE_NAME, brevity::Init)
