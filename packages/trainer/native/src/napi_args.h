// Argument reading and registration shared by the Node-API bindings (addon.cc, addon_elementwise.cc,
// addon_fused.cc): each binding reads its positional arguments with the Args readers in one condition and,
// when any is missing or of the wrong type, throws its usage line with fail().
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

namespace brevity {

// Throws the addon's error (code ERR_BREVITY_NATIVE); a binding returns the null this gives back.
inline napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_BREVITY_NATIVE", msg);
  return nullptr;
}

// A typed array argument: its data and element count ({nullptr, 0} for an allowed null).
template <typename T>
struct View {
  T *p = nullptr;
  int64_t n = 0;
};
using F32 = View<float>;
using I32 = View<int32_t>;

// A binding's positional arguments. Each reader returns false when its argument is missing or not of the
// expected type.
class Args {
 public:
  static constexpr size_t kMax = 16;

  Args(napi_env env, napi_callback_info info) : env_(env) {
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
  }

  size_t count() const { return argc_; }
  napi_value at(size_t i) const { return argv_[i]; }

  // A Float32Array (with `nullable`, null or undefined reads as {nullptr, 0}).
  bool f32(size_t i, F32 *out, bool nullable = false) const {
    return view(i, napi_float32_array, nullable, out);
  }
  // An Int32Array (with `nullable`, null or undefined reads as {nullptr, 0}).
  bool i32(size_t i, I32 *out, bool nullable = false) const {
    return view(i, napi_int32_array, nullable, out);
  }

  bool int32(size_t i, int32_t *out) const {
    return i < argc_ && napi_get_value_int32(env_, argv_[i], out) == napi_ok;
  }
  bool int64(size_t i, int64_t *out) const {
    return i < argc_ && napi_get_value_int64(env_, argv_[i], out) == napi_ok;
  }
  // A number, narrowed to float.
  bool number(size_t i, float *out) const {
    double d = 0;
    if (i >= argc_ || napi_get_value_double(env_, argv_[i], &d) != napi_ok) return false;
    *out = static_cast<float>(d);
    return true;
  }
  // Arguments from..from+count as non-negative integers (sizes).
  bool sizes(size_t from, size_t count, int64_t *out) const {
    for (size_t i = 0; i < count; i++)
      if (!int64(from + i, &out[i]) || out[i] < 0) return false;
    return true;
  }
  // A JS array of at most `max` integers.
  bool ints(size_t i, uint32_t max, int64_t *out, uint32_t *len) const {
    bool is_array = false;
    if (i >= argc_) return false;
    napi_is_array(env_, argv_[i], &is_array);
    if (!is_array || napi_get_array_length(env_, argv_[i], len) != napi_ok || *len > max) return false;
    for (uint32_t k = 0; k < *len; k++) {
      napi_value e;
      napi_get_element(env_, argv_[i], k, &e);
      if (napi_get_value_int64(env_, e, &out[k]) != napi_ok) return false;
    }
    return true;
  }

  // Lenient reads (gemm's, whose wrapper always passes numbers): anything else reads as 0 / false.
  int32_t int32_or_0(size_t i) const {
    int32_t out = 0;
    napi_get_value_int32(env_, argv_[i], &out);
    return out;
  }
  double double_or_0(size_t i) const {
    double out = 0;
    napi_get_value_double(env_, argv_[i], &out);
    return out;
  }
  bool bool_or_false(size_t i) const {
    bool out = false;
    napi_get_value_bool(env_, argv_[i], &out);
    return out;
  }

 private:
  template <typename T>
  bool view(size_t i, napi_typedarray_type want, bool nullable, View<T> *out) const {
    *out = View<T>{};
    if (i >= argc_) return false;
    napi_valuetype t;
    napi_typeof(env_, argv_[i], &t);
    if (nullable && (t == napi_null || t == napi_undefined)) return true;
    bool is_ta = false;
    napi_is_typedarray(env_, argv_[i], &is_ta);
    if (!is_ta) return false;
    napi_typedarray_type type;
    void *p = nullptr;
    size_t len = 0;
    napi_get_typedarray_info(env_, argv_[i], &type, &len, &p, nullptr, nullptr);
    out->p = static_cast<T *>(p);
    out->n = static_cast<int64_t>(len);
    return type == want;
  }

  napi_env env_;
  size_t argc_ = kMax;
  napi_value argv_[kMax];
};

// One exported function.
inline napi_property_descriptor method(const char *name, napi_callback fn) {
  return {name, nullptr, fn, nullptr, nullptr, nullptr, napi_default, nullptr};
}

template <size_t N>
void define_methods(napi_env env, napi_value exports, const napi_property_descriptor (&props)[N]) {
  napi_define_properties(env, exports, N, props);
}

}  // namespace brevity
