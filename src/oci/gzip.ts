import { gzipSync } from 'node:zlib';

/** RFC 1952's OS byte for "unknown", as Go's compress/gzip writes it: the same on every platform. */
const OS_UNKNOWN = 0xff;

/**
 * Gzip with a fixed header: mtime 0, no name, one OS byte everywhere. The header is not covered by the trailer's
 * CRC (that covers the data), so setting the OS byte keeps the stream valid. Pure.
 */
export function gzipFixed(data: Uint8Array): Buffer {
  const out = gzipSync(data, { level: 6 });
  out.writeUInt32LE(0, 4);
  out[9] = OS_UNKNOWN;
  return out;
}
