/**
 * Remote images of a message, fetched by main and handed to the page as
 * data: URIs. The page itself may load nothing from the network (its CSP
 * says so), so no image reaches a tracker before the user allows it; and
 * when they do, only pictures come back, within limits.
 */
import type { RemoteImage } from '../shared/contract';

const MAX_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 15_000;
// A newsletter may hold a hundred images; a few connections at a time is what browsers do too.
const CONCURRENCY = 6;

/**
 * Fetches each address once (duplicates are answered once), at most a few
 * at a time. Never throws: each address gets its own result.
 */
export async function fetchRemoteImages(urls: readonly string[], fetchImpl: typeof fetch = fetch): Promise<RemoteImage[]> {
  const unique = [...new Set(urls)];
  const results: RemoteImage[] = new Array<RemoteImage>(unique.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const index = next++;
      results[index] = await fetchOne(unique[index] ?? '', fetchImpl);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));
  return results;
}

async function fetchOne(url: string, fetchImpl: typeof fetch): Promise<RemoteImage> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, ok: false, error: 'not an address' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { url, ok: false, error: 'not an http or https address' };
  try {
    const response = await request(parsed, fetchImpl);
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { url, ok: false, error: `the server answered ${response.status}` };
    }
    const declaredType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const declaredLength = Number(response.headers.get('content-length') ?? 0);
    if (!declaredType.startsWith('image/') || declaredLength > MAX_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      return { url, ok: false, error: declaredType.startsWith('image/') ? 'too large' : 'not a picture' };
    }
    const body = await readAtMost(response, MAX_BYTES);
    if (body === undefined) return { url, ok: false, error: 'too large' };
    // The bytes decide, not the server's word: only pictures the page can show as pictures pass (no SVG, no HTML).
    const type = pictureType(body);
    if (type === undefined) return { url, ok: false, error: 'not a picture' };
    return { url, ok: true, dataUri: `data:${type};base64,${Buffer.from(body).toString('base64')}`, bytes: body.byteLength };
  } catch (error) {
    return { url, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * One GET, tried a second time on a new connection when the first failed
 * before any answer: fetch keeps connections open between pictures, and a
 * server may close one just as it is reused (its keep-alive timeout), which
 * browsers also answer by retrying.
 */
async function request(url: URL, fetchImpl: typeof fetch): Promise<Response> {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const init: RequestInit = {
    // fetch follows only http and https redirects, so a redirect cannot reach a file or another scheme.
    redirect: 'follow',
    signal,
    // No cookies, no referrer: the sender learns that the image was loaded, nothing more.
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    headers: { accept: 'image/*' },
  };
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    // fetch rejects with a TypeError for a network failure; a timeout is an abort, and is not tried again.
    if (!(error instanceof TypeError) || signal.aborted) throw error;
    return fetchImpl(url, init);
  }
}

/** The body, or undefined as soon as it passes `limit` (a chunked reply declares no length, so it is counted as it comes). */
async function readAtMost(response: Response, limit: number): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    // Node's stream types leave the chunk untyped; fetch's body yields Uint8Array chunks.
    const chunk: unknown = await reader.read();
    const { done, value } = chunk as { done: boolean; value: unknown };
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new Error('the response body is not bytes');
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** The type of a raster picture, from its first bytes; undefined for anything else. */
export function pictureType(bytes: Uint8Array): string | undefined {
  const starts = (...signature: number[]): boolean => signature.every((byte, i) => bytes[i] === byte);
  const ascii = (offset: number, text: string): boolean => {
    for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
    return true;
  };
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'BM') && bytes.length > 14) return 'image/bmp';
  if (starts(0x00, 0x00, 0x01, 0x00) && bytes.length > 6) return 'image/x-icon';
  if (ascii(4, 'ftypavif') || ascii(4, 'ftypavis')) return 'image/avif';
  return undefined;
}
