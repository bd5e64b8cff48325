#!/usr/bin/env bash
# Packs what a GPU machine without Node needs (shared/notes/gpu.md) into build/gpu/ (gitignored, < 64 MiB):
# node (xz), the CLI as one esbuild bundle, the `webgpu` package with Dawn for linux-x64, and the Vulkan loader.
# Then run there: `bash build/gpu/run.sh` (the device tool carries build/gpu with the working tree).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/build/gpu"
rm -rf "$out" && mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
cd "$root"
npx tsc -b
npx esbuild packages/trainer/dist/cli.js --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/brevity.mjs" --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --external:@resvg/resvg-js \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$out/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$out/node_modules/webgpu/dist/linux-x64/"
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > "$out/node.xz"
( cd "$out" && apt-get download libvulkan1 >/dev/null 2>&1 && mv libvulkan1_*.deb libvulkan1.deb ) || echo "note: libvulkan1 .deb not downloaded; relying on the GPU machine's loader"
cp scripts/gpu/run.sh "$out/run.sh"
cp /work/shared/tools/torch_reference.py "$out/torch_reference.py" 2>/dev/null || cp ../shared/tools/torch_reference.py "$out/torch_reference.py"
du -sh "$out"; ls -la "$out"
