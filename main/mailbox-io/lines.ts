/**
 * Lines of a byte stream, as Buffers with their line ends (LF, or CRLF as part
 * of the line), so that a file's bytes come back exactly when the lines are
 * joined again. Nothing is decoded: 8-bit bytes and stray CRs pass through.
 */
import { createReadStream } from 'node:fs';

export interface Line {
  /** The line, its "\n" included (absent only on a last line without one). */
  bytes: Buffer;
  /** Where the line starts in the stream, in bytes. */
  offset: number;
}

const LF = 0x0a;
/** Large reads keep a multi-gigabyte file to a few thousand system calls; one chunk is all that is held besides the current line. */
const CHUNK_BYTES = 1024 * 1024;

export async function* linesOf(chunks: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let offset = 0;
  for await (const piece of chunks) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'latin1') : Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let start = 0;
    for (let end = chunk.indexOf(LF, start); end >= 0; end = chunk.indexOf(LF, start)) {
      const tail = chunk.subarray(start, end + 1);
      const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
      pending = [];
      yield { bytes, offset };
      offset += bytes.length;
      start = end + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) yield { bytes: Buffer.concat(pending), offset };
}

export function linesOfFile(path: string): AsyncGenerator<Line> {
  return linesOf(createReadStream(path, { highWaterMark: CHUNK_BYTES }));
}

/** Lines of bytes already in memory, without copying them. */
export function* linesOfBuffer(bytes: Buffer): Generator<Buffer> {
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(LF, start);
    const next = end < 0 ? bytes.length : end + 1;
    yield bytes.subarray(start, next);
    start = next;
  }
}

/** A line that holds nothing but its line end. */
export function isBlank(line: Buffer): boolean {
  return (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === 0x0d && line[1] === LF);
}

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
