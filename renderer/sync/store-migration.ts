/**
 * Moving what an older Twinbox (schema 5 and before) kept in IndexedDB into
 * main's message store, once per account, before the account syncs. A POP3
 * message's exact bytes go to the store, flushed, and only then does its old
 * body row go: a crash in between leaves the row to be moved again. Old IMAP
 * bodies were parsed text without their bytes: they are a cache and simply
 * go (the server has the messages). A POP3 body without its bytes (none was
 * ever stored that way, but a damaged cache might hold one) is written back
 * as a message from the headers and text it kept, so nothing is lost.
 */
import type { LegacyBody } from '../db/rows';
import type { CacheWriter } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';

/** Bodies moved per request: a few megabytes over IPC at most, for typical mail. */
const BATCH = 50;

/**
 * Moves an account's old bodies into the store; returns how many POP3
 * messages were moved. `keepsOnlyCopy` is whether this computer holds the
 * account's mail (POP3), decided by its capabilities.
 */
export async function migrateLegacyBodies(client: TwinboxClient, writer: CacheWriter, accountId: string, keepsOnlyCopy: boolean): Promise<number> {
  const bodies = writer.db.bodies;
  let moved = 0;
  for (;;) {
    const batch = await bodies.where('accountId').equals(accountId).limit(BATCH).toArray();
    if (batch.length === 0) return moved;
    if (keepsOnlyCopy) {
      for (const [folder, rows] of groupByFolder(batch)) {
        await client.call('store.import', {
          accountId,
          folder,
          items: await Promise.all(
            rows.map(async (body) => {
              const row = await writer.db.messages.get([accountId, body.folder, body.serverId]);
              return {
                serverId: body.serverId,
                raw: ownBytes(body.raw ?? rebuiltMessage(body)),
                kind: body.serverId.startsWith('local-') ? ('local' as const) : ('server' as const),
                partial: row?.partial === 1,
                flags: row?.flags.filter((flag) => /^\\?[^\s()\]{%*"\\]+$/.test(flag)) ?? [],
              };
            }),
          ),
        });
        moved += rows.length;
      }
    }
    await bodies.bulkDelete(batch.map((body): [string, string, string] => [body.accountId, body.folder, body.serverId]));
  }
}

/** Whether an account still has bodies in the old place. */
export async function hasLegacyBodies(writer: CacheWriter, accountId: string): Promise<boolean> {
  return (await writer.db.bodies.where('accountId').equals(accountId).count()) > 0;
}

function groupByFolder(bodies: readonly LegacyBody[]): Map<string, LegacyBody[]> {
  const groups = new Map<string, LegacyBody[]>();
  for (const body of bodies) groups.set(body.folder, [...(groups.get(body.folder) ?? []), body]);
  return groups;
}

/** A message made of what a body without its bytes still has: its header lines and its text. */
function rebuiltMessage(body: LegacyBody): Uint8Array {
  const headers = body.headers.filter(([name]) => !/^(content-type|content-transfer-encoding|mime-version)$/i.test(name));
  const lines = [...headers.map(([name, value]) => `${name}: ${value}`), 'MIME-Version: 1.0'];
  if (body.html !== undefined && body.text === undefined) {
    lines.push('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body.html);
  } else {
    lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body.text ?? '');
  }
  return new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
}

function ownBytes(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}
