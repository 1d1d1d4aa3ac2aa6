import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import { folderDirName, parseFileName } from './maildir-names';
import { headerEnd } from '../mime/header-block';
import { MessageStore, storeError } from './message-store';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const message = (n: number, body = `Body ${n}`): Uint8Array => bytes(`Subject: message ${n}\r\nMessage-ID: <m${n}@example.org>\r\n\r\n${body}\r\n`);

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'twinbox-store-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function filesIn(...parts: string[]): string[] {
  const dir = join(root, ...parts);
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('the message store', () => {
  it('keeps exact bytes in Maildir folders that name the server id, size and flags', async () => {
    const store = new MessageStore(root);
    const odd = 'Ab/c:d,e%f';
    await store.put('acct', 'INBOX', [{ id: odd, bytes: message(1), flags: ['\\Seen', '\\Flagged'] }], { durable: true, indexed: false });
    const [name] = filesIn('acct', 'INBOX', 'new');
    expect(name).toBeDefined();
    expect(parseFileName(name!)).toMatchObject({ id: odd, size: message(1).byteLength, kind: 'server', partial: false, letters: 'FS' });
    expect(readFileSync(join(root, 'acct', 'INBOX', 'new', name!))).toEqual(Buffer.from(message(1)));
    expect(await store.read('acct', 'INBOX', odd)).toEqual(new Uint8Array(message(1)));
    // Read into a lent buffer (indexing thousands in a row): the same bytes, without a buffer of their own.
    const into = { buffer: Buffer.alloc(4) };
    expect(Buffer.from((await store.read('acct', 'INBOX', odd, { into }))!).equals(Buffer.from(message(1)))).toBe(true);
    expect(into.buffer.byteLength).toBeGreaterThan(message(1).byteLength);
    // Other Maildir readers see the standard layout.
    expect(filesIn('acct', 'INBOX').sort()).toEqual(['cur', 'new', 'tmp']);
  });

  it('keeps byte totals as it goes, and a second instance reads the same from the names alone', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [1, 2, 3].map((n) => ({ id: `u${n}`, bytes: message(n) })), { durable: false, indexed: true });
    const total = [1, 2, 3].reduce((sum, n) => sum + message(n).byteLength, 0);
    expect(await store.stats('a')).toEqual({ messages: 3, bytes: total, unindexed: 0 });
    await store.remove('a', 'INBOX', ['u2']);
    expect((await store.stats('a')).bytes).toBe(total - message(2).byteLength);
    const again = new MessageStore(root);
    expect(await again.stats('a')).toEqual({ messages: 2, bytes: total - message(2).byteLength, unindexed: 0 });
  });

  it('moves files from new/ to cur/ once the index has them, and lists the rest as unindexed', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'u1', bytes: message(1) }, { id: 'u2', bytes: message(2) }], { durable: true, indexed: false });
    expect((await store.list('a', { unindexedOnly: true })).map((m) => m.id).sort()).toEqual(['u1', 'u2']);
    await store.markIndexed('a', 'INBOX', ['u1']);
    expect(filesIn('a', 'INBOX', 'cur')).toHaveLength(1);
    expect((await store.list('a', { unindexedOnly: true })).map((m) => m.id)).toEqual(['u2']);
    expect(await new MessageStore(root).stats('a')).toMatchObject({ messages: 2, unindexed: 1 });
  });

  it('removes unfinished writes left in tmp/ at start, and adopts what reached new/', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'done', bytes: message(1) }], { durable: true, indexed: false });
    // A crash in the middle of the next batch: a file written to tmp/ but never renamed.
    writeFileSync(join(root, 'a', 'INBOX', 'tmp', '1.M1P1Q1.twinbox,S=5,U=half:2,'), 'Subje');
    const after = new MessageStore(root);
    expect((await after.list('a')).map((m) => m.id)).toEqual(['done']);
    expect(filesIn('a', 'INBOX', 'tmp')).toEqual([]);
    expect((await after.knownServerIds('a')).has('half')).toBe(false);
  });

  it('reads a message while its file is being renamed (confirmed, flags changed), and finds it where it went', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [1, 2, 3, 4, 5].map((n) => ({ id: `u${n}`, bytes: message(n) })), { durable: false, indexed: false });
    const reads = [1, 2, 3, 4, 5].map((n) => store.read('a', 'INBOX', `u${n}`));
    const renames = [store.markIndexed('a', 'INBOX', ['u1', 'u2', 'u3', 'u4', 'u5']), store.setFlags('a', 'INBOX', [{ id: 'u3', flags: ['\\Seen'] }])];
    const headers = [1, 2, 3, 4, 5].map((n) => store.readHeader('a', 'INBOX', `u${n}`));
    await Promise.all(renames);
    expect((await Promise.all(reads)).map((bytes) => bytes?.byteLength)).toEqual([1, 2, 3, 4, 5].map((n) => message(n).byteLength));
    expect((await Promise.all(headers)).every((header) => header !== undefined)).toBe(true);
    expect(await store.stats('a')).toMatchObject({ messages: 5, unindexed: 0 });
  });

  it('counts a refilled account right when reads of its wiped files were still under way ("This computer died" while indexing)', async () => {
    const store = new MessageStore(root);
    // Enough reads that some open their files only after the folder was renamed away.
    const ids = Array.from({ length: 300 }, (_, i) => `u${i + 1}`);
    await store.put('a', 'INBOX', ids.map((id, i) => ({ id, bytes: message(i + 1) })), { durable: false, indexed: true });
    // The reads find their files listed, and open them as the wipe takes the folder away.
    const wiped = store.wipe('a');
    const reads = ids.map((id) => store.read('a', 'INBOX', id));
    const refilled = store.put('a', 'INBOX', ids.slice(0, 3).map((id, i) => ({ id, bytes: message(i + 1) })), { durable: false, indexed: true });
    await Promise.all([...reads, wiped, refilled]);
    const total = [1, 2, 3].reduce((sum, n) => sum + message(n).byteLength, 0);
    expect(await store.stats('a')).toEqual({ messages: 3, bytes: total, unindexed: 0 });
    expect(await new MessageStore(root).stats('a')).toEqual({ messages: 3, bytes: total, unindexed: 0 });
  });

  it('does not treat a file torn by a crash as the message: it is removed and counts as missing', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: '7', bytes: message(7) }], { durable: false, indexed: true });
    const [name] = filesIn('a', 'INBOX', 'cur');
    writeFileSync(join(root, 'a', 'INBOX', 'cur', name!), 'Subject: mess');
    const after = new MessageStore(root);
    expect(await after.read('a', 'INBOX', '7', { into: { buffer: Buffer.alloc(0) } })).toBeUndefined();
    expect(await after.stats('a')).toMatchObject({ messages: 0, bytes: 0 });
  });

  it('replaces a header block with the whole message, keeping one file', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'u', bytes: bytes('Subject: x\r\n\r\n'), partial: true }], { durable: true, indexed: true });
    expect(await store.has('a', 'INBOX', 'u')).toBe(false);
    expect(await store.read('a', 'INBOX', 'u')).toBeUndefined();
    await store.put('a', 'INBOX', [{ id: 'u', bytes: message(1) }], { durable: true, indexed: true });
    expect(filesIn('a', 'INBOX', 'cur')).toHaveLength(1);
    expect(await store.read('a', 'INBOX', 'u')).toEqual(new Uint8Array(message(1)));
    expect((await store.stats('a')).messages).toBe(1);
  });

  it('leaves a message held whole as it is when asked to keep what it holds, and still completes a header block', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'u1', bytes: message(1) }], { durable: true, indexed: false });
    await store.markIndexed('a', 'INBOX', ['u1']);
    await store.put('a', 'INBOX', [{ id: 'u2', bytes: bytes('Subject: x\r\n\r\n'), partial: true }], { durable: true, indexed: false });
    // The same UIDLs downloaded again by a sync its page abandoned.
    await store.put('a', 'INBOX', [{ id: 'u1', bytes: message(1) }, { id: 'u2', bytes: message(2) }, { id: 'u3', bytes: message(3) }], { durable: true, indexed: false, keepHeld: true });
    const listed = new Map((await store.list('a')).map((m) => [m.id, m]));
    expect(listed.get('u1')).toMatchObject({ indexed: true, partial: false });
    expect(listed.get('u2')).toMatchObject({ indexed: false, partial: false });
    expect(listed.get('u3')).toMatchObject({ indexed: false, partial: false });
    expect(await store.read('a', 'INBOX', 'u2')).toEqual(new Uint8Array(message(2)));
    expect(filesIn('a', 'INBOX', 'cur')).toHaveLength(1);
    expect(filesIn('a', 'INBOX', 'new')).toHaveLength(2);
    expect(await store.stats('a')).toMatchObject({ messages: 3 });
  });

  it('reads the header block alone', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'u', bytes: message(1, 'x'.repeat(200_000)) }], { durable: false, indexed: true });
    const header = new TextDecoder().decode(await store.readHeader('a', 'INBOX', 'u'));
    expect(header).toBe('Subject: message 1\r\nMessage-ID: <m1@example.org>\r\n\r\n');
    expect(headerEnd(bytes('A: b\n\nbody'))).toBe(6);
  });

  it('moves messages between folders and records flags in the names', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'u1', bytes: message(1) }], { durable: true, indexed: true });
    await store.move('a', 'INBOX', 'Trash', ['u1']);
    await store.setFlags('a', 'Trash', [{ id: 'u1', flags: ['\\Seen', '\\Answered'] }]);
    expect(filesIn('a', 'INBOX', 'cur')).toEqual([]);
    const listed = await new MessageStore(root).list('a');
    expect(listed).toEqual([{ folder: 'Trash', id: 'u1', kind: 'server', size: message(1).byteLength, partial: false, flags: ['\\Answered', '\\Seen'], indexed: true }]);
  });

  it('remembers server ids deleted here for good, across restarts, and forgets them on undo', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'Trash', [{ id: 'gone', bytes: message(1) }, { id: 'local-1', kind: 'local', bytes: message(2) }], { durable: true, indexed: true });
    await store.remove('a', 'Trash', ['gone', 'local-1'], { deletedHere: true });
    const after = new MessageStore(root);
    expect(await after.deletedHere('a')).toEqual(['gone']);
    expect(await after.knownServerIds('a')).toEqual(new Set(['gone']));
    await after.undoDeletedHere('a', ['gone']);
    expect(await new MessageStore(root).deletedHere('a')).toEqual([]);
  });

  it('knows the server ids it holds, not the ids of messages made here', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'uidl-1', bytes: message(1) }], { durable: true, indexed: true });
    await store.put('a', 'Sent', [{ id: 'local-x', kind: 'local', bytes: message(2) }], { durable: true, indexed: true });
    await store.move('a', 'INBOX', 'Archive', ['uidl-1']);
    expect(await store.knownServerIds('a')).toEqual(new Set(['uidl-1']));
  });

  it('drops a folder’s files when its UIDVALIDITY changes, and keeps them when it does not', async () => {
    const store = new MessageStore(root);
    expect(await store.setUidValidity('a', 'INBOX', '100')).toBe(0);
    await store.put('a', 'INBOX', [{ id: '1', bytes: message(1) }], { durable: false, indexed: true });
    expect(await new MessageStore(root).setUidValidity('a', 'INBOX', '100')).toBe(0);
    const after = new MessageStore(root);
    expect(await after.setUidValidity('a', 'INBOX', '200')).toBe(1);
    expect(await after.stats('a')).toMatchObject({ messages: 0, bytes: 0 });
  });

  it('evicts the least recently used first, never what it is told to keep', async () => {
    const store = new MessageStore(root);
    for (const n of [1, 2, 3, 4]) await store.put('a', 'INBOX', [{ id: String(n), bytes: message(n, 'x'.repeat(1000)) }], { durable: false, indexed: true });
    await store.read('a', 'INBOX', '1');
    const size = message(1, 'x'.repeat(1000)).byteLength;
    const evicted = await store.trim('a', size * 2, [{ folder: 'INBOX', id: '2' }]);
    expect(evicted.map((e) => e.id)).toEqual(['3', '4']);
    expect((await store.ids('a', 'INBOX')).sort()).toEqual(['1', '2']);
    expect((await store.stats('a')).bytes).toBe(size * 2);
  });

  it('takes the order of use from the files’ times after a restart', async () => {
    const store = new MessageStore(root);
    for (const n of [1, 2, 3]) await store.put('a', 'INBOX', [{ id: String(n), bytes: message(n) }], { durable: false, indexed: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.read('a', 'INBOX', '1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const evicted = await new MessageStore(root).trim('a', message(1).byteLength);
    expect(evicted.map((e) => e.id).sort()).toEqual(['2', '3']);
  });

  it('wipes an account in one step, and a wipe interrupted by a crash is finished at start', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: '1', bytes: message(1) }], { durable: true, indexed: true });
    await store.put('b', 'INBOX', [{ id: '1', bytes: message(1) }], { durable: true, indexed: true });
    await store.wipe('a');
    expect(await store.stats('a')).toMatchObject({ messages: 0, bytes: 0 });
    expect((await store.accountIds()).sort()).toEqual(['b']);
    mkdirSync(join(root, '.wiped-leftover', 'INBOX'), { recursive: true });
    await new MessageStore(root).open();
    expect(readdirSync(root)).toEqual(['b']);
  });

  it('names folders safely: hierarchy, dots and non-ASCII become one directory each', () => {
    expect(folderDirName('INBOX')).toBe('INBOX');
    expect(folderDirName('Archive/2024')).toBe('Archive%2F2024');
    expect(folderDirName('.hidden')).toBe('%2Ehidden');
    expect(folderDirName('..')).toBe('%2E.');
    expect(folderDirName('Entwürfe')).toBe('Entw%C3%BCrfe');
  });

  it('says the disk is full in the user’s words, and leaves nothing of the batch behind', async () => {
    const store = new MessageStore(root);
    await store.put('a', 'INBOX', [{ id: 'ok', bytes: message(1) }], { durable: true, indexed: true });
    // A profile folder that cannot be written fails as a full disk does, and is what a test can make.
    writeFileSync(join(root, 'not-a-folder'), '');
    const failing = new MessageStore(join(root, 'not-a-folder', 'mail'));
    const error = await failing.put('a', 'INBOX', [{ id: 'x', bytes: message(2) }], { durable: true, indexed: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwinboxError);
    expect((error as TwinboxError).code).toBe('LOCAL_STORE_FAILED');
    expect(await store.list('a')).toHaveLength(1);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(storeError(full, 'save messages')).toMatchObject({ code: 'DISK_FULL' });
  });
});
