import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { Account } from '../../shared/model';
import type { MailAdapter } from '../protocols/adapter';
import { MessageStore } from '../store/message-store';
import { mboxrdEntry } from './mbox';
import { MailboxTransfers, safeFileName } from './transfers';
import type { ProgressPayload, TransferDeps } from './transfers';

const server = { host: 'mail.example.org', port: 993, security: 'tls' as const, username: 'u' };
const imap: Account = { id: 'imap-1', name: 'Work', email: 'u@example.org', displayName: 'U', protocol: 'imap', incoming: server, outgoing: server, imap: { deleteMode: 'trash', cacheLimitMegabytes: 100 } };
const pop3: Account = { ...imap, id: 'pop-1', protocol: 'pop3', imap: undefined, pop3: { retention: { kind: 'keep' }, pollMinutes: 10, headersOnly: false, maxMessageBytes: 0 } };
delete pop3.imap;

const message = (n: number): Buffer => Buffer.from(`Subject: ${n}\r\nFrom: a${n}@example.org\r\n\r\nFrom ${n}\r\n`, 'latin1');

let dir = '';
let store: MessageStore;
let appended: { folder: string; raw: Buffer; flags: string[]; internalDate: Date | undefined }[];
let onServer: Map<string, Buffer>;
let refuse: (raw: Buffer) => Error | undefined;
let progress: ProgressPayload[];
let made = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbox-transfers-'));
  store = new MessageStore(join(dir, 'Mail'));
  appended = [];
  onServer = new Map();
  refuse = () => undefined;
  progress = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function transfers(overrides: Partial<TransferDeps> = {}): MailboxTransfers {
  const adapter = {
    append: (folder: string, raw: Uint8Array, flags: string[], internalDate?: Date) => {
      const refusal = refuse(Buffer.from(raw));
      if (refusal) return Promise.reject(refusal);
      appended.push({ folder, raw: Buffer.from(raw), flags, internalDate });
      return Promise.resolve(String(appended.length));
    },
  } as unknown as MailAdapter;
  return new MailboxTransfers({
    store,
    account: (id) => (id === imap.id ? imap : pop3),
    // The server of these tests: what `onServer` holds, fetched into the store as StoredMail.download does.
    download: async (accountId, folder, ids) => {
      const found = ids.filter((id) => onServer.has(id));
      await store.put(accountId, folder, found.map((id) => ({ id, bytes: onServer.get(id) ?? Buffer.alloc(0) })), { durable: false, indexed: true });
      return { stored: found, missing: ids.filter((id) => !onServer.has(id)) };
    },
    putLocal: async (accountId, folder, raw, flags, receivedAt) => {
      const serverId = `local-${++made}`;
      await store.put(accountId, folder, [{ id: serverId, kind: 'local', bytes: raw, flags }], { durable: true, indexed: false });
      return { serverId, summary: { serverId, flags, receivedAt: new Date(receivedAt).toISOString() } as never };
    },
    withAdapter: (_id, work) => work(adapter),
    progress: (payload) => progress.push(payload),
    exportsDir: join(dir, 'Exports'),
    ...overrides,
  });
}

