import type { CertificateInfo } from './model';

/**
 * Every failure that crosses the IPC boundary carries one of these codes, and
 * the user sees the sentence mapped to it here (one table, as Mailspring does),
 * never a stack trace or a server's raw reply.
 */
export const ERROR_TEXT = {
  AUTH_FAILED: 'The server did not accept this user name and password.',
  PASSWORD_REQUIRED:
    'The server settings changed, so Twinbox did not send the saved password: it goes only to the server it was saved for. Enter the password for this server again.',
  CONNECTION_REFUSED: 'The server refused the connection. Check the host name and port.',
  HOST_NOT_FOUND: 'No server with this host name could be found. Check the spelling and your network.',
  TIMEOUT: 'The server took too long to answer. It may be busy or unreachable; Twinbox will try again.',
  TLS_CERT_UNTRUSTED:
    'The server’s security certificate is not trusted, so Twinbox did not send your password. Check the host name, or trust this certificate explicitly in the account settings.',
  TLS_REQUIRED:
    'The server does not offer an encrypted connection on this port, so Twinbox did not send your password. Choose another security setting or port.',
  SIGN_IN_REQUIRED:
    'Your sign-in with this provider has ended (it expired, or was withdrawn on the provider’s side). Sign in again in the account settings; nothing stored here is lost.',
  SIGN_IN_CANCELLED: 'The sign-in was not finished, so nothing changed. Try again when you are ready.',
  MAILBOX_NOT_FOUND: 'This folder no longer exists on the server.',
  FOLDER_EXISTS: 'A folder with this name already exists here. Choose another name.',
  FOLDER_PROTECTED: 'Inbox, Sent, Drafts, Trash, Junk and Archive are special folders: they cannot be renamed, moved or deleted.',
  FOLDER_NAME_INVALID: 'This folder name cannot be used. A name must not be empty or contain the folder separator.',
  MESSAGE_GONE: 'This message is no longer on the server. It may have been moved or deleted from another device.',
  QUOTA_EXCEEDED: 'The mailbox is full. Delete some messages, or empty the Trash, and try again.',
  NOT_SUPPORTED: 'This server does not support that action.',
  PROTOCOL_ERROR: 'The server sent an answer Twinbox could not understand. Nothing was changed.',
  CONNECTION_LOST: 'The connection to the server was lost. Nothing was lost; Twinbox will try again.',
  HOST_UNAVAILABLE: 'Twinbox’s background process is not answering. Restart Twinbox; nothing stored on this computer is lost.',
  DISK_FULL: 'There is no room left on this computer’s disk, so the mail was not saved here and nothing was deleted from the server. Free some space and Twinbox will try again.',
  LOCAL_STORE_FAILED: 'Twinbox could not read or write its mail folder on this computer. Nothing was deleted from the server; check that the folder is not read-only.',
  INVALID_REQUEST: 'Twinbox made a request that is not allowed. This is a bug; please report it.',
  INTERNAL: 'Something went wrong inside Twinbox. Nothing was lost; please try again.',
} as const;

export type ErrorCode = keyof typeof ERROR_TEXT;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_TEXT, value);
}

/** What a failure looks like on the wire: a code that survives the boundary, and detail for logs. */
export interface WireError {
  code: ErrorCode;
  /** Technical detail (the server's reply, the socket error); shown under "details", not as the headline. */
  message: string;
  /** For TLS_CERT_UNTRUSTED: the certificate, so the user can inspect and trust it. */
  certificate?: CertificateInfo;
}

/** A failure with a code. Thrown on either side; turned into a WireError at the boundary. */
export class TwinboxError extends Error {
  override readonly name = 'TwinboxError';

  readonly certificate: CertificateInfo | undefined;

  constructor(
    readonly code: ErrorCode,
    detail?: string,
    options?: { cause?: unknown; certificate?: CertificateInfo },
  ) {
    super(detail ?? ERROR_TEXT[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.certificate = options?.certificate;
  }

  /** The sentence a user sees for this failure. */
  get userText(): string {
    return ERROR_TEXT[this.code];
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, ...(this.certificate ? { certificate: this.certificate } : {}) };
  }

  static fromWire(wire: WireError): TwinboxError {
    const certificate = wire.certificate;
    return new TwinboxError(isErrorCode(wire.code) ? wire.code : 'INTERNAL', wire.message, certificate ? { certificate } : undefined);
  }
}

/** Any failure as a TwinboxError: itself if it is one, else INTERNAL (it is a bug here, not something the user did), keeping it as the cause. */
export function asTwinboxError(error: unknown): TwinboxError {
  return error instanceof TwinboxError ? error : new TwinboxError('INTERNAL', String(error), { cause: error });
}
