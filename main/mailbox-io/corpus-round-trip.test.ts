/**
 * The round trip over the shared mail corpus (../shared/mail-corpus, or
 * TWINBOX_MAIL_CORPUS): every message exported, imported into an empty
 * folder and exported again must come back byte for byte, with its flags and
 * internal date. The corpus is read in place; when it is absent the tests are
 * skipped and say why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { readEml, writeEml } from './eml';
import { linesOfFile } from './lines';
import { createMaildir, MaildirWriter, readMaildir } from './maildir';
import { MboxWriter, readMbox } from './mbox';
import type { ReadEntry, ReadMessage } from './mbox';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = process.env.TWINBOX_MAIL_CORPUS ?? path.resolve(repoRoot, '../shared/mail-corpus');
const manifestPath = path.join(corpusDir, 'MANIFEST.tsv');
const corpusPresent = existsSync(manifestPath);

function skipWithoutCorpus(context: TestContext): void {
  if (corpusPresent) return;
  context.skip(`mail corpus not found at ${corpusDir} (set TWINBOX_MAIL_CORPUS to its folder)`);
}

interface Original {
  file: string;
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

const FLAG_SETS = [[], ['\\Seen'], ['\\Flagged', '\\Seen'], ['\\Answered', '\\Seen'], ['\\Draft'], ['$Forwarded', '\\Answered', '\\Deleted', '\\Flagged', '\\Seen']];

function loadCorpus(): Original[] {
  const [header, ...rows] = readFileSync(manifestPath, 'utf8').trimEnd().split('\n');
  const fileColumn = (header ?? '').split('\t').indexOf('file');
  return rows.map((row, i) => {
    const file = row.split('\t')[fileColumn] ?? '';
    // Whole seconds: an mbox "From " line has no finer date.
    return { file, raw: readFileSync(path.join(corpusDir, file)), flags: FLAG_SETS[i % FLAG_SETS.length] ?? [], internalDate: new Date(Date.UTC(2020, 0, 1) + i * 86_461_000) };
  });
}

async function collect(entries: AsyncIterable<ReadEntry>): Promise<ReadMessage[]> {
  const found: ReadMessage[] = [];
  for await (const entry of entries) {
    if (entry.kind === 'skipped') throw new Error(`entry ${entry.index} skipped: ${entry.reason}`);
    found.push(entry);
  }
  return found;
}

async function exportMbox(file: string, messages: readonly { raw: Uint8Array; internalDate?: Date }[]): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    const writer = new MboxWriter(handle);
    for (const message of messages) await writer.write(message.raw, message.internalDate ?? new Date(0));
  } finally {
    await handle.close();
  }
}

function figures(label: string, count: number, bytes: number, started: number): void {
  console.info(`[corpus round trip] ${label}: ${count} messages, ${bytes} bytes of mail, ${Math.round(performance.now() - started)} ms`);
}

describe('round trip over the mail corpus', () => {
  let corpus: Original[] = [];
  let work = '';
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'twinbox-roundtrip-'));
    if (corpusPresent) corpus = loadCorpus();
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const corpusBytes = (): number => corpus.reduce((sum, m) => sum + m.raw.length, 0);

  it('mboxrd: export, import, export again gives the same file, and every message its exact bytes and date', async (context) => {
    skipWithoutCorpus(context);
    const started = performance.now();
    expect(corpus).toHaveLength(400);
    const first = path.join(work, 'first.mbox');
    const second = path.join(work, 'second.mbox');
    await exportMbox(first, corpus);
    const imported = await collect(readMbox(linesOfFile(first), { quoting: 'mboxrd' }));
    expect(imported).toHaveLength(corpus.length);
    imported.forEach((message, i) => {
      const original = corpus[i];
      expect(message.raw.equals(original?.raw ?? Buffer.alloc(0)), original?.file).toBe(true);
      expect(message.internalDate?.getTime(), original?.file).toBe(original?.internalDate.getTime());
    });
    await exportMbox(second, imported);
    const [a, b] = await Promise.all([readFile(first), readFile(second)]);
    expect(a.equals(b)).toBe(true);
    figures(`mboxrd (${a.length} bytes of mbox)`, imported.length, corpusBytes(), started);
  });

  it('Maildir: export, import, export again gives the same files, flags and dates', async (context) => {
    skipWithoutCorpus(context);
    const started = performance.now();
    const first = path.join(work, 'first-maildir');
    const second = path.join(work, 'second-maildir');
    await createMaildir(first);
    const writer = new MaildirWriter(first);
    for (const message of corpus) await writer.write(message.raw, message.flags, message.internalDate);
    const imported = await collect(readMaildir(first));
    expect(imported).toHaveLength(corpus.length);
    imported.forEach((message, i) => {
      const original = corpus[i];
      expect(message.raw.equals(original?.raw ?? Buffer.alloc(0)), original?.file).toBe(true);
      expect([...message.flags].sort(), original?.file).toEqual([...(original?.flags ?? [])].sort());
      expect(message.internalDate?.getTime(), original?.file).toBe(original?.internalDate.getTime());
    });
    await createMaildir(second);
    const again = new MaildirWriter(second, Date.now() + 1000);
    for (const message of imported) await again.write(message.raw, message.flags, message.internalDate ?? new Date(0));
    const reread = await collect(readMaildir(second));
    expect(reread).toHaveLength(imported.length);
    // Buffer.equals, not toEqual: a deep comparison of 5 MB byte by byte takes vitest many seconds.
    expect(reread.every((m, i) => m.raw.equals(imported[i]?.raw ?? Buffer.alloc(0)))).toBe(true);
    // Names are unique per export; what follows the unique part (size and flags) must match.
    const tails = async (dir: string): Promise<string[]> => (await readdir(path.join(dir, 'cur'))).sort().map((name) => name.slice(name.indexOf(',S=')));
    expect(await tails(second)).toEqual(await tails(first));
    figures('Maildir', reread.length, corpusBytes(), started);
  });

  it('.eml: each message exported and imported again is the same bytes', async (context) => {
    skipWithoutCorpus(context);
    const started = performance.now();
    const dir = path.join(work, 'eml');
    await createMaildir(dir);
    for (const [i, message] of corpus.entries()) {
      const file = path.join(dir, `${i}.eml`);
      await writeEml(file, message.raw, message.internalDate);
      const back = await readEml(file);
      expect(back.kind === 'message' && back.raw.equals(message.raw), message.file).toBe(true);
      expect(back.kind === 'message' ? back.internalDate?.getTime() : undefined).toBe(message.internalDate.getTime());
    }
    figures('.eml', corpus.length, corpusBytes(), started);
  });
});
