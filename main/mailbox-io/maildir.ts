/**
 * Maildir, both ways (https://cr.yp.to/proto/maildir.html). Written: each
 * message to tmp/, then renamed into cur/ as `<unique>:2,<letters>`, its
 * flags as the sorted letters D F P R S T, its internal date as the file's
 * modification time (which Dovecot and mutt read as the received date).
 * Read: cur/ with the flags its names carry, new/ as unseen mail, tmp/ left
 * alone (files still being delivered); in the order of their names, which
 * for this writer is the order written and for others the order delivered.
 */
import { hostname } from 'node:os';
import { mkdir, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flagsOf, INFO_SEPARATOR, lettersOf } from '../store/maildir-names';
import { errorDetail } from './mbox';
import type { ReadEntry } from './mbox';

const SUBDIRS = ['tmp', 'new', 'cur'] as const;

export async function createMaildir(dir: string): Promise<void> {
  for (const sub of SUBDIRS) await mkdir(join(dir, sub), { recursive: true });
}

export async function isMaildir(dir: string): Promise<boolean> {
  const found = await Promise.all(['cur', 'new'].map((sub) => stat(join(dir, sub)).then((info) => info.isDirectory(), () => false)));
  return found.every(Boolean);
}

/** Writes messages into one Maildir under names unique to this writer. */
export class MaildirWriter {
  private count = 0;
  private readonly time: string;
  private readonly host: string;

  constructor(
    readonly dir: string,
    now = Date.now(),
  ) {
    // The host's name is part of the unique name; "/" and ":" are the two characters Maildir says to replace.
    this.host = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072') || 'localhost';
    this.time = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}`;
  }

  async write(raw: Uint8Array, flags: readonly string[], internalDate: Date): Promise<string> {
    this.count++;
    // Zero-padded so that the names sort in the order written; Q is Maildir's "n-th delivery of this process".
    const base = `${this.time}Q${String(this.count).padStart(7, '0')}.${this.host},S=${raw.byteLength}`;
    const name = `${base}${INFO_SEPARATOR}2,${lettersOf(flags)}`;
    const temporary = join(this.dir, 'tmp', base);
    await writeFile(temporary, raw, { flag: 'wx' });
    await utimes(temporary, internalDate, internalDate);
    await rename(temporary, join(this.dir, 'cur', name));
    return name;
  }
}

export interface MaildirFile {
  stage: 'cur' | 'new';
  name: string;
}

/** The message files of a Maildir, in name order. */
export async function listMaildir(dir: string): Promise<MaildirFile[]> {
  const files: MaildirFile[] = [];
  for (const stage of ['cur', 'new'] as const) {
    const names = await readdir(join(dir, stage)).catch(() => []);
    for (const name of names) if (!name.startsWith('.')) files.push({ stage, name });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function lettersInName(name: string): string {
  const info = Math.max(name.lastIndexOf(':2,'), name.lastIndexOf(';2,'), name.lastIndexOf('!2,'));
  return info < 0 ? '' : (name.slice(info + 3).match(/[A-Z]/g) ?? []).sort().join('');
}

/** The messages of a Maildir; a file that cannot be a message is skipped and named, the rest still read. */
export async function* readMaildir(dir: string): AsyncGenerator<ReadEntry> {
  let index = 0;
  for (const file of await listMaildir(dir)) {
    index++;
    const path = join(dir, file.stage, file.name);
    const label = `${file.stage}/${file.name}`;
    try {
      const info = await stat(path);
      if (!info.isFile()) {
        yield { kind: 'skipped', index, offset: 0, reason: 'not-a-file', label };
        continue;
      }
      if (info.size === 0) {
        yield { kind: 'skipped', index, offset: 0, reason: 'empty-file', label };
        continue;
      }
      const raw = await readFile(path);
      const flags = file.stage === 'cur' ? flagsOf(lettersInName(file.name)) : [];
      yield { kind: 'message', index, offset: 0, raw, flags, internalDate: info.mtime, label };
    } catch (error) {
      yield { kind: 'skipped', index, offset: 0, reason: 'unreadable', detail: errorDetail(error), label };
    }
  }
}
