/**
 * Export and import of whole mailboxes: the service behind `mail.export`,
 * `mail.import` and `mail.exportCancel`. Bytes come from the message store
 * (a POP3 account's export is complete by construction: the store is the only
 * copy); what an IMAP account's store lacks is fetched from the server first.
 * Imports go to the server by APPEND with flags and internal date (IMAP), or
 * into the store as messages made here (POP3), one message in memory at a time.
 */
import { appendFile, mkdir, mkdtemp, open, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { ExportResult, ImportResult, SkipCause, TransferSkipped } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';
import type { Account, MessageSummary } from '../../shared/model';
import type { MailAdapter } from '../protocols/adapter';
import type { MessageStore, ReadBuffer } from '../store/message-store';
import { keepsOnlyCopy } from '../store/stored-mail';
import { readEml } from './eml';
import { headerFields } from './headers';
import { linesOfFile } from './lines';
import { createMaildir, isMaildir, MaildirWriter, readMaildir } from './maildir';
import { errorDetail, isFromLine, MboxWriter, readMbox } from './mbox';
import type { MboxQuoting, ReadEntry, SkippedEntry } from './mbox';

export interface ExportRequest {
  exportId: string;
  accountId: string;
  format: 'eml' | 'mbox' | 'maildir';
  name: string;
  folders: { folder: string; messages: { serverId: string; flags: string[]; receivedAt: string | null }[] }[];
  /** The host's dialog's title, in the page's language (main has no catalog of its own). */
  dialogTitle?: string | undefined;
}

export interface ImportRequest {
  importId: string;
  accountId: string;
  folder: string;
  source: 'files' | 'maildir' | 'upload';
  uploadId?: string | undefined;
  quoting?: MboxQuoting | undefined;
  /** The host's dialog's title, in the page's language. */
  dialogTitle?: string | undefined;
}

/** What the host asks the user: a file to save to, or a folder to write into. */
export interface ExportTargetRequest {
  kind: 'file' | 'directory';
  suggestedName: string;
  /** The dialog's title as the page words it; the host's own words when absent. */
  title?: string | undefined;
}

/** What the host asks the user to pick for an import; `title` as the page words it. */
export interface ImportSourceRequest {
  kind: 'files' | 'maildir';
  title?: string | undefined;
}

export type ProgressPayload = { operationId: string; kind: 'export' | 'import'; processed: number; total: number | null; skipped: number };

export interface TransferDeps {
  store: MessageStore;
  account(accountId: string): Account;
  /** Fetches whole messages into the store (StoredMail.download). */
  download(accountId: string, folder: string, serverIds: readonly string[]): Promise<{ stored: string[]; missing: string[] }>;
  /** Keeps a message made here (StoredMail.putLocal), its internal date as its receipt time. */
  putLocal(accountId: string, folder: string, raw: Uint8Array, flags: string[], receivedAt: number): Promise<{ serverId: string; summary: MessageSummary }>;
  withAdapter<T>(accountId: string, work: (adapter: MailAdapter) => Promise<T>): Promise<T>;
  progress(payload: ProgressPayload): void;
  /** Asks the user where an export goes (desktop app); undefined when they cancelled. Without it, exports go under `exportsDir`. */
  chooseExportTarget?: (request: ExportTargetRequest) => Promise<string | undefined>;
  /** Asks the user what to import (desktop app); undefined when they cancelled. */
  chooseImportSources?: (request: ImportSourceRequest) => Promise<string[] | undefined>;
  exportsDir: string;
}

/** Messages asked of the server at once when the store lacks them. */
const FETCH_BATCH = 100;
/** Progress at most this often, so that a large export does not flood the page. */
const PROGRESS_EVERY_MS = 200;
/** Errors that end an import: the target or the connection, not the message, is the problem. */
const FATAL_CODES = new Set(['AUTH_FAILED', 'MAILBOX_NOT_FOUND', 'QUOTA_EXCEEDED', 'CONNECTION_LOST', 'CONNECTION_REFUSED', 'HOST_NOT_FOUND', 'TIMEOUT', 'TLS_CERT_UNTRUSTED', 'TLS_REQUIRED', 'SIGN_IN_REQUIRED', 'DISK_FULL', 'LOCAL_STORE_FAILED', 'NOT_SUPPORTED']);

/** A name for a file or folder on any of the systems Twinbox runs on. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what file systems refuse
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').replace(/^[.\s]+|[.\s]+$/g, '').slice(0, 120);
  return cleaned === '' ? 'mail' : cleaned;
}

/**
 * A piece of an uploaded file's relative path, kept as close to the original
 * as the file system allows: a Maildir file's name carries its flags after ":2,".
 */
function uploadedName(part: string): string {
  if (part === '' || part === '.' || part === '..') throw new TwinboxError('INVALID_REQUEST', 'an upload names files inside it');
  // eslint-disable-next-line no-control-regex -- control characters are what file systems refuse
  const kept = part.replace(/[\\\u0000-\u001f]/g, '_');
  // Windows refuses ":" in names; Maildir readers there use ";" (see ../store/maildir-names.ts).
  return process.platform === 'win32' ? safeFileName(kept.replace(/:/g, ';')) : kept;
}

function timestamp(now = new Date()): string {
  return now.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
}

/** A path beside `wanted` that does not exist yet: "name", "name (2)", ... */
async function freePath(wanted: string, extension = ''): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${wanted}${extension}` : `${wanted} (${n})${extension}`;
    const exists = await stat(candidate).then(
      () => true,
      () => false,
    );
    if (!exists) return candidate;
  }
}

/** The date a message arrived: as the index knows it, else its Date field, else now. */
function internalDateOf(receivedAt: string | null, raw: Buffer): Date {
  const known = receivedAt === null ? Number.NaN : Date.parse(receivedAt);
  if (!Number.isNaN(known)) return new Date(known);
  const dated = Date.parse(headerFields(raw).get('date')?.[0] ?? '');
  return Number.isNaN(dated) ? new Date() : new Date(dated);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

class Progress {
  private last = 0;
  done = 0;
  skipped = 0;

  constructor(
    private readonly emit: (payload: ProgressPayload) => void,
    private readonly operationId: string,
    private readonly kind: 'export' | 'import',
    public total: number | null,
  ) {}

  tick(force = false): void {
    const now = Date.now();
    if (!force && now - this.last < PROGRESS_EVERY_MS) return;
    this.last = now;
    this.emit({ operationId: this.operationId, kind: this.kind, processed: this.done, total: this.total, skipped: this.skipped });
  }
}

export class MailboxTransfers {
  private readonly running = new Map<string, AbortController>();
  private uploadsRoot: Promise<string> | undefined;
  /** Uploads under way or waiting for their import. */
  private readonly uploads = new Set<string>();

  constructor(private readonly deps: TransferDeps) {}

  cancel(operationId: string): void {
    this.running.get(operationId)?.abort();
  }

  async export(request: ExportRequest): Promise<ExportResult> {
    const account = this.deps.account(request.accountId);
    return this.tracked(request.exportId, async (signal) => {
      if (request.format === 'eml') return this.exportEml(account, request);
      const total = request.folders.reduce((sum, folder) => sum + folder.messages.length, 0);
      const progress = new Progress((payload) => this.deps.progress(payload), request.exportId, 'export', total);
      const oneFolder = request.folders.length === 1;
      const name = safeFileName(request.name);
      const target = await this.exportTarget(request.format === 'mbox' && oneFolder ? 'file' : 'directory', name, request.format === 'mbox' && oneFolder ? '.mbox' : '', request.dialogTitle);
      if (target === undefined) return { kind: 'cancelled', messages: 0 };
      const skipped: TransferSkipped[] = [];
      let bytes = 0;
      try {
        if (request.format === 'maildir' || !oneFolder) await mkdir(target, { recursive: true });
        for (const { folder, messages } of request.folders) {
          const folderName = safeFileName(folder);
          if (request.format === 'mbox') {
            const file = await open(oneFolder ? target : await freePath(join(target, folderName), '.mbox'), 'w');
            try {
              const writer = new MboxWriter(file);
              await this.eachMessage(account, folder, messages, signal, progress, skipped, (raw, message) => writer.write(raw, internalDateOf(message.receivedAt, raw)));
              bytes += writer.bytes;
            } finally {
              await file.close();
            }
          } else {
            const dir = oneFolder ? target : await freePath(join(target, folderName));
            await createMaildir(dir);
            const writer = new MaildirWriter(dir);
            await this.eachMessage(account, folder, messages, signal, progress, skipped, async (raw, message) => {
              await writer.write(raw, message.flags, internalDateOf(message.receivedAt, raw));
              bytes += raw.length;
            });
          }
        }
      } catch (error) {
        // A half-written export is worse than none: it would look complete to whoever opens it later.
        await rm(target, { recursive: true, force: true });
        if (signal.aborted) return { kind: 'cancelled', messages: progress.done };
        throw error;
      }
      progress.tick(true);
      return { kind: 'saved', path: target, messages: progress.done - skipped.length, bytes, skipped };
    });
  }

  async import(request: ImportRequest): Promise<ImportResult> {
    const account = this.deps.account(request.accountId);
    if (!keepsOnlyCopy(account) && account.protocol !== 'imap') throw new TwinboxError('NOT_SUPPORTED', 'this account cannot take imported mail');
    return this.tracked(request.importId, async (signal) => {
      const result: ImportResult = { cancelled: false, imported: 0, skipped: [], added: [] };
      const sources = await this.importSources(request);
      if (sources === undefined || sources.length === 0) return { ...result, cancelled: true };
      const progress = new Progress((payload) => this.deps.progress(payload), request.importId, 'import', null);
      for (const source of sources) {
        for await (const entry of await entriesOf(source, request.quoting ?? 'mboxrd')) {
          if (signal.aborted) {
            progress.tick(true);
            return { ...result, cancelled: true };
          }
          progress.done++;
          if (entry.kind === 'skipped') {
            result.skipped.push(skippedOf(source, entry));
            progress.skipped++;
            progress.tick();
            continue;
          }
          const internalDate = entry.internalDate ?? internalDateOf(null, entry.raw);
          try {
            if (keepsOnlyCopy(account)) {
              result.added.push(await this.deps.putLocal(account.id, request.folder, entry.raw, entry.flags, internalDate.getTime()));
            } else {
              await this.deps.withAdapter(account.id, (adapter) => adapter.append(request.folder, entry.raw, entry.flags, internalDate));
            }
            result.imported++;
          } catch (error) {
            if (error instanceof TwinboxError && FATAL_CODES.has(error.code)) throw error;
            // The server refused this message, or it could not be read as one: the rest still imports.
            // A TwinboxError made without detail has its English sentence as its message: the page words the code itself.
            const cause: SkipCause =
              error instanceof TwinboxError
                ? { reason: 'refused', errorCode: error.code, ...(error.message === error.userText ? {} : { detail: error.message }) }
                : { reason: 'not-a-message', detail: errorDetail(error) };
            result.skipped.push(skippedOf(source, { kind: 'skipped', index: entry.index, offset: entry.offset, ...cause, ...(entry.label === undefined ? {} : { label: entry.label }) }));
            progress.skipped++;
          }
          progress.tick();
        }
      }
      progress.total = progress.done;
      progress.tick(true);
      return result;
    }).finally(async () => {
      if (request.source === 'upload' && request.uploadId !== undefined) await this.removeUpload(request.uploadId);
    });
  }

  /** Keeps a piece of a file the page uploads, in order: a piece at any other offset than the file's end is refused. */
  async upload(uploadId: string, name: string, offset: number, bytes: Uint8Array): Promise<void> {
    this.uploads.add(uploadId);
    const path = join(await this.uploadDir(uploadId), ...name.split('/').map(uploadedName));
    await mkdir(dirname(path), { recursive: true });
    const size = await stat(path).then(
      (info) => info.size,
      () => 0,
    );
    if (size !== offset) throw new TwinboxError('INVALID_REQUEST', `${name}: a piece for offset ${offset} when ${size} bytes are here`);
    await appendFile(path, bytes);
  }

  /** Removes an upload once read, and the uploads folder with the last one. */
  private async removeUpload(uploadId: string): Promise<void> {
    await rm(await this.uploadDir(uploadId), { recursive: true, force: true });
    this.uploads.delete(uploadId);
    const root = this.uploadsRoot;
    // Forgotten before it goes, in the same turn as the check: an upload that starts now makes a folder of its own.
    if (this.uploads.size > 0 || !root) return;
    this.uploadsRoot = undefined;
    await rmdir(await root).catch(() => undefined);
  }

  private uploadDir(uploadId: string): Promise<string> {
    // A folder of this process's own, not guessable by another user of the computer.
    this.uploadsRoot ??= mkdtemp(join(tmpdir(), 'twinbox-uploads-'));
    return this.uploadsRoot.then((root) => join(root, safeFileName(uploadId)));
  }

  /** What to read: the files or folder the user picked in the host's dialog, or what the page uploaded. */
  private async importSources(request: ImportRequest): Promise<string[] | undefined> {
    if (request.source !== 'upload') {
      if (!this.deps.chooseImportSources) throw new TwinboxError('NOT_SUPPORTED', 'this host has no file dialog: upload the files from the page');
      return this.deps.chooseImportSources({ kind: request.source, title: request.dialogTitle });
    }
    if (request.uploadId === undefined) throw new TwinboxError('INVALID_REQUEST', 'an upload import names its uploadId');
    const dir = await this.uploadDir(request.uploadId);
    if (await isMaildir(dir)) return [dir];
    const names = await readdir(dir).catch(() => []);
    return names.sort().map((name) => join(dir, name));
  }

  private async tracked<T>(operationId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.running.has(operationId)) throw new TwinboxError('INVALID_REQUEST', `an export or import ${operationId} is already running`);
    const controller = new AbortController();
    this.running.set(operationId, controller);
    try {
      return await work(controller.signal);
    } finally {
      this.running.delete(operationId);
    }
  }

  private async exportTarget(kind: 'file' | 'directory', name: string, extension: string, title?: string): Promise<string | undefined> {
    if (this.deps.chooseExportTarget) {
      const chosen = await this.deps.chooseExportTarget({ kind, suggestedName: `${name}${extension}`, title });
      // A folder chosen for a Maildir or several mbox files gets a folder of the export's own inside it.
      return chosen === undefined || kind === 'file' ? chosen : freePath(join(chosen, name));
    }
    await mkdir(this.deps.exportsDir, { recursive: true });
    return freePath(join(this.deps.exportsDir, `${timestamp()} ${name}`), extension);
  }

  private async exportEml(account: Account, request: ExportRequest): Promise<ExportResult> {
    const [only] = request.folders;
    const message = only?.messages[0];
    if (!only || !message || request.folders.length !== 1 || only.messages.length !== 1) throw new TwinboxError('INVALID_REQUEST', 'an .eml file holds exactly one message');
    const raw = await this.bytesOf(account, only.folder, message.serverId);
    if (!raw) throw new TwinboxError('MESSAGE_GONE', `message ${message.serverId} is neither on this computer nor on the server`);
    const filename = `${safeFileName(request.name)}.eml`;
    // A plain Uint8Array: a Buffer's toJSON would turn it into an array of numbers on the browser host's wire.
    if (!this.deps.chooseExportTarget) return { kind: 'download', filename, contentType: 'message/rfc822', content: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) };
    const path = await this.deps.chooseExportTarget({ kind: 'file', suggestedName: filename });
    if (path === undefined) return { kind: 'cancelled', messages: 0 };
    await writeFile(path, raw);
    return { kind: 'saved', path, messages: 1, bytes: raw.length, skipped: [] };
  }

  /** A message's bytes from the store, fetched into it first when it lacks them. */
  private async bytesOf(account: Account, folder: string, serverId: string, into?: ReadBuffer): Promise<Buffer | undefined> {
    const read = async (): Promise<Uint8Array | undefined> => this.deps.store.read(account.id, folder, serverId, into ? { into } : {});
    const stored = (await read()) ?? (await this.deps.download(account.id, folder, [serverId]).then(read));
    return stored && asBuffer(stored);
  }

  /**
   * Reads a folder's messages in order, fetching what the store lacks in
   * batches first, and hands each to `write`; what neither the store nor
   * the server has is skipped and listed.
   */
  private async eachMessage<M extends { serverId: string }>(
    account: Account,
    folder: string,
    messages: readonly M[],
    signal: AbortSignal,
    progress: Progress,
    skipped: TransferSkipped[],
    write: (raw: Buffer, message: M) => Promise<void>,
  ): Promise<void> {
    const scratch: ReadBuffer = { buffer: Buffer.alloc(0) };
    for (let start = 0; start < messages.length; start += FETCH_BATCH) {
      const batch = messages.slice(start, start + FETCH_BATCH);
      const lacking: string[] = [];
      for (const message of batch) if (!(await this.deps.store.has(account.id, folder, message.serverId))) lacking.push(message.serverId);
      if (lacking.length > 0) {
        await this.deps.download(account.id, folder, lacking);
        // An IMAP store is a cache with a size limit: an export of more than it holds must not leave it overfull.
        if (account.imap) await this.deps.store.trim(account.id, account.imap.cacheLimitMegabytes * 1024 * 1024, batch.map((message) => ({ folder, id: message.serverId })));
      }
      for (const [offset, message] of batch.entries()) {
        if (signal.aborted) throw new TwinboxError('INVALID_REQUEST', 'cancelled');
        progress.done++;
        const raw = await this.deps.store.read(account.id, folder, message.serverId, { into: scratch });
        if (raw === undefined) {
          skipped.push({ source: folder, index: start + offset + 1, offset: 0, label: message.serverId, reason: 'gone' });
          progress.skipped++;
        } else {
          await write(asBuffer(raw), message);
        }
        progress.tick();
      }
    }
  }
}

function skippedOf(source: string, entry: SkippedEntry): TransferSkipped {
  const { kind: _kind, label, ...rest } = entry;
  return { source: basename(source), ...rest, label: label ?? null };
}

/** The entries of one chosen file or folder, by what it is: a Maildir, an .eml file, or an mbox. */
async function entriesOf(path: string, quoting: MboxQuoting): Promise<AsyncIterable<ReadEntry>> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return single({ kind: 'skipped', index: 1, offset: 0, reason: 'unopenable', label: basename(path) });
  if (info.isDirectory()) {
    if (await isMaildir(path)) return readMaildir(path);
    return single({ kind: 'skipped', index: 1, offset: 0, reason: 'not-maildir', label: basename(path) });
  }
  const extension = extname(path).toLowerCase();
  // Picked with a Thunderbird folder file, its summary beside it is no mail: reading it as a message would import garbage.
  if (extension === '.msf') return single({ kind: 'skipped', index: 1, offset: 0, reason: 'thunderbird-summary', label: basename(path) });
  if (extension === '.eml' || (extension !== '.mbox' && extension !== '.mbx' && !(await startsWithFromLine(path)))) {
    return single(await readEml(path));
  }
  return readMbox(linesOfFile(path), { quoting });
}

async function startsWithFromLine(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await file.read(head, 0, 5, 0);
    return isFromLine(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

async function* single(entry: ReadEntry): AsyncGenerator<ReadEntry> {
  yield await Promise.resolve(entry);
}
