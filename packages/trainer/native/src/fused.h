// Fused kernels for the model's hot spots, where tfjs would run several small ops (each allocating its
// output) for one step of math: the one-token attention of a decode step over a KV cache written in place,
// and RMSNorm with its gradient. Float32 results follow the order of operations of the composite tfjs ops
// they replace (model/fused.ts) up to float rounding.
#pragma once
#include <cstdint>

namespace brevity {

// One decode step of multi-head attention for B rows. qkv [B, 3D] holds each row's query, key and value
// (D = H * Dh, head h at columns h*Dh of each third). The key and value are first written into the caches
// at slot `slot`: keys transposed, kc [B, H, Dh, C]; values vc [B, H, C, Dh]. Then
// out[b, h*Dh..] = softmax(q_h * scale . K_h^T + bias[b]) . V_h over slots 0..slot. bias holds a row of
// `bias_stride` additive scores per b (MASKED on padding).
void attend_decode(const float *qkv, float *kc, float *vc, const float *bias, float *out, int64_t B,
                   int64_t H, int64_t Dh, int64_t C, int64_t slot, float scale, int64_t bias_stride);

// y = x / sqrt(mean(x^2) + eps) * g over the rows of x [rows, cols]; g [cols].
void rms_norm(const float *x, const float *g, float *y, int64_t rows, int64_t cols, float eps);

// Gradients of rms_norm: dx [rows, cols] and dg [cols] (summed over rows) from dy.
void rms_norm_grad(const float *x, const float *g, const float *dy, float *dx, float *dg, int64_t rows,
                   int64_t cols, float eps);

}  // namespace brevity
