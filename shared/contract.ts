/**
 * The IPC contract: every method the renderer may call, with a runtime schema
 * for its input and the type of its result, and every event main may send.
 * The preload exposes exactly these names, the Electron host registers exactly
 * these handlers, and the loopback WebSocket host serves the same table.
 * Absent values are `null` in results: `undefined` does not survive JSON.
 */
import { z } from 'zod';
import type { ErrorCode, WireError } from './errors';
import type { EventName, MethodName } from './ipc-names';
import type {
  Account,
  AdapterCapabilities,
  ConnectionState,
  DeleteResult,
  Folder,
  FolderCounts,
  MessageBody,
  MessageSummary,
  MessageText,
  OtherDeviceResult,
  ProtocolLogLine,
  ServerSnapshot,
  QuotaInfo,
  SentMessage,
  StoredMessageInfo,
  StoredSummary,
  StoreUsage,
  SyncDelta,
} from './model';
import type { DiscoveryResult } from './discovery';
import type { FolderDeleted, FolderRenamed } from './folder-names';
import { isUidSequenceSet } from './sequence-set';

export { METHOD_NAMES, EVENT_NAMES, channelOf } from './ipc-names';
export type { EventName, MethodName } from './ipc-names';

/** A method's spec: the schema that validates its input, and (as a type only) its result. */
export interface MethodSpec<Input extends z.ZodType, Result> {
  input: Input;
  /** Never set at runtime; carries the result type. */
  readonly result?: Result;
}

/** `method<Result>()(schema)`: the result type is named, the input type comes from the schema. */
function method<Result>(): <Input extends z.ZodType>(input: Input) => MethodSpec<Input, Result> {
  return (input) => ({ input });
}

// ---- building blocks -------------------------------------------------------

const id = z.string().min(1).max(200);
const folderPath = z.string().min(1).max(1000);
const folderName = z.string().min(1).max(255);
const serverId = z.string().min(1).max(200);
const serverIds = z.array(serverId).min(1).max(100_000);
const flag = z.string().min(1).max(200).regex(/^\\?[^\s()\]{%*"\\]+$/, 'not an IMAP flag');
const bytes = z.instanceof(Uint8Array);
const password = z.string().max(1000);

export const TrustedCertificateSchema = z.object({
  fingerprint256: z.string().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/),
  pem: z.string().max(20_000).startsWith('-----BEGIN CERTIFICATE-----'),
});

export const ServerSettingsSchema = z.object({
  host: z
    .string()
    .trim()
    .min(1)
    .max(253)
    .regex(/^[^\s/\\@]+$/, 'a host name or address, without scheme or path'),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'plain']),
  username: z.string().max(320),
  signIn: z.enum(['password', 'oauth2']).optional(),
  trustedCertificate: TrustedCertificateSchema.optional(),
});

export const RetentionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('keep') }),
  z.object({ kind: z.literal('days'), days: z.number().int().min(1).max(3650) }),
  z.object({ kind: z.literal('until-deleted-here') }),
  z.object({ kind: z.literal('delete-after-download') }),
]);

const emailAddress = z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'an e-mail address');

