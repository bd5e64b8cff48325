#!/usr/bin/env bash
# Runs on the GPU machine from the repo root: unpacks node and the Vulkan/GL libraries, then the commands given
# as arguments with `brevity` = the bundled CLI. Output goes to $OUT (or ./gpu-out).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
OUT="${OUT:-$PWD/gpu-out}"; mkdir -p "$OUT"
xz -dc "$here/node.xz" > "$work/node" 2>/dev/null || python3 -c "import lzma,sys;sys.stdout.buffer.write(lzma.open('$here/node.xz').read())" > "$work/node"
chmod +x "$work/node"
dawn="$here/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -f "$dawn" ] || xz -dc "$dawn.xz" > "$dawn" 2>/dev/null || python3 -c "import lzma,sys;sys.stdout.buffer.write(lzma.open('$dawn.xz').read())" > "$dawn"
# Vulkan loader + GL dispatch libraries (pack.sh): unpacked privately, found through LD_LIBRARY_PATH.
for deb in "$here"/debs/*.deb; do
  [ -f "$deb" ] && dpkg -x "$deb" "$work/vk"
done
[ -d "$work/vk/usr/lib/x86_64-linux-gnu" ] && export LD_LIBRARY_PATH="$work/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$work:$PATH"
brevity() { "$work/node" "$here/brevity.mjs" "$@"; }
export -f brevity 2>/dev/null || true
export work here
# Each command gets its own limit (BREVITY_CMD_TIMEOUT seconds, default 120), so one that hangs on a driver or
# a shader compile costs that much and the rest still run inside the device call's limit.
limit="${BREVITY_CMD_TIMEOUT:-120}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$OUT/gpu.txt" 2>&1
node --version >> "$OUT/gpu.txt"
for cmd in "$@"; do
  echo "### $cmd" | tee -a "$OUT/log.txt"
  timeout "$limit" bash -c "$cmd" >> "$OUT/log.txt" 2>&1
  echo "### exit $?" | tee -a "$OUT/log.txt"
done
tail -c 6000 "$OUT/log.txt"
