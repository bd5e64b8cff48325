// Finds a system BLAS at run time (dlopen, so there is no build-time dependency): OpenBLAS on Linux,
// Accelerate on macOS. BREVITY_BLAS_LIB names a library to try first; BREVITY_BLAS=vendored skips them all.
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

#include "gemm.h"

namespace brevity {
namespace {

using SgemmFn = decltype(SystemBlas::sgemm);
using SetThreadsFn = void (*)(int);

const char *const kCandidates[] = {
#if defined(__APPLE__)
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
#endif
    "libopenblas.so.0",
    "libopenblasp.so.0",
    "libopenblas.so",
    "libopenblas.dylib",
    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
    "/usr/local/opt/openblas/lib/libopenblas.dylib",
};

// Opens one library and resolves cblas_sgemm with 32-bit ints (64-bit-int builds such as Debian's
// libopenblas64 export suffixed names and are skipped).
bool try_open(const char *path, SystemBlas &out) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) return false;
  auto fn = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
  if (fn == nullptr) {
    dlclose(h);
    return false;
  }
  // Our own thread pool splits the work; the BLAS must not start a second pool of its own.
  if (auto set = reinterpret_cast<SetThreadsFn>(dlsym(h, "openblas_set_num_threads"))) set(1);
  out.path = path;
  out.sgemm = fn;
  return true;
}

SystemBlas load() {
  SystemBlas blas{nullptr, nullptr};
  const char *mode = std::getenv("BREVITY_BLAS");
  if (mode != nullptr && std::strcmp(mode, "vendored") == 0) return blas;
  const char *lib = std::getenv("BREVITY_BLAS_LIB");
  if (lib != nullptr && *lib != '\0' && try_open(lib, blas)) return blas;
  for (const char *path : kCandidates)
    if (try_open(path, blas)) return blas;
  return blas;
}

}  // namespace

const SystemBlas &system_blas() {
  static const SystemBlas blas = load();
  return blas;
}

}  // namespace brevity
