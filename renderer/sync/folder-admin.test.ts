import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MethodInput, MethodName } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';
import type { AdapterCapabilities, MessageSummary } from '../../shared/model';
import { TwinboxDatabase } from '../db/schema';
import { CacheWriter } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { FolderAdmin } from './folder-admin';
import { ImapMode } from './imap-mode';

/**
 * A POP3 account's folders are this computer's: the rows move here and
 * main's store is told to move (or remove) the files, by the ids it holds.
 */
const POP3: AdapterCapabilities = {
  serverFolders: false,
  serverFlags: false,
  push: false,
  serverSearch: false,
  stableIds: true,
  partialFetch: true,
  changeTracking: false,
  vanishedTracking: false,
  atomicMove: false,
  quota: false,
  append: false,
};

function summary(serverId: string): MessageSummary {
  return { serverId, references: [], subject: `s${serverId}`, from: [], to: [], cc: [], replyTo: [], size: 1, flags: [], hasAttachments: false };
}

interface Call {
  method: MethodName;
  input: unknown;
}

/** Main as far as folders need it: a store holding the files by folder, and a record of every call. */
function setup(): { admin: FolderAdmin; writer: CacheWriter; calls: Call[]; stored: Map<string, string[]> } {
  const writer = new CacheWriter(new TwinboxDatabase('folders', { indexedDB: new IDBFactory(), IDBKeyRange }), () => 1000);
  const calls: Call[] = [];
  const stored = new Map<string, string[]>();
  const client = {
    transport: 'direct',
    on: () => () => undefined,
    call: (method: MethodName, input: MethodInput<MethodName>) => {
      calls.push({ method, input });
      if (method === 'store.list') {
        const { folder } = input as MethodInput<'store.list'>;
        const ids = stored.get(folder ?? '') ?? [];
        return Promise.resolve({ messages: ids.map((serverId) => ({ folder, serverId, kind: 'local', size: 1, partial: false, flags: [] })), deletedHere: [] });
      }
      if (method === 'store.move') {
        const { folder, serverIds, target } = input as MethodInput<'store.move'>;
        stored.set(folder, (stored.get(folder) ?? []).filter((id) => !serverIds.includes(id)));
        stored.set(target, [...(stored.get(target) ?? []), ...serverIds]);
      }
      return Promise.resolve(null);
    },
  } as unknown as TwinboxClient;
  const admin = new FolderAdmin({
    client,
    writer,
    imap: new ImapMode(client, writer),
    capabilities: () => Promise.resolve(POP3),
    syncNow: () => Promise.resolve(),
  });
  return { admin, writer, calls, stored };
}

async function paths(writer: CacheWriter): Promise<string[]> {
  return (await writer.db.folders.where('accountId').equals('a').primaryKeys()).map((key) => key[1]).sort();
}

