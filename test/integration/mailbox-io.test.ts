/**
 * Export and import through the contract, against the real Dovecot: an mbox
 * imported into an IMAP folder keeps its flags and internal dates (checked by
 * a session of the test's own), the folder exported again is the source mbox
 * byte for byte, malformed entries are skipped and named, and a POP3
 * account's local folder makes the same round trip through the store alone.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { Envelope, MethodName, MethodResult } from '../../shared/contract';
import type { Account } from '../../shared/model';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers } from '../../main/ipc/handlers';
import { mboxrdEntry } from '../../main/mailbox-io/mbox';
import { createMaildir, MaildirWriter } from '../../main/mailbox-io/maildir';
import { createAdapter } from '../../main/protocols/factory';
import { createServices } from '../../main/services';
import type { ExportTargetChooser, ImportSourceChooser } from '../../main/services';
import { leaseMailboxes, openImap, outgoingSettingsFor, serverSettingsFor, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';

let work = '';
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'twinbox-mailbox-io-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The services as a host makes them, its dialogs answered by the test. */
function harness(choose: { exportTarget?: ExportTargetChooser; importSources?: ImportSourceChooser }) {
  const services = createServices({
    identity: { name: 'Twinbox', version: 'test' },
    host: 'web',
    createAdapter,
    ...(choose.exportTarget ? { chooseExportTarget: choose.exportTarget } : {}),
    ...(choose.importSources ? { chooseImportSources: choose.importSources } : {}),
  });
  const table = createHandlers(services);
  async function value<M extends MethodName>(method: M, input: unknown): Promise<MethodResult<M>> {
    const envelope = (await dispatch(table, method, input, { host: 'web', caller: 'test' })) as Envelope<MethodResult<M>>;
    if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`);
    return envelope.value;
  }
  return { services, value };
}

async function saveAccount(value: ReturnType<typeof harness>['value'], context: TestContext, user: TestUser, protocol: 'imap' | 'pop3'): Promise<Account> {
  return value('accounts.save', {
    account: {
      name: `${protocol} export test`,
      email: user.user.includes('@') ? user.user : `${user.user}@example.test`,
      displayName: 'Tester',
      protocol,
      incoming: serverSettingsFor(context, user, protocol === 'imap' ? 'imaps' : 'pop3s'),
      outgoing: outgoingSettingsFor(context, user),
    },
    incomingPassword: user.password,
  });
}

interface SourceMessage {
  raw: Buffer;
  date: Date;
  flags: string[];
}

/** CRLF messages, as IMAP servers hand them back, with the lines mboxrd must quote. */
function sourceMessages(tag: string): SourceMessage[] {
  const message = (n: number, status: string, body: string): Buffer =>
    Buffer.from(
      [`From: Sender ${n} <sender${n}@example.org>`, `To: you@example.org`, `Subject: ${tag} ${n}`, `Message-ID: <${tag}.${n}@example.org>`, `Date: Mon, 2 Mar 2020 10:0${n}:00 +0000`, `X-Mozilla-Status: ${status}`, '', body].join('\r\n'),
      'latin1',
    );
  return [
    { raw: message(1, '0001', 'From the start\r\n>From quoted\r\n>>From twice\r\n'), date: new Date('2020-03-02T10:01:07Z'), flags: ['\\Seen'] },
    { raw: message(2, '0000', 'unread, 8-bit: \xe9t\xe9\r\n'), date: new Date('2019-07-14T23:59:59Z'), flags: [] },
    { raw: message(3, '0005', 'read and flagged\r\n\r\n'), date: new Date('2001-01-01T00:00:00Z'), flags: ['\\Flagged', '\\Seen'] },
    { raw: message(4, '0003', 'replied\r\nFrom me, unquoted at the end\r\n'), date: new Date('2024-02-29T12:34:56Z'), flags: ['\\Answered', '\\Seen'] },
  ];
}

async function createFolder(user: TestUser, folder: string): Promise<void> {
  const client = await openImap(user);
  try {
    await client.mailboxCreate(folder);
  } finally {
    await client.logout();
  }
}

interface OnServer {
  uid: number;
  flags: string[];
  internalDate: Date;
  raw: Buffer;
}

/** The folder as another device sees it. */
async function onServer(user: TestUser, folder: string): Promise<OnServer[]> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const found: OnServer[] = [];
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const message of client.fetch('1:*', { uid: true, flags: true, internalDate: true, source: true })) {
          const internalDate = message.internalDate instanceof Date ? message.internalDate : new Date(message.internalDate ?? 0);
          found.push({ uid: message.uid, flags: [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort(), internalDate, raw: message.source ?? Buffer.alloc(0) });
        }
      }
      return found;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

describe('mailbox export and import against real servers', () => {
  it('imports an mbox into an IMAP folder with flags and internal dates, skips and names what is malformed, and exports the same mbox', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const folder = `Imported-${tag}`;
    await createFolder(user!, folder);
    const messages = sourceMessages(tag);
    const good = messages.map((m) => mboxrdEntry(m.raw, m.date));
    const source = Buffer.concat([
      good[0]!,
      Buffer.from('From MAILER-DAEMON Sat Dec  5 05:05:31 2026\r\n\r\n', 'latin1'),
      good[1]!,
      Buffer.from(`From - Sat Dec 05 05:05:31 2026\r\nX-Mozilla-Status: 0009\r\nSubject: ${tag} expunged in Thunderbird\r\n\r\ngone\r\n\r\n`, 'latin1'),
      good[2]!,
      good[3]!,
    ]);
    const sourcePath = join(work, `${tag}.mbox`);
    await writeFile(sourcePath, source);
    const exportPath = join(work, `${tag}-exported.mbox`);
    const progress: number[] = [];
    const { services, value } = harness({ importSources: () => Promise.resolve([sourcePath]), exportTarget: () => Promise.resolve(exportPath) });
    services.events.subscribe((event, payload) => {
      if (event === 'mailbox.progress' && 'processed' in payload) progress.push(payload.processed);
    });
    try {
      const account = await saveAccount(value, context, user!, 'imap');
      const started = Date.now();
      const result = await value('mail.import', { importId: `import-${tag}`, accountId: account.id, folder, source: 'files' });
      expect(result).toMatchObject({ cancelled: false, imported: 4, added: [] });
      expect(result.skipped.map((s) => ({ index: s.index, source: s.source, label: s.label }))).toEqual([
        { index: 2, source: `${tag}.mbox`, label: 'From MAILER-DAEMON Sat Dec  5 05:05:31 2026' },
        { index: 4, source: `${tag}.mbox`, label: 'From - Sat Dec 05 05:05:31 2026' },
      ]);
      expect(result.skipped.map((s) => s.reason)).toEqual(['empty-message', 'deleted-in-thunderbird']);
      expect(result.skipped[1]?.offset).toBe(good[0]!.length + 'From MAILER-DAEMON Sat Dec  5 05:05:31 2026\r\n\r\n'.length + good[1]!.length);
      expect(progress.at(-1)).toBe(6);

      const held = await onServer(user!, folder);
      expect(held).toHaveLength(4);
      held.forEach((message, i) => {
        expect(message.raw.equals(messages[i]!.raw), `message ${i + 1} bytes`).toBe(true);
        expect(message.flags, `message ${i + 1} flags`).toEqual(messages[i]!.flags);
        expect(message.internalDate.getTime(), `message ${i + 1} internal date`).toBe(messages[i]!.date.getTime());
      });

      const exported = await value('mail.export', {
        exportId: `export-${tag}`,
        accountId: account.id,
        format: 'mbox',
        name: folder,
        folders: [{ folder, messages: held.map((m) => ({ serverId: String(m.uid), flags: m.flags, receivedAt: m.internalDate.toISOString() })) }],
      });
      expect(exported).toMatchObject({ kind: 'saved', path: exportPath, messages: 4, skipped: [] });
      const written = await readFile(exportPath);
      expect(written.equals(Buffer.concat(good)), 'the exported mbox is the source without its malformed entries').toBe(true);
      console.info(`[mailbox-io] IMAP: 6 entries read, 4 appended, 2 skipped, exported again byte for byte, in ${Date.now() - started} ms`);
    } finally {
      await services.close();
    }
  });

  it('imports a Maildir into an IMAP folder with its flags, and exports the folder as a Maildir and one message as .eml', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const folder = `Maildir-${tag}`;
    await createFolder(user!, folder);
    const messages = sourceMessages(tag);
    const maildir = join(work, `${tag}-maildir`);
    await createMaildir(maildir);
    const writer = new MaildirWriter(maildir);
    for (const message of messages) await writer.write(message.raw, message.flags, message.date);
    await writeFile(join(maildir, 'cur', '9999999999.broken.host:2,S'), '');
    let target = join(work, `${tag}-out`);
    const { services, value } = harness({ importSources: () => Promise.resolve([maildir]), exportTarget: () => Promise.resolve(target) });
    try {
      const account = await saveAccount(value, context, user!, 'imap');
      const result = await value('mail.import', { importId: `import-${tag}`, accountId: account.id, folder, source: 'maildir' });
      expect(result).toMatchObject({ cancelled: false, imported: 4 });
      expect(result.skipped).toEqual([{ source: `${tag}-maildir`, index: 5, offset: 0, label: 'cur/9999999999.broken.host:2,S', reason: 'empty-file' }]);
      const held = await onServer(user!, folder);
      expect(held.map((m) => m.flags)).toEqual(messages.map((m) => m.flags));
      expect(held.map((m) => m.internalDate.getTime())).toEqual(messages.map((m) => m.date.getTime()));

      const exported = await value('mail.export', {
        exportId: `export-${tag}`,
        accountId: account.id,
        format: 'maildir',
        name: folder,
        folders: [{ folder, messages: held.map((m) => ({ serverId: String(m.uid), flags: m.flags, receivedAt: m.internalDate.toISOString() })) }],
      });
      expect(exported).toMatchObject({ kind: 'saved', path: join(target, folder), messages: 4 });

      target = join(work, `${tag}-one.eml`);
      const one = await value('mail.export', {
        exportId: `eml-${tag}`,
        accountId: account.id,
        format: 'eml',
        name: 'one',
        folders: [{ folder, messages: [{ serverId: String(held[2]!.uid), flags: [], receivedAt: null }] }],
      });
      expect(one).toMatchObject({ kind: 'saved', path: target, messages: 1 });
      expect((await readFile(target)).equals(messages[2]!.raw)).toBe(true);
    } finally {
      await services.close();
    }
  });

  it("round-trips a POP3 account's local folder through the store alone, and a cancelled export leaves nothing behind", async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const messages = sourceMessages(tag);
    const good = messages.map((m) => mboxrdEntry(m.raw, m.date));
    const sourcePath = join(work, `${tag}-pop3.mbox`);
    await writeFile(sourcePath, Buffer.concat(good));
    let exportPath = join(work, `${tag}-pop3-out.mbox`);
    const { services, value } = harness({ importSources: () => Promise.resolve([sourcePath]), exportTarget: () => Promise.resolve(exportPath) });
    try {
      const account = await saveAccount(value, context, user!, 'pop3');
      const result = await value('mail.import', { importId: `import-${tag}`, accountId: account.id, folder: 'Imported', source: 'files' });
      expect(result).toMatchObject({ cancelled: false, imported: 4, skipped: [] });
      expect(result.added.map((a) => [...a.summary.flags].sort())).toEqual(messages.map((m) => m.flags));
      expect(result.added.map((a) => a.summary.receivedAt)).toEqual(messages.map((m) => m.date.toISOString()));
      const items = result.added.map((a) => ({ serverId: a.serverId, flags: a.summary.flags, receivedAt: a.summary.receivedAt ?? null }));

      const exported = await value('mail.export', { exportId: `export-${tag}`, accountId: account.id, format: 'mbox', name: 'Imported', folders: [{ folder: 'Imported', messages: items }] });
      expect(exported).toMatchObject({ kind: 'saved', messages: 4 });
      expect((await readFile(exportPath)).equals(Buffer.concat(good))).toBe(true);

      exportPath = join(work, `${tag}-cancelled.mbox`);
      const unsubscribe = services.events.subscribe((event, payload) => {
        if (event === 'mailbox.progress' && 'operationId' in payload && payload.operationId === `cancel-${tag}`) void value('mail.exportCancel', { exportId: `cancel-${tag}` });
      });
      const cancelled = await value('mail.export', { exportId: `cancel-${tag}`, accountId: account.id, format: 'mbox', name: 'Imported', folders: [{ folder: 'Imported', messages: items }] });
      unsubscribe();
      expect(cancelled.kind).toBe('cancelled');
      await expect(stat(exportPath)).rejects.toThrow();
    } finally {
      await services.close();
    }
  });
});
