import { afterEach, describe, expect, it } from 'vitest';
import type { FolderChange } from '../../shared/model';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { deliverBySmtpOrAppend, eventually, leaseMailboxes, openImap, serverSettingsFor, uniqueTag } from '../mailstack/index';

/**
 * Push: a watched folder reports what other senders and devices do to it
 * while the app sits idle, over IDLE on a connection of its own.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('watching an IMAP folder', () => {
  it('reports new mail, and flags and expunges by another device', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const adapter = new ImapAdapter({ accountId: 'acct-watch', server: serverSettingsFor(context, user!, 'imaps'), password: user!.password });
    cleanups.push(() => adapter.close());
    await adapter.connect();
    expect(adapter.capabilities.push).toBe(true);

    const changes: FolderChange[] = [];
    const stop = await adapter.watch('INBOX', (change) => changes.push(change));
    const seen = (reason: FolderChange['reason']): Promise<FolderChange> =>
      eventually(() => Promise.resolve(changes.find((change) => change.reason === reason)));

    const tag = uniqueTag('push');
    await deliverBySmtpOrAppend(user!, { subject: tag, text: 'Pushed to you.' });
    expect(await seen('new-mail')).toEqual({ folder: 'INBOX', reason: 'new-mail' });
    expect(changes.filter((change) => change.reason !== 'new-mail')).toEqual([]);

    const other = await openImap(user!);
    cleanups.push(() => other.logout());
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd('1:*', ['\\Flagged'], { uid: true });
      expect(await seen('flags')).toEqual({ folder: 'INBOX', reason: 'flags' });
      await other.messageDelete('1:*', { uid: true });
      expect(await seen('expunged')).toEqual({ folder: 'INBOX', reason: 'expunged' });
    } finally {
      lock.release();
    }
    await stop();
    // The main connection is untouched by the watch stopping.
    expect(adapter.connected).toBe(true);
  });
});
