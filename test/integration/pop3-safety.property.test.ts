import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RetentionPolicy } from '../../shared/model';
import type { TwinboxDatabase } from '../../renderer/db/schema';
import { SyncEngine } from '../../renderer/sync/engine';
import { appendMessages, leaseMailboxes, openImap, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { clientHarness, saveAccount } from './client-harness';
import { accountFor, rawMessage } from '../mailstack/fixtures';
import { accountMessages } from '../../renderer/db/queries';

/**
 * The POP3 safety rule under random use, against real Dovecot: whatever the
 * order of new mail arriving, checks, deletions here, page reloads,
 * connections cut at any call, and the clock moving on, a message committed
 * here is never lost, none is ever shown twice, and the server never loses a
 * message that is not safely here.
 */
type Step =
  | { kind: 'arrive'; count: number }
  | { kind: 'check' }
  | { kind: 'check-cut'; afterCalls: number }
  | { kind: 'delete-here'; pick: number }
  | { kind: 'reload' }
  | { kind: 'advance-days'; days: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('arrive' as const), count: fc.integer({ min: 1, max: 3 }) }),
  fc.constant({ kind: 'check' as const }),
  fc.record({ kind: fc.constant('check-cut' as const), afterCalls: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('delete-here' as const), pick: fc.nat(20) }),
  fc.constant({ kind: 'reload' as const }),
  fc.record({ kind: fc.constant('advance-days' as const), days: fc.integer({ min: 1, max: 10 }) }),
);

const policy: fc.Arbitrary<RetentionPolicy> = fc.oneof(
  fc.constant({ kind: 'keep' as const }),
  fc.constant({ kind: 'until-deleted-here' as const }),
  fc.constant({ kind: 'delete-after-download' as const }),
  fc.integer({ min: 1, max: 14 }).map((days) => ({ kind: 'days' as const, days })),
);

async function messageIdsOnServer(user: TestUser): Promise<Set<string>> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const ids = new Set<string>();
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const message of client.fetch('1:*', { envelope: true })) ids.add((message.envelope?.messageId ?? '').replace(/^<|>$/g, ''));
      }
      return ids;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function checkInvariants(db: TwinboxDatabase, accountId: string, user: TestUser, arrived: ReadonlySet<string>, deletedHere: ReadonlySet<string>): Promise<void> {
  const rows = await accountMessages(db, accountId).toArray();
  const ledger = await db.ledger.where('accountId').equals(accountId).toArray();
  const shown = rows.map((row) => row.messageId ?? '');
  // Never shown twice.
  expect(new Set(shown).size).toBe(shown.length);
  // Every committed message not deleted here is shown; every shown message is committed.
  const rowUidls = new Set(rows.map((row) => row.serverId));
  for (const entry of ledger) {
    if (entry.committedAt !== undefined && entry.deletedHereAt === undefined) expect(rowUidls.has(entry.uidl)).toBe(true);
  }
  const committed = new Set(ledger.filter((e) => e.committedAt !== undefined).map((e) => e.uidl));
  for (const row of rows) expect(committed.has(row.serverId)).toBe(true);
  // The server lost nothing that is not safely here (or that the user deleted here).
  const onServer = await messageIdsOnServer(user);
  const here = new Set(shown);
  for (const id of arrived) {
    if (!onServer.has(id)) expect(here.has(id) || deletedHere.has(id)).toBe(true);
  }
}

describe('POP3 safety under random use', () => {
  it('never loses a committed message and never shows one twice', async (context) => {
    await fc.assert(
      fc.asyncProperty(policy, fc.array(step, { minLength: 3, maxLength: 9 }), async (retention, steps) => {
        const [user] = await leaseMailboxes(context, 1);
        const harness = clientHarness();
        try {
          const clock = { now: Date.UTC(2026, 10, 1) };
          const account = await saveAccount(
            harness.client,
            accountFor(context, user!, 'pop3', { pop3: { retention, pollMinutes: 10, headersOnly: false, maxMessageBytes: 0 } }),
            user!.password,
          );
          let db = harness.openDatabase();
          let engine = new SyncEngine(harness.client, db, { now: () => clock.now });
          await engine.writer.replaceAccounts([account]);
          const tag = uniqueTag('prop');
          const arrived = new Set<string>();
          const deletedHere = new Set<string>();
          let next = 1;
          for (const s of steps) {
            switch (s.kind) {
              case 'arrive': {
                const raws = Array.from({ length: s.count }, () => rawMessage(tag, next++));
                await appendMessages(user!, raws);
                for (let i = next - s.count; i < next; i++) arrived.add(`${tag}.${i}@twinbox.test`);
                break;
              }
              case 'check':
                await engine.pop3.check(account);
                break;
              case 'check-cut':
                harness.cutAfter(s.afterCalls);
                await engine.pop3.check(account).catch((error: unknown) => {
                  expect(error).toMatchObject({ code: 'HOST_UNAVAILABLE' });
                });
                harness.restore();
                break;
              case 'delete-here': {
                const rows = await db.messages.toArray();
                const victim = rows[s.pick % Math.max(rows.length, 1)];
                if (victim) {
                  await engine.actions.delete([[account.id, 'INBOX', victim.serverId]]);
                  deletedHere.add(victim.messageId ?? '');
                }
                break;
              }
              case 'reload':
                db = harness.openDatabase();
                engine = new SyncEngine(harness.client, db, { now: () => clock.now });
                break;
              case 'advance-days':
                clock.now += s.days * 24 * 60 * 60 * 1000;
                break;
            }
            await checkInvariants(db, account.id, user!, arrived, deletedHere);
          }
          // Finally, with the connection whole: everything still on the server and not deleted here is here.
          await engine.pop3.check(account);
          await checkInvariants(db, account.id, user!, arrived, deletedHere);
          const here = new Set((await db.messages.toArray()).map((m) => m.messageId));
          for (const id of await messageIdsOnServer(user!)) if (!deletedHere.has(id)) expect(here.has(id)).toBe(true);
        } finally {
          await harness.close();
        }
      }),
      { numRuns: 20, endOnFailure: true },
    );
  }, 240_000);
});
