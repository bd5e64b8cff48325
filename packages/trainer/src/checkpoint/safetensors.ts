/**
 * The safetensors format (huggingface/safetensors): 8-byte little-endian header length N, N bytes of JSON
 * header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}`, then the raw
 * little-endian tensor bytes, offsets relative to the end of the header. We write F32 and I32 and pad the
 * header with spaces to a multiple of 8 bytes, as the reference implementation does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { UserError } from '../errors.js';

export type SafeDtype = 'F32' | 'I32';
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A malformed or inconsistent safetensors file; the message names the file and the problem. */
export class SafetensorsError extends UserError {
  override name = 'SafetensorsError';
}

if (endianness() !== 'LE') throw new Error('safetensors: only little-endian hosts are supported');

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Serialises named tensors (and string metadata) to bytes. */
export function encodeSafetensors(
  tensors: Map<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.data.length !== count(t.shape))
      throw new Error(`safetensors: ${name} has ${t.data.length} values but shape [${t.shape}]`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export function writeSafetensors(
  path: string,
  tensors: Map<string, SafeTensor>,
  metadata?: Record<string, string>,
) {
  writeFileSync(path, encodeSafetensors(tensors, metadata));
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function parseHeader(
  bytes: Uint8Array,
  where: string,
): { entries: [string, HeaderEntry][]; meta: Record<string, string>; base: number } {
  if (bytes.length < 8)
    throw new SafetensorsError(`${where}: file too short (${bytes.length} bytes) to be safetensors`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8)
    throw new SafetensorsError(`${where}: header length ${n} exceeds the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new SafetensorsError(`${where}: header is not valid JSON (${(e as Error).message})`);
  }
  const meta = (header.__metadata__ ?? {}) as Record<string, string>;
  delete header.__metadata__;
  return { entries: Object.entries(header) as [string, HeaderEntry][], meta, base: 8 + n };
}

function readEntry(bytes: Uint8Array, base: number, name: string, e: HeaderEntry, where: string): SafeTensor {
  if (e.dtype !== 'F32' && e.dtype !== 'I32')
    throw new SafetensorsError(
      `${where}: tensor ${name} has dtype ${e.dtype}; only F32 and I32 are supported`,
    );
  const ok = Array.isArray(e.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0);
  const [begin, end] = Array.isArray(e.data_offsets) ? e.data_offsets : [NaN, NaN];
  if (!ok || !(begin >= 0 && end >= begin && base + end <= bytes.length))
    throw new SafetensorsError(`${where}: tensor ${name} has a malformed shape or data_offsets`);
  if (end - begin !== count(e.shape) * 4)
    throw new SafetensorsError(
      `${where}: tensor ${name}: ${end - begin} bytes do not hold shape [${e.shape}] of ${e.dtype}`,
    );
  // Copy into a fresh, aligned buffer: the data may sit at any byte offset, and Buffer.slice is a view.
  const raw = new Uint8Array(end - begin);
  raw.set(bytes.subarray(base + begin, base + end));
  const data = e.dtype === 'F32' ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
  return { dtype: e.dtype, shape: e.shape, data };
}

/** Parses safetensors bytes; `where` names the source in error messages. */
export function decodeSafetensors(
  bytes: Uint8Array,
  where = 'safetensors',
): { tensors: Map<string, SafeTensor>; metadata: Record<string, string> } {
  const { entries, meta, base } = parseHeader(bytes, where);
  const tensors = new Map<string, SafeTensor>();
  for (const [name, e] of entries) tensors.set(name, readEntry(bytes, base, name, e, where));
  return { tensors, metadata: meta };
}

export function readSafetensors(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(
      `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return decodeSafetensors(bytes, path);
}
