// Fused kernels for the model's hot spots, where tfjs would run several small ops (each allocating its
// output) for one step of math: the one-token attention of a decode step over a KV cache written in place,
// the masked attention softmax with its gradient, the whole attention of a training forward with its
// gradient, and RMSNorm with its gradient. Results follow the steps of the tfjs compositions they replace
// (model/fused.ts) up to float rounding (exp: vecmath.h).
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

// The in-place KV cache of attend_decode from a prefill's keys and values k, v [BH, P, Dh]: kt [BH, Dh, C]
// (keys transposed) and vc [BH, C, Dh], slots P..C-1 zero.
void kv_cache_init(const float *k, const float *v, float *kt, float *vc, int64_t BH, int64_t P, int64_t Dh,
                   int64_t C);

// Attention weights: y = softmax(x + bias) over the last axis of x [B, H, T, cols] (rows = B * H * T).
// bias holds bias_batches blocks of [T, cols], block (b mod bias_batches) for every head of batch b: one
// block is a causal mask [T, cols], B blocks a per-sequence mask [B, 1, T, cols].
void masked_softmax(const float *x, const float *bias, float *y, int64_t rows, int64_t cols, int64_t T,
                    int64_t H, int64_t bias_batches);

// Gradient of a last-axis softmax from its output: dx = dy * y - sum(dy * y) * y per row (tfjs' order).
void softmax_grad(const float *y, const float *dy, float *dx, int64_t rows, int64_t cols);

// Weighted cross-entropy of logits z [N, V] against targets t [N]: returns sum_i w_i * -log softmax(z_i)[t_i]
// (summed in double) and writes the probabilities softmax(z) [N, V] for the gradient. A target outside
// [0, V) contributes 0 (as a one-hot row of zeros).
double cross_entropy(const float *z, const int32_t *t, const float *w, float *probs, int64_t N, int64_t V);

// Its gradient: dz = (probs - onehot(t)) * w_i * dy.
void cross_entropy_grad(const float *probs, const int32_t *t, const float *w, float dy, float *dz, int64_t N,
                        int64_t V);

// y = x / sqrt(mean(x^2) + eps) * g over the rows of x [rows, cols]; g [cols].
void rms_norm(const float *x, const float *g, float *y, int64_t rows, int64_t cols, float eps);

// Gradients of rms_norm: dx [rows, cols] and dg [cols] (summed over rows) from dy.
void rms_norm_grad(const float *x, const float *g, const float *dy, float *dx, float *dg, int64_t rows,
                   int64_t cols, float eps);

// Causal self-attention of a training forward (attention.cc): qkv [B*T, 3D] holds each position's query,
// key and value (D = H * Dh, head h at columns h*Dh of each third); y [B*T, D] (head h at columns h*Dh) =
// softmax(q k^T * scale + bias) v per (b, h), scores as (q * scale) . k as tfjs' composition. bias holds
// bias_batches blocks of [T, T], block (b mod bias_batches) for batch b (a causal mask, or one per sequence).
void attention(const float *qkv, const float *bias, float *y, int64_t B, int64_t T, int64_t H, int64_t Dh,
               int64_t bias_batches, float scale);

// Its gradient with respect to qkv from dy [B*T, D]: dqkv [B*T, 3D] (queries, keys, values), the weights
// recomputed from qkv (the bias is a mask: no gradient).
void attention_grad(const float *qkv, const float *bias, const float *dy, float *dqkv, int64_t B, int64_t T,
                    int64_t H, int64_t Dh, int64_t bias_batches, float scale);

}  // namespace brevity
