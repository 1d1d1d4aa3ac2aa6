/**
 * What tests in every project say about mail on the test stack: an account
 * pointed at a test user's mailbox, a message to put there, and the flags a
 * folder holds as another device sees them.
 */
import type { TestContext } from 'vitest';
import type { Account } from '../../shared/model';
import { openImap, outgoingSettingsFor, serverSettingsFor } from './index';
import type { TestUser } from './types';

/** An account pointed at the test stack for this user; a test that sends with it asks for SMTP itself (see `outgoingSettingsFor`). */
export function accountFor(context: TestContext, user: TestUser, protocol: 'imap' | 'pop3', extra: Partial<Account> = {}): Omit<Account, 'id'> {
  return {
    name: `${protocol} ${user.user}`,
    email: user.address,
    displayName: user.user,
    protocol,
    incoming: serverSettingsFor(context, user, protocol === 'imap' ? 'imaps' : 'pop3s'),
    outgoing: outgoingSettingsFor(context, user),
    ...extra,
  };
}

/** A message with a unique Message-ID and subject, as raw bytes for APPEND. */
export function rawMessage(tag: string, index: number, options: { date?: Date; body?: string; references?: string[] } = {}): string {
  const date = options.date ?? new Date(Date.UTC(2026, 0, 1, 0, index));
  return [
    `From: Sender ${index} <sender${index}@example.org>`,
    `To: someone@example.org`,
    `Subject: ${tag} message ${index}`,
    `Message-ID: <${tag}.${index}@twinbox.test>`,
    ...(options.references ? [`References: ${options.references.map((r) => `<${r}>`).join(' ')}`] : []),
    `Date: ${date.toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body ?? `Body of message ${index}, about ${tag}.`,
    '',
  ].join('\r\n');
}

/** What the server holds in a folder, seen by another device: UID → flags (sorted, lower-case). */
export async function serverFolder(user: TestUser, folder = 'INBOX'): Promise<Map<string, string[]>> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const result = new Map<string, string[]>();
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const message of client.fetch('1:*', { uid: true, flags: true })) {
          result.set(String(message.uid), [...(message.flags ?? [])].map((f) => f.toLowerCase()).sort());
        }
      }
      return result;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}