/** Tokens travel only over HTTPS, or to this very computer (a provider run for tests or development). */
const endpointUrl = z
  .string()
  .max(2000)
  .regex(/^(https:\/\/[^\s/?#@]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?)([/?#]\S*)?$/i, 'an https address');

export const OAuth2SettingsSchema = z
  .object({
    issuer: z.string().min(1).max(500),
    authorizationUrl: endpointUrl,
    tokenUrl: endpointUrl,
    scopes: z.array(z.string().min(1).max(500)).min(1).max(50),
    clientId: z.string().min(1).max(500),
    clientSecret: z.string().min(1).max(500).optional(),
    extraParameters: z.record(z.string().max(100), z.string().max(500)).optional(),
  })
  .strict();

const SignatureSchema = z.object({ text: z.string().max(10_000), html: z.string().max(100_000).optional() }).strict();

const IdentitySchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().max(200),
    address: emailAddress,
    replyTo: emailAddress.optional(),
    signature: SignatureSchema.optional(),
  })
  .strict();

export const AccountSchema = z.object({
  id,
  name: z.string().min(1).max(200),
  email: emailAddress,
  displayName: z.string().max(200),
  protocol: z.enum(['imap', 'pop3']),
  incoming: ServerSettingsSchema,
  outgoing: ServerSettingsSchema,
  pop3: z
    .object({
      retention: RetentionSchema,
      pollMinutes: z.number().int().min(1).max(24 * 60),
      headersOnly: z.boolean(),
      maxMessageBytes: z.number().int().min(0),
    })
    .optional(),
  imap: z
    .object({
      deleteMode: z.enum(['trash', 'expunge']),
      cacheLimitMegabytes: z.number().int().min(0).max(1_000_000),
    })
    .optional(),
  oauth2: OAuth2SettingsSchema.optional(),
  identities: z.array(IdentitySchema).max(50).optional(),
  signature: SignatureSchema.optional(),
  signaturePlacement: z.enum(['above', 'below']).optional(),
});

const SyncStateSchema = z.discriminatedUnion('protocol', [
  z.object({
    protocol: z.literal('imap'),
    uidValidity: z.string().regex(/^\d+$/).optional(),
    highestModseq: z.string().regex(/^\d+$/).optional(),
    knownUids: z.string().max(10_000_000).refine(isUidSequenceSet, 'an IMAP sequence set'),
  }),
  z.object({ protocol: z.literal('pop3') }),
]);

const AddressSchema = z.object({ name: z.string().max(500), address: emailAddress });

const OutgoingMessageSchema = z.object({
  from: AddressSchema,
  to: z.array(AddressSchema).max(1000),
  cc: z.array(AddressSchema).max(1000),
  bcc: z.array(AddressSchema).max(1000),
  replyTo: z.array(AddressSchema).max(10),
  subject: z.string().max(10_000),
  text: z.string().optional(),
  html: z.string().optional(),
  inReplyTo: z.string().max(1000).optional(),
  references: z.array(z.string().max(1000)).max(1000),
  attachments: z
    .array(z.object({ filename: z.string().min(1).max(500), contentType: z.string().min(1).max(200), content: bytes }))
    .max(100),
});

const inFolder = { accountId: id, folder: folderPath };
const storedItems = z.array(z.object({ folder: folderPath, serverId }).strict()).min(1).max(1000);

// ---- results ---------------------------------------------------------------

export interface AppInfo {
  name: string;
  version: string;
  /** Which host serves the contract: the Electron shell, or the loopback web host. */
  host: 'electron' | 'web';
  /** False when passwords can only be kept for this session (no system keychain). */
  passwordsPersist: boolean;
  /** Started by `npm run demo`: the accounts point at the local demo server. */
  demo: boolean;
}

export type TestOutcome = { ok: true; capabilities: AdapterCapabilities | null; folders: number | null } | { ok: false; error: WireError };

export interface ConnectionTestResult {
  incoming: TestOutcome;
  outgoing: TestOutcome | null;
}

/** An attachment's bytes, for forwarding it or showing an inline image. */
export interface AttachmentContent {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * Where a saved attachment went: the desktop app writes it where the user
 * chose; the browser host hands the bytes back for the browser to download.
 */
export type SaveResult = { kind: 'saved'; path: string } | { kind: 'cancelled' } | ({ kind: 'download' } & AttachmentContent);

/** A remote image fetched by main after the user allowed it, as a data: URI the page may show. */
export type RemoteImage = { url: string; ok: true; dataUri: string; bytes: number } | { url: string; ok: false; error: string };

/**
 * Why an export or import left a message out: a code, so that the page says it
 * in the user's language (main does not know it), with the variable parts
 * beside it as data.
 */
export type SkipReason =
  /** A picked path, or an entry of a Maildir, that is no regular file. */
  | 'not-a-file'
  /** A file with nothing but blank lines in it. */
  | 'empty-file'
  /** The file could not be read (`detail`: the system's error). */
  | 'unreadable'
  /** An mbox whose first line is no "From " line. */
  | 'not-mbox'
  /** A "From " line with nothing after it. */
  | 'empty-message'
  /** Larger than `limitMb` MB. */
  | 'too-large'
  /** Marked deleted by Thunderbird (X-Mozilla-Status) but still in the file. */
  | 'deleted-in-thunderbird'
  /** An export's message that neither the store nor the server has any more. */
  | 'gone'
  /** A picked path that could not be opened. */
  | 'unopenable'
  /** A picked folder without cur and new. */
  | 'not-maildir'
  /** A Thunderbird summary file (.msf) picked with its folder file. */
  | 'thunderbird-summary'
  /** The server or the store refused it (`errorCode`; `detail`: its reply). */
  | 'refused'
  /** Its bytes could not be taken as a message (`detail`: why). */
  | 'not-a-message';

/** A skip's reason with its variable parts; absent parts are left out, not `undefined`. */
export interface SkipCause {
  reason: SkipReason;
  /** For `too-large`: the limit, in MB. */
  limitMb?: number;
  /** For `refused`: the failure's code, which the page words as it words any error. */
  errorCode?: ErrorCode;
  /** Technical detail (a system error, a server's reply): shown as detail, not as the sentence. */
  detail?: string;
}

/** A message an export or import left out, and why; `source` names the file (import) or folder (export). */
export interface TransferSkipped extends SkipCause {
  source: string;
  /** 1-based position in its file or folder. */
  index: number;
  /** Byte offset of its "From " line in an mbox; 0 otherwise. */
  offset: number;
  /** What identifies it to a person: its "From " line, file name or id. */
  label: string | null;
}

/**
 * Where an export went: a file or folder the user chose (desktop app) or one
 * under the profile folder (browser host); a single message as .eml in the
 * browser host comes back as bytes to download.
 */
export type ExportResult =
  | { kind: 'saved'; path: string; messages: number; bytes: number; skipped: TransferSkipped[] }
  | { kind: 'cancelled'; messages: number }
  | ({ kind: 'download' } & AttachmentContent);

export interface ImportResult {
  /** The user closed the file dialog, or cancelled with `mail.exportCancel`: what was imported before stays. */
  cancelled: boolean;
  imported: number;
  skipped: TransferSkipped[];
  /** Messages kept only here (POP3 account): rows for the index, which confirms them with `store.settle`. */
  added: { serverId: string; summary: MessageSummary }[];
}

/** What `mail.syncNext` returns once the sync has nothing more. */
export interface SyncEnd {
  kind: 'end';
}

// ---- the table ---------------------------------------------------------------

export const methods = {
  'app.getInfo': method<AppInfo>()(z.object({}).strict()),
  'app.setProtocolLog': method<null>()(z.object({ enabled: z.boolean() }).strict()),
  /** Prints a message (its headers and sanitised body, as one document) with the system's print dialog; NOT_SUPPORTED where the host has none. */
  /** The mailto: links opened with Twinbox that no page has taken yet (each is handed out once), oldest first. */
  'app.takeMailto': method<string[]>()(z.object({}).strict()),
  'app.print': method<null>()(z.object({ document: z.string().min(1).max(64 * 1024 * 1024) }).strict()),

  'accounts.list': method<Account[]>()(z.object({}).strict()),
  'accounts.save': method<Account>()(
    z
      .object({
        account: AccountSchema.extend({ id: id.optional() }),
        incomingPassword: password.optional(),
        outgoingPassword: password.optional(),
        /** A sign-in with the account's provider (`accounts.signIn`), for servers that sign in with OAuth2. */
        signInId: id.optional(),
      })
      .strict(),
  ),
  'accounts.remove': method<null>()(z.object({ accountId: id }).strict()),
  'accounts.test': method<ConnectionTestResult>()(
    z
      .object({
        protocol: z.enum(['imap', 'pop3']),
        incoming: ServerSettingsSchema,
        incomingPassword: password.optional(),
        outgoing: ServerSettingsSchema.optional(),
        outgoingPassword: password.optional(),
        /** Use the stored passwords of this account where none is given. */
        accountId: id.optional(),
        signInId: id.optional(),
      })
      .strict(),
  ),
  /** Finds an address's servers (autoconfig, the provider table, DNS, probing); see shared/discovery.ts. */
  'accounts.discover': method<DiscoveryResult>()(z.object({ email: emailAddress }).strict()),
  /**
   * Signs in with a provider of Twinbox's table (the `signInWith` of a
   * discovery) in the system browser (OAuth2 with PKCE, the answer on a
   * loopback port); resolves once the provider has given tokens,
   * which main keeps for a while under the returned id for `accounts.test`
   * and `accounts.save`. The page never sees a token.
   */
  'accounts.signIn': method<{ signInId: string }>()(z.object({ email: emailAddress, issuer: z.string().min(1).max(500) }).strict()),
  'accounts.capabilities': method<AdapterCapabilities>()(z.object({ accountId: id }).strict()),

  'mail.listFolders': method<Folder[]>()(z.object({ accountId: id }).strict()),
  'mail.folderCounts': method<FolderCounts[]>()(z.object({ accountId: id, paths: z.array(folderPath).max(10_000) }).strict()),
  'mail.syncStart': method<{ syncId: string }>()(
    z
      .object({
        ...inFolder,
        state: SyncStateSchema,
        options: z
          .object({
            batchSize: z.number().int().min(1).max(5000).optional(),
            headersOnly: z.boolean().optional(),
            maxMessageBytes: z.number().int().min(0).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  ),
  'mail.syncNext': method<SyncDelta | SyncEnd>()(z.object({ syncId: id }).strict()),
  'mail.syncCancel': method<null>()(z.object({ syncId: id }).strict()),
  /**
   * A message, parsed, from this computer's message store; when it is not
   * there (IMAP, or a POP3 message downloaded as headers only) it is fetched
   * from the server and kept.
   */
  'mail.open': method<MessageBody>()(z.object({ ...inFolder, serverId }).strict()),
  /** A message's exact bytes ("view source"), from the store or else the server. */
  'mail.source': method<Uint8Array>()(z.object({ ...inFolder, serverId }).strict()),
  /** Fetches whole messages into the store in one exchange (reading a folder for offline use); nothing is parsed. */
  'mail.download': method<{ stored: string[]; missing: string[] }>()(
    z.object({ ...inFolder, serverIds: z.array(serverId).min(1).max(1000) }).strict(),
  ),
  /** What local search needs of stored messages' bodies; messages not stored are left out. */
  'mail.texts': method<MessageText[]>()(z.object({ accountId: id, items: storedItems.max(500) }).strict()),
  'mail.setFlags': method<null>()(
    z.object({ ...inFolder, serverIds, add: z.array(flag).max(50).optional(), remove: z.array(flag).max(50).optional() }).strict(),
  ),
  'mail.move': method<Record<string, string>>()(z.object({ ...inFolder, serverIds, target: folderPath }).strict()),
  'mail.copy': method<Record<string, string>>()(z.object({ ...inFolder, serverIds, target: folderPath }).strict()),
  'mail.delete': method<DeleteResult>()(z.object({ ...inFolder, serverIds, expunge: z.boolean().optional() }).strict()),
  'mail.append': method<{ serverId: string | null }>()(
    z.object({ ...inFolder, raw: bytes, flags: z.array(flag).max(50) }).strict(),
  ),
  'mail.search': method<string[]>()(z.object({ ...inFolder, text: z.string().min(1).max(1000) }).strict()),
  'mail.quota': method<QuotaInfo | null>()(z.object(inFolder).strict()),
  /**
   * Exports mail from this computer's store, fetching from the server first
   * what it lacks (IMAP): one message as .eml (its exact bytes), or folders as
   * mboxrd or Maildir. The page names the messages, with the flags and dates
   * its index holds (a POP3 account's flags live only there), and an id to
   * cancel with; progress comes as `mailbox.progress`.
   */
  'mail.export': method<ExportResult>()(
    z
      .object({
        exportId: id,
        accountId: id,
        format: z.enum(['eml', 'mbox', 'maildir']),
        /** The file or folder name to propose: the account's or folder's name, or the message's subject. */
        name: z.string().min(1).max(200),
        folders: z
          .array(
            z
              .object({
                folder: folderPath,
                messages: z.array(z.object({ serverId, flags: z.array(flag).max(50), receivedAt: z.string().max(40).nullable() }).strict()).max(1_000_000),
              })
              .strict(),
          )
          .min(1)
          .max(10_000),
        /** The title of the host's folder dialog in the page's language: main has no catalog of its own. */
        dialogTitle: z.string().min(1).max(300).optional(),
      })
      .strict(),
  ),
  /**
   * A piece of a file the user picked in the page (the browser host, which
   * has no file dialog of main's): appended at `offset` to the upload's file
   * `name` (a relative path: a Maildir's "cur/…" and "new/…" files keep their
   * place), in main's temporary folder, for `mail.import` to read and remove.
   */
  'mail.importUpload': method<null>()(
    z
      .object({
        uploadId: id,
        name: z
          .string()
          .min(1)
          .max(500)
          .refine((name) => name.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\')), 'a relative path inside the upload'),
        offset: z.number().int().min(0),
        bytes,
      })
      .strict(),
  ),
  /** Stops an export or import under way (by the id the page gave it); unknown ids are ignored. */
  'mail.exportCancel': method<null>()(z.object({ exportId: id }).strict()),
  /**
   * Imports .eml files, mbox files (mboxrd or mboxo, Thunderbird's local
   * folders too) or a Maildir, chosen by the user in the host's dialog, into
   * a folder: APPENDed with flags and internal date (IMAP), or kept here
   * (POP3: returned as `added` for the index). Malformed entries are skipped
   * and listed; the rest still imports.
   */
  'mail.import': method<ImportResult>()(
    z
      .object({
        importId: id,
        ...inFolder,
        /**
         * What the host's dialog offers: message or mbox files, or a Maildir folder;
         * or `upload`: what the page sent with `mail.importUpload` under `uploadId` (the browser host).
         */
        source: z.enum(['files', 'maildir', 'upload']),
        uploadId: id.optional(),
        /** How ">From " lines of an mbox are read; mboxrd unless the user says the file is mboxo. */
        quoting: z.enum(['mboxrd', 'mboxo']).optional(),
        /** The title of the host's dialog in the page's language. */
        dialogTitle: z.string().min(1).max(300).optional(),
      })
      .strict(),
  ),
  /**
   * Folders on the server (IMAP; POP3 answers NOT_SUPPORTED, its folders are
   * the page's own). `parent` absent: the top level. The server's delimiter
   * joins the names; special-use folders are refused (FOLDER_PROTECTED).
   */
  'folders.create': method<{ path: string }>()(z.object({ accountId: id, parent: folderPath.optional(), name: folderName }).strict()),
  'folders.rename': method<FolderRenamed>()(z.object({ ...inFolder, parent: folderPath.optional(), name: folderName }).strict()),
  /** Into the Trash with its mail (for good when it is in the Trash already), or for good. */
  'folders.delete': method<FolderDeleted>()(z.object({ ...inFolder, mode: z.enum(['trash', 'forever']) }).strict()),
  /**
   * Push for a folder: main reports its changes as `mail.changed` until the
   * watch is ended by `mail.unwatch` or by the page going away (closed,
   * reloaded, crashed). The same page asking again gets the same watchId;
   * pages watching the same folder share one server connection. Answers once
   * the first connect was tried: a watch whose server is unreachable answers
   * with its watchId all the same and keeps connecting with growing pauses
   * (it reports new-mail once connected, since mail may have come unseen), as
   * it does after a lost connection or saved settings. Fails, watching
   * nothing, only for refusals that need the user (AUTH_FAILED, a TLS error,
   * MAILBOX_NOT_FOUND, NOT_SUPPORTED for POP3).
   */
  'mail.watch': method<{ watchId: string }>()(z.object(inFolder).strict()),
  /** Ends one of this page's watches; another page's watchId is ignored. */
  'mail.unwatch': method<null>()(z.object({ watchId: id }).strict()),
  'mail.send': method<SentMessage>()(z.object({ accountId: id, message: OutgoingMessageSchema }).strict()),
  /** The exact MIME bytes of a message, without sending it: a draft to store. */
  'mail.compose': method<{ messageId: string; raw: Uint8Array }>()(z.object({ message: OutgoingMessageSchema }).strict()),
  /** An attachment by its opaque id, read from the message store (or, for IMAP, the server). */
  'attachments.fetch': method<AttachmentContent>()(z.object({ ...inFolder, serverId, attachmentId: z.string().min(1).max(4000) }).strict()),
  'attachments.save': method<SaveResult>()(z.object({ ...inFolder, serverId, attachmentId: z.string().min(1).max(4000) }).strict()),

  // The message store (main/store/): the page's index keeps it company, one commit behind.
  /** How much of an account this computer keeps, and its limit. */
  'store.usage': method<StoreUsage>()(z.object({ accountId: id }).strict()),
  /**
   * What the store holds for an account (to rebuild or check the index): every message, or those of one
   * folder, or only those the index has not confirmed; and the UIDLs deleted here for good.
   */
  'store.list': method<{ messages: StoredMessageInfo[]; deletedHere: string[] }>()(
    z.object({ accountId: id, folder: folderPath.optional(), unindexedOnly: z.boolean().optional() }).strict(),
  ),
  /** Summaries read from stored messages' headers: rows for an index that lost them. */
  'store.summaries': method<StoredSummary[]>()(z.object({ accountId: id, items: storedItems }).strict()),
  /** The index committed these (`indexed`), or decided against them (`discard`: removed, and not downloaded again). */
  'store.settle': method<null>()(
    z.object({ ...inFolder, indexed: z.array(serverId).max(100_000), discard: z.array(serverId).max(100_000) }).strict(),
  ),
  /** Flags of messages kept only here (POP3), recorded with their files. */
  'store.setFlags': method<null>()(
    z.object({ ...inFolder, changes: z.array(z.object({ serverId, flags: z.array(flag).max(50) }).strict()).min(1).max(100_000) }).strict(),
  ),
  /** Moves stored messages between this computer's folders (POP3). */
  'store.move': method<null>()(z.object({ ...inFolder, serverIds, target: folderPath }).strict()),
  /** Removes stored messages; `deletedHere` also records their UIDLs so that they are never downloaded again. */
  'store.remove': method<null>()(z.object({ ...inFolder, serverIds, deletedHere: z.boolean() }).strict()),
  /** The user undid a deletion: these UIDLs are no longer "deleted here". */
  'store.restore': method<null>()(z.object({ accountId: id, serverIds }).strict()),
  /**
   * Keeps a message made here (a POP3 account's draft or sent copy), flushed,
   * and returns its id and summary; the index confirms it with `store.settle`.
   */
  'store.putLocal': method<{ serverId: string; summary: MessageSummary }>()(
    z.object({ ...inFolder, raw: bytes, flags: z.array(flag).max(50) }).strict(),
  ),
  /** Moves messages that an older Twinbox kept in the page's cache into the store, flushed. */
  'store.import': method<null>()(
    z
      .object({
        ...inFolder,
        items: z
          .array(z.object({ serverId, raw: bytes, kind: z.enum(['server', 'local']), partial: z.boolean(), flags: z.array(flag).max(50) }).strict())
          .min(1)
          .max(500),
      })
      .strict(),
  ),
  /** Forgets every stored message of an account ("this computer died", "forget the local copy"). */
  'store.wipe': method<null>()(z.object({ accountId: id }).strict()),
  /** The Protocol Lab's middle column: what the server holds now, read by a connection of its own (IMAP accounts). */
  'lab.serverState': method<ServerSnapshot>()(z.object({ accountId: id }).strict()),
  /** The Lab's other IMAP device changes one message on the server. */
  'lab.otherDevice': method<OtherDeviceResult>()(
    z
      .object({
        accountId: id,
        action: z.enum(['read', 'unread', 'flag', 'delete']),
        /** The message by its identity (MessageSummary.identity), or by Message-ID. */
        identity: z.string().regex(/^[\w-]{22}$/).optional(),
        messageId: z.string().min(1).max(1000).optional(),
      })
      .strict()
      .refine((input) => input.identity !== undefined || input.messageId !== undefined, 'name the message by identity or Message-ID'),
  ),
  /** The Lab's other POP3 computer downloads everything (and deletes it, if so set). */
  'lab.otherPop3Device': method<OtherDeviceResult>()(z.object({ accountId: id, deleteAfterDownload: z.boolean() }).strict()),
  /** Remote images of a message, fetched by main, only ever after the user allowed them. */
  'mail.remoteImages': method<RemoteImage[]>()(
    z.object({ urls: z.array(z.string().max(4000).regex(/^https?:\/\//i, 'an http or https address')).min(1).max(100) }).strict(),
  ),
} satisfies Record<MethodName, MethodSpec<z.ZodType, unknown>>;

/** Payload of each event main pushes to the renderer. */
export interface EventPayloads {
  /** Something the user should know that is not the answer to a call (for example, the host is shutting down). */
  'app.notice': { level: 'info' | 'warning' | 'error'; text: string };
  /** A mailto: link was opened with Twinbox: the page takes it with `app.takeMailto`. */
  'app.mailto': Record<string, never>;
  /** An account's connection changed; `retryAt` says when a failed one is tried again. */
  'connection.state': { accountId: string; state: ConnectionState; error: WireError | null; retryAt: number | null };
  /** A folder sync got this far (messages fetched of those new on the server). */
  'sync.progress': { accountId: string; folder: string; done: number; total: number };
  /** The server said a watched folder changed (IDLE): time to sync it. */
  'mail.changed': { accountId: string; folder: string; reason: 'new-mail' | 'expunged' | 'flags' };
  /** One command or reply, when the protocol log is on. */
  'protocol.log': ProtocolLogLine;
  /** An export or import got this far: messages `processed` (`skipped` among them) of `total` (null while an import is still reading its files). */
  'mailbox.progress': { operationId: string; kind: 'export' | 'import'; processed: number; total: number | null; skipped: number };
}

// Compile-time checks that ipc-names.ts and this file name the same methods and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type MethodNamesMatch = Assert<Same<keyof typeof methods, MethodName>>;
export type EventNamesMatch = Assert<Same<keyof EventPayloads, EventName>>;

export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>;
export type MethodResult<M extends MethodName> = (typeof methods)[M] extends MethodSpec<z.ZodType, infer R> ? R : never;

/** What every handler returns across the boundary, so error codes survive it. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The renderer's view of the contract, implemented by the preload and by the WebSocket client. */
export interface TwinboxBridge {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodResult<M>>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}
