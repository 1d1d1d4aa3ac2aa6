/**
 * Remote images of a message, fetched by main and handed to the page as
 * data: URIs. The page itself may load nothing from the network (its CSP
 * says so), so no image reaches a tracker before the user allows it; and
 * when they do, only pictures come back, within limits, and only from the
 * internet: an address inside this computer or its network is refused
 * (address-policy.ts), at every redirect, and the connection goes to the very
 * address that was checked, so a second DNS answer cannot point it elsewhere.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { addAbortSignal } from 'node:stream';
import type { RemoteImage } from '../shared/contract';
import { classifyAddress, literalAddress, NO_ALLOWED_ENDPOINTS } from './address-policy';
import type { AllowedEndpoints } from './address-policy';

export interface RemoteImageLimits {
  /** Distinct addresses fetched in one call (one message's pictures); the rest are refused. */
  images: number;
  /** Bytes received in one call, all pictures together. */
  totalBytes: number;
  /** Bytes of one picture. */
  imageBytes: number;
  /** For one picture, its redirects included. */
  timeoutMs: number;
  /** Pictures fetched at the same time: a few connections, as browsers open. */
  concurrency: number;
  /** Redirects followed for one picture. */
  redirects: number;
}

export const REMOTE_IMAGE_LIMITS: Readonly<RemoteImageLimits> = {
  images: 100,
  totalBytes: 20 * 1024 * 1024,
  imageBytes: 5 * 1024 * 1024,
  timeoutMs: 15_000,
  concurrency: 6,
  redirects: 5,
};

/** Every address of a name, as node:dns's lookup with `all` answers. */
export type ResolveName = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface RemoteImageOptions {
  /** Internal endpoints that may be reached all the same: only the tests' and the demo's own image servers. */
  allowedInternal?: AllowedEndpoints;
  /** The system's resolver by default; tests answer for names of their own. */
  resolve?: ResolveName;
  limits?: Partial<RemoteImageLimits>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const TOO_MUCH = 'too much for one message';

/** A picture left alone on purpose; the message is the reason its result gives. */
class Refusal extends Error {}

/** A kept-alive connection failed before any answer: the server may have closed it just as it was reused. */
class StaleConnection extends Error {}

interface Session {
  limits: RemoteImageLimits;
  allowed: AllowedEndpoints;
  resolve: ResolveName;
  agents: { http: HttpAgent; https: HttpsAgent };
  /** Of `limits.totalBytes`; below zero once a picture went past it. */
  bytesLeft: number;
}

const resolveWithSystem: ResolveName = (hostname) => lookupAll(hostname, { all: true });

/**
 * Fetches each address once (duplicates are answered once), at most a few
 * at a time. Never throws: each address gets its own result.
 */
export async function fetchRemoteImages(urls: readonly string[], options: RemoteImageOptions = {}): Promise<RemoteImage[]> {
  const limits = { ...REMOTE_IMAGE_LIMITS, ...options.limits };
  const unique = [...new Set(urls)];
  const wanted = unique.slice(0, limits.images);
  // Past the limit, in the message's order; the rest are replaced by what their fetch gives.
  const results = unique.map((url): RemoteImage => ({ url, ok: false, error: 'too many images' }));
  const session: Session = {
    limits,
    allowed: options.allowedInternal ?? NO_ALLOWED_ENDPOINTS,
    resolve: options.resolve ?? resolveWithSystem,
    // This call's own connections, closed when it ends: a picture of the next message starts afresh, and no
    // connection outlives the rules it was opened under.
    agents: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
    bytesLeft: limits.totalBytes,
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const index = next++;
      results[index] = await fetchOne(wanted[index] ?? '', session);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limits.concurrency, wanted.length) }, worker));
  } finally {
    session.agents.http.destroy();
    session.agents.https.destroy();
  }
  return results;
}

async function fetchOne(url: string, session: Session): Promise<RemoteImage> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, ok: false, error: 'not an address' };
  }
  if (!isWeb(parsed)) return { url, ok: false, error: 'not an http or https address' };
  const signal = AbortSignal.timeout(session.limits.timeoutMs);
  try {
    const body = await download(parsed, session, signal);
    // The bytes decide, not the server's word: only pictures the page can show as pictures pass (no SVG, no HTML).
    const type = pictureType(body);
    if (type === undefined) return { url, ok: false, error: 'not a picture' };
    return { url, ok: true, dataUri: `data:${type};base64,${body.toString('base64')}`, bytes: body.byteLength };
  } catch (error) {
    if (error instanceof Refusal) return { url, ok: false, error: error.message };
    if (signal.aborted) return { url, ok: false, error: `no answer within ${session.limits.timeoutMs / 1000} s` };
    return { url, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function isWeb(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** The picture's bytes, once the answer (after its redirects) says it is one and within the limits. */
async function download(url: URL, session: Session, signal: AbortSignal): Promise<Buffer> {
  const response = await follow(url, session, signal);
  try {
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw new Refusal(`the server answered ${status}`);
    const declaredType = (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!declaredType.startsWith('image/')) throw new Refusal('not a picture');
    const declaredLength = Number(response.headers['content-length'] ?? 0);
    if (declaredLength > session.limits.imageBytes) throw new Refusal('too large');
    if (declaredLength > session.bytesLeft) throw new Refusal(TOO_MUCH);
    return await readBody(response, session, signal);
  } finally {
    // An answer left unread would hold its connection: it goes, rather than carrying the rest to nobody.
    if (!response.readableEnded) response.destroy();
  }
}

/** Requests `start`, and each redirect's target in turn, every one checked as the first was. */
async function follow(start: URL, session: Session, signal: AbortSignal): Promise<IncomingMessage> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const addresses = await checkedAddresses(url, session, signal);
    const response = await requestRetryingStale(url, addresses, session, signal);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) return response;
    response.destroy();
    if (redirects >= session.limits.redirects) throw new Refusal('too many redirects');
    let target: URL;
    try {
      target = new URL(location, url);
    } catch {
      throw new Refusal('redirected to something that is not an address');
    }
    if (!isWeb(target)) throw new Refusal('redirected to an address that is not http or https');
    url = target;
  }
}