describe('export', () => {
  it('fetches what the store lacks before writing, and lists what neither has', async () => {
    await store.put(imap.id, 'INBOX', [{ id: '1', bytes: message(1) }], { durable: false, indexed: true });
    onServer.set('2', message(2));
    const result = await transfers().export({
      exportId: 'e1',
      accountId: imap.id,
      format: 'mbox',
      name: 'INBOX',
      folders: [{ folder: 'INBOX', messages: ['1', '2', '3'].map((serverId) => ({ serverId, flags: [], receivedAt: '2020-01-01T00:00:00.000Z' })) }],
    });
    expect(result).toMatchObject({ kind: 'saved', messages: 2, skipped: [{ source: 'INBOX', index: 3, label: '3', reason: 'gone' }] });
    const date = new Date('2020-01-01T00:00:00Z');
    expect(await readFile(result.kind === 'saved' ? result.path : '')).toEqual(Buffer.concat([mboxrdEntry(message(1), date), mboxrdEntry(message(2), date)]));
    expect(result.kind === 'saved' && result.path.startsWith(join(dir, 'Exports'))).toBe(true);
    expect(progress.at(-1)).toEqual({ operationId: 'e1', kind: 'export', processed: 3, total: 3, skipped: 1 });
  });

  it('without a dialog (the browser host) hands a single .eml back to download, and writes several folders as Maildirs under Exports/', async () => {
    await store.put(pop3.id, 'INBOX', [{ id: 'a', bytes: message(1) }], { durable: true, indexed: true });
    await store.put(pop3.id, 'Archive/2020', [{ id: 'b', bytes: message(2) }], { durable: true, indexed: true });
    const eml = await transfers().export({ exportId: 'e2', accountId: pop3.id, format: 'eml', name: 'Re: a/b?', folders: [{ folder: 'INBOX', messages: [{ serverId: 'a', flags: [], receivedAt: null }] }] });
    expect(eml).toEqual({ kind: 'download', filename: 'Re_ a_b_.eml', contentType: 'message/rfc822', content: new Uint8Array(message(1)) });
    expect(eml.kind === 'download' && Buffer.isBuffer(eml.content)).toBe(false);
    const all = await transfers().export({
      exportId: 'e3',
      accountId: pop3.id,
      format: 'maildir',
      name: 'Home',
      folders: [
        { folder: 'INBOX', messages: [{ serverId: 'a', flags: ['\\Seen', '\\Flagged'], receivedAt: null }] },
        { folder: 'Archive/2020', messages: [{ serverId: 'b', flags: [], receivedAt: null }] },
      ],
    });
    expect(all).toMatchObject({ kind: 'saved', messages: 2 });
    const root = all.kind === 'saved' ? all.path : '';
    expect((await readdir(root)).sort()).toEqual(['Archive_2020', 'INBOX']);
    expect((await readdir(join(root, 'INBOX', 'cur')))[0]).toMatch(/:2,FS$/);
  });

  it('asks the host where to write, and stops when the user cancels the dialog', async () => {
    await store.put(pop3.id, 'INBOX', [{ id: 'a', bytes: message(1) }], { durable: true, indexed: true });
    const request = { exportId: 'e4', accountId: pop3.id, format: 'mbox' as const, name: 'INBOX', folders: [{ folder: 'INBOX', messages: [{ serverId: 'a', flags: [], receivedAt: null }] }] };
    const asked: unknown[] = [];
    const cancelled = await transfers({ chooseExportTarget: (what) => (asked.push(what), Promise.resolve(undefined)) }).export(request);
    expect(cancelled).toEqual({ kind: 'cancelled', messages: 0 });
    expect(asked).toEqual([{ kind: 'file', suggestedName: 'INBOX.mbox' }]);
    // A folder dialog carries the page's title, in the page's language.
    await transfers({ chooseExportTarget: (what) => (asked.push(what), Promise.resolve(undefined)) }).export({ ...request, exportId: 'e5', format: 'maildir', dialogTitle: 'Wählen Sie, wohin „INBOX“ gespeichert werden soll' });
    expect(asked[1]).toEqual({ kind: 'directory', suggestedName: 'INBOX', title: 'Wählen Sie, wohin „INBOX“ gespeichert werden soll' });
  });
});

