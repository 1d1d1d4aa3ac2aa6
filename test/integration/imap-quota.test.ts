import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { appendMessages, leaseMailboxes, serverSettingsFor, SMALL_QUOTA_KB } from '../mailstack';
import type { TestUser } from '../mailstack';

/**
 * A mailbox near its storage quota (RFC 9208), on a real Dovecot with a
 * small quota for this user: the adapter reports the server's figures, and
 * a copy or an append that would go over is QUOTA_EXCEEDED, whose text says
 * what to do.
 */
const adapters: ImapAdapter[] = [];

afterEach(async () => {
  for (const adapter of adapters.splice(0)) await adapter.close();
});

async function connected(context: TestContext, user: TestUser): Promise<ImapAdapter> {
  const adapter = new ImapAdapter({ accountId: 'quota', server: serverSettingsFor(context, user, 'imaps'), password: user.password });
  adapters.push(adapter);
  await adapter.connect();
  return adapter;
}

const message = (n: number, bytes: number): string => `From: a@example.org\r\nSubject: filler ${n}\r\n\r\n${`${'x'.repeat(76)}\r\n`.repeat(Math.ceil(bytes / 78))}`;

describe('the storage quota', () => {
  it('is reported as the server counts it, and copies and appends beyond it are refused as QUOTA_EXCEEDED', async (context) => {
    const [user] = await leaseMailboxes(context, 1, { special: 'smallQuota' });
    const limit = SMALL_QUOTA_KB * 1024;
    const uids = await appendMessages(user!, [message(1, limit * 0.35), message(2, limit * 0.35)]);
    const adapter = await connected(context, user!);
    expect(adapter.capabilities.quota).toBe(true);
    const quota = await adapter.quota('INBOX');
    expect(quota?.limitBytes).toBe(limit);
    expect(quota!.usedBytes).toBeGreaterThan(limit * 0.69);
    expect(quota!.usedBytes).toBeLessThan(limit * 0.75);

    await expect(adapter.copy('INBOX', uids.map(String), 'Archive')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await expect(adapter.append('INBOX', new TextEncoder().encode(message(3, limit * 0.35)), [])).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      userText: expect.stringMatching(/^The mailbox is full\. Delete some messages, or empty the Trash, and try again\.$/) as unknown,
    });
    // Nothing half done: the folder holds what it held.
    expect((await adapter.quota('INBOX'))?.usedBytes).toBe(quota!.usedBytes);
  });
});
