import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEml, writeEml } from './eml';
import { createMaildir, isMaildir, MaildirWriter, readMaildir } from './maildir';
import type { ReadEntry } from './mbox';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbox-maildir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(entries: AsyncIterable<ReadEntry>): Promise<ReadEntry[]> {
  const found: ReadEntry[] = [];
  for await (const entry of entries) found.push(entry);
  return found;
}

describe('Maildir', () => {
  it('writes into cur/ with the flags as sorted letters after ":2," and the internal date as the file time', async () => {
    await createMaildir(dir);
    const writer = new MaildirWriter(dir);
    const date = new Date('2026-01-02T03:04:05Z');
    const first = await writer.write(Buffer.from('Subject: a\n\nx\n'), ['\\Seen', '\\Flagged', '\\Answered', '$Forwarded', '\\Draft', '\\Deleted', 'custom'], date);
    const second = await writer.write(Buffer.from('Subject: b\n\ny\n'), [], date);
    expect(first).toMatch(/:2,DFPRST$/);
    expect(second).toMatch(/:2,$/);
    expect(first < second).toBe(true);
    expect(await readdir(join(dir, 'cur'))).toHaveLength(2);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await stat(join(dir, 'cur', first))).mtime.getTime()).toBe(date.getTime());
  });

  it('reads cur/ with its flags and new/ as unseen, ignores tmp/, and skips what cannot be a message', async () => {
    await createMaildir(dir);
    await writeFile(join(dir, 'cur', '1.a.host:2,SF'), 'Subject: seen and flagged\n\n');
    await writeFile(join(dir, 'cur', '2.b.host:2,'), 'Subject: no flags\n\n');
    await writeFile(join(dir, 'new', '3.c.host'), 'Subject: new\n\n');
    await writeFile(join(dir, 'new', '4.d.host:2,S'), 'Subject: new, with a stray info\n\n');
    await writeFile(join(dir, 'tmp', '5.e.host'), 'Subject: being delivered\n\n');
    await writeFile(join(dir, 'cur', '6.empty.host:2,S'), '');
    await mkdir(join(dir, 'cur', '7.dir.host'));
    const entries = await all(readMaildir(dir));
    expect(entries.map((entry) => [entry.kind, entry.label, entry.kind === 'message' ? entry.flags : entry.reason])).toEqual([
      ['message', 'cur/1.a.host:2,SF', ['\\Flagged', '\\Seen']],
      ['message', 'cur/2.b.host:2,', []],
      ['message', 'new/3.c.host', []],
      ['message', 'new/4.d.host:2,S', []],
      ['skipped', 'cur/6.empty.host:2,S', 'empty-file'],
      ['skipped', 'cur/7.dir.host', 'not-a-file'],
    ]);
    expect(await isMaildir(dir)).toBe(true);
    expect(await isMaildir(join(dir, 'cur'))).toBe(false);
  });
});

describe('.eml', () => {
  it('is the message bytes exactly, both ways, with the internal date as the file time', async () => {
    const raw = Buffer.from('From x Mon Jan  1 00:00:00 2001\r\nSubject: \xe9\r\n\r\nno final line end', 'latin1');
    const date = new Date('2020-02-02T02:02:02Z');
    await writeEml(join(dir, 'a.eml'), raw, date);
    expect(await readEml(join(dir, 'a.eml'))).toMatchObject({ kind: 'message', raw, internalDate: date, label: 'a.eml' });
    await writeFile(join(dir, 'empty.eml'), '\r\n');
    expect(await readEml(join(dir, 'empty.eml'))).toMatchObject({ kind: 'skipped', reason: 'empty-file', label: 'empty.eml' });
    const missing = await readEml(join(dir, 'missing.eml'));
    expect(missing).toMatchObject({ kind: 'skipped', reason: 'unreadable', label: 'missing.eml', detail: expect.stringContaining('ENOENT') as unknown });
  });
});
