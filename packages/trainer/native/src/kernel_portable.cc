// Portable micro-kernel in plain C++: fixed-size loops the compiler vectorises (SSE2 on x86-64, NEON on
// arm64), used when no hand-written kernel fits the CPU.
#include "gemm.h"

namespace brevity {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

void ukr_portable_4x16(int k, const float *a, const float *b, float *c, long ldc, bool accumulate) {
  float acc[kMr][kNr] = {};
  for (int p = 0; p < k; p++) {
    for (int i = 0; i < kMr; i++) {
      const float ai = a[i];
      for (int j = 0; j < kNr; j++) acc[i][j] += ai * b[j];
    }
    a += kMr;
    b += kNr;
  }
  for (int i = 0; i < kMr; i++) {
    float *ci = c + i * ldc;
    for (int j = 0; j < kNr; j++) ci[j] = accumulate ? ci[j] + acc[i][j] : acc[i][j];
  }
}

const MicroKernel kPortable{"portable", kMr, kNr, ukr_portable_4x16};

}  // namespace

const MicroKernel *kernel_portable() { return &kPortable; }

}  // namespace brevity
