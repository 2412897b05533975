/**
 * A first look at a GGUF file's header, before handing it to llama.cpp: a file that is not GGUF
 * (or is cut short) makes wllama's worker throw where no caller can catch it, so the load would
 * hang instead of failing.
 *
 * Layout (little-endian): magic "GGUF", uint32 version (1–3), then the tensor count and the
 * metadata key-value count (uint32 in version 1, uint64 after).
 */

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
/** The header fields this check reads. */
export const GGUF_HEADER_BYTES = 24;
/** Far above any real model (a 70B model has about 700 tensors). */
const MAX_TENSORS = 1_000_000;
const MAX_METADATA = 1_000_000;

/** Why `header` (the file's first bytes) is not a GGUF model llama.cpp can read; null when it looks fine. */
export function ggufHeaderProblem(header: Uint8Array, fileSize: number): string | null {
  if (fileSize < GGUF_HEADER_BYTES || header.length < GGUF_HEADER_BYTES) {
    return 'it is too small to be a GGUF model';
  }
  if (!MAGIC.every((byte, i) => header[i] === byte)) {
    return 'it does not start like a GGUF model file (it may be another format, or renamed)';
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const version = view.getUint32(4, true);
  if (version < 1 || version > 3)
    return `it is GGUF version ${version}, which this app cannot read`;
  const tensors = version === 1 ? view.getUint32(8, true) : Number(view.getBigUint64(8, true));
  const metadata = version === 1 ? view.getUint32(12, true) : Number(view.getBigUint64(16, true));
  if (tensors === 0 || tensors > MAX_TENSORS || metadata > MAX_METADATA) {
    return 'its header is damaged';
  }
  return null;
}
