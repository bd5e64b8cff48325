// Memory-bound kernels that tfjs' cpu backend runs through per-element index arithmetic: strided copies
// (Transpose, Slice, SplitV), broadcasting binary ops, reductions, relu/step, gather and the last-axis
// softmax. Rank is at most kMaxRank.
#pragma once
#include <cstdint>

namespace brevity {

constexpr int kMaxRank = 8;

// dst (contiguous, shape) = src[offset + sum_d idx[d] * strides[d]].
void strided_copy(const float *src, float *dst, long offset, int rank, const int64_t *shape,
                  const int64_t *strides);

enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };

// out (contiguous, shape) = a[idx . a_strides] op b[idx . b_strides]; a broadcast dim has stride 0.
void broadcast_binary(int op, const float *a, const float *b, float *out, int rank, const int64_t *shape,
                      const int64_t *a_strides, const int64_t *b_strides);

// out[o] = sum of x over the input elements that map to o (out_strides: 0 on reduced dims), each first
// divided by `divisor` when it is not 0 (tfjs' Mean), accumulated in double in row-major order.
void reduce_sum(const float *x, float *out, int64_t out_size, int rank, const int64_t *shape,
                const int64_t *out_strides, float divisor);

enum UnaryOp : int {
  kReluOp = 0,
  kStepOp = 1,
  kSqrtOp = 2,
  kExpOp = 3,
  kSquareOp = 4,
  kRsqrtOp = 5,
  kNegOp = 6,
  kLogOp = 7,
  kLastUnaryOp = kLogOp
};

// out = op(x) elementwise over n values: relu; step (NaN stays NaN, x > 0 gives 1, otherwise alpha); sqrt,
// exp, x*x, 1/sqrt, -x and log computed in double and rounded once, as tfjs' JavaScript kernels do.
void unary(int op, const float *x, float *out, int64_t n, float alpha);

// out[b, o, i, :] = x[b, o, idx[b, i], :] (tfjs GatherV2 flattened to [batch, outer, dim, slice]).
// Returns false (nothing written) when an index is outside [0, dim).
bool gather(const float *x, const int32_t *idx, float *out, int64_t batch, int64_t outer, int64_t dim,
            int64_t n_idx, int64_t slice);

// Softmax over the last axis of a [rows, cols] matrix: tfjs-backend-cpu's steps (max, exp(x - max), sum,
// divide) with a vectorised exp (within 3e-7 of expf) and a double sum (vecmath.h).
void softmax_rows(const float *x, float *out, long rows, long cols);

}  // namespace brevity
