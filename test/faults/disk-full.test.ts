/**
 * The disk fills up while POP3 mail is being stored, under "delete after
 * download": main's data directory is a small tmpfs of its own (root only),
 * filled until a batch no longer fits. The check must fail with DISK_FULL,
 * the server must keep every message that is not durably here, and once
 * space is freed the next check must finish the job, once per message.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import { leaseMailboxes, messageIdsOnServer, requireEndpoint, skipBecause, uniqueTag } from '../mailstack';
import { rawMessage } from '../mailstack/fixtures';
import { appendQuickly, openFaultTwinbox, idsInIndex, idsInStore, report, saveAccount, tally } from './fault-harness';

const MESSAGES = 90;
/** Room left for the first batch of 50 and part of the next: tmpfs gives each small file a 4 KiB page. */
const ROOM_BYTES = 65 * 4096;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A small tmpfs as main's data directory, unmounted after the test whatever happens. */
function smallDisk(context: TestContext): string {
  if (process.getuid?.() !== 0) skipBecause(context, 'mounting a small tmpfs to fill needs root');
  const dir = mkdtempSync(join(tmpdir(), 'twinbox-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    skipBecause(context, `could not mount a tmpfs: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`);
  }
  cleanups.push(async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
        break;
      } catch {
        // Busy for a moment while a file handle closes; a lazy unmount as the last resort.
        if (attempt >= 10) {
          execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the disk so that only `room` bytes stay free; returns the file to delete to free it again. */
function fill(dir: string, room: number): string {
  const filler = join(dir, 'filler');
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  writeFileSync(filler, Buffer.alloc(Math.max(0, free - room)));
  return filler;
}

describe('the disk fills up during a POP3 download with "delete after download"', () => {
  it('fails with DISK_FULL and deletes nothing on the server; after space is freed the next check completes, once each', async (context) => {
    const dataDir = smallDisk(context);
    const target = requireEndpoint(context, 'pop3');
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag('full');
    await appendQuickly(user!, Array.from({ length: MESSAGES }, (_, i) => rawMessage(tag, i + 1)));
    const ids = Array.from({ length: MESSAGES }, (_, i) => `${tag}.${i + 1}@twinbox.test`);
    const twinbox = await openFaultTwinbox(dataDir);
    cleanups.push(() => twinbox.close());
    // The account is saved while there is room: settings are written to the same disk.
    const account = await saveAccount(twinbox, context, user!, 'pop3', { through: target });
    await twinbox.call('store.usage', { accountId: account.id });
    const filler = fill(dataDir, ROOM_BYTES);

    const error: unknown = await twinbox.engine.pop3.check(account).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(TwinboxError);
    expect((error as TwinboxError).code).toBe('DISK_FULL');
    const afterError = tally(ids, await idsInIndex(twinbox.page, account.id), await messageIdsOnServer(user!), idsInStore(dataDir, account.id));
    expect(afterError).toMatchObject({ onServer: MESSAGES, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    expect(afterError.here).toBeLessThan(MESSAGES);

    rmSync(filler);
    const retry = await twinbox.engine.pop3.check(account);
    expect(retry.deletedOnServer).toHaveLength(MESSAGES);
    const counts = tally(ids, await idsInIndex(twinbox.page, account.id), await messageIdsOnServer(user!), idsInStore(dataDir, account.id));
    expect(counts).toEqual({ here: MESSAGES, onServer: 0, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    report('disk full mid-download (POP3, delete after download)', `DISK_FULL (${afterError.here} here, server kept all), retry after freeing space ok`, counts);
  });
});