describe('folders on this computer', () => {
  it('creates folders and subfolders, refusing a taken name, the delimiter and Inbox', async () => {
    const { admin, writer } = setup();
    await writer.ensureLocalFolders('a');

    expect(await admin.create('a', undefined, ' Receipts ')).toBe('Receipts');
    expect(await admin.create('a', 'Receipts', '2024')).toBe('Receipts/2024');
    expect(await writer.db.folders.get(['a', 'Receipts/2024'])).toMatchObject({ name: '2024', delimiter: '/', selectable: true });

    await expect(admin.create('a', undefined, 'Receipts')).rejects.toMatchObject({ code: 'FOLDER_EXISTS' });
    await expect(admin.create('a', undefined, 'a/b')).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
    await expect(admin.create('a', undefined, 'inbox')).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
    await expect(admin.create('a', 'Nowhere', 'x')).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
    expect(await admin.nameProblem('a', 'Receipts', '2024')).toMatch(/already there/);
  });

  it('renames and moves a folder with its subfolders and mail, and tells the store to move the files', async () => {
    const { admin, writer, calls, stored } = setup();
    await writer.ensureLocalFolders('a');
    await admin.create('a', undefined, 'Receipts');
    await admin.create('a', 'Receipts', '2024');
    await writer.storeLocalMessage('a', 'Receipts', summary('m1'));
    await writer.storeLocalMessage('a', 'Receipts/2024', summary('m2'));
    // A file the index lost track of moves too: nothing stays behind under the old name.
    stored.set('Receipts', ['m1', 'orphan']);
    stored.set('Receipts/2024', ['m2']);

    expect(await admin.rename('a', 'Receipts', { parent: 'Archive', name: 'Bills' })).toBe('Archive/Bills');

    expect(await paths(writer)).toEqual(['Archive', 'Archive/Bills', 'Archive/Bills/2024', 'Drafts', 'INBOX', 'Sent', 'Trash']);
    expect(await writer.db.messages.get(['a', 'Archive/Bills', 'm1'])).toBeDefined();
    expect(await writer.db.messages.get(['a', 'Archive/Bills/2024', 'm2'])).toBeDefined();
    expect(await writer.db.messages.where('[accountId+folder+serverId]').between(['a', 'Receipts', ''], ['a', 'Receipts/\uffff', '']).count()).toBe(0);
    const moves = calls.filter((c) => c.method === 'store.move').map((c) => c.input);
    expect(moves).toEqual(
      expect.arrayContaining([
        { accountId: 'a', folder: 'Receipts', serverIds: ['m1', 'orphan'], target: 'Archive/Bills' },
        { accountId: 'a', folder: 'Receipts/2024', serverIds: ['m2'], target: 'Archive/Bills/2024' },
      ]),
    );
    expect(stored.get('Archive/Bills')).toEqual(['m1', 'orphan']);
    await expect(admin.rename('a', 'Archive/Bills', { parent: 'Archive/Bills/2024', name: 'Loop' })).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
  });

  it('keeps the special folders where they are', async () => {
    const { admin, writer } = setup();
    await writer.ensureLocalFolders('a');
    for (const path of ['INBOX', 'Drafts', 'Sent', 'Archive', 'Trash']) {
      expect(await admin.isProtected('a', path)).toBe(true);
      await expect(admin.rename('a', path, { parent: undefined, name: 'Other' })).rejects.toBeInstanceOf(TwinboxError);
      await expect(admin.delete('a', path)).rejects.toMatchObject({ code: 'FOLDER_PROTECTED' });
    }
    expect(await paths(writer)).toEqual(['Archive', 'Drafts', 'INBOX', 'Sent', 'Trash']);
  });

  it('deletes into the Trash with the mail, beside a folder of the same name, then for good from there', async () => {
    const { admin, writer, calls } = setup();
    await writer.ensureLocalFolders('a');
    await admin.create('a', undefined, 'Old');
    await writer.storeLocalMessage('a', 'Old', summary('m1'));
    expect(await admin.planDelete('a', 'Old')).toEqual({ messages: 1, subfolders: 0, into: 'trash', trashName: 'Trash' });

    expect(await admin.delete('a', 'Old')).toEqual({ kind: 'trashed', path: 'Trash/Old', moved: [{ from: 'Old', to: 'Trash/Old' }] });
    await admin.create('a', undefined, 'Old');
    expect(await admin.delete('a', 'Old')).toMatchObject({ kind: 'trashed', path: 'Trash/Old 2' });
    expect(await writer.db.messages.get(['a', 'Trash/Old', 'm1'])).toBeDefined();
    expect((await admin.planDelete('a', 'Trash/Old')).into).toBe('forever');

    expect(await admin.delete('a', 'Trash/Old')).toEqual({ kind: 'deleted', removed: ['Trash/Old'] });
    expect(await writer.db.messages.count()).toBe(0);
    expect(await paths(writer)).not.toContain('Trash/Old');
    // The ledger remembers it, as for any message deleted from the Trash.
    expect((await writer.db.ledger.get(['a', 'm1']))?.deletedHereAt).toBe(1000);
    expect(calls.filter((c) => c.method === 'store.remove').map((c) => c.input)).toEqual([{ accountId: 'a', folder: 'Trash/Old', serverIds: ['m1'], deletedHere: true }]);
  });
});

