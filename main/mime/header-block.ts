/**
 * A message's header block on its own: what a list row needs, read without
 * the body, so that downloading mail does not wait for parsing it.
 */
import { parseMessage } from './parse';
import type { HeaderSummary } from './parse';

/** Where the header block ends (after its blank line), if within these bytes. */
export function headerEnd(bytes: Uint8Array): number | undefined {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return undefined;
}

/**
 * The summary the header block gives. Without the body, `hasAttachments` is
 * the Content-Type's hint and there is no snippet: background indexing
 * fills in both once it has read the body.
 */
export async function summarizeHeaders(raw: Uint8Array): Promise<HeaderSummary> {
  const end = headerEnd(raw);
  return (await parseMessage(end === undefined ? raw : raw.subarray(0, end))).summary;
}
