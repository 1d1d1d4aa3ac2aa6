/**
 * The mail model both processes agree on. Everything here crosses the IPC
 * boundary, so it is plain data: strings, numbers, booleans, arrays, plain
 * objects and Uint8Array (for raw message bytes). No secrets: passwords stay
 * in main's credential vault.
 */

export type Protocol = 'imap' | 'pop3';

/** How a connection is protected. `plain` is used only when the user chose it explicitly. */
export type Security = 'tls' | 'starttls' | 'plain';

export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  username: string;
  /**
   * How the account signs in to this server: its password (the default), or
   * an access token from the provider the user signed in with (OAuth2,
   * `Account.oauth2`), sent with SASL OAUTHBEARER or XOAUTH2.
   */
  signIn?: 'password' | 'oauth2';
  /**
   * A certificate the user trusted explicitly after seeing its fingerprint
   * (for a self-signed server). Only that exact certificate is accepted in
   * addition to the ones the system trusts; nothing else is relaxed.
   */
  trustedCertificate?: TrustedCertificate;
}

export interface TrustedCertificate {
  /** SHA-256 fingerprint as colon-separated upper-case hex, as Node and browsers print it. */
  fingerprint256: string;
  pem: string;
}

/** What the user is shown before deciding to trust a certificate. */
export interface CertificateInfo extends TrustedCertificate {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** DNS names and IP addresses the certificate is valid for. */
  altNames: string[];
  /** Why it was not trusted (OpenSSL's code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  reason: string;
}

/** What POP3 does with the server's copy once the message is safely on this computer. */
export type RetentionPolicy =
  | { kind: 'keep' }
  | { kind: 'days'; days: number }
  | { kind: 'until-deleted-here' }
  | { kind: 'delete-after-download' };

export interface Pop3Options {
  retention: RetentionPolicy;
  /** Minutes between checks for new mail. */
  pollMinutes: number;
  /** Download headers only; the rest when the message is opened. */
  headersOnly: boolean;
  /** Messages larger than this are downloaded as headers only (0: no limit). */
  maxMessageBytes: number;
}

export interface ImapOptions {
  /** `trash` moves deleted mail to the Trash folder; `expunge` removes it at once. */
  deleteMode: 'trash' | 'expunge';
  /** Bodies kept offline beyond the ones opened; least recently used go first. */
  cacheLimitMegabytes: number;
}

/** The folder every mailbox has, under IMAP and POP3 alike (its name is case-insensitive, RFC 9051 section 5.1). */
export const INBOX = 'INBOX';

/** An account as both processes see it: settings, never secrets. */
export interface Account {
  id: string;
  name: string;
  /** The address mail is sent from. */
  email: string;
  displayName: string;
  protocol: Protocol;
  incoming: ServerSettings;
  outgoing: ServerSettings;
  pop3?: Pop3Options;
  imap?: ImapOptions;
  /** Where the account signs in when a server's `signIn` is 'oauth2'. */
  oauth2?: OAuth2Settings;
  /** Other addresses this account writes as; its own (`displayName` <`email`>) always comes first and is not listed. */
  identities?: Identity[];
  /** The signature of the account's own address. */
  signature?: Signature;
  /** Where a signature goes in an answer: above the quoted message (with the reply) or below it. */
  signaturePlacement?: 'above' | 'below';
}

/** An address an account writes as, with its own name, Reply-To and signature. */
export interface Identity {
  id: string;
  name: string;
  address: string;
  replyTo?: string;
  signature?: Signature;
}

/** A signature as text, and optionally as simple rich text for rich messages. */
export interface Signature {
  text: string;
  html?: string;
}

/** A provider's OAuth2 endpoints and Twinbox's own client id there (configuration, never another product's). */
export interface OAuth2Settings {
  /** The provider in Twinbox's table ("accounts.google.com"), to sign in again with. */
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  scopes: string[];
  clientId: string;
  /** Google's desktop clients have one, which is no secret (every copy of the app holds it) but must be sent. */
  clientSecret?: string;
  /** What a provider needs besides the standard parameters (Google: access_type=offline). */
  extraParameters?: Record<string, string>;
}

/**
 * What an adapter can do, declared so callers decide by capability and never
 * by protocol name. Some become known only after connecting (IMAP CAPABILITY).
 */
export interface AdapterCapabilities {
  /** The server keeps folders the client can create, list and move between. */
  serverFolders: boolean;
  /** Read, flagged and other flags are stored on the server and seen by other devices. */
  serverFlags: boolean;
  /** The server tells the client about new mail at once (IMAP IDLE). */
  push: boolean;
  /** The server can search message text. */
  serverSearch: boolean;
  /** Message ids stay valid across sessions (IMAP UIDs under one UIDVALIDITY, POP3 UIDLs). */
  stableIds: boolean;
  /** Headers or single parts can be fetched without the whole message. */
  partialFetch: boolean;
  /** Incremental flag sync by modification sequence (CONDSTORE). */
  changeTracking: boolean;
  /** Expunged messages reported since a known state (QRESYNC). */
  vanishedTracking: boolean;
  /** Atomic server-side move (MOVE); emulated with copy and delete when false. */
  atomicMove: boolean;
  /** The server reports storage quota. */
  quota: boolean;
  /** Messages can be stored on the server (IMAP APPEND to Sent, Drafts). */
  append: boolean;
}

export type SpecialUse = 'inbox' | 'sent' | 'drafts' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged';

export interface Folder {
  /** Full path on the server, as the server spells it (decoded from modified UTF-7). */
  path: string;
  /** Last path component, for display. */
  name: string;
  /** Hierarchy delimiter, or '' when flat. */
  delimiter: string;
  specialUse?: SpecialUse;
  subscribed: boolean;
  /** False for \Noselect containers. */
  selectable: boolean;
}

export interface FolderCounts {
  path: string;
  total: number;
  unread: number;
  uidValidity?: string;
  uidNext?: number;
  highestModseq?: string;
}

export interface Address {
  name: string;
  address: string;
}

/** What a message list row needs, fetched before (and apart from) the body. */
export interface MessageSummary {
  /**
   * The message's id within its folder on the server: the IMAP UID as a
   * decimal string, or the POP3 UIDL.
   */
  serverId: string;
  /** IMAP UID (also in serverId); absent for POP3. */
  uid?: number;
  /** Message-ID header without angle brackets, when present. */
  messageId?: string;
  /**
   * The same for a message under IMAP and POP3, with or without a
   * Message-ID: a digest of the fields it was sent with and its size
   * (main/mime/identity.ts). Absent on rows cached before it existed.
   */
  identity?: string;
  inReplyTo?: string;
  /** References header, oldest first, without angle brackets. */
  references: string[];
  subject: string;
  from: Address[];
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  /** Date header as ISO 8601; absent when missing or unparsable. */
  date?: string;
  /** When the server received it (IMAP INTERNALDATE), ISO 8601. */
  receivedAt?: string;
  /** Size in bytes (RFC822.SIZE or the POP3 LIST/UIDL size). */
  size: number;
  /** IMAP system flags and keywords, e.g. "\\Seen"; local flags for POP3. */
  flags: string[];
  hasAttachments: boolean;
  /** A short plain-text preview, when the body (or its start) is known. */
  snippet?: string;
  /** CONDSTORE modification sequence, as a decimal string. */
  modseq?: string;
}

/** An attachment, referred to by an opaque id; the page never sees a file path. */
/**
 * What an attachment is for, where that matters more than its file type: a
 * signature (S/MIME or PGP), encrypted content, a TNEF winmail.dat, an
 * attached message, a delivery report, or a plain file.
 */
export type AttachmentRole = 'file' | 'signature' | 'encrypted' | 'tnef' | 'message' | 'report';

/** An attachment as the reader lists it; main's parser has the same with its bytes (main/mime/parse.ts). */
export interface AttachmentInfo {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  /** Shown inside the body: referenced from the HTML by Content-ID, or an image with Content-Disposition inline. */
  inline: boolean;
  contentId?: string;
  /** So the reader can show a signature or a forwarded message as such. */
  role?: AttachmentRole;
}

/** A parsed message body, as the reader shows it. */
export interface MessageBody {
  serverId: string;
  text?: string;
  /** Unsanitised HTML: the renderer sanitises before display. */
  html?: string;
  attachments: AttachmentInfo[];
  /** Header lines as name and value, in order, for "show original". */
  headers: [string, string][];
  /** Parser notes about damage it worked around (missing boundary, unknown charset...). */
  warnings: string[];
  /** Whether the message shows that it comes from its From address; "always load images from this sender" applies only then. */
  senderVerification: SenderVerification;
}

/**
 * Whether the server that received a message recorded a DKIM or DMARC pass
 * for the domain of its one From address (main reads its
 * Authentication-Results field: see main/mime/authentication-results.ts).
 * `address` is that From address, lower-case; `domain` the domain that
 * passed (the signing domain for DKIM, the From domain for DMARC).
 */
export type SenderVerification = { verified: true; address: string; by: 'dkim' | 'dmarc'; domain: string } | { verified: false };

/**
 * What local search needs of a message's body, read from main's message
 * store in the background (never while a folder downloads), with what the
 * list shows but a header block alone cannot tell.
 */
export interface MessageText {
  folder: string;
  serverId: string;
  /** The start of the body's text, enough for the words search keeps. */
  text: string;
  snippet?: string;
  hasAttachments: boolean;
}

/** A message in main's message store (see main/store/). */
export interface StoredMessageInfo {
  folder: string;
  serverId: string;
  /** `server` for mail from the server (its UID or UIDL), `local` for a message made here. */
  kind: 'server' | 'local';
  size: number;
  /** Only the header block is stored. */
  partial: boolean;
  flags: string[];
  /** The page's index confirmed it. */
  indexed: boolean;
}

/** A stored message described for the index: what the list shows, from the file itself. */
export interface StoredSummary extends StoredMessageInfo {
  summary: MessageSummary;
}

/** How much of an account is in main's message store. */
export interface StoreUsage {
  messages: number;
  bytes: number;
  /** Messages stored but not yet confirmed by the page's index (a crash came between). */
  unindexed: number;
  /** The account's cache limit (IMAP), or null when everything is kept (POP3). */
  limitBytes: number | null;
}

/** One line of the protocol log: what the Lab shows under each action. */
export interface ProtocolLogLine {
  accountId: string;
  protocol: Protocol | 'smtp';
  /** `out` is what Twinbox sent (passwords masked), `in` what the server answered. */
  direction: 'in' | 'out';
  /** The command or the first line of the reply, without literals or message bodies. */
  text: string;
  bytes: number;
  at: number;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'idle' | 'error';

/**
 * What the caller's cache knows about a folder. IMAP keys on UIDVALIDITY and
 * UIDs: `knownUids` is an IMAP sequence set ("1:40,42") so a large folder
 * costs a few bytes when its UIDs are contiguous. POP3 keys on UIDLs, which
 * main reads from its own message store.
 */
export type SyncState =
  | { protocol: 'imap'; uidValidity?: string; highestModseq?: string; knownUids: string }
  /** POP3: main's message store knows what this computer holds; the page sends nothing. */
  | { protocol: 'pop3' };

export interface SyncOptions {
  /** Summaries per `messages` delta. The first delta is the first screen (newest first). */
  batchSize?: number;
  /** POP3: download headers only (TOP n 0) for every message. */
  headersOnly?: boolean;
  /** POP3: download headers only for messages larger than this (0: no limit). */
  maxMessageBytes?: number;
}

/**
 * One step of a folder sync. Applying the deltas in order to a cache that
 * held `state` leaves it equal to the server's folder. `done` comes last and
 * carries the state to store for the next sync.
 */
export type SyncDelta =
  /**
   * UIDVALIDITY changed (or the folder was recreated), or this is a first
   * sync: drop the folder's cache and store this UIDVALIDITY; the deltas that
   * follow rebuild it. Storing it first is what makes an interrupted first
   * sync resumable.
   */
  | { kind: 'reset'; uidValidity: string }
  /** Messages no longer on the server. */
  | { kind: 'vanished'; serverIds: string[] }
  /** Flags that changed on the server for messages the cache holds. */
  | { kind: 'flags'; changes: { serverId: string; flags: string[]; modseq?: string }[] }
  /**
   * New messages, newest first. POP3: each is in main's message store,
   * flushed, before this delta is sent; `partial` lists those stored as
   * headers only.
   */
  | {
      kind: 'messages';
      summaries: MessageSummary[];
      partial: string[];
      progress: { done: number; total: number };
    }
  /** `onServer`: POP3, every UIDL on the server now (what retention may name). */
  | { kind: 'done'; state: SyncState; total: number; uidNext?: number; onServer?: string[] };

export interface SearchQuery {
  /** Words to find in subject, addresses or body text. */
  text: string;
}

export interface QuotaInfo {
  usedBytes: number;
  limitBytes: number;
}

/** Something changed on the server while watching a folder (IMAP IDLE). */
export interface FolderChange {
  folder: string;
  reason: 'new-mail' | 'expunged' | 'flags';
}

export interface DeleteResult {
  /** Ids now gone from the folder (or moved to Trash). */
  deleted: string[];
  /** Ids that were not there any more; not an error. */
  missing: string[];
}

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** A message the user composed, before it is turned into MIME. */
export interface OutgoingMessage {
  from: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  subject: string;
  text?: string;
  html?: string;
  /** Message-ID (without brackets) of the message replied to. */
  inReplyTo?: string;
  references: string[];
  attachments: OutgoingAttachment[];
}

export interface SentMessage {
  messageId: string;
  /** The copy to keep in Sent: the bytes that were sent, plus a Bcc header when there were Bcc recipients. */
  raw: Uint8Array;
  accepted: string[];
  rejected: string[];
}

/** What the server holds right now, as another device sees it: the Lab's middle column. */
export interface ServerSnapshot {
  observedAt: number;
  folders: {
    path: string;
    specialUse?: SpecialUse;
    messages: { uid: number; messageId?: string; identity: string; subject: string; flags: string[]; size: number }[];
  }[];
}

/** What another device did to the mailbox, in a Lab scenario. */
export interface OtherDeviceResult {
  /** Messages it touched, by Message-ID and subject. */
  messages: { messageId?: string; identity: string; subject: string }[];
}
