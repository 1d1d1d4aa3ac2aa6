/**
 * Remote images of a message, fetched by main and handed to the page as
 * data: URIs. The page itself may load nothing from the network (its CSP
 * says so), so no image reaches a tracker before the user allows it; and
 * when they do, only images come back, within limits.
 */
import type { RemoteImage } from '../shared/contract';

const MAX_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 15_000;

export async function fetchRemoteImages(urls: readonly string[], fetchImpl: typeof fetch = fetch): Promise<RemoteImage[]> {
  return Promise.all([...new Set(urls)].map((url) => fetchOne(url, fetchImpl)));
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
    const response = await fetchImpl(parsed, {
      redirect: 'follow',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      // No cookies, no referrer: the sender learns that the image was loaded, nothing more.
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      headers: { accept: 'image/*' },
    });
    if (!response.ok) return { url, ok: false, error: `the server answered ${response.status}` };
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!type.startsWith('image/') || type === 'image/svg+xml') return { url, ok: false, error: 'not a picture' };
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_BYTES) return { url, ok: false, error: 'too large' };
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > MAX_BYTES) return { url, ok: false, error: 'too large' };
    return { url, ok: true, dataUri: `data:${type};base64,${Buffer.from(body).toString('base64')}`, bytes: body.byteLength };
  } catch (error) {
    return { url, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