describe('server folders after a RENAME', () => {
  const IMAP: AdapterCapabilities = { ...POP3, serverFolders: true, serverFlags: true, append: true };
  const folder = (path: string, specialUse?: 'inbox' | 'trash') => ({ path, name: path.split('.').pop() ?? path, delimiter: '.', subscribed: true, selectable: true, ...(specialUse ? { specialUse } : {}) });

  /** Main after the server renamed Old to New (UIDVALIDITY kept) and Old.Sub to New.Sub (a new UIDVALIDITY). */
  function imapSetup(): { admin: FolderAdmin; writer: CacheWriter; synced: string[][] } {
    const writer = new CacheWriter(new TwinboxDatabase('imap-folders', { indexedDB: new IDBFactory(), IDBKeyRange }), () => 1000);
    let listed = [folder('INBOX', 'inbox'), folder('Trash', 'trash'), folder('Old'), folder('Old.Sub')];
    const synced: string[][] = [];
    const client = {
      transport: 'direct',
      on: () => () => undefined,
      call: (method: MethodName) => {
        if (method === 'mail.listFolders') return Promise.resolve(listed);
        if (method === 'folders.rename') {
          listed = [folder('INBOX', 'inbox'), folder('Trash', 'trash'), folder('New'), folder('New.Sub')];
          return Promise.resolve({
            path: 'New',
            moved: [
              { from: 'Old', to: 'New', uidValidityKept: true },
              { from: 'Old.Sub', to: 'New.Sub', uidValidityKept: false },
            ],
          });
        }
        return Promise.reject(new TwinboxError('NOT_SUPPORTED', method));
      },
    } as unknown as TwinboxClient;
    const admin = new FolderAdmin({
      client,
      writer,
      imap: new ImapMode(client, writer),
      capabilities: () => Promise.resolve(IMAP),
      syncNow: (_accountId, folders) => {
        synced.push(folders ?? []);
        return Promise.resolve();
      },
    });
    return { admin, writer, synced };
  }

  it('keeps the rows, sync state and queued changes of a folder whose UIDs still hold, and drops those of one whose UIDs do not', async () => {
    const { admin, writer, synced } = imapSetup();
    await writer.db.accounts.put({ id: 'a', name: 'a', email: 'a@example.org', displayName: 'a', protocol: 'imap' } as unknown as Parameters<typeof writer.db.accounts.put>[0]);
    await writer.replaceFolders('a', [folder('INBOX', 'inbox'), folder('Trash', 'trash'), folder('Old'), folder('Old.Sub')]);
    for (const path of ['Old', 'Old.Sub']) {
      await writer.applyImapDelta('a', path, { kind: 'reset', uidValidity: '7' });
      await writer.applyImapDelta('a', path, { kind: 'messages', summaries: [summary('1'), summary('2')], partial: [], progress: { done: 2, total: 2 } });
      await writer.applyImapDelta('a', path, { kind: 'done', state: { protocol: 'imap', uidValidity: '7', highestModseq: '40', knownUids: '1:2' }, total: 2, uidNext: 3 });
    }
    await writer.changeFlags([['a', 'Old', '1']], { add: ['\\Flagged'] }, true);
    const docId = (await writer.db.messages.get(['a', 'Old', '2']))?.docId;

    expect(await admin.rename('a', 'Old', { parent: undefined, name: 'New' })).toBe('New');

    expect((await writer.db.messages.get(['a', 'New', '2']))?.docId).toBe(docId);
    expect(await writer.db.messages.get(['a', 'New', '1'])).toMatchObject({ flagged: 1 });
    expect(await writer.db.syncState.get(['a', 'New'])).toMatchObject({ uidValidity: '7', highestModseq: '40' });
    expect((await writer.db.pending.toArray()).map((op) => op.folder)).toEqual(['New']);
    // A new UIDVALIDITY: nothing of the old rows may stand for the new folder's messages.
    expect(await writer.db.messages.where('[accountId+folder+serverId]').between(['a', 'New.Sub', ''], ['a', 'New.Sub', '\uffff']).count()).toBe(0);
    expect(await writer.db.syncState.get(['a', 'New.Sub'])).toBeUndefined();
    expect(await writer.db.messages.where('[accountId+folder+serverId]').between(['a', 'Old', ''], ['a', 'Old.Sub\uffff', '']).count()).toBe(0);
    expect((await writer.db.folders.where('accountId').equals('a').primaryKeys()).map((key) => key[1]).sort()).toEqual(['INBOX', 'New', 'New.Sub', 'Trash']);
    expect(synced).toEqual([['New', 'New.Sub']]);
  });
});
