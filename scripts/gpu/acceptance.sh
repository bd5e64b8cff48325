#!/usr/bin/env bash
# Issue 8's GPU measurements in one device call (packed by pack.sh as build/gpu/acceptance.sh; ~6 minutes on
# an H200): first the WGSL kernels against tfjs' own (bench --check, seconds), then PyTorch CUDA, then webgpu
# without and with the fused WGSL kernels, alternating, on the acceptance shape (--d 256 --layers 4); there
# also one profiled run (GPU time per kernel from timestamp queries, launch and read costs), one with tfjs'
# attention instead of ours (untiled, a suspect on a real GPU), one decoding without residualNormMatMul (a
# workgroup a row: 8 fewer launches a token at 4 layers, but less parallel work a launch), one with w^T copied for the linear layers' dx
# (tfjs' vec4 matmul refuses a transposed right operand), one submitting every 256 programs instead of 15,
# and the tiled GEMM of webgpu-gemm.ts in place of tfjs' matmul (checked, timed and profiled). The reported
# numbers come first: the acceptance shape, then the bench defaults and the shipped base model against
# PyTorch, and GRPO steps of the quickstart with and without length-sorted update passes and without the fused
# policy-gradient loss (group pgLoss); the what-if variants last. run.sh limits each command to 120 s.
# Usage on the device: OUT=$OUT timeout 540 bash build/gpu/acceptance.sh
here="$(cd "$(dirname "$0")" && pwd)"
torch="python3 $here/torch_reference.py --device cuda"
bench="brevity bench --json --backend webgpu --repeats 5"
exec bash "$here/run.sh" \
  "brevity bench --check --backend webgpu" \
  "$torch --d 256 --layers 4" \
  "BREVITY_WEBGPU_FUSED=0 $bench -d 256 --layers 4" \
  "$bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_FUSED=0 $bench -d 256 --layers 4" \
  "$bench -d 256 --layers 4" \
  "BREVITY_DAWN_FLAGS=enable-dawn-features=allow_unsafe_apis $bench -d 256 --layers 4 --repeats 2 --profile" \
  "$torch" \
  "$bench" \
  "$torch --d 64 --layers 2 --vocab 21 --batch 32 --seq 88 --sample-batch 128 --sample-tokens 80" \
  "BREVITY_WEBGPU_FUSED=0 $bench --model base" \
  "$bench --model base" \
  "brevity bench --grpo experiments/quickstart/laser.yaml --backend webgpu --json --steps 3" \
  "brevity bench --grpo experiments/quickstart/laser.yaml --backend webgpu --json --steps 3 --set optim.microBatchTokens=null" \
  "BREVITY_WEBGPU_FUSED=-pgLoss brevity bench --grpo experiments/quickstart/laser.yaml --backend webgpu --json --steps 3" \
  "BREVITY_WEBGPU_FUSED=-attention $bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_FUSED=-residualNormMatMul $bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_DX_TRANSPOSE=1 $bench -d 256 --layers 4" \
  "BREVITY_TFJS_FLAGS=WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=256 $bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_GEMM=1 brevity bench --check --backend webgpu" \
  "BREVITY_WEBGPU_GEMM=1 $bench -d 256 --layers 4" \
  "BREVITY_WEBGPU_GEMM=1 BREVITY_DAWN_FLAGS=enable-dawn-features=allow_unsafe_apis $bench -d 256 --layers 4 --repeats 2 --profile"
