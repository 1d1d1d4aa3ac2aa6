/**
 * Small pictures for the demo mailbox, made here rather than shipped as
 * files: solid-colour PNGs (a banner for the newsletter's remote image,
 * photos for attachments) of a few hundred bytes each.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A PNG of one colour with a darker band across the middle, so it reads as a picture and not a blank. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const band = y > height / 3 && y < (2 * height) / 3;
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = band ? rgb[0] >> 1 : rgb[0];
      row[2 + x * 3] = band ? rgb[1] >> 1 : rgb[1];
      row[3 + x * 3] = band ? rgb[2] >> 1 : rgb[2];
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface ImageServer {
  /** Base address, e.g. http://127.0.0.1:40123 */
  origin: string;
  /** Requests served so far: the demo prints when a remote image was loaded (that is what a tracker learns). */
  readonly hits: number;
  close(): Promise<void>;
}

/**
 * Serves the newsletter's "remote" images on 127.0.0.1, so that the demo
 * shows remote content blocked until allowed without needing the internet.
 */
export async function startImageServer(): Promise<ImageServer> {
  const images = new Map<string, Buffer>([
    ['/banner.png', solidPng(480, 120, [47, 111, 208])],
    ['/pixel.png', solidPng(1, 1, [255, 255, 255])],
  ]);
  let hits = 0;
  const server: Server = createServer((request, response) => {
    const image = images.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (!image) {
      response.writeHead(404).end();
      return;
    }
    hits++;
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length, 'cache-control': 'no-store' }).end(image);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the image server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
