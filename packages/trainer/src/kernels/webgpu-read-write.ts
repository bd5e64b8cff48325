/**
 * In-place inputs for tfjs webgpu programs. tfjs declares a program's one output read_write and every input
 * read-only; a program that names inputs after READ_WRITE_MARKER gets them declared read_write instead
 * (installReadWrite wraps the device's createShaderModule with applyReadWrite), so one launch can write
 * several tensors: the multi-tensor AdamW and gradient sum (webgpu-adam.ts), the RMSNorm forward that keeps
 * its inverse norms, the embeddings' gradient and the decode step's KV cache. Kernels that write tensors in
 * place check them with assertOwnBuffers and drop tfjs' stale host copies with dropHostCopies.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * WGSL marker naming inputs the program writes in place: the device's createShaderModule (wrapped by
 * webgpu-fused.ts) turns their `var<storage, read>` declarations, which tfjs generates for every input,
 * into `read_write`. tfjs gives a program one output; in-place inputs let one launch update many tensors.
 */
export const READ_WRITE_MARKER = '// brevity:read_write';

/** The marker line for `names` (see READ_WRITE_MARKER). */
export const readWrite = (names: string[]): string => `${READ_WRITE_MARKER} ${names.join(' ')}\n`;

/** Rewrites the tfjs-generated declarations of the inputs a program's marker names to read_write. */
export function applyReadWrite(code: string): string {
  const at = code.indexOf(READ_WRITE_MARKER);
  if (at < 0) return code;
  const line = code.slice(at + READ_WRITE_MARKER.length, code.indexOf('\n', at));
  let out = code;
  for (const name of line.trim().split(/\s+/)) {
    const decl = `var<storage, read> ${name}:`;
    if (!out.includes(decl)) throw new Error(`WGSL read_write marker: no input declared as "${decl}"`);
    out = out.replace(decl, `var<storage, read_write> ${name}:`);
  }
  return out;
}

const installed = new WeakSet<object>();

/**
 * Wraps a webgpu device's createShaderModule, through which tfjs compiles every program, to apply
 * READ_WRITE_MARKER (once per device; installWebgpuKernels calls it).
 */
export function installReadWrite(device: {
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
}): void {
  if (installed.has(device)) return;
  installed.add(device);
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (d) => create({ ...d, code: applyReadWrite(d.code) });
}

/** What the in-place checks use of the webgpu backend (a subset of WebgpuBackendLike). */
interface InPlaceBackend {
  refCount(dataId: object): number;
  tensorMap: { get(dataId: object): { values: unknown } };
}

/**
 * Refuses tensors whose buffer another tensor shares (tfjs' reshapes, clones and Variable.assign share
 * them): a kernel writing them in place would change that tensor too. `kernel` names the kernel for the error.
 */
export function assertOwnBuffers(be: InPlaceBackend, tensors: tf.TensorInfo[], kernel: string): void {
  for (const t of tensors)
    tf.util.assert(
      be.refCount(t.dataId) === 1,
      () =>
        `${kernel}: a tensor it writes in place shares its buffer with another (give it its own copy first)`,
    );
}

/** Drops the host copies tfjs keeps of tensors it has read: stale once a program wrote them in place. */
export function dropHostCopies(be: InPlaceBackend, tensors: tf.TensorInfo[]): void {
  for (const t of tensors) be.tensorMap.get(t.dataId).values = null;
}
