#!/usr/bin/env bash
# Issue 8's GPU measurements in one device call (packed by pack.sh as build/gpu/acceptance.sh; ~2.5 minutes
# on an H200): first the WGSL kernels against tfjs' own (bench --check, with and without the opt-in group
# residualNormMatMul), then PyTorch CUDA and webgpu on the acceptance shape (--d 256 --layers 4): tfjs' own
# kernels once, then the default kernels and the opt-in residualNormMatMul alternating (a decode block in 3
# launches, one workgroup a row: 1.8x slower sampling on an H200 in session 5), one profiled run (GPU time per
# kernel from timestamp queries, launch and read costs); then the bench defaults and the shipped base model
# against PyTorch, GRPO steps of the quickstart (with one update pass, and without the fused policy-gradient
# loss); the what-if variants last: without normMatMul or our attention, w^T copied for the linear layers' dx
# (tfjs' vec4 matmul refuses a transposed right operand), the tiled GEMM of webgpu-gemm.ts in place of tfjs'
# matmul; and PyTorch again (its run-to-run spread). run.sh limits each command to 120 s.
# Usage on the device: OUT=$OUT timeout 540 bash build/gpu/acceptance.sh
here="$(cd "$(dirname "$0")" && pwd)"
torch="python3 $here/torch_reference.py --device cuda"
bench="brevity bench --json --backend webgpu --repeats 5"
profile="BREVITY_DAWN_FLAGS=enable-dawn-features=allow_unsafe_apis brevity bench --json --backend webgpu --repeats 2 --profile"
grpo="brevity bench --grpo experiments/quickstart/laser.yaml --backend webgpu --json --steps 3"
rnm="BREVITY_WEBGPU_FUSED=+residualNormMatMul"
exec bash "$here/run.sh" \
  "brevity bench --check --backend webgpu" \
  "$rnm brevity bench --check --backend webgpu" \
  "$torch --d 256 --layers 4" \
  "BREVITY_WEBGPU_FUSED=0 $bench -d 256 --layers 4" \
  "$bench -d 256 --layers 4" \
  "$rnm $bench -d 256 --layers 4" \
  "$bench -d 256 --layers 4" \
  "$rnm $bench -d 256 --layers 4" \
  "$profile -d 256 --layers 4" \
  "$torch" \
  "$bench" \
  "$torch --d 64 --layers 2 --vocab 21 --batch 32 --seq 88 --sample-batch 128 --sample-tokens 80" \
  "BREVITY_WEBGPU_FUSED=0 $bench --model base" \
  "$bench --model base" \
  "$grpo" \
  "$grpo --set optim.microBatchTokens=null" \
  "BREVITY_WEBGPU_FUSED=-pgLoss $grpo" \
  "BREVITY_WEBGPU_FUSED=-normMatMul $bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_FUSED=-attention $bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_DX_TRANSPOSE=1 $bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_GEMM=1 brevity bench --check --backend webgpu" \
  "BREVITY_WEBGPU_GEMM=1 $bench -d 256 --layers 4" \
  "$torch --d 256 --layers 4"
