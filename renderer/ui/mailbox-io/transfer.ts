/**
 * Export and import as the page drives them: it names the messages (with the
 * flags and dates only its index holds for a POP3 account), main reads and
 * writes the mail; a POP3 account's imported messages get their rows here.
 */
import type { ExportResult, ImportResult } from '../../../shared/contract';
import type { CacheReader } from '../../db/schema';
import type { TwinboxClient } from '../../ipc/twinbox-client';
import { t } from '../../i18n';
import type { SyncEngine } from '../../sync/engine';

export interface ExportFolder {
  folder: string;
  messages: { serverId: string; flags: string[]; receivedAt: string | null }[];
}

/** Pieces of a file sent at a time by the browser host: small enough for one WebSocket message each. */
const UPLOAD_PIECE_BYTES = 4 * 1024 * 1024;
/** Rows confirmed to main's store at once (the contract's limit is far above). */
const SETTLE_BATCH = 10_000;

/** The messages of these folders as the index holds them, oldest first, as an export names them. */
export async function exportFolders(db: CacheReader, accountId: string, folders: readonly string[]): Promise<ExportFolder[]> {
  return Promise.all(
    folders.map(async (folder) => {
      const rows = await db.messages.where('[accountId+folder+sortDate]').between([accountId, folder, -Infinity], [accountId, folder, Infinity]).toArray();
      return { folder, messages: rows.map((row) => ({ serverId: row.serverId, flags: row.flags, receivedAt: row.receivedAt ?? null })) };
    }),
  );
}

export function newOperationId(): string {
  return crypto.randomUUID();
}

export async function runExport(
  client: TwinboxClient,
  request: { exportId: string; accountId: string; format: 'eml' | 'mbox' | 'maildir'; name: string; folders: ExportFolder[] },
): Promise<ExportResult> {
  return client.call('mail.export', { ...request, dialogTitle: t('folders:transfer.exportDialogTitle', { name: request.name }) });
}

/** A file the user picked in the page, under the path it keeps in the upload (a Maildir's "cur/…" and "new/…"). */
export interface PickedFile {
  name: string;
  file: Blob;
}

/**
 * The files of an `<input type="file" webkitdirectory>`, as a Maildir upload
 * names them: without the picked folder's own name, so that cur/ and new/
 * are at the top.
 */
export function pickedFiles(files: readonly File[], directory: boolean): PickedFile[] {
  return files.map((file) => {
    const relative = directory && file.webkitRelativePath !== '' ? file.webkitRelativePath.split('/').slice(1).join('/') : file.name;
    return { name: relative === '' ? file.name : relative, file };
  });
}

/** Sends the picked files to main piece by piece (the browser host has no file dialog of main's). */
export async function uploadFiles(client: TwinboxClient, uploadId: string, files: readonly PickedFile[], onSent: (bytes: number, total: number) => void): Promise<void> {
  const total = files.reduce((sum, picked) => sum + picked.file.size, 0);
  let sent = 0;
  for (const { name, file } of files) {
    for (let offset = 0; offset < file.size || (offset === 0 && file.size === 0); offset += UPLOAD_PIECE_BYTES) {
      const bytes = new Uint8Array(await file.slice(offset, offset + UPLOAD_PIECE_BYTES).arrayBuffer());
      await client.call('mail.importUpload', { uploadId, name, offset, bytes });
      sent += bytes.byteLength;
      onSent(sent, total);
      if (file.size === 0) break;
    }
  }
}

/**
 * Imports, then brings the index up to date: rows for what a POP3 account
 * now keeps here (confirmed to the store once written), a sync of the IMAP
 * folder for what the server now holds.
 */
export async function runImport(
  services: { client: TwinboxClient; engine: SyncEngine },
  request: { importId: string; accountId: string; folder: string; protocol: 'imap' | 'pop3'; source: 'files' | 'maildir' | 'upload'; quoting: 'mboxrd' | 'mboxo' },
): Promise<ImportResult> {
  const { client, engine } = services;
  const { protocol, ...input } = request;
  const result = await client.call(
    'mail.import',
    input.source === 'upload'
      ? { ...input, uploadId: input.importId }
      : { ...input, dialogTitle: t(input.source === 'maildir' ? 'folders:transfer.importMaildirDialogTitle' : 'folders:transfer.importFilesDialogTitle') },
  );
  if (protocol === 'pop3' && result.added.length > 0) {
    for (const { summary } of result.added) await engine.writer.storeLocalMessage(request.accountId, request.folder, summary);
    const ids = result.added.map((added) => added.serverId);
    for (let start = 0; start < ids.length; start += SETTLE_BATCH) {
      await client.call('store.settle', { accountId: request.accountId, folder: request.folder, indexed: ids.slice(start, start + SETTLE_BATCH), discard: [] });
    }
  }
  if (protocol === 'imap' && result.imported > 0) void engine.syncNow(request.accountId, [request.folder]).catch(() => undefined);
  return result;
}

/** "1 message", "1,234 messages": a number of messages in the interface's language. */
export function describeCount(count: number): string {
  return t('folders:transfer.messages', { count });
}
