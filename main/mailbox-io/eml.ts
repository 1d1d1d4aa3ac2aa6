/**
 * A single message in a file of its own (.eml): exactly its bytes, both ways.
 */
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorDetail } from './mbox';
import type { ReadEntry } from './mbox';

export async function writeEml(path: string, raw: Uint8Array, internalDate?: Date): Promise<void> {
  await writeFile(path, raw);
  if (internalDate) await utimes(path, internalDate, internalDate);
}

/** The message of an .eml file, or why it is skipped; its date is the file's. */
export async function readEml(path: string, index = 1): Promise<ReadEntry> {
  const label = basename(path);
  try {
    const info = await stat(path);
    if (!info.isFile()) return { kind: 'skipped', index, offset: 0, reason: 'not-a-file', label };
    const raw = await readFile(path);
    if (raw.every((byte) => byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09)) return { kind: 'skipped', index, offset: 0, reason: 'empty-file', label };
    return { kind: 'message', index, offset: 0, raw, flags: [], internalDate: info.mtime, label };
  } catch (error) {
    return { kind: 'skipped', index, offset: 0, reason: 'unreadable', detail: errorDetail(error), label };
  }
}
