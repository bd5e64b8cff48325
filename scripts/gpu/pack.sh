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
# Dawn travels xz-compressed (21 MB -> a few MB) so the bundle and the tracked tree stay under 64 MiB.
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
# The report renderer's SVG-to-PNG package is native and not needed for benches or training: a stub that
# says so when used keeps the bundle loadable (the ESM bundle imports it at load time).
mkdir -p "$out/node_modules/@resvg/resvg-js"
echo '{"name":"@resvg/resvg-js","version":"0.0.0-stub","main":"index.js"}' > "$out/node_modules/@resvg/resvg-js/package.json"
echo 'class Resvg { constructor() { throw new Error("@resvg/resvg-js is not bundled for the GPU machine (scripts/gpu/pack.sh)"); } }
module.exports = { Resvg };' > "$out/node_modules/@resvg/resvg-js/index.js"
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > "$out/node.xz"
# The Vulkan loader and the GL vendor-neutral dispatch libraries the NVIDIA ICD (libGLX_nvidia) links against
# (docs/model.md: on the H200 image the ICD loaded only with all of them); run.sh unpacks them with dpkg -x.
mkdir -p "$out/debs"
for pkg in libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2; do
  ( cd "$out/debs" && apt-get download "$pkg" >/dev/null 2>&1 ) || echo "note: $pkg .deb not downloaded; relying on the GPU machine's copy"
done
cp scripts/gpu/run.sh scripts/gpu/acceptance.sh "$out/"
cp /work/shared/tools/torch_reference.py "$out/torch_reference.py" 2>/dev/null || cp ../shared/tools/torch_reference.py "$out/torch_reference.py"
du -sh "$out"; ls -la "$out"