/**
 * The addresses to connect to for `url`: its own if it names one, else
 * every address its name has; refused when any of them is internal (and not
 * an allowed endpoint), since the connection may go to any of them.
 */
async function checkedAddresses(url: URL, session: Session, signal: AbortSignal): Promise<readonly LookupAddress[]> {
  const literal = literalAddress(url.hostname);
  const addresses = literal === undefined ? await resolveName(url.hostname, session, signal) : [{ address: literal, family: isIP(literal) }];
  if (addresses.length === 0) throw new Error(`${url.hostname} has no address`);
  const port = portOf(url);
  if (addresses.some(({ address }) => classifyAddress(address) !== 'public' && !session.allowed.allows(address, port))) throw new Refusal('internal address');
  return addresses;
}

/** The resolver's answer, given up on with the picture (a lookup cannot itself be cancelled). */
function resolveName(hostname: string, session: Session, signal: AbortSignal): Promise<readonly LookupAddress[]> {
  return new Promise((resolve, reject) => {
    const abandon = (): void => reject(new Error(`no address for ${hostname} in time`));
    if (signal.aborted) {
      abandon();
      return;
    }
    signal.addEventListener('abort', abandon, { once: true });
    session.resolve(hostname).then(
      (addresses) => {
        signal.removeEventListener('abort', abandon);
        resolve(addresses);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abandon);
        reject(new Error(`no address for ${hostname}`, { cause: error }));
      },
    );
  });
}

/**
 * One GET, tried once more on a new connection when a kept-alive one failed
 * before any answer: a server may close an idle connection just as it is
 * reused (its keep-alive timeout), which browsers also answer by retrying.
 */
async function requestRetryingStale(url: URL, addresses: readonly LookupAddress[], session: Session, signal: AbortSignal): Promise<IncomingMessage> {
  try {
    return await get(url, addresses, url.protocol === 'https:' ? session.agents.https : session.agents.http, signal);
  } catch (error) {
    if (!(error instanceof StaleConnection)) throw error;
    // A connection of its own, which no idle timeout can have closed yet.
    return get(url, addresses, false, signal);
  }
}

function get(url: URL, addresses: readonly LookupAddress[], agent: HttpAgent | false, signal: AbortSignal): Promise<IncomingMessage> {
  const secure = url.protocol === 'https:';
  const hostname = literalAddress(url.hostname) ?? url.hostname;
  const options: RequestOptions = {
    hostname,
    port: portOf(url),
    path: `${url.pathname}${url.search}`,
    // The name the mail gave, not the address: the server hosts it. No cookies, no referrer: the sender learns that
    // the picture was loaded, nothing more.
    headers: { host: url.host, accept: 'image/*' },
    agent,
    signal,
    lookup: pinnedLookup(addresses),
    // TLS checks the certificate against the name, and sends it as SNI; an address is never sent as SNI.
    ...(secure && isIP(hostname) === 0 ? { servername: hostname } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(options, resolve);
    request.on('error', (error) => reject(request.reusedSocket && !signal.aborted ? new StaleConnection(error.message, { cause: error }) : error));
    request.end();
  });
}

/**
 * Answers the socket's lookup with the addresses already checked, so that
 * nothing resolves the name a second time. Node asks with `all: true` when
 * it may try several addresses (autoSelectFamily), and for one otherwise.
 */
function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const [first] = addresses;
    if (options.all === true) callback(null, addresses.map((address) => ({ ...address })));
    else if (first) callback(null, first.address, first.family);
    else callback(new Error('no checked address'), '');
  };
}

/** The body, counted as it comes (a chunked reply declares no length) against the picture's and the call's limits. */
async function readBody(response: IncomingMessage, session: Session, signal: AbortSignal): Promise<Buffer> {
  addAbortSignal(signal, response);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<unknown>) {
    if (!Buffer.isBuffer(chunk)) throw new Error('the response body is not bytes');
    total += chunk.byteLength;
    session.bytesLeft -= chunk.byteLength;
    if (total > session.limits.imageBytes) throw new Refusal('too large');
    if (session.bytesLeft < 0) throw new Refusal(TOO_MUCH);
    chunks.push(chunk);
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