describe('import', () => {
  it('reads uploaded pieces in order, APPENDs with flags and dates, skips what the server refuses, and removes the upload', async () => {
    const service = transfers();
    const date = new Date('2021-05-05T05:05:05Z');
    const mbox = Buffer.concat([mboxrdEntry(message(1), date), mboxrdEntry(Buffer.from('Subject: too big\r\n\r\nx\r\n'), date), mboxrdEntry(message(3), date)]);
    await service.upload('u1', 'in.mbox', 0, mbox.subarray(0, 10));
    await expect(service.upload('u1', 'in.mbox', 5, mbox.subarray(10))).rejects.toThrow(/offset 5 when 10 bytes/);
    await service.upload('u1', 'in.mbox', 10, mbox.subarray(10));
    await service.upload('u1', 'one.eml', 0, message(4));
    refuse = (raw) => (raw.includes('too big') ? new TwinboxError('PROTOCOL_ERROR', 'message too large') : undefined);
    const result = await service.import({ importId: 'i1', accountId: imap.id, folder: 'Imported', source: 'upload', uploadId: 'u1' });
    expect(result).toMatchObject({ cancelled: false, imported: 3, added: [] });
    expect(result.skipped).toEqual([{ source: 'in.mbox', index: 2, offset: mboxrdEntry(message(1), date).length, label: 'From MAILER-DAEMON Wed May  5 05:05:05 2021', reason: 'refused', errorCode: 'PROTOCOL_ERROR', detail: 'message too large' }]);
    expect(appended.map((a) => a.raw)).toEqual([message(1), message(3), message(4)]);
    expect(appended[0]).toMatchObject({ folder: 'Imported', flags: [], internalDate: date });
    // The upload is read once: a second import of it finds nothing.
    expect(await service.import({ importId: 'i2', accountId: imap.id, folder: 'Imported', source: 'upload', uploadId: 'u1' })).toMatchObject({ cancelled: true, imported: 0 });
  });

  it('says why a message was left out by a code, with the words of the error only as detail', async () => {
    const service = transfers();
    await service.upload('u6', 'a.eml', 0, message(1));
    await service.upload('u6', 'b.eml', 0, message(2));
    await service.upload('u6', 'c.eml', 0, message(3));
    refuse = (raw) => (raw.includes('Subject: 1') ? new TwinboxError('PROTOCOL_ERROR') : raw.includes('Subject: 2') ? new Error('not a message at all') : undefined);
    const result = await service.import({ importId: 'i7', accountId: imap.id, folder: 'INBOX', source: 'upload', uploadId: 'u6' });
    expect(result).toMatchObject({ imported: 1 });
    expect(result.skipped).toEqual([
      { source: 'a.eml', index: 1, offset: 0, label: 'a.eml', reason: 'refused', errorCode: 'PROTOCOL_ERROR' },
      { source: 'b.eml', index: 1, offset: 0, label: 'b.eml', reason: 'not-a-message', detail: 'not a message at all' },
    ]);
  });

  it('stops at an error that is not the message’s, and needs a dialog or an upload', async () => {
    const service = transfers({ chooseImportSources: () => Promise.resolve([join(dir, 'in.mbox')]) });
    await service.upload('u2', 'in.mbox', 0, mboxrdEntry(message(1), new Date()));
    refuse = () => new TwinboxError('QUOTA_EXCEEDED', 'full');
    await expect(service.import({ importId: 'i3', accountId: imap.id, folder: 'INBOX', source: 'upload', uploadId: 'u2' })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await expect(transfers().import({ importId: 'i4', accountId: imap.id, folder: 'INBOX', source: 'files' })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    const asked: unknown[] = [];
    await transfers({ chooseImportSources: (what) => (asked.push(what), Promise.resolve(undefined)) }).import({ importId: 'i5', accountId: imap.id, folder: 'INBOX', source: 'maildir', dialogTitle: 'Maildir-Ordner zum Importieren auswählen' });
    expect(asked).toEqual([{ kind: 'maildir', title: 'Maildir-Ordner zum Importieren auswählen' }]);
  });

  it('keeps a POP3 account’s imports in the store, a Maildir upload with its flags', async () => {
    const service = transfers();
    await service.upload('u3', 'cur/1.a.host:2,RS', 0, message(1));
    await service.upload('u3', 'new/2.b.host', 0, message(2));
    const result = await service.import({ importId: 'i5', accountId: pop3.id, folder: 'Old mail', source: 'upload', uploadId: 'u3' });
    expect(result).toMatchObject({ imported: 2, skipped: [] });
    expect(result.added.map((a) => a.summary.flags)).toEqual([['\\Answered', '\\Seen'], []]);
    const listed = new Map((await store.list(pop3.id)).map((m) => [m.id, [m.folder, m.kind, m.flags]]));
    expect(result.added.map((a) => listed.get(a.serverId))).toEqual([
      ['Old mail', 'local', ['\\Answered', '\\Seen']],
      ['Old mail', 'local', []],
    ]);
  });
});

describe('what a picked file is', () => {
  it('reads a Thunderbird folder file by its first line, and skips its .msf summary', async () => {
    const service = transfers();
    const date = new Date('2022-02-02T02:02:02Z');
    const stored = Buffer.from('X-Mozilla-Status: 0001\r\nSubject: kept by Thunderbird\r\n\r\nhello\r\n', 'latin1');
    await service.upload('u4', 'Inbox', 0, Buffer.concat([Buffer.from('From - Wed Feb 02 02:02:02 2022\r\n', 'latin1'), stored, Buffer.from('\r\n')]));
    await service.upload('u4', 'Inbox.msf', 0, Buffer.from('// <!-- <mdb:mork:z v="1.4"/> -->'));
    const result = await service.import({ importId: 'i6', accountId: imap.id, folder: 'INBOX', source: 'upload', uploadId: 'u4' });
    expect(result).toMatchObject({ imported: 1, skipped: [{ source: 'Inbox.msf', index: 1, reason: 'thunderbird-summary' }] });
    expect(appended[0]).toMatchObject({ flags: ['\\Seen'], internalDate: date });
    expect(appended[0]?.raw).toEqual(stored);
  });
});

describe('safeFileName', () => {
  it('keeps a name any file system takes', () => {
    expect(safeFileName('INBOX/Sub:folder*?')).toBe('INBOX_Sub_folder_');
    expect(safeFileName('..')).toBe('mail');
    expect(safeFileName(' .hidden. ')).toBe('hidden');
  });
});
